import CTFSSupport
import Foundation
import Logging
import TFSCore
import TFSStore

/// `tfs daemon`, the runner: it owns the loop, the signals, the timer and the processes, and
/// hands what happened to its core (`DaemonCore`), which decides and records. One thread, one
/// `poll` over a self-pipe for signals, a timerfd armed at the core's next deadline
/// (CLOCK_REALTIME, absolute: wakes at the second boundary, reports clock jumps) and the stderr
/// pipes of running children.
public final class Daemon {
  public struct Options: Sendable {
    public var home: Home
    public var logFormat: DaemonLogHandler.Format = .text
    public var shutdownGraceMs: Int64 = 30_000
    public var pollIntervalMs: Int64 = 200
    /// The first alert retry delay (doubling up to 1 h); shortened by tests.
    public var alertRetryBaseMs: Int64 = DeliveryRules.firstRetryMs
    /// One pass (`tfs daemon --once`): start-up, what is due now, then the runs started end.
    public var once = false
    /// A file holding a clock offset in ms, re-read on SIGUSR2 (hidden, for stress tests).
    public var clockOffsetFile: String?
    /// The cluster's PostgreSQL database (`--database`, `TFS_DATABASE`); nil: the home's SQLite.
    public var database: String?
    /// This node's name (`--node`, default the host name) and labels, on a cluster.
    public var node: String = ProcessInfo.processInfo.hostName
    public var labels: [String] = []
    public init(home: Home) { self.home = home }
  }

  let options: Options
  let core: DaemonCore
  let launcher: any ProcessLauncher
  let clock: any TFSCore.Clock
  let log: Logger
  let lock: DaemonLock
  let signalRead: Int32
  let timer: Int32
  /// Sends queued alerts on threads of its own (SPEC §7: delivery never delays scheduling).
  var deliveries: DeliveryWorker?
  /// Whether a reported clock change is a jump or the noise of time keeping.
  var clockWatch: ClockWatch
  let offsetClock: OffsetClock?
  /// On a cluster: the node's lease and the database's clock (nil on a home's SQLite).
  let membership: NodeMembership?
  let databaseClock: DatabaseClock?
  /// On a cluster: commands' writes heard through LISTEN/NOTIFY.
  let listener: ChangeListener?
  /// The daemon's row as the previous daemon (of this home, or of this node) left it.
  let previous: DaemonInfo?
  private let wakeWrite: Int32
  /// On a cluster: the launcher whose runs a fenced node kills from the watchdog's thread.
  private let tracked = TrackingLauncher.Slot()

  /// Takes the lock, opens the store and installs the signal pipe and the timer.
  public init(
    options: Options, clock: any TFSCore.Clock = SystemClock(),
    launcher: (any ProcessLauncher)? = nil
  ) throws {
    self.options = options
    offsetClock = options.clockOffsetFile.map { OffsetClock(path: $0) }
    let base = offsetClock ?? clock
    databaseClock = options.database.map { _ in DatabaseClock(base: base) }
    let clock = databaseClock ?? base
    self.clock = clock
    var logger = Logger(label: "tfs.daemon") { _ in DaemonLogHandler(format: options.logFormat) }
    logger.logLevel = .info
    log = logger
    var fds: [Int32] = [0, 0]
    guard ctfs_pipe(&fds) == 0 else { throw DaemonError.io("could not create the signal pipe") }
    _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
    (signalRead, wakeWrite) = (fds[0], fds[1])
    let store: Store
    if let url = options.database, let databaseClock {
      (store, membership) = try Daemon.joinCluster(
        url, options: options, clock: databaseClock, log: logger, wake: fds[1], tracked: tracked)
      listener = ChangeListener(url: url)
    } else {
      store = try Store.open(home: options.home)
      membership = nil
      listener = nil
    }
    lock = try DaemonLock.acquire(options.home)
    previous = try store.daemonInfo()
    try membership?.join()
    let settings = EffectiveSettings(stored: try store.settings(), home: options.home)
    try Daemon.checkPermissions(home: options.home, settings: settings)
    // Only with the lock held: setting up the runs' cgroups kills what a crashed daemon left.
    var launcher = launcher ?? PosixLauncher(adoptingOrphans: true, cgroups: RunCgroups.detect())
    if membership != nil {
      let tracking = TrackingLauncher(launcher)
      tracked.launcher = tracking
      launcher = tracking
    }
    self.launcher = launcher
    core = DaemonCore(
      store: store, home: options.home, settings: settings, clock: clock, launcher: launcher, log: logger,
      shutdownGraceMs: options.shutdownGraceMs, pollIntervalMs: options.pollIntervalMs)
    if options.database != nil {
      core.supervisor.baseEnvironment["TFS_NODE"] = options.node
      core.supervisor.keepsLogsInStore = true
      core.placement = NodePlacement(name: options.node, labels: options.labels)
    }
    let signals: [Int32] = [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2]
    guard ctfs_signal_pipe(fds[1], signals, Int32(signals.count)) == 0 else {
      throw DaemonError.io("could not install signal handlers")
    }
    signal(SIGPIPE, SIG_IGN)
    clockWatch = ClockWatch(wallMs: clock.nowMs(), monotonicMs: ClockWatch.monotonicMs())
    timer = ctfs_timer_create()
    guard timer >= 0 else { throw DaemonError.io("could not create a timer") }
  }

  /// Runs until SIGTERM/SIGINT (or one pass with `once`) and every run has been recorded as ended.
  public func run() throws {
    try core.begin(version: Daemon.version, previous: previous)
    membership?.start()
    // What the previous daemon was sending when it died is sent again (at least once).
    try core.store.releaseDeliveryClaims()
    let worker = DeliveryWorker(
      store: core.store, clock: clock, log: log, retryBaseMs: options.alertRetryBaseMs)
    worker.start()
    deliveries = worker
    log.info(
      "daemon started",
      metadata: [
        "pid": .int(core.pid), "tasks": .int(core.scheduler.slots.count), "home": "\(options.home.path)",
        "spawn": "\(ctfs_spawn_fast_enabled() != 0 ? "clone" : "posix_spawn")",
        "runs_in":
          "\((launcher as? PosixLauncher)?.descendants?.cgroups.map { "cgroups under \($0.base)" } ?? "process groups")",
      ])
    var health = Health(sinceMs: clock.nowMs())
    // `--once`: through the first second with occurrences due (at once when none is scheduled).
    let onceUntil = options.once ? (core.scheduler.nextDueMs ?? 0) : nil
    while !core.isDone {
      let wake = wait(until: core.nextWakeMs())
      do {
        try pass(wake)
        // Then no more firing; what was decided runs to its end (no shutdown grace).
        if let onceUntil, clock.nowMs() >= onceUntil { try core.stopFiring() }
        try health.passed(core, at: clock.nowMs())
      } catch {
        // The daemon's own error (a full disk, a locked or broken database…): back off, keep
        // supervising the children it has; once it passes, what it cost is recorded.
        health.failed(error, core: core, log: log)
      }
    }
    try core.end()
    membership?.stop(leave: true)
    deliveries?.stop(graceMs: 500)
    log.info("daemon stopped", metadata: ["pid": .int(core.pid)])
  }

  /// One pass of the loop after a wake-up: reap → reload → fire due → launch → timers. A stop
  /// asked is applied after the firing: an occurrence due at that instant is still handled.
  private func pass(_ wake: Wake) throws {
    core.drain(wake.readable)
    if wake.fenced { core.fenced() }
    try core.reaped(launcher.reap(core.table.pids))
    try core.reloadIfChanged(force: wake.reload)
    spinToArmedBoundary()
    try core.fireDue()
    try core.startWaiting()
    if wake.stop { try core.requestStop() }
    try core.checkTimers()
  }

  /// What woke the loop: signals read from the self-pipe, and the children's readable pipes.
  struct Wake {
    var stop = false
    var reload = false
    var clockSet = false
    /// The node's lease could not be renewed in time (a cluster): its runs must stop.
    var fenced = false
    var readable: [LiveRun] = []
  }

  /// Arms the timer at `deadline` and waits in `poll` for it, a signal or a child's output.
  private func wait(until deadline: Int64) -> Wake {
    let offset = (offsetClock?.offsetMs ?? 0) + (databaseClock?.correctionMs ?? 0)
    _ = ctfs_timer_set(timer, (deadline - offset) * 1_000_000)
    var fds = [
      pollfd(fd: signalRead, events: Int16(POLLIN), revents: 0),
      pollfd(fd: timer, events: Int16(POLLIN), revents: 0),
    ]
    let pipes = core.descriptors
    listener?.reconnectIfNeeded()
    let heard = listener?.descriptor ?? -1
    fds.append(pollfd(fd: heard, events: Int16(POLLIN), revents: 0))  // ignored while -1
    for (fd, _) in pipes { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
    if poll(&fds, nfds_t(fds.count), -1) < 0 && errno != EINTR {
      log.error("poll failed", metadata: ["error": "\(String(cString: strerror(errno)))"])
      usleep(10_000)
    }
    var wake = fds[0].revents != 0 ? readSignals() : Wake()
    if (fds[1].revents != 0 && ctfs_timer_read(timer) == 2) || wake.clockSet,
      let jump = clockWatch.wasSet(wallMs: clock.nowMs(), monotonicMs: ClockWatch.monotonicMs())
    {
      log.notice("wall clock changed", metadata: ["now": .int(clock.nowMs()), "jump_ms": .int(jump)])
    }
    if fds[2].revents != 0, listener?.heard() == true { wake.reload = true }
    wake.readable = pipes.enumerated().filter { fds[$0.offset + 3].revents != 0 }.map(\.element.1)
    return wake
  }

  /// Busy-waits until the next armed occurrence when it is at most `spinMs` (+1 for rounding)
  /// away, never past it: runs start at the boundary, never early (SPEC §8). Bounded by the
  /// monotonic clock too, so a test clock that does not move cannot hang the loop.
  private func spinToArmedBoundary() {
    guard let next = core.nextArmedMs else { return }
    let left = next - clock.nowMs()
    guard left > 0 && left <= DaemonCore.spinMs + 1 else { return }
    let giveUp = DispatchTime.now().uptimeNanoseconds + UInt64(left + 1) * 1_000_000
    while clock.nowMs() < next && DispatchTime.now().uptimeNanoseconds < giveUp {}
  }

  /// Reads the self-pipe: SIGTERM/SIGINT stop, SIGUSR1/SIGHUP re-read the store now, SIGUSR2
  /// re-reads the clock offset (`clockOffsetFile`).
  private func readSignals() -> Wake {
    var buffer = [UInt8](repeating: 0, count: 64)
    var wake = Wake()
    while true {
      let n = buffer.withUnsafeMutableBytes { read(signalRead, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      for byte in buffer[0..<n] {
        if byte == Daemon.fencedByte { wake.fenced = true }
        if byte == Daemon.rejoinedByte { wake.reload = true }
        switch Int32(byte) {
        case SIGTERM, SIGINT: wake.stop = true
        case SIGUSR1, SIGHUP: wake.reload = true
        case SIGUSR2:
          offsetClock?.reread()
          wake.clockSet = offsetClock != nil
        default: break
        }
      }
    }
    return wake
  }

  static let version = "0.1.0"
  /// What the membership thread writes to the loop's pipe (no signal has these numbers).
  static let fencedByte: UInt8 = 0xF0
  static let rejoinedByte: UInt8 = 0xF1
}

/// The loop's failing passes: a stretch of them is an outage, recorded once a pass succeeds.
struct Health {
  var sinceMs: Int64
  var failures = 0

  mutating func passed(_ core: DaemonCore, at now: Int64) throws {
    if let outage = core.outage {
      try core.recordOutage(outage)
      core.outage = nil
    }
    failures = 0
    sinceMs = now
  }

  mutating func failed(_ error: any Error, core: DaemonCore, log: Logger) {
    failures += 1
    if core.outage == nil { core.outage = Outage(sinceMs: sinceMs, error: "\(error)") }
    log.error("step failed", metadata: ["error": "\(error)", "consecutive": .int(failures)])
    usleep(UInt32(min(failures, 10)) * 100_000)
  }
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
