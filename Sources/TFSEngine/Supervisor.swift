import CTFSSupport
import Foundation
import TFSCore
import TFSStore

/// Starts runs and watches their processes until they end: copies stderr into the log while
/// keeping its head, enforces timeouts, kill graces and the log cap, and turns an exit status
/// into a `RunEnd` with its alerts. Shared by the daemon and `tfs run --here`; it keeps no runs
/// (the daemon's run table does), does no scheduling, and writes to the store only to mark runs
/// started.
final class Supervisor {
  let store: Store
  let launcher: any ProcessLauncher
  let clock: any TFSCore.Clock
  var settings: EffectiveSettings
  var baseEnvironment: [String: String]
  /// On a cluster: each run's log is also kept in the store at its end (`tfs logs` from any host).
  var keepsLogsInStore = false
  let executorPid = getpid()
  let killGraceMs: Int64

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

  // MARK: Starting

  static let childHeadStartUs: UInt32 = 4_000

  /// A run whose folders, log file and stderr pipe are ready: only the spawn is left.
  struct Prepared {
    let run: Run
    let spec: TaskSpec
    let ready: RunPreparation.Ready
  }

  /// What a launch gives: the runs started, those that could not be (as finished `failed`), and
  /// the ids of started runs `tfs kill` ended while they were spawned (sent SIGKILL: the record
  /// stays `killed`).
  struct Launched {
    var started: [LiveRun] = []
    var failed: [Finished] = []
    var killedMeanwhile: Set<RunID> = []
    /// The store refused to mark them started: they run all the same (their ends are recorded
    /// from `queued`), and the caller reports the error once it took them in.
    var unmarked: StoreError?
  }

  /// Starts recorded (queued) runs. Runs that cannot start are returned as finished `failed`.
  func start(_ items: [(Run, TaskSpec)]) -> Launched {
    let (ready, failed) = prepare(items)
    var launched = launch(ready)
    launched.failed = failed + launched.failed
    return launched
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
  func launch(_ ready: [Prepared]) -> Launched {
    guard !ready.isEmpty else { return Launched() }
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
          run: run, spec: spec, paths: r.paths, pid: s.pid, processStart: processStart, logPath: r.logPath,
          stdoutFd: s.stdoutRead, stderrFd: s.stderrRead, startedAt: s.at)
        liveRun.run.status = .running
        liveRun.run.startedAt = s.at
        liveRun.run.pid = s.pid
        liveRun.run.logPath = r.logRelative
        started.append(liveRun)
        starts.append(
          RunStart(
            id: run.id, version: run.version, startedAt: s.at, pid: s.pid, processStart: processStart,
            logPath: r.logRelative))
      case .failure(let failure):
        failed.append(notStarted(run, spec, failure))
      }
    }
    var launched = Launched(started: started, failed: failed)
    do {
      launched.killedMeanwhile = try store.markStartedBatch(starts, executorPid: executorPid)
    } catch {
      launched.unmarked = error
    }
    for run in started where launched.killedMeanwhile.contains(run.run.id) {
      launcher.signal(group: run.pid, SIGKILL)
    }
    return launched
  }

  /// A started process and the descriptors the daemon keeps for it.
  struct Spawned {
    let pid: Int32
    /// When the spawn returned (epoch ms).
    let at: Int64
    let stdoutRead: Int32
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

  /// Opens the run's descriptors, spawns it and closes the child's ends of its pipes at once, so
  /// the daemon's descriptor table holds three descriptors per live run: the log and the read
  /// ends of the stdout and stderr pipes (the table is copied into every child when
  /// `ctfs_spawn` falls back to `posix_spawn`).
  private static func spawn(
    _ launcher: any ProcessLauncher, _ clock: any TFSCore.Clock, _ ready: RunPreparation.Ready
  ) -> Result<Spawned, RunPreparation.Failure> {
    let files: RunPreparation.Files
    switch RunPreparation.openFiles(ready) {
    case .success(let f): files = f
    case .failure(let failure): return .failure(failure)
    }
    var request = ready.request
    request.stdoutFd = files.stdoutWrite
    request.stderrFd = files.stderrWrite
    do {
      let pid = try launcher.launch(request)
      let at = clock.nowMs()
      close(files.stdoutWrite)
      close(files.stderrWrite)
      return .success(
        Spawned(
          pid: pid, at: at, stdoutRead: files.stdoutRead, stderrRead: files.stderrRead))
    } catch {
      files.closeAll()
      return .failure(.io(error.description))
    }
  }

  private func notStarted(_ run: Run, _ spec: TaskSpec, _ failure: RunPreparation.Failure) -> Finished {
    let now = clock.nowMs()
    let liveRun = LiveRun(
      run: run, spec: spec, paths: settings.paths(spec.name), pid: 0, processStart: nil, logPath: "",
      stdoutFd: -1, stderrFd: -1, startedAt: now)
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

  // MARK: Ending

  /// Turns exited children (with the stop tfs asked of each, if any) into finished runs; a run
  /// `tfs kill` asked to end counts as killed even when it exited on its own meanwhile.
  func ended(_ exited: [(run: LiveRun, status: Int32, stop: StopReason?)]) -> [Finished] {
    guard !exited.isEmpty else { return [] }
    let requests = (try? store.killRequests(exited.map(\.run.run.id))) ?? [:]
    return exited.map { run, status, stop in
      let asked = requests[run.run.id].map { StopReason.killed(actor: $0.actor, signal: $0.signal) }
      return finish(run, waitStatus: status, stop: stop ?? asked)
    }
  }

  private func finish(_ run: LiveRun, waitStatus: Int32, stop: StopReason?) -> Finished {
    launcher.signal(group: run.pid, SIGKILL)  // whatever the leader left behind in its group ends with it
    drainPipes(run, budget: Supervisor.finalDrainBudget)  // all the group wrote before it ended
    closePipes(run)
    var info = stat()
    let logBytes = run.logFd >= 0 && fstat(run.logFd, &info) == 0 ? Int64(info.st_size) : 0
    let kept = keepsLogsInStore && logBytes > 0 ? Supervisor.readLog(run.logPath, bytes: logBytes) : nil
    if run.logFd >= 0 { close(run.logFd) }
    let published = FileSystem.archivePublish(run.paths, version: run.run.version)
    let now = clock.nowMs()
    let outcome = Outcome.classify(waitStatus: waitStatus, stop: stop)
    var end = RunEnd(
      status: outcome.status, endedAt: now, exitCode: outcome.exitCode, signal: outcome.signal,
      stderrHead: run.head.text, reason: outcome.reason, logBytes: logBytes, published: published)
    end.log = kept
    if run.logCapped { end.reason += end.reason.isEmpty ? "log truncated" : "; log truncated" }
    if let error = run.logError {
      end.reason += (end.reason.isEmpty ? "" : "; ") + "log incomplete (\(error))"
    }
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
      if case .killed(let actor, _) = stop {
        events.append(
          Alerts.make(
            .killed, run.run, title: "run \(run.run.id) of '\(name)' killed by \(actor)", now: now,
            actor: actor))
      }
    default: break  // `recovered` is the store's to decide (it keeps the task's alert state)
    }
    return Finished(live: run, end: end, events: events)
  }

}
