import Foundation
import Logging
import TFSCore
import TFSStore

/// The daemon without its I/O loop: it takes inputs — occurrences coming due as its clock
/// passes them, children that exited, the store changed, a stop asked — and applies the
/// decisions of `RunRules` to its run table, recording through its store and starting and
/// signalling processes through its launcher. No poll, no timer, no signal handler: the runner
/// (`Daemon`) owns those. Tests drive it in-process with a manual clock and a fake launcher.
final class DaemonCore {
  let store: Store
  let clock: any TFSCore.Clock
  let log: Logger
  let home: Home
  var settings: EffectiveSettings
  let supervisor: Supervisor
  /// Every run the daemon holds, from its record to its end.
  var table = RunTable()
  /// Each enabled task's next occurrence.
  var scheduler: Scheduler
  /// Occurrences popped ahead whose run was not armed: decided when they come.
  var held: [DueOccurrence] = []
  /// Runs of `tfs run --here` in progress, by task (their overlap counts like the daemon's own).
  var runsElsewhere: [TaskName: [Run]] = [:]
  /// Runs an `overlap` alert already named (one alert per running run).
  var overlapAlerted: Set<RunID> = []
  /// The jitter's random source (seeded in tests).
  var random: AnyRandom
  let pid: Int32
  let shutdownGraceMs: Int64
  private(set) var stopping = false
  /// `--once` after its second: nothing new fires, and no retry follows; what was decided
  /// (jittered, queued, waiting runs) still starts, and the daemon ends when all of it ended.
  private(set) var draining = false
  /// When the stop was asked: occurrences after it are the next daemon's to record as missed.
  private(set) var stopBeganAt: Int64?
  private var stopDeadline: Int64?
  /// Set while steps fail (the store refusing writes…): from when, and the first error.
  var outage: Outage?
  /// Ended runs not recorded yet (the store refused the write): recorded at the next step.
  var unrecorded: [Supervisor.Finished] = []
  /// On a cluster: this node, for tasks pinned to nodes (nil on a home's SQLite: no pins).
  var placement: NodePlacement?
  /// Occurrences of tasks pinned to other nodes, watched until their claim's grace passed.
  var unclaimed: [DueOccurrence] = []
  var lastDataVersion: Int64 = 0
  var nextHeartbeat: Int64 = 0
  var nextPoll: Int64 = 0
  var nextPrune: Int64 = 0
  let pollIntervalMs: Int64

  init(
    store: Store, home: Home, settings: EffectiveSettings, clock: any TFSCore.Clock,
    launcher: any ProcessLauncher,
    log: Logger, shutdownGraceMs: Int64 = 30_000, pollIntervalMs: Int64 = 200, pid: Int32 = getpid(),
    random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
  ) {
    (self.store, self.home, self.settings, self.clock, self.log) = (store, home, settings, clock, log)
    supervisor = Supervisor(store: store, launcher: launcher, clock: clock, settings: settings)
    scheduler = Scheduler(settings: settings)
    (self.shutdownGraceMs, self.pollIntervalMs, self.pid, self.random) = (
      shutdownGraceMs, pollIntervalMs, pid, AnyRandom(random)
    )
  }

  /// The stop is asked and every run has been recorded as ended.
  var isDone: Bool { (stopping && table.liveCount == 0) || (draining && table.isEmpty) }

  /// Start-up: resolves what a previous daemon left, records the occurrences missed since it
  /// stopped (those with no record in the store), and picks up queued runs.
  func begin(version: String, previous: DaemonInfo?) throws {
    let now = clock.nowMs()
    let unstarted = try Recovery(store: store, log: log, clock: clock, settings: settings).resolveLeftovers(
      previousDaemon: previous?.pid)
    let tasks = try store.tasks()
    try store.daemonStarted(pid: pid, version: version, now: now, taskCount: tasks.count)
    scheduler.load(tasks, now: now)
    // A clean stop records when it stopped firing; after a crash the last heartbeat is the mark.
    // Before it every occurrence was handled; after it, those without a record were missed.
    if let since = previous.map({ $0.firedUntil ?? $0.stoppedAt ?? $0.heartbeatAt }) {
      let handled = try store.occurrencesByTask(fromMs: since, toMs: now)
      let missed = scheduler.collectMissed(tasks: tasks, from: since, to: now) { handled[$0] ?? [] }
      try record(scheduler.adding(unstarted, to: missed, tasks: tasks))
    } else {
      try record(scheduler.adding(unstarted, to: [], tasks: tasks))
    }
    lastDataVersion = try store.dataVersion()
    try loadQueued()
  }

  /// SIGTERM/SIGINT: nothing new starts; armed runs are given up, the running ones get the
  /// shutdown grace to end.
  func requestStop() throws {
    guard !stopping else { return }
    stopping = true
    let now = clock.nowMs()
    stopBeganAt = stopBeganAt ?? now
    stopDeadline = now + shutdownGraceMs
    held = []
    log.info("stopping", metadata: ["running": .int(table.liveCount), "grace_ms": .int(shutdownGraceMs)])
    try disarm()
  }

  /// `--once`, once its second was fired: no more firing (armed runs of later occurrences are
  /// given up); what was decided runs to its end, with no shutdown deadline.
  func stopFiring() throws {
    guard !stopping && !draining else { return }
    draining = true
    stopBeganAt = clock.nowMs()
    held = []
    log.info("draining", metadata: ["running": .int(table.liveCount), "waiting": .int(table.waiting.count)])
    try disarm()
  }

  /// After the last run ended: runs still waiting (for a slot, a jitter, a retry delay) did not
  /// happen, and are recorded so (missed; a retry skipped) rather than started late by the next
  /// daemon. Manual ones stay queued for it.
  func end() throws {
    let end = clock.nowMs()
    let waiting = table.waiting.filter { $0.run.trigger != .manual }
    try store.finishRuns(waiting.map { ($0.run.id, RunEnd.notStarted($0.run, at: end), []) })
    for row in waiting { table.remove(row.run.id) }
    try store.daemonStopped(pid: pid, now: clock.nowMs(), firedUntil: stopBeganAt)
    _ = try? store.record(
      Event(
        at: clock.nowMs(), type: EventType.daemonStopped.rawValue, actor: Actor.current(),
        title: "daemon stopped (pid \(pid))"))
  }

  /// When the runner must wake next: the next occurrence (a lead ahead), armed and held runs,
  /// waiting runs' delays, kill graces, timeouts, the heartbeat and the store poll (the runs'
  /// pipes wake the runner themselves).
  func nextWakeMs() -> Int64 {
    let now = clock.nowMs()
    var deadline = min(nextHeartbeat, nextPoll)
    if !stopping && !draining {
      if let due = scheduler.nextDueMs { deadline = min(deadline, due - DaemonCore.leadMs) }
      for item in held { deadline = min(deadline, item.occurrence.atMs) }
      if let check = nextUnclaimedCheckMs { deadline = min(deadline, check) }
    }
    // Armed and unstartable runs exist only while firing (a stop gives them up).
    for row in table.rows.values {
      switch row.state {
      case .armed: deadline = min(deadline, (row.run.scheduledAt ?? now) - DaemonCore.spinMs)
      case .unstartable: deadline = min(deadline, row.run.scheduledAt ?? now)
      case .waiting(let notBefore, _) where notBefore > now: deadline = min(deadline, notBefore)
      case .running(let live): if let t = live.timeoutAt, !live.timeoutAlerted { deadline = min(deadline, t) }
      case .stopping(_, let stop): if let k = stop.killAt { deadline = min(deadline, k) }
      default: break
      }
    }
    if let s = stopDeadline { deadline = min(deadline, s) }
    return max(deadline, now + 1)
  }

  /// The earliest occurrence of an armed run: the runner spins the last millisecond to it.
  var nextArmedMs: Int64? { table.armed.compactMap(\.run.scheduledAt).min() }

  /// Timeouts, kill graces, the heartbeat (with still-failing re-alerts and the
  /// daily prune) and the end of the shutdown grace.
  func checkTimers() throws {
    let now = clock.nowMs()
    try checkRunTimers(now: now)
    if !stopping && !draining { try recordUnclaimed(now: now) }
    if now >= nextHeartbeat {
      nextHeartbeat = now + 1000
      try store.heartbeat(pid: pid, now: now)
      try store.raiseStillFailing(now: now)
      if now >= nextPrune {
        nextPrune = now + 86_400_000
        try Pruner(store: store, settings: settings, log: log).pruneExpired(now: now)
      }
    }
    if stopping, let s = stopDeadline, now >= s {
      stopDeadline = nil
      for live in table.live { stop(live, .shutdown, graceMs: 0) }  // the grace is over: TERM and KILL
      try checkRunTimers(now: now)
    }
  }

  /// How long before an occurrence the run of an idle task is recorded and prepared (folders,
  /// log file, pipe), so that at the second boundary only the spawn is left to do.
  static let leadMs: Int64 = 250
  /// How early the runner wakes before armed runs are due, to spin to the exact millisecond.
  static let spinMs: Int64 = 1
}

/// An occurrence with the task it belongs to, as the task was when the occurrence was found.
struct DueOccurrence {
  var spec: TaskSpec
  var occurrence: Occurrence
}

/// Any random source, as a concrete type the generic rules take `inout`.
struct AnyRandom: RandomNumberGenerator {
  var base: any RandomNumberGenerator & Sendable
  init(_ base: any RandomNumberGenerator & Sendable) { self.base = base }
  mutating func next() -> UInt64 { base.next() }
}
