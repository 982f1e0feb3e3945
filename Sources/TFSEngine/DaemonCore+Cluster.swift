import Foundation
import Logging
import TFSCore
import TFSStore

/// Who a node is, for tasks pinned with `--on-node` and `--on-label`.
struct NodePlacement: Equatable {
  var name: String
  var labels: [String]

  func runs(_ spec: TaskSpec) -> Bool {
    (spec.onNode == nil || spec.onNode == name) && (spec.onLabel.map { labels.contains($0) } ?? true)
  }
}

/// A daemon on a cluster's store (docs/CLUSTER.md).
extension DaemonCore {
  /// How long after an occurrence the nodes a task is not pinned to wait for one of its nodes to
  /// claim it, before recording it `missed`.
  static let unclaimedGraceMs: Int64 = 5_000

  /// Occurrences of tasks pinned elsewhere are not this node's to run: they are watched, and
  /// recorded missed once their grace passed unless a node of theirs claimed them.
  func setAsideForeign(_ items: [DueOccurrence]) -> [DueOccurrence] {
    guard let placement else { return items }
    var mine: [DueOccurrence] = []
    for item in items {
      if placement.runs(item.spec) { mine.append(item) } else { unclaimed.append(item) }
    }
    return mine
  }

  /// The earliest moment a watched occurrence's grace ends.
  var nextUnclaimedCheckMs: Int64? {
    unclaimed.map(\.occurrence.atMs).min().map { $0 + DaemonCore.unclaimedGraceMs }
  }

  /// Records `missed`, with a `missed` alert, each watched occurrence whose grace has passed and
  /// that no node claimed (the unique occurrence key: recorded once, whichever node is first).
  func recordUnclaimed(now: Int64) throws {
    let due = unclaimed.filter { $0.occurrence.atMs + DaemonCore.unclaimedGraceMs <= now }
    guard !due.isEmpty else { return }
    let missed = due.map { item -> (run: Run, alert: Event) in
      let reason =
        "no node it may run on claimed it (\(item.spec.onNode.map { "--on-node \($0)" } ?? "")"
        + "\(item.spec.onNode != nil && item.spec.onLabel != nil ? ", " : "")"
        + "\(item.spec.onLabel.map { "--on-label \($0)" } ?? ""))"
      let when = Times.iso(epochSeconds: item.occurrence.at, zone: item.occurrence.zone)
      return (
        Run(
          task: item.spec.name, version: item.occurrence.version, trigger: .schedule, status: .missed,
          scheduledAt: item.occurrence.atMs, queuedAt: now, endedAt: now, reason: reason),
        Event(
          at: now, type: EventType.missed.rawValue, task: item.spec.name.rawValue, actor: "tfs",
          title: "occurrence \(when) of '\(item.spec.name)' missed: \(reason)",
          details: JSON.object(["count": "1", "first": when, "reason": reason]), delivery: "pending")
      )
    }
    let recorded = try store.insertMissedUnlessRecorded(missed)
    unclaimed.removeAll { $0.occurrence.atMs + DaemonCore.unclaimedGraceMs <= now }
    if recorded > 0 {
      log.warning("occurrences no node claimed recorded missed", metadata: ["runs": .int(recorded)])
    }
  }

  /// `replace` on a cluster: the task's runs on other nodes are asked to stop (their nodes hear
  /// it through the store at once); the new run waits for them to end, as for a run here.
  func stopElsewhere(_ name: TaskName, replacedBy id: RunID, now: Int64) throws {
    guard let placement else { return }
    let remote = (runsElsewhere[name] ?? []).filter { $0.status == .running }.map(\.id)
    try store.askToStop(
      remote, signal: SIGTERM, actor: "run \(id) on node \(placement.name) (replace)", now: now)
  }

  /// The node fenced itself: its lease may end at any moment, and then its peers record its
  /// runs `lost` (and run them again where the task opts in). So its runs stop now, SIGKILL with
  /// no grace, and the runs armed or waiting are dropped: the store refuses whatever the node
  /// writes until it has rejoined, and by then its peers own those occurrences.
  func fenced() {
    let live = table.live
    for run in live { stop(run, .shutdown, signal: SIGKILL, graceMs: 0) }
    let dropped = table.armed + table.unstartable + table.waiting
    for row in dropped {
      table.remove(row.run.id)
      if case .armed(let prepared) = row.state { supervisor.discard([prepared]) }
    }
    held = []
    log.error("fenced: runs stopped", metadata: ["killed": .int(live.count), "dropped": .int(dropped.count)])
  }
}
