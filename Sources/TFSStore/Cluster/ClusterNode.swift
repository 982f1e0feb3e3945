import Foundation
import TFSCore

/// Who a daemon is in the cluster: its name (`--node`, default the host name) and labels.
public struct NodeIdentity: Equatable, Sendable {
  public var name: String
  public var labels: [String]
  public var version: String
  public var pid: Int32

  public init(name: String, labels: [String] = [], version: String, pid: Int32 = getpid()) {
    self.name = name
    self.labels = labels
    self.version = version
    self.pid = pid
  }
}

/// A node's lease as the database last confirmed it; times are the database's (ms).
public struct Lease: Equatable, Sendable {
  public var epoch: Int64
  public var renewedAt: Int64
  public var until: Int64
}

/// One node's view of the cluster store: its lease, and the fenced writes that claim, start and
/// end runs. Every write names the node's epoch and fails with `ClusterError.fenced` once the
/// node's lease has run out or a peer has declared it dead: a node cut off from the database
/// can never write afterwards, whatever its own clock says.
public final class ClusterNode {
  private(set) var db: PGConnection
  private let url: String
  private let limits: PGLimits
  public let identity: NodeIdentity
  /// How long a renewal keeps the node alive (SPEC §10: 10 s, renewed every 2 s).
  public let leaseMs: Int64
  public private(set) var lease: Lease?

  /// Connects to `url`, brings the schema up to date and returns the node, not yet joined.
  public init(url: String, identity: NodeIdentity, leaseMs: Int64 = 10_000, limits: PGLimits = PGLimits())
    throws(ClusterError)
  {
    guard NodeName.isValid(identity.name) else { throw .invalidNodeName(identity.name) }
    do {
      db = try PGConnection(url: url, limits: limits, applicationName: "tfs node \(identity.name)")
      try ClusterSchema.migrate(db)
    } catch {
      throw ClusterError.wrap(error)
    }
    self.url = url
    self.limits = limits
    self.identity = identity
    self.leaseMs = leaseMs
  }

  /// The connection, for reads that need no fencing (`tfs nodes`, tests).
  public var connection: PGConnection { db }

  /// Joins under a new epoch (the previous one, if any, is fenced from now on) and records the
  /// runs this node left live under older epochs `lost`: they belong to a process of this node
  /// that is gone. Returns them. A daemon starting passes `reapOwn: false`: its recovery
  /// resolves them, killing what their processes left.
  @discardableResult
  public func join(reapOwn: Bool = true) throws(ClusterError) -> [LostRun] {
    let labels = identity.labels.joined(separator: ",")
    let result = try run {
      try $0.query(
        """
        INSERT INTO node (name, labels, epoch, state, lease_ms, joined_at, renewed_at, lease_until, version, pid)
        VALUES ($1, $2, 1, 'live', $3, tfs_now_ms(), tfs_now_ms(), tfs_now_ms() + $3, $4, $5)
        ON CONFLICT (name) DO UPDATE SET epoch = node.epoch + 1, state = 'live', labels = $2,
          lease_ms = $3, joined_at = tfs_now_ms(), renewed_at = tfs_now_ms(),
          lease_until = tfs_now_ms() + $3, version = $4, pid = $5
        RETURNING epoch, renewed_at, lease_until
        """, [identity.name, labels, String(leaseMs), identity.version, String(identity.pid)])
    }
    lease = try Lease(result, 0)
    return reapOwn ? try reap(own: true) : []
  }

  /// Extends the lease by `leaseMs` from now (the database's now). Fails with `.fenced` when the
  /// lease had already run out or another epoch took the name.
  @discardableResult
  public func renew() throws(ClusterError) -> Lease {
    let epoch = try currentEpoch()
    let result = try run {
      try $0.query(
        """
        UPDATE node SET renewed_at = tfs_now_ms(), lease_until = tfs_now_ms() + lease_ms
        WHERE name = $1 AND epoch = $2 AND state = 'live' AND lease_until > tfs_now_ms()
        RETURNING epoch, renewed_at, lease_until
        """, [identity.name, String(epoch)])
    }
    guard result.count == 1 else {
      lease = nil
      throw .fenced(node: identity.name, epoch: epoch)
    }
    let renewed = try Lease(result, 0)
    lease = renewed
    return renewed
  }

  /// Leaves the cluster on a clean shutdown: the node's name stays, marked `left`, so peers do
  /// not report it dead. Its runs must have ended.
  public func leave() throws(ClusterError) {
    let epoch = try currentEpoch()
    try run {
      try $0.query(
        "UPDATE node SET state = 'left' WHERE name = $1 AND epoch = $2", [identity.name, String(epoch)])
    }
    lease = nil
  }

  /// The database's clock (ms).
  public func now() throws(ClusterError) -> Int64 {
    try run { try $0.query("SELECT tfs_now_ms() AS now") }.int(0, "now") ?? 0
  }

  func currentEpoch() throws(ClusterError) -> Int64 {
    guard let lease else { throw .fenced(node: identity.name, epoch: 0) }
    return lease.epoch
  }

  /// Runs `body` on the connection, turning a fencing refusal into `.fenced`.
  @discardableResult
  func run<T>(_ body: (PGConnection) throws -> T) throws(ClusterError) -> T {
    do {
      // A connection lost by an earlier call is opened again; the lease decides whether this
      // node may still write, not the connection.
      if !db.isOpen {
        db = try PGConnection(url: url, limits: limits, applicationName: "tfs node \(identity.name)")
      }
      return try body(db)
    } catch let error as PGError where error.sqlState == "TFS01" {
      let epoch = lease?.epoch ?? 0
      lease = nil
      throw .fenced(node: identity.name, epoch: epoch)
    } catch {
      throw ClusterError.wrap(error)
    }
  }
}

extension Lease {
  init(_ result: PGResult, _ row: Int) throws(ClusterError) {
    guard let epoch = result.int(row, "epoch"), let renewed = result.int(row, "renewed_at"),
      let until = result.int(row, "lease_until")
    else { throw .protocolError("a lease row lacks its epoch or times") }
    self.init(epoch: epoch, renewedAt: renewed, until: until)
  }
}

/// Node names: what `--node` accepts (a host name's characters).
public enum NodeName {
  public static func isValid(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.count <= 63 && name.first != "-"
      && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
  }
}

public enum ClusterError: Error, CustomStringConvertible, Equatable {
  case fenced(node: String, epoch: Int64)
  case invalidNodeName(String)
  case newerSchema(String)
  case database(PGError)
  case protocolError(String)
  case runNotLive(Int64)

  public var description: String {
    switch self {
    case .fenced(let node, let epoch):
      "node '\(node)' is fenced: its lease (epoch \(epoch)) ran out or a peer declared it dead; it must rejoin"
    case .invalidNodeName(let name):
      "invalid node name '\(name)': use letters, digits, '-', '_' and '.', at most 63 characters"
    case .newerSchema(let target):
      "the database '\(target)' was written by a newer tfs; upgrade tfs to use it"
    case .database(let error): error.description
    case .protocolError(let what): "unexpected answer from the cluster store: \(what)"
    case .runNotLive(let id): "run \(id) is no longer live on this node (a peer recorded its end)"
    }
  }

  /// True when the database could not be reached or did not answer in time: the node cannot
  /// know whether its lease still holds.
  public var isUnreachable: Bool {
    if case .database(let error) = self { return error.isUnreachable }
    return false
  }

  static func wrap(_ error: any Error) -> ClusterError {
    if let error = error as? ClusterError { return error }
    if let error = error as? PGError { return .database(error) }
    return .protocolError("\(error)")
  }
}
