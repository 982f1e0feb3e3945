import Foundation

/// The node a daemon's store writes as (docs/CLUSTER.md): its name and the epoch of its current
/// lease, set by the lease keeper when it joins and cleared when the node is fenced. Every
/// transaction of a store opened with a member names the node to the database (the run rows it
/// inserts or starts carry it), and every write checks the lease first (`tfs_fence`): once the
/// epoch is gone, or a peer declared the node dead, nothing this node writes is accepted.
public final class ClusterMember: @unchecked Sendable {
  public let name: String
  /// The node's labels (`--label`), for tasks pinned with `--on-label`.
  public let labels: [String]
  private let lock = NSLock()
  private var current: Int64?

  public init(name: String, labels: [String] = []) {
    self.name = name
    self.labels = labels
  }

  /// Clears the epoch; true when there was one (the caller is the one that fenced the node).
  public func clearEpoch() -> Bool {
    lock.withLock {
      defer { current = nil }
      return current != nil
    }
  }

  /// The epoch of the lease the node holds; nil before it joined and once it is fenced.
  public var epoch: Int64? {
    get { lock.withLock { current } }
    set { lock.withLock { current = newValue } }
  }
}
