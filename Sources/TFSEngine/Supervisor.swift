import CTFSSupport
import Foundation
import TFSCore
import TFSStore

/// Starts runs and watches their processes until they end: copies stderr into the log while
/// keeping its head, enforces timeouts, kill graces and the log cap, and turns an exit status
/// into a `RunEnd` with its alerts. Shared by the daemon and `tfs run --here`; it does no
/// scheduling and writes to the store only to mark runs started.
final class Supervisor {
  let store: Store
  let launcher: any ProcessLauncher
  let clock: any TFSCore.Clock
  var settings: EffectiveSettings
  let baseEnvironment: [String: String]
  let executorPid = getpid()
  let killGraceMs: Int64
  private(set) var live: [Int32: LiveRun] = [:]

  struct Finished {
    let live: LiveRun
    let end: RunEnd
    let events: [Event]

    /// The same end recorded at `at`: a run that could not be prepared ahead of its occurrence
    /// ends at the occurrence, not when it was prepared (before it).
    func recorded(at: Int64) -> Finished {
      var end = self.end
      end.endedAt = at
      return Finished(
        live: live, end: end,
        events: events.map { e in
          var e = e
          e.at = at
          return e
        })
    }
  }

  init(
    store: Store, launcher: any ProcessLauncher, clock: any TFSCore.Clock, settings: EffectiveSettings,
    killGraceMs: Int64 = 10_000
  ) {
    self.store = store
    self.launcher = launcher
    self.clock = clock
    self.settings = settings
    self.killGraceMs = killGraceMs
    var env = ProcessInfo.processInfo.environment
    for key in env.keys where key.hasPrefix("TFS_") { env[key] = nil }
    baseEnvironment = env
  }

  var runningCount: Int { live.count }
  func liveRun(id: RunID) -> LiveRun? { live.values.first { $0.run.id == id } }
  /// Live pids per task, so the per-occurrence overlap checks do not scan every live run.
  private var pidsByTask: [TaskName: [Int32]] = [:]

  func liveRuns(of task: TaskName) -> [LiveRun] { (pidsByTask[task] ?? []).compactMap { live[$0] } }
  func isRunning(_ task: TaskName) -> Bool { !(pidsByTask[task] ?? []).isEmpty }

  // MARK: Starting

  static let childHeadStartUs: UInt32 = 4_000

  /// A run whose folders, log file and stderr pipe are ready: only the spawn is left.
  struct Prepared {
    let run: Run
    let spec: TaskSpec
    let ready: RunPreparation.Ready
  }

  /// Starts recorded (queued) runs. Runs that cannot start are returned as finished `failed`.
  func start(_ items: [(Run, TaskSpec)]) throws(StoreError) -> (started: [LiveRun], failed: [Finished]) {
    let (ready, failed) = prepare(items)
    let (started, notSpawned) = try launch(ready)
    return (started, failed + notSpawned)
  }

  /// Everything but the spawn (the daemon does this ahead of an occurrence, off the firing path).
  func prepare(_ items: [(Run, TaskSpec)]) -> (ready: [Prepared], failed: [Finished]) {
    var checked: [Prepared] = []
    var failed: [Finished] = []
    for (run, spec) in items {
      let preparation = RunPreparation(spec: spec, settings: settings, baseEnvironment: baseEnvironment)
      switch preparation.prepare(run) {
      case .success(let r): checked.append(Prepared(run: run, spec: spec, ready: r))
      case .failure(let f): failed.append(notStarted(run, spec, f))
      }
    }
    let logFailures = Supervisor.inParallel(checked.map(\.ready), RunPreparation.createFiles)
    var ready: [Prepared] = []
    for (p, failure) in zip(checked, logFailures) {
      if let failure { failed.append(notStarted(p.run, p.spec, failure)) } else { ready.append(p) }
    }
    return (ready, failed)
  }

  /// Gives up prepared runs that will not start (shutdown, task changed): removes their logs.
  func discard(_ prepared: [Prepared]) {
    for p in prepared { unlink(p.ready.logPath) }
  }

  /// Spawns prepared runs (in parallel when many) and marks them running in one transaction.
  func launch(_ ready: [Prepared]) throws(StoreError) -> (started: [LiveRun], failed: [Finished]) {
    guard !ready.isEmpty else { return ([], []) }
    let spawned = spawnAll(ready.map(\.ready))
    // Give the children just started the CPU for their first milliseconds (exec, dynamic
    // loading, the shell reading its script) before recording them: the daemon's bookkeeping
    // right after a spawn delayed an every-second bash task's first instruction from ~2 to
    // ~3 ms (p50, 1 task; scripts/bench-daemon.py P1). Nothing here is urgent: signals and
    // stderr wait in their pipes.
    if spawned.contains(where: { if case .success = $0 { true } else { false } }) {
      usleep(Supervisor.childHeadStartUs)
    }
    var started: [LiveRun] = []
    var failed: [Finished] = []
    var starts: [RunStart] = []
    for (i, p) in ready.enumerated() {
      let (run, spec, r) = (p.run, p.spec, p.ready)
      switch spawned[i] {
      case .success(let s):
        // Read here, after the batch: /proc costs ~20 µs a spawn, and the child cannot be reaped
        // (its pid reused) before this loop's caller reaps.
        let start = ctfs_process_start(s.pid)
        let processStart = start >= 0 ? start : nil
        let liveRun = LiveRun(
          run: run, spec: spec, paths: r.paths, pid: s.pid, processStart: processStart, logFd: s.logFd,
          stderrFd: s.stderrRead, startedAt: s.at)
        liveRun.run.status = .running
        liveRun.run.startedAt = s.at
        liveRun.run.pid = s.pid
        liveRun.run.logPath = r.logRelative
        live[s.pid] = liveRun
        pidsByTask[spec.name, default: []].append(s.pid)
        started.append(liveRun)
        starts.append(
          RunStart(
            id: run.id, version: run.version, startedAt: s.at, pid: s.pid, processStart: processStart,
            logPath: r.logRelative))
      case .failure(let failure):
        failed.append(notStarted(run, spec, failure))
      }
    }
    let killedMeanwhile = try store.markStartedBatch(starts, executorPid: executorPid)
    for run in started where killedMeanwhile.contains(run.run.id) {
      // `tfs kill` ended it while it was being spawned: the record stays `killed`.
      run.stop = .killed(actor: "tfs kill", signal: SIGKILL)
      kill(-run.pid, SIGKILL)
    }
    return (started, failed)
  }

  /// A started process and the descriptors the daemon keeps for it.
  struct Spawned {
    let pid: Int32
    /// When the spawn returned (epoch ms).
    let at: Int64
    let logFd: Int32
    let stderrRead: Int32
  }

  /// Spawns in parallel when many are due at once, on two threads per core: a spawner waits
  /// while its child execs, and the children just started compete with the spawners for the
  /// cores (1,000 `/bin/true` on 2 cores: 485 ms with 2 threads, 427 ms with 4).
  private func spawnAll(_ runs: [RunPreparation.Ready]) -> [Result<Spawned, RunPreparation.Failure>] {
    let launcher = self.launcher
    let clock = self.clock
    return Supervisor.inParallel(runs, threadsPerCore: 2) { Supervisor.spawn(launcher, clock, $0) }
  }

  /// `items.map(body)`, spread over `threadsPerCore` threads per core (at most 8) when there are
  /// many items; the calling thread is one of them. Plain threads, not `concurrentPerform`,
  /// which never runs more at once than there are cores.
  static func inParallel<T, R>(_ items: [T], threadsPerCore: Int = 1, _ body: @escaping (T) -> R) -> [R] {
    if items.count < 8 { return items.map(body) }
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount * threadsPerCore, 8))
    let slots = Slots<R>(count: items.count)
    let shared = UncheckedBox((items, body))
    let work: @Sendable (Int) -> Void = { worker in
      let (items, body) = shared.value
      for i in stride(from: worker, to: items.count, by: workers) { slots.set(i, body(items[i])) }
    }
    let done = DispatchSemaphore(value: 0)
    for worker in 1..<workers {
      Thread {
        work(worker)
        done.signal()
      }.start()
    }
    work(0)
    for _ in 1..<workers { done.wait() }
    return slots.results
  }

  /// Opens the run's descriptors, spawns it and closes the child's end of the pipe at once, so
  /// the daemon's descriptor table holds two descriptors per live run (it is copied into every
  /// child when `ctfs_spawn` falls back to `posix_spawn`).
  private static func spawn(
    _ launcher: any ProcessLauncher, _ clock: any TFSCore.Clock, _ ready: RunPreparation.Ready
  ) -> Result<Spawned, RunPreparation.Failure> {
    let files: RunPreparation.Files
    switch RunPreparation.openFiles(ready) {
    case .success(let f): files = f
    case .failure(let failure): return .failure(failure)
    }
    var request = ready.request
    request.stdoutFd = files.logFd
    request.stderrFd = files.stderrWrite
    do {
      let pid = try launcher.launch(request)
      let at = clock.nowMs()
      close(files.stderrWrite)
      return .success(Spawned(pid: pid, at: at, logFd: files.logFd, stderrRead: files.stderrRead))
    } catch {
      files.closeAll()
      return .failure(.io(error.description))
    }
  }

  private func notStarted(_ run: Run, _ spec: TaskSpec, _ failure: RunPreparation.Failure) -> Finished {
    let now = clock.nowMs()
    let liveRun = LiveRun(
      run: run, spec: spec, paths: settings.paths(spec.name), pid: 0, processStart: nil, logFd: -1,
      stderrFd: -1,
      startedAt: now)
    var events: [Event] = []
    switch failure {
    case .missing(let reason):
      events.append(
        Alerts.make(
          .entryMissing, run,
          title: "run \(run.id) of '\(spec.name)' not started: \(reason)\(Alerts.attempt(run, spec))",
          now: now))
    case .io(let reason):
      events.append(
        Alerts.make(
          .failed, run,
          title: "run \(run.id) of '\(spec.name)' could not start: \(reason)\(Alerts.attempt(run, spec))",
          now: now))
    }
    return Finished(
      live: liveRun, end: RunEnd(status: .failed, endedAt: now, reason: failure.reason), events: events)
  }

  // MARK: Watching

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

  // MARK: Ending

  /// Reaps every exited child and turns each into a finished run.
  func reap() -> [Finished] {
    // Only our own runs' pids: waitpid(-1) would also reap children this process started for
    // other reasons (alert delivery, Foundation's Process in tests).
    var exited: [(LiveRun, Int32)] = []
    for pid in Array(live.keys) {
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid, let run = live.removeValue(forKey: pid) {
        pidsByTask[run.spec.name]?.removeAll { $0 == pid }
        if pidsByTask[run.spec.name]?.isEmpty == true { pidsByTask[run.spec.name] = nil }
        exited.append((run, status))
      }
    }
    guard !exited.isEmpty else { return [] }
    let requests = (try? store.killRequests(exited.map { $0.0.run.id })) ?? [:]
    return exited.map { run, status in
      if let request = requests[run.run.id], run.stop == nil {
        run.stop = .killed(actor: request.actor, signal: request.signal)
      }
      return finish(run, waitStatus: status)
    }
  }

  private func finish(_ run: LiveRun, waitStatus: Int32) -> Finished {
    kill(-run.pid, SIGKILL)  // whatever the leader left behind in its group ends with it
    drainStderr(run)
    if run.stderrFd >= 0 {
      close(run.stderrFd)
      run.stderrFd = -1
    }
    enforceLogCap(run)
    var info = stat()
    let logBytes = fstat(run.logFd, &info) == 0 ? Int64(info.st_size) : 0
    close(run.logFd)
    let published = FileSystem.archivePublish(run.paths, version: run.run.version)
    let now = clock.nowMs()
    let outcome = Outcome.classify(waitStatus: waitStatus, stop: run.stop)
    var end = RunEnd(
      status: outcome.status, endedAt: now, exitCode: outcome.exitCode, signal: outcome.signal,
      stderrHead: run.head.text, reason: outcome.reason, logBytes: logBytes, published: published)
    if run.logCapped { end.reason += end.reason.isEmpty ? "log truncated" : "; log truncated" }
    var events: [Event] = []
    let name = run.spec.name
    switch outcome.status {
    case .failed:
      events.append(
        Alerts.make(
          .failed, run.run,
          title:
            "run \(run.run.id) of '\(name)' failed (\(outcome.summary))\(Alerts.attempt(run.run, run.spec))",
          now: now, stderr: end.stderrHead))
    case .killed:
      if case .killed(let actor, _) = run.stop {
        events.append(
          Alerts.make(
            .killed, run.run, title: "run \(run.run.id) of '\(name)' killed by \(actor)", now: now,
            actor: actor))
      }
    default: break  // `recovered` is the store's to decide (it keeps the task's alert state)
    }
    return Finished(live: run, end: end, events: events)
  }

  /// Stops every live run (shutdown): TERM now, KILL after `graceMs`.
  func stopAll(graceMs: Int64) {
    for run in live.values { stop(run, reason: .shutdown, graceMs: graceMs) }
  }
}

/// Exit status → run status, exit code, signal (SPEC §6: code and signal recorded apart).
struct Outcome: Equatable {
  var status: RunStatus
  var exitCode: Int32?
  var signal: Int32?
  var reason: String

  var summary: String {
    if let signal { return "signal \(signal)" }
    return "exit \(exitCode ?? -1)"
  }

  static func classify(waitStatus: Int32, stop: StopReason?) -> Outcome {
    let signaled = (waitStatus & 0x7f) != 0 && (waitStatus & 0x7f) != 0x7f
    let code: Int32? = signaled ? nil : (waitStatus >> 8) & 0xff
    let signal: Int32? = signaled ? waitStatus & 0x7f : nil
    switch stop {
    case .killed(let actor, _)?:
      return Outcome(status: .killed, exitCode: code, signal: signal, reason: "killed by \(actor)")
    case .timeout?:
      return Outcome(status: .timedOut, exitCode: code, signal: signal, reason: "timeout")
    case .replaced(let by)?:
      return Outcome(status: .killed, exitCode: code, signal: signal, reason: "replaced by \(by)")
    case .shutdown?:
      return Outcome(status: .killed, exitCode: code, signal: signal, reason: "daemon shutdown")
    case nil:
      if code == 0 { return Outcome(status: .succeeded, exitCode: 0, signal: nil, reason: "") }
      return Outcome(status: .failed, exitCode: code, signal: signal, reason: "")
    }
  }
}

/// Builds alert events (SPEC §7); the store applies the task's policy and queues deliveries.
enum Alerts {
  /// `, attempt 2 of 3` for a task with retries: a retry chain alerts once, naming the attempt.
  static func attempt(_ run: Run, _ spec: TaskSpec) -> String {
    spec.retries > 0 ? ", attempt \(run.attempt + 1) of \(spec.retries + 1)" : ""
  }

  static func make(
    _ type: EventType, _ run: Run, title: String, now: Int64, actor: String = "tfs", stderr: String = ""
  ) -> Event {
    var details = [
      "version": run.version, "run_id": String(run.id), "trigger": run.trigger.rawValue,
      "attempt": String(run.attempt + 1),
    ]
    if !stderr.isEmpty { details["stderr_head"] = stderr }
    return Event(
      at: now, type: type.rawValue, task: run.task.rawValue, runID: run.id, actor: actor, title: title,
      details: JSON.object(details), delivery: "pending")
  }
}

/// Raw writes that finish or fail (short writes and EINTR handled).
enum Terminal {
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      offset += n
    }
  }
}

/// Results written by parallel worker threads, each to its own index.
private final class Slots<R>: @unchecked Sendable {
  private var storage: [R?]
  private let lock = NSLock()

  init(count: Int) { storage = Array(repeating: nil, count: count) }

  func set(_ i: Int, _ value: R) {
    lock.lock()
    storage[i] = value
    lock.unlock()
  }

  /// Every slot, once all were set.
  var results: [R] {
    lock.lock()
    defer { lock.unlock() }
    return storage.map { $0! }
  }
}

/// Hands values that are only read to `concurrentPerform`'s workers.
private struct UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
