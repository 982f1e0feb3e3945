import CTFSSupport
import Foundation
import Logging
import TFSCore
import TFSStore

/// `tfs daemon`: one thread, one `poll` over a self-pipe for signals, a timerfd armed at the
/// next deadline (CLOCK_REALTIME, absolute: wakes at the second boundary, reports clock jumps)
/// and the stdout and stderr pipes of running children.
public final class Daemon {
  public struct Options: Sendable {
    public var home: Home
    public var logFormat: DaemonLogHandler.Format = .text
    public var shutdownGraceMs: Int64 = 30_000
    public var pollIntervalMs: Int64 = 200
    /// The first alert retry delay (doubling up to 1 h); shortened by tests.
    public var alertRetryBaseMs: Int64 = DeliveryRules.firstRetryMs
    public init(home: Home) { self.home = home }
  }

  let options: Options
  let store: Store
  let clock: any TFSCore.Clock
  let log: Logger
  var settings: EffectiveSettings
  let supervisor: Supervisor
  let lock: DaemonLock
  var scheduler: Scheduler
  let signalRead: Int32
  let timer: Int32
  var stopping = false
  var stopDeadline: Int64?
  /// Runs recorded and prepared ahead of their occurrence (epoch ms), spawned when it comes.
  var armed: [(atMs: Int64, prepared: [Supervisor.Prepared])] = []
  /// Occurrences popped ahead whose task was busy: decided by the overlap policy when due.
  var deferred: [(TaskSpec, Int64, ZoneRules)] = []
  /// Armed runs that could not be prepared (entry missing…), recorded at their occurrence.
  var pendingFailures: [Supervisor.Finished] = []
  /// Runs of `tfs run --here` in progress, by task (their overlap counts like the daemon's own).
  var runsElsewhere: [TaskName: [Run]] = [:]
  /// When SIGTERM/SIGINT arrived: occurrences after it are the next daemon's to record as missed.
  var stopBeganAt: Int64?
  var disarmOnStop = false
  var lastDataVersion: Int64 = 0
  var nextHeartbeat: Int64 = 0
  var nextPoll: Int64 = 0
  var nextPrune: Int64 = 0
  let pid = getpid()
  /// Set while steps fail (the store refusing writes…): from when, and the first error.
  var outage: Outage?
  /// Ended runs not recorded yet (the store refused the write): recorded at the next step.
  var unrecorded: [Supervisor.Finished] = []
  /// Sends queued alerts on threads of its own (SPEC §7: delivery never delays scheduling).
  var deliveries: DeliveryWorker?

  /// Takes the lock, opens the store and resolves what a previous daemon left behind.
  public init(
    options: Options, clock: any TFSCore.Clock = SystemClock(),
    launcher: any ProcessLauncher = PosixLauncher()
  ) throws {
    self.options = options
    self.clock = clock
    var logger = Logger(label: "tfs.daemon") { _ in DaemonLogHandler(format: options.logFormat) }
    logger.logLevel = .info
    log = logger
    store = try Store.open(home: options.home)
    lock = try DaemonLock.acquire(options.home)
    settings = EffectiveSettings(stored: try store.settings(), home: options.home)
    try Daemon.checkPermissions(home: options.home, settings: settings)
    supervisor = Supervisor(store: store, launcher: launcher, clock: clock, settings: settings)
    scheduler = Scheduler(settings: settings)
    var fds: [Int32] = [0, 0]
    guard ctfs_pipe(&fds) == 0 else { throw DaemonError.io("could not create the signal pipe") }
    _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
    signalRead = fds[0]
    let signals: [Int32] = [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1]
    guard ctfs_signal_pipe(fds[1], signals, Int32(signals.count)) == 0 else {
      throw DaemonError.io("could not install signal handlers")
    }
    signal(SIGPIPE, SIG_IGN)
    timer = ctfs_timer_create()
    guard timer >= 0 else { throw DaemonError.io("could not create a timer") }
  }

  /// Runs until SIGTERM/SIGINT and every run has been recorded as ended.
  public func run() throws {
    let now = clock.nowMs()
    let previous = try store.daemonInfo()
    let unstarted = try Recovery(store: store, log: log, clock: clock, settings: settings).resolveLeftovers(
      previousDaemon: previous?.pid)
    let tasks = try store.tasks()
    try store.daemonStarted(pid: pid, version: Daemon.version, now: now, taskCount: tasks.count)
    // A clean stop records when it stopped firing; after a crash the last heartbeat is the
    // best mark (what fired after it is filtered out by the task's latest runs).
    let since = previous.map { $0.firedUntil ?? $0.stoppedAt ?? $0.heartbeatAt }
    scheduler.load(tasks, now: now)
    var missed: [Scheduler.Missed] = []
    if let since {
      let store = self.store
      missed = scheduler.collectMissed(tasks: tasks, from: since, to: now) { name in
        (try? store.recentOccurrences(of: name)) ?? []
      }
    }
    try record(scheduler.adding(unstarted, to: missed, tasks: tasks))
    lastDataVersion = try store.dataVersion()
    try loadQueued()
    // What the previous daemon was sending when it died is sent again (at least once).
    try store.releaseDeliveryClaims()
    let worker = DeliveryWorker(store: store, clock: clock, log: log, retryBaseMs: options.alertRetryBaseMs)
    worker.start()
    deliveries = worker
    log.info(
      "daemon started",
      metadata: [
        "pid": "\(pid)", "tasks": "\(tasks.count)", "home": "\(options.home.path)",
        "spawn": "\(ctfs_spawn_fast_enabled() != 0 ? "clone" : "posix_spawn")",
      ])
    var failures = 0
    var lastGoodMs = clock.nowMs()
    while !(stopping && supervisor.runningCount == 0) {
      do {
        try step()
        if let outage {
          try recordOutage(outage)
          self.outage = nil
        }
        failures = 0
        lastGoodMs = clock.nowMs()
      } catch {
        // The daemon's own error (a full disk, a locked or broken database…): back off, keep
        // supervising the children it has; once it passes, what it cost is recorded.
        failures += 1
        if outage == nil { outage = Outage(sinceMs: lastGoodMs, error: "\(error)") }
        log.error("step failed", metadata: ["error": "\(error)", "consecutive": "\(failures)"])
        usleep(UInt32(min(failures, 10)) * 100_000)
      }
    }
    // Scheduled runs still waiting (for a slot, a jitter, a retry delay) did not happen: recorded
    // as missed rather than started late by the next daemon. Manual ones stay queued for it.
    let end = clock.nowMs()
    try store.finishRuns(
      scheduler.waiting.filter { $0.run.trigger != .manual }.map {
        ($0.run.id, RunEnd.notStarted($0.run, at: end), [])
      })
    deliveries?.stop(graceMs: 500)
    try store.daemonStopped(pid: pid, now: clock.nowMs(), firedUntil: stopBeganAt)
    _ = try? store.record(
      Event(
        at: clock.nowMs(), type: EventType.daemonStopped.rawValue, actor: Actor.current(),
        title: "daemon stopped (pid \(pid))"))
    log.info("daemon stopped", metadata: ["pid": "\(pid)"])
  }

  /// One wake-up: wait for the next deadline or event, then do everything that is due.
  func step() throws {
    let now = clock.nowMs()
    var deadline = min(nextHeartbeat, nextPoll)
    if !stopping {
      if let due = scheduler.nextDueMs { deadline = min(deadline, due - Daemon.leadMs) }
      for entry in armed { deadline = min(deadline, entry.atMs - Daemon.spinMs) }
      for item in deferred { deadline = min(deadline, item.1 * 1000) }
      for f in pendingFailures { deadline = min(deadline, f.live.run.scheduledAt ?? now) }
    }
    if let t = scheduler.nextQueuedMs(after: now) { deadline = min(deadline, t) }
    for run in supervisor.live.values {
      if let k = run.killAt { deadline = min(deadline, k) }
      if let t = run.timeoutAt, !run.timeoutAlerted { deadline = min(deadline, t) }
    }
    if supervisor.runningCount > 0 { deadline = min(deadline, now + 250) }  // log cap checks
    if let s = stopDeadline { deadline = min(deadline, s) }
    _ = ctfs_timer_set(timer, max(deadline, now + 1) * 1_000_000)

    var fds = [
      pollfd(fd: signalRead, events: Int16(POLLIN), revents: 0),
      pollfd(fd: timer, events: Int16(POLLIN), revents: 0),
    ]
    let pipes = supervisor.descriptors
    for (fd, _) in pipes { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
    let ready = poll(&fds, nfds_t(fds.count), -1)
    if ready < 0 && errno != EINTR {
      throw DaemonError.io("poll failed: \(String(cString: strerror(errno)))")
    }

    var reload = false
    if fds[0].revents != 0 { reload = handleSignals() }
    if fds[1].revents != 0 && ctfs_timer_read(timer) == 2 {
      log.notice("wall clock changed", metadata: ["now": "\(clock.nowMs())"])
    }
    for (i, (_, run)) in pipes.enumerated() where fds[i + 2].revents != 0 { supervisor.drainOutput(run) }

    try finish(supervisor.reap())
    let after = clock.nowMs()
    if after >= nextPoll || reload {
      nextPoll = after + options.pollIntervalMs
      let version = try store.dataVersion()
      if version != lastDataVersion || reload {
        try reloadFromStore(now: after)
        lastDataVersion = version  // only once applied: a reload that failed is tried again
      }
    }
    if disarmOnStop {
      disarmOnStop = false
      deferred = []
      try disarm(now: clock.nowMs())
    }
    if !stopping {
      spinToArmedBoundary()
      try fireDue(now: clock.nowMs())
      try startQueued(now: clock.nowMs())
    }
    let timerEvents = supervisor.checkTimers(now: clock.nowMs())
    for event in timerEvents { try store.record(event) }
    if after >= nextHeartbeat {
      nextHeartbeat = after + 1000
      try store.heartbeat(pid: pid, now: after)
      try store.raiseStillFailing(now: after)
      if after >= nextPrune {
        nextPrune = after + 86_400_000
        try Pruner(store: store, settings: settings, log: log).pruneExpired(now: after)
      }
    }
    if stopping, let s = stopDeadline, clock.nowMs() >= s {
      supervisor.stopAll(graceMs: 0)  // the grace is over: TERM and KILL together
      stopDeadline = nil
    }
  }

  /// How early the timer wakes the loop before armed runs are due: waking from `poll` takes
  /// 0.1–0.3 ms on a VM, so the loop wakes a little early and spins to the exact millisecond.
  static let spinMs: Int64 = 1

  /// Busy-waits until the next armed occurrence when it is at most `spinMs` (+1 for rounding)
  /// away, never past it: runs start at the boundary, never early (SPEC §8). Bounded by the
  /// monotonic clock too, so a test clock that does not move cannot hang the loop.
  private func spinToArmedBoundary() {
    guard let next = armed.map(\.atMs).min() else { return }
    let left = next - clock.nowMs()
    guard left > 0 && left <= Daemon.spinMs + 1 else { return }
    let giveUp = DispatchTime.now().uptimeNanoseconds + UInt64(left + 1) * 1_000_000
    while clock.nowMs() < next && DispatchTime.now().uptimeNanoseconds < giveUp {}
  }

  /// Reads the self-pipe; returns true when the store should be re-read now (SIGUSR1/SIGHUP).
  private func handleSignals() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 64)
    var reload = false
    while true {
      let n = buffer.withUnsafeMutableBytes { read(signalRead, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      for byte in buffer[0..<n] {
        switch Int32(byte) {
        case SIGTERM, SIGINT:
          if !stopping {
            stopping = true
            stopBeganAt = clock.nowMs()
            disarmOnStop = true
            stopDeadline = clock.nowMs() + options.shutdownGraceMs
            log.info(
              "stopping",
              metadata: ["running": "\(supervisor.runningCount)", "grace_ms": "\(options.shutdownGraceMs)"])
          }
        case SIGUSR1, SIGHUP:
          reload = true
        default:
          break
        }
      }
    }
    return reload
  }

  static let version = "0.1.0"
}

public enum DaemonError: Error, CustomStringConvertible {
  case io(String)
  case insecure(String)

  public var description: String {
    switch self {
    case .io(let m), .insecure(let m): m
    }
  }
}
