import CTFSSupport
import Foundation
import TFSCore
import TFSStore

/// A live run's stderr, stop requests, timeouts and log cap.
extension Supervisor {
  /// The stderr pipes to poll, with their runs.
  var descriptors: [(Int32, LiveRun)] {
    live.values.compactMap { $0.stderrFd >= 0 ? ($0.stderrFd, $0) : nil }
  }

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

  /// Asks a run to stop: `signal` to its process group now, SIGKILL after the grace.
  func stop(_ run: LiveRun, reason: StopReason, signal: Int32 = SIGTERM, graceMs: Int64? = nil) {
    if run.stop == nil { run.stop = reason }
    kill(-run.pid, signal)
    let deadline = clock.nowMs() + (graceMs ?? killGraceMs)
    run.killAt = min(run.killAt ?? deadline, deadline)
  }

  /// Timeouts, kill graces and the log cap. Returns timeout alerts to record.
  func checkTimers(now: Int64) -> [Event] {
    var events: [Event] = []
    for run in live.values {
      if let killAt = run.killAt, now >= killAt {
        kill(-run.pid, SIGKILL)
        run.killAt = nil
      }
      if let timeoutAt = run.timeoutAt, now >= timeoutAt, !run.timeoutAlerted {
        run.timeoutAlerted = true
        let limit = Durations.format(milliseconds: run.spec.timeoutMs ?? 0)
        events.append(
          Alerts.make(
            .timeout, run.run,
            title: "run \(run.run.id) of '\(run.spec.name)' passed its timeout (\(limit))"
              + Alerts.attempt(run.run, run.spec), now: now))
        if run.spec.onTimeout == .kill { stop(run, reason: .timeout) }
      }
      enforceLogCap(run)
    }
    return events
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
