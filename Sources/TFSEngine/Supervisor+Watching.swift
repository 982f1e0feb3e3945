import CTFSSupport
import Foundation
import TFSCore
import TFSStore

/// A live run's stderr, stop requests, timeouts and log cap.
extension Supervisor {
  /// Copies what stderr has into the log (and the head); closes the pipe at end of file.
  func drainStderr(_ run: LiveRun) {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while run.stderrFd >= 0 {
      let n = buffer.withUnsafeMutableBytes { read(run.stderrFd, $0.baseAddress, $0.count) }
      if n > 0 {
        buffer.withUnsafeBytes { raw in
          let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
          if !run.head.isFull { run.head.append(chunk) }
          if !run.logCapped { Terminal.writeAll(run.logFd, chunk) }
        }
      } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
        close(run.stderrFd)
        run.stderrFd = -1
      } else if errno == EAGAIN {
        return
      }
    }
  }

  /// Asks a run to stop: `signal` to its process group now, SIGKILL after the grace (or sooner
  /// when an earlier stop already set it).
  func stop(
    _ run: LiveRun, _ reason: StopReason, signal: Int32 = SIGTERM, graceMs: Int64? = nil, after earlier: Stop?
  )
    -> Stop
  {
    launcher.signal(group: run.pid, signal)
    let deadline = clock.nowMs() + (graceMs ?? killGraceMs)
    return Stop(reason: earlier?.reason ?? reason, killAt: min(earlier?.killAt ?? deadline, deadline))
  }

  /// SIGKILL to a stopping run whose grace is over; returns the stop without its deadline.
  func killIfDue(_ run: LiveRun, _ stop: Stop, now: Int64) -> Stop? {
    guard let killAt = stop.killAt, now >= killAt else { return nil }
    launcher.signal(group: run.pid, SIGKILL)
    return Stop(reason: stop.reason, killAt: nil)
  }

  /// The timeout alert of a run that passed its timeout (once); whether to stop it is the
  /// caller's (`on-timeout kill`).
  func timeoutPassed(_ run: LiveRun, now: Int64) -> Event? {
    guard let timeoutAt = run.timeoutAt, now >= timeoutAt, !run.timeoutAlerted else { return nil }
    run.timeoutAlerted = true
    let limit = Durations.format(milliseconds: run.spec.timeoutMs ?? 0)
    return Alerts.make(
      .timeout, run.run,
      title: "run \(run.run.id) of '\(run.spec.name)' passed its timeout (\(limit))"
        + Alerts.attempt(run.run, run.spec),
      now: now)
  }

  /// Keeps the log at `log-max`: the child writes straight into the file (no copy through the
  /// daemon), so the file is cut back to the cap with a note whenever it has grown past it.
  func enforceLogCap(_ run: LiveRun) {
    var info = stat()
    guard run.logFd >= 0, fstat(run.logFd, &info) == 0 else { return }
    let cap = settings.logMax
    guard Int64(info.st_size) > cap else { return }
    let note = Array("\n[tfs: log truncated at \(cap) bytes (setting log-max)]\n".utf8)
    if !run.logCapped || Int64(info.st_size) > cap + Int64(note.count) {
      _ = ftruncate(run.logFd, off_t(cap))
      _ = lseek(run.logFd, off_t(cap), SEEK_SET)  // the offset is shared with the child's stdout
      note.withUnsafeBytes { Terminal.writeAll(run.logFd, $0) }
      run.logCapped = true
    }
  }
}
