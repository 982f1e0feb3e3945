import Foundation
import Logging
import TFSCore

/// A daemon on a cluster's store (docs/CLUSTER.md).
extension DaemonCore {
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
