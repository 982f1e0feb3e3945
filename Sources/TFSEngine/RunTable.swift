import Foundation
import TFSCore
import TFSStore

/// A run the daemon holds, in the one state it is in. Each state carries only what is valid in
/// it; the transitions are drawn in docs/ARCHITECTURE.md ("A run's life in the daemon").
enum RunState {
  /// Recorded and prepared ahead of its occurrence (folders, log file, argv): spawned when due.
  case armed(Supervisor.Prepared)
  /// Recorded ahead, but could not be prepared (entry missing…): recorded failed when due.
  case unstartable(Supervisor.Finished)
  /// Recorded queued: waits for its time (jitter, retry delay), its task or a slot.
  case waiting(notBeforeMs: Int64, force: Bool)
  /// Its process runs.
  case running(LiveRun)
  /// Asked to stop (kill, timeout, replace, shutdown): signalled, SIGKILL at `killAt`.
  case stopping(LiveRun, Stop)

  var live: LiveRun? {
    switch self {
    case .running(let run), .stopping(let run, _): run
    default: nil
    }
  }
}

/// Why and until when a stopping run is given to end before SIGKILL.
struct Stop: Equatable {
  var reason: StopReason
  /// When the group gets SIGKILL if still alive; nil once it was sent.
  var killAt: Int64?
}

/// One row of the table: the run as recorded, the task it runs as, and its state.
struct TrackedRun {
  var run: Run
  var spec: TaskSpec
  var state: RunState
  /// Queue order among waiting runs (runs start in the order they were queued).
  let order: Int
}

/// Every run the daemon holds, keyed by id: the one owner of a run's life from its record to
/// its end. Indexed by pid (reaping) and by task (overlap and load).
struct RunTable {
  private(set) var rows: [RunID: TrackedRun] = [:]
  private var byPid: [Int32: RunID] = [:]
  private var byTask: [TaskName: [RunID]] = [:]
  private var nextOrder = 0

  var isEmpty: Bool { rows.isEmpty }
  subscript(id: RunID) -> TrackedRun? { rows[id] }

  mutating func insert(_ run: Run, _ spec: TaskSpec, _ state: RunState) {
    if let old = rows[run.id] { remove(old.run.id) }
    nextOrder += 1
    rows[run.id] = TrackedRun(run: run, spec: spec, state: state, order: nextOrder)
    byTask[run.task, default: []].append(run.id)
    if let live = state.live { byPid[live.pid] = run.id }
  }

  /// Moves a run to `state` (its task too, when given: a waiting run starts as its task is now).
  mutating func move(_ id: RunID, to state: RunState, spec: TaskSpec? = nil) {
    guard var row = rows[id] else { return }
    if let old = row.state.live, old.pid != state.live?.pid { byPid[old.pid] = nil }
    if let live = state.live { byPid[live.pid] = id }
    row.state = state
    if let spec { row.spec = spec }
    rows[id] = row
  }

  @discardableResult
  mutating func remove(_ id: RunID) -> TrackedRun? {
    guard let row = rows.removeValue(forKey: id) else { return nil }
    if let live = row.state.live { byPid[live.pid] = nil }
    byTask[row.run.task]?.removeAll { $0 == id }
    if byTask[row.run.task]?.isEmpty == true { byTask[row.run.task] = nil }
    return row
  }

  func id(ofPid pid: Int32) -> RunID? { byPid[pid] }
  func runs(of task: TaskName) -> [TrackedRun] { (byTask[task] ?? []).compactMap { rows[$0] } }

  /// Runs whose process is alive (running or stopping).
  var live: [LiveRun] { byPid.values.compactMap { rows[$0]?.state.live } }
  var liveCount: Int { byPid.count }
  var pids: [Int32] { Array(byPid.keys) }
  func live(of task: TaskName) -> [LiveRun] { runs(of: task).compactMap(\.state.live) }

  /// Runs in the given kind of state, in queue order for waiting ones.
  var armed: [TrackedRun] { rows.values.filter { if case .armed = $0.state { true } else { false } } }
  var unstartable: [TrackedRun] {
    rows.values.filter { if case .unstartable = $0.state { true } else { false } }
  }
  var waiting: [TrackedRun] {
    rows.values.filter { if case .waiting = $0.state { true } else { false } }.sorted { $0.order < $1.order }
  }

  /// A task's runs recorded and not started, that hold its next occurrences back (armed,
  /// unstartable, waiting but retries: a retry belongs to an earlier occurrence).
  func pendingCount(of task: TaskName) -> Int {
    runs(of: task).count { row in
      switch row.state {
      case .armed, .unstartable: true
      case .waiting: row.run.trigger != .retry
      case .running, .stopping: false
      }
    }
  }

  /// A task's runs waiting to start, retries excluded: what a due occurrence's overlap policy
  /// counts as already queued.
  func waitingCount(of task: TaskName) -> Int {
    runs(of: task).count { row in
      if case .waiting = row.state { row.run.trigger != .retry } else { false }
    }
  }
}
