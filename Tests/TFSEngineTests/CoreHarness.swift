import Foundation
import Logging
import Synchronization
import TFSCore
import TFSTestSupport

@testable import TFSEngine
@testable import TFSStore

/// A clock the test moves by hand.
final class ManualClock: TFSCore.Clock {
  private let now: Mutex<Int64>
  init(ms: Int64) { now = Mutex(ms) }
  func nowMs() -> Int64 { now.withLock { $0 } }
  func set(_ ms: Int64) { now.withLock { $0 = ms } }
}

/// Starts no process: hands out pids above any real one (signals to them fail harmlessly),
/// records spawns and signals, and reports exits when the test says a child exited.
final class FakeLauncher: ProcessLauncher {
  struct State {
    var next: Int32 = 50_000_000
    var spawned: [(pid: Int32, request: LaunchRequest)] = []
    var signals: [(pid: Int32, signal: Int32)] = []
    var exited: [(pid: Int32, status: Int32)] = []
  }
  let state = Mutex(State())

  func launch(_ request: LaunchRequest) throws(LaunchError) -> Int32 {
    state.withLock { s in
      s.next += 1
      s.spawned.append((s.next, request))
      return s.next
    }
  }

  func signal(group pid: Int32, _ signal: Int32) { state.withLock { $0.signals.append((pid, signal)) } }

  func reap(_ pids: [Int32]) -> [(pid: Int32, status: Int32)] {
    state.withLock { s in
      let wanted = Set(pids)
      let due = s.exited.filter { wanted.contains($0.pid) }
      s.exited.removeAll { wanted.contains($0.pid) }
      return due
    }
  }

  /// The child `pid` exits with `code` (or is killed by `signal`).
  func exit(_ pid: Int32, code: Int32 = 0, signal: Int32 = 0) {
    state.withLock { $0.exited.append((pid, signal != 0 ? signal : code << 8)) }
  }

  var spawned: [Int32] { state.withLock { $0.spawned.map(\.pid) } }
  func signals(to pid: Int32) -> [Int32] {
    state.withLock { $0.signals.filter { $0.pid == pid }.map(\.signal) }
  }
}

/// A seeded random source (SplitMix64): the same jitter on every run of a test.
struct SeededRandom: RandomNumberGenerator, Sendable {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The daemon's core over a temp home and a real store, with a manual clock and a fake
/// launcher: `step(at:)` is one pass of the runner's loop at a chosen instant. The test writes
/// through a connection of its own, as `tfs` commands do (the core notices their writes).
final class CoreHarness {
  let dir = TempDir("tfs-core")
  let home: Home
  /// The test's connection (the CLI's, in real use).
  let store: Store
  let clock: ManualClock
  let launcher = FakeLauncher()
  private(set) var core: DaemonCore!
  let random: SeededRandom

  init(at ms: Int64, settings stored: [String: String] = [:], seed: UInt64 = 7) throws {
    home = Home(path: dir.path + "/home")
    store = try Store.open(home: home)
    clock = ManualClock(ms: ms)
    random = SeededRandom(state: seed)
    for (key, value) in stored.merging(["timezone": "UTC"], uniquingKeysWith: { a, _ in a }) {
      guard let setting = Setting(rawValue: key) else { preconditionFailure("no setting \(key)") }
      try store.setSetting(setting, to: value, actor: "test", now: ms)
    }
  }

  /// Adds a task whose entry exists (unless `entry` names another file).
  func add(_ name: String, rule: String = "* * * * * *", _ change: (inout TaskSpec) -> Void = { _ in }) throws
  {
    dir.write("home/tasks/\(name)/run.sh", "#!/bin/sh\ntrue\n", executable: true)
    var spec = try makeSpec(name, rule: rule)
    change(&spec)
    try store.addTask(spec, actor: "test", now: clock.nowMs())
  }

  func modify(_ name: String, at ms: Int64, _ change: (inout TaskSpec) -> Void) throws {
    clock.set(ms)
    _ = try store.updateTask(taskName(name), actor: "test", now: ms, change: change)
  }

  /// Opens the core as `tfs daemon` does at `ms` (start-up: leftovers, missed occurrences).
  func begin(at ms: Int64? = nil, graceMs: Int64 = 30_000, busyTimeout: TimeInterval = 30) throws {
    if let ms { clock.set(ms) }
    let settings = EffectiveSettings(stored: try store.settings(), home: home)
    var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    core = DaemonCore(
      store: try Store.open(path: home.database, busyTimeout: busyTimeout), home: home, settings: settings,
      clock: clock, launcher: launcher,
      log: logger,
      shutdownGraceMs: graceMs, pollIntervalMs: 0, pid: 1, random: random)
    try core.begin(version: "test", previous: try store.daemonInfo())
  }

  /// One pass of the runner at `ms`: reap → reload → fire due → launch → timers.
  func step(at ms: Int64) throws {
    clock.set(ms)
    try core.reaped(launcher.reap(core.table.pids))
    try core.reloadIfChanged(force: false)
    try core.fireDue()
    try core.startWaiting()
    try core.checkTimers()
  }

  /// One pass as the runner makes it, failures included: a failing pass opens an outage, the
  /// next one that passes records it. Returns whether the pass succeeded.
  @discardableResult
  func guardedStep(at ms: Int64) -> Bool {
    do {
      try step(at: ms)
      try health.passed(core, at: ms)
      return true
    } catch {
      health.failed(error, core: core, log: core.log)
      return false
    }
  }
  private lazy var health = Health(sinceMs: clock.nowMs())

  /// Steps at each of `instants`.
  func steps(_ instants: [Int64]) throws { for ms in instants { try step(at: ms) } }

  func runs(_ task: String) throws -> [Run] {
    try store.runs(RunFilter(task: task, limit: 10_000)).sorted { $0.id < $1.id }
  }

  func events(_ type: EventType) throws -> [Event] { try store.events(EventFilter(type: type.rawValue)) }

  /// The pid of the run with `id`, once started.
  func pid(of id: RunID) -> Int32? { core.table[id]?.state.live?.pid }

  func remove() { dir.remove() }
}
