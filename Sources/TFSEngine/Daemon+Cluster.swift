import Foundation
import Logging
import TFSCore
import TFSStore

extension Daemon {
  /// On a cluster: the store that writes as this node, and the node's membership (not joined
  /// yet). A fenced node's runs are killed by the launcher in `tracked`; the loop is woken
  /// through `wake`.
  static func joinCluster(
    _ url: String, options: Options, clock: DatabaseClock, log: Logger, wake: Int32,
    tracked: TrackingLauncher.Slot
  ) throws -> (Store, NodeMembership) {
    try Store.makeHome(options.home)
    let member = ClusterMember(name: options.node, labels: options.labels)
    let store = try Store.open(postgres: url, member: member)
    let node = try ClusterNode(
      url: url, identity: NodeIdentity(name: options.node, labels: options.labels, version: Daemon.version))
    let membership = NodeMembership(
      node: node, member: member, store: store, clock: clock, log: log,
      onFenced: {
        // The runs die now, from this thread: the loop may be blocked on the database.
        _ = tracked.launcher?.killAll()
        var byte = Daemon.fencedByte
        _ = write(wake, &byte, 1)
      },
      onRejoined: {
        var byte = Daemon.rejoinedByte
        _ = write(wake, &byte, 1)
      })
    return (store, membership)
  }
}
