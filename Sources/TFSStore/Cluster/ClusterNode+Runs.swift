import TFSCore

/// What the cluster holds for a task when one of its occurrences is claimed, read under the
/// task's lock: the input of the overlap and max-parallel decision, cluster-wide.
public struct ClusterLoad: Equatable, Sendable {
  /// Runs of the task running on any node, and runs of it waiting to start.
  public var running: Int
  public var queued: Int
  /// Runs running on every node, for `max-parallel`.
  public var clusterRunning: Int
  /// The database's clock at the claim (ms).
  public var now: Int64
}

/// How a claim of one occurrence ended.
public enum Claim: Equatable, Sendable {
  /// This node holds the occurrence: a run recorded `running` (start it now) or `queued`.
  case won(runID: Int64, status: RunStatus)
  /// This node recorded the occurrence `skipped` (the overlap policy said so).
  case skipped(runID: Int64)
  /// This node holds the occurrence and the task's running runs must stop first.
  case replace(runID: Int64, stopping: [Int64])
  /// Another node already recorded the occurrence.
  case taken
  /// The database's clock has not reached the occurrence yet; `now` is that clock.
  case early(now: Int64)
}

/// A run recorded `lost` because its node stopped renewing its lease or restarted.
public struct LostRun: Equatable, Sendable {
  public var id: Int64
  public var task: String
  public var node: String
}

/// One occurrence to claim.
public struct ClaimRequest: Equatable, Sendable {
  public var task: String
  public var version: String
  /// The occurrence (ms).
  public var at: Int64

  public init(task: String, version: String, at: Int64) {
    self.task = task
    self.version = version
    self.at = at
  }
}

extension ClusterNode {
  /// Claims occurrence `at` of `task`: `claim(batch:)` with one request.
  public func claim(
    task: String, version: String, at: Int64, globalLock: Bool = false,
    decide: (ClusterLoad) -> FireDecision
  ) throws(ClusterError) -> Claim {
    let claims = try claim(
      batch: [ClaimRequest(task: task, version: version, at: at)], globalLock: globalLock
    ) { _, load in decide(load) }
    guard let claim = claims.first else { throw .protocolError("no claim result") }
    return claim
  }

  /// Claims the occurrences of `batch` (those due at one instant) in one fenced transaction of
  /// five round trips, whatever their number: the locks of their tasks (in name order, so two
  /// nodes never wait on each other in a cycle), the cluster-wide load of every task, then
  /// `decide` for each request in order — it sees the runs this batch already started — and one
  /// insert of every run it recorded. The unique key on (task, occurrence) lets exactly one
  /// node record each occurrence; only the database's clock may say one is due. With
  /// `globalLock` (a `max-parallel` is set) every claim of the cluster is serialised, so the
  /// count of running runs is exact. Returns one `Claim` per request, in order.
  public func claim(
    batch: [ClaimRequest], globalLock: Bool = false, decide: (ClaimRequest, ClusterLoad) -> FireDecision
  ) throws(ClusterError) -> [Claim] {
    guard !batch.isEmpty else { return [] }
    let epoch = try currentEpoch()
    let node = identity.name
    return try run { db in
      try db.transaction { db -> [Claim] in
        // The locks first, in a statement of their own: a statement reads the snapshot taken
        // when it began, so the load must be read by the next one, after the locks are held.
        let tasks = Array(Set(batch.map(\.task))).sorted()
        try db.query(
          """
          SELECT tfs_fence($1, $2), CASE WHEN $4 THEN pg_advisory_xact_lock(7370737301) END,
            (SELECT count(pg_advisory_xact_lock(hashtextextended('tfs.task.' || t, 0)))
             FROM unnest($3::text[]) WITH ORDINALITY AS l(t, n))
          """, [node, String(epoch), PGArray.text(tasks), globalLock ? "true" : "false"])
        let loads = try ClusterLoads.read(db, batch, globalLock: globalLock)
        var decided = ClaimDecisions(batch: batch, loads: loads)
        for (index, request) in batch.enumerated() { decided.decide(index, request, decide) }
        return try decided.record(db, node: node, epoch: epoch)
      }
    }
  }

  /// Records that this node started run `id` (its process id), fenced.
  public func started(runID id: Int64, pid: Int32) throws(ClusterError) {
    let result = try fenced { db, epoch, now in
      try db.query(
        """
        UPDATE run SET pid = $3, status = 'running', started_at = coalesce(started_at, $5)
        WHERE id = $4 AND node = $1 AND epoch = $2 AND status IN ('queued', 'running')
        RETURNING id
        """, [identity.name, String(epoch), String(pid), String(id), String(now)])
    }
    guard result.count == 1 else { throw .runNotLive(id) }
  }

  /// Records the end of run `id`, fenced: refused once the node is fenced; false when the run had
  /// already ended (a peer recorded it `lost`).
  @discardableResult
  public func finish(
    runID id: Int64, status: RunStatus, exitCode: Int32? = nil, signal: Int32? = nil, reason: String = ""
  )
    throws(ClusterError) -> Bool
  {
    let result = try fenced { db, epoch, now in
      try db.query(
        """
        UPDATE run SET status = $3, exit_code = $4, signal = $5, reason = $6, ended_at = $8
        WHERE id = $7 AND node = $1 AND epoch = $2 AND status IN ('queued', 'running')
        RETURNING id
        """,
        [
          identity.name, String(epoch), status.rawValue, exitCode.map { String($0) },
          signal.map { String($0) },
          reason, String(id), String(now),
        ])
    }
    return result.count == 1
  }

  /// Runs `body` in a transaction that first checks this node's lease and epoch (and holds its
  /// node row until the end), passing the epoch and the database's clock.
  func fenced<T>(_ body: (PGConnection, Int64, Int64) throws -> T) throws(ClusterError) -> T {
    let epoch = try currentEpoch()
    let node = identity.name
    return try run { db in
      try db.transaction { db in
        let now = try db.query("SELECT tfs_fence($1, $2) AS now", [node, String(epoch)]).int(0, "now") ?? 0
        return try body(db, epoch, now)
      }
    }
  }

  /// Records occurrence `at` of `task` `missed` unless a node recorded it already; refused (false)
  /// until `graceMs` has passed on the database's clock, so a node with a fast clock cannot
  /// declare missed what a peer is about to claim.
  @discardableResult
  public func recordMissed(task: String, version: String, at: Int64, graceMs: Int64, reason: String)
    throws(ClusterError) -> Bool
  {
    let epoch = try currentEpoch()
    let result = try run {
      try $0.query(
        """
        INSERT INTO run (task, version, trigger, status, scheduled_at, queued_at, ended_at, reason)
        SELECT $3, $4, 'schedule', 'missed', $5, f.now, f.now, $7
        FROM (SELECT tfs_fence($1, $2) AS now) AS f WHERE $5::bigint + $6::bigint <= f.now
        ON CONFLICT (task, scheduled_at) WHERE trigger = 'schedule' DO NOTHING
        RETURNING id
        """, [identity.name, String(epoch), task, version, String(at), String(graceMs), reason])
    }
    return result.count == 1
  }
}
