import CTFSSupport
import Foundation
import TFSCore
import TFSStore

/// A live run's output, stop requests and timeouts.
extension Supervisor {
  /// Moves what a run's pipes hold into its log: stdout first, then stderr, so stdout written
  /// before stderr usually comes first (across the two pipes the order is only as good as this;
  /// within each it is exact). At most `drainBudget` bytes of each pipe a call (a full stdout
  /// pipe is one splice), so a writer faster than the disk cannot hold the loop: `poll` reports
  /// the rest. Closes a pipe at its end of file.
  func drainOutput(_ run: LiveRun) {
    drainPipes(run, budget: Supervisor.drainBudget)
  }

  static let drainBudget = 1 << 20
  /// At a run's end: everything its group left in the pipes, but not forever when something that
  /// escaped the group keeps writing.
  static let finalDrainBudget = 64 << 20
  /// A stdout pipe found full gets this much buffer (fewer wake-ups for fast writers). Only
  /// then: a user's pipe buffers are counted against /proc/sys/fs/pipe-user-pages-soft (64 MiB),
  /// past which every new pipe of that user, the runs' own included, gets 8 KiB.
  static let grownPipeBytes: Int32 = 1 << 20
  /// Where output past the cap goes (splice(2) into it copies nothing).
  private static let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)

  func drainPipes(_ run: LiveRun, budget: Int) {
    withUnsafeTemporaryAllocation(byteCount: 65_536, alignment: 16) { buffer in
      var moved = 0
      while moved < budget, let n = moveStdout(run, buffer, upTo: budget - moved) { moved += n }
      moved = 0
      while moved < budget, let n = moveStderr(run, buffer) { moved += n }
    }
  }

  func closePipes(_ run: LiveRun) {
    for fd in [run.stdoutFd, run.stderrFd] where fd >= 0 { close(fd) }
    run.stdoutFd = -1
    run.stderrFd = -1
  }

  /// One splice (or read) of at most `limit` bytes from the stdout pipe: into the log while under
  /// the cap, then to /dev/null. The bytes moved (0: try again), or nil when the pipe is empty
  /// or closed.
  private func moveStdout(_ run: LiveRun, _ buffer: UnsafeMutableRawBufferPointer, upTo limit: Int) -> Int? {
    guard run.stdoutFd >= 0 else { return nil }
    let room = logRoom(run)
    var n: Int
    // Before its first byte the log does not exist: that chunk is read (below), creating it.
    if room > 0 && !run.stdoutCopied && run.logFd >= 0 {
      n = ctfs_splice(run.stdoutFd, run.logFd, min(room, limit))
      if n > 0 {
        run.logBytes += Int64(n)
        grow(run, after: n)
        return n
      }
      if n < 0 && (errno == EINVAL || errno == ENOSYS) {
        run.stdoutCopied = true  // no splice into this file system: copied from now on
        return 0
      }
      if n < 0 && errno != EAGAIN && errno != EINTR {
        failLog(run, errno)  // the bytes stay in the pipe: discarded next time
        return 0
      }
      return pipeGoesOn(n, &run.stdoutFd)
    }
    if room == 0 && Supervisor.devNull >= 0 {
      n = ctfs_splice(run.stdoutFd, Supervisor.devNull, limit)
      if n > 0 {
        capLog(run)  // bytes past the cap: the note, once
        grow(run, after: n)
        return n
      }
      if n == 0 || errno == EAGAIN || errno == EINTR { return pipeGoesOn(n, &run.stdoutFd) }
    }
    // Copied through `buffer` (a log without splice), or discarded so (/dev/null refused it).
    n = read(run.stdoutFd, buffer.baseAddress, min(buffer.count, limit))
    guard n > 0 else { return pipeGoesOn(n, &run.stdoutFd) }
    appendToLog(run, UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    return n
  }

  /// Offers a stdout pipe a larger buffer the first time a splice finds it full (64 KiB).
  private func grow(_ run: LiveRun, after moved: Int) {
    guard !run.stdoutGrown && moved >= 65_536 else { return }
    run.stdoutGrown = true
    _ = ctfs_pipe_grow(run.stdoutFd, Supervisor.grownPipeBytes)
  }

  /// One read from the stderr pipe: its head, and the log while under the cap. The bytes read
  /// (0: try again), or nil when the pipe is empty or closed.
  private func moveStderr(_ run: LiveRun, _ buffer: UnsafeMutableRawBufferPointer) -> Int? {
    guard run.stderrFd >= 0 else { return nil }
    let n = read(run.stderrFd, buffer.baseAddress, buffer.count)
    guard n > 0 else { return pipeGoesOn(n, &run.stderrFd) }
    let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
    if !run.head.isFull { run.head.append(chunk) }
    appendToLog(run, chunk)
    return n
  }

  /// After a splice or read that moved nothing: 0 to try again (EINTR); nil when the pipe is
  /// empty (EAGAIN), or at its end of file or an error, when it is closed.
  private func pipeGoesOn(_ n: Int, _ fd: inout Int32) -> Int? {
    if n < 0 && errno == EINTR { return 0 }
    if n < 0 && errno == EAGAIN { return nil }
    close(fd)
    fd = -1
    return nil
  }

  /// How many more bytes the log takes: 0 once capped or failed.
  private func logRoom(_ run: LiveRun) -> Int {
    guard !run.logCapped, run.logError == nil else { return 0 }
    return Int(max(0, settings.logMax - run.logBytes))
  }

  /// Writes what fits under the cap; past it, the note.
  private func appendToLog(_ run: LiveRun, _ chunk: UnsafeRawBufferPointer) {
    let fits = min(chunk.count, logRoom(run))
    if fits > 0 && openLog(run) {
      if let error = Supervisor.writeAll(run.logFd, UnsafeRawBufferPointer(rebasing: chunk[0..<fits])) {
        failLog(run, error)
        return
      }
      run.logBytes += Int64(fits)
    }
    if fits < chunk.count { capLog(run) }
  }

  /// Ends the log at `log-max` with a note, once; what comes after is discarded. When log-max was
  /// lowered during the run below what the log holds, the log is cut back to it first.
  private func capLog(_ run: LiveRun) {
    guard !run.logCapped, run.logError == nil, openLog(run) else { return }
    run.logCapped = true
    let cap = settings.logMax
    if run.logBytes > cap {
      _ = ftruncate(run.logFd, off_t(cap))
      _ = lseek(run.logFd, off_t(cap), SEEK_SET)
      run.logBytes = cap
    }
    let note = Array("\n[tfs: log truncated at \(cap) bytes (setting log-max)]\n".utf8)
    if let error = note.withUnsafeBytes({ Supervisor.writeAll(run.logFd, $0) }) { failLog(run, error) }
  }

  /// Creates the run's log at its first output; false (the failure noted) when it cannot.
  private func openLog(_ run: LiveRun) -> Bool {
    guard run.logFd < 0 else { return true }
    run.logFd = RunPreparation.openLog(run.logPath)
    if run.logFd < 0 { failLog(run, errno) }
    return run.logFd >= 0
  }

  private func failLog(_ run: LiveRun, _ error: Int32) {
    if run.logError == nil { run.logError = String(cString: strerror(error)) }
  }

  /// Writes all of `bytes`; nil, or the errno of the write that failed.
  private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return n < 0 ? errno : ENOSPC }
      offset += n
    }
    return nil
  }

  /// Asks a run to stop: `signal` to its process group now, SIGKILL after the grace (or sooner
  /// when an earlier stop already set it).
  func stop(
    _ run: LiveRun, _ reason: StopReason, signal: Int32 = SIGTERM, graceMs: Int64? = nil, after earlier: Stop?
  ) -> Stop {
    launcher.signal(group: run.pid, signal)
    let deadline = clock.nowMs() + (graceMs ?? killGraceMs)
    return Stop(reason: earlier?.reason ?? reason, killAt: min(earlier?.killAt ?? deadline, deadline))
  }

  /// One check of a live run's timers: the timeout alert once it passed (under `on-timeout
  /// kill` with the stop it asks), then SIGKILL once a stop's grace is over. Returns the alert
  /// and the run's stop after the check.
  func checkTimers(_ run: LiveRun, stop: Stop?, now: Int64) -> (event: Event?, stop: Stop?) {
    var stop = stop
    let event = timeoutPassed(run, now: now)
    if event != nil && run.spec.onTimeout == .kill { stop = self.stop(run, .timeout, after: stop) }
    if let current = stop, let killAt = current.killAt, now >= killAt {
      launcher.signal(group: run.pid, SIGKILL)
      stop = Stop(reason: current.reason, killAt: nil)
    }
    return (event, stop)
  }

  /// The timeout alert of a run that passed its timeout (once); whether to stop it is the
  /// caller's (`on-timeout kill`).
  private func timeoutPassed(_ run: LiveRun, now: Int64) -> Event? {
    guard let timeoutAt = run.timeoutAt, now >= timeoutAt, !run.timeoutAlerted else { return nil }
    run.timeoutAlerted = true
    let limit = Durations.format(milliseconds: run.spec.timeoutMs ?? 0)
    return Alerts.make(
      .timeout, run.run,
      title: "run \(run.run.id) of '\(run.spec.name)' passed its timeout (\(limit))"
        + Alerts.attempt(run.run, run.spec),
      now: now)
  }
}
