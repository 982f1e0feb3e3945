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

extension ClusterNode {
  /// Claims the occurrence `at` of `task`: under the task's lock, the cluster-wide load goes to
  /// `decide` and the run is recorded as it says, in one fenced transaction. The unique key on
  /// (task, occurrence) lets exactly one node record it; only the database's clock may say the
  /// occurrence is due. With `globalLock` (a `max-parallel` is set) every claim of the cluster
  /// is serialised, so the count of running runs is exact.
  public func claim(
    task: String, version: String, at: Int64, globalLock: Bool = false,
    decide: (ClusterLoad) -> FireDecision
  ) throws(ClusterError) -> Claim {
    let epoch = try currentEpoch()
    let node = identity.name
    return try run { db in
      try db.transaction { db -> Claim in
        // The locks first, in a statement of their own: a statement reads the snapshot taken
        // when it began, so the load must be read by the next one, after the lock is held.
        try db.query(
          """
          SELECT tfs_fence($1, $2), CASE WHEN $4 THEN pg_advisory_xact_lock(7370737301) END,
            pg_advisory_xact_lock(hashtextextended('tfs.task.' || $3, 0))
          """, [node, String(epoch), task, globalLock ? "true" : "false"])
        let load = try db.query(
          """
          SELECT tfs_now_ms() AS now,
            (SELECT count(*) FROM run WHERE task = $1 AND status = 'running') AS running,
            (SELECT count(*) FROM run WHERE task = $1 AND status = 'queued') AS queued,
            (SELECT count(*) FROM run WHERE status = 'running' AND $3) AS cluster_running,
            EXISTS (SELECT 1 FROM run WHERE task = $1 AND scheduled_at = $2 AND trigger = 'schedule') AS taken
          """, [task, String(at), globalLock ? "true" : "false"])
        guard let now = load.int(0, "now") else { throw ClusterError.protocolError("no claim row") }
        if now < at { return .early(now: now) }
        if load.bool(0, "taken") == true { return .taken }
        let state = ClusterLoad(
          running: Int(load.int(0, "running") ?? 0), queued: Int(load.int(0, "queued") ?? 0),
          clusterRunning: Int(load.int(0, "cluster_running") ?? 0), now: now)
        return try record(db, decide(state), task: task, version: version, at: at, epoch: epoch, now: now)
      }
    }
  }

  private func record(
    _ db: PGConnection, _ decision: FireDecision, task: String, version: String, at: Int64, epoch: Int64,
    now: Int64
  ) throws -> Claim {
    let status: RunStatus
    switch decision {
    case .start, .replace: status = .running
    case .queue: status = .queued
    case .skip: status = .skipped
    }
    let inserted = try db.query(
      """
      INSERT INTO run (task, version, trigger, status, scheduled_at, queued_at, started_at, ended_at, node, epoch)
      VALUES ($1, $2, 'schedule', $3, $4, $5, CASE WHEN $3 = 'running' THEN $5::bigint END,
              CASE WHEN $3 = 'skipped' THEN $5::bigint END,
              CASE WHEN $3 = 'skipped' THEN NULL ELSE $6 END, CASE WHEN $3 = 'skipped' THEN NULL ELSE $7::bigint END)
      RETURNING id
      """, [task, version, status.rawValue, String(at), String(now), identity.name, String(epoch)])
    guard let id = inserted.int(0, "id") else { throw ClusterError.protocolError("no run id") }
    switch decision {
    case .start, .queue: return .won(runID: id, status: status)
    case .skip: return .skipped(runID: id)
    case .replace:
      let stopping = try db.query(
        "SELECT id FROM run WHERE task = $1 AND status = 'running' AND id <> $2 ORDER BY id",
        [task, String(id)])
      return .replace(runID: id, stopping: (0..<stopping.count).compactMap { stopping.int($0, "id") })
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
