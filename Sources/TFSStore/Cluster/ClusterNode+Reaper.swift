extension ClusterNode {
  /// Declares dead the peers whose lease ran out and records `lost`, with a `lost` event each,
  /// the live runs of dead nodes and of older epochs (a node that restarted). Fenced; safe to
  /// run on every node at once: a run is recorded `lost` by exactly one of them.
  @discardableResult
  public func reapDead() throws(ClusterError) -> [LostRun] {
    try reap(own: false)
  }

  /// With `own`, only this node's runs of older epochs (at join).
  func reap(own: Bool) throws(ClusterError) -> [LostRun] {
    let epoch = try currentEpoch()
    let result = try run {
      try $0.query(
        """
        WITH me AS (SELECT tfs_fence($1, $2) AS now),
        dead AS (
          UPDATE node SET state = 'dead' FROM me
          WHERE NOT $3 AND node.state = 'live' AND node.lease_until <= me.now AND node.name <> $1
          RETURNING node.name),
        lost AS (
          UPDATE run SET status = 'lost', ended_at = me.now,
            reason = CASE WHEN n.epoch <> run.epoch AND n.state = 'live'
                          THEN 'node ' || n.name || ' restarted (epoch ' || run.epoch || ' → ' || n.epoch || ')'
                          ELSE 'node ' || n.name || ' stopped renewing its lease' END
          FROM me, node AS n
          WHERE n.name = run.node AND run.status IN ('queued', 'running')
            AND (NOT $3 OR run.node = $1)
            AND (n.epoch <> run.epoch OR n.state <> 'live' OR n.name IN (SELECT name FROM dead))
          RETURNING run.id, run.task, run.node, run.reason, me.now AS at),
        events AS (
          INSERT INTO event (at, type, task, run_id, actor, title, details)
          SELECT at, 'lost', task, id, 'node:' || $1, 'run ' || id || ' of ' || task || ' lost: ' || reason,
                 json_build_object('node', node, 'reason', reason)::text
          FROM lost)
        SELECT id, task, node FROM lost ORDER BY id
        """, [identity.name, String(epoch), own ? "true" : "false"])
    }
    return (0..<result.count).map {
      LostRun(
        id: result.int($0, "id") ?? 0, task: result.text($0, "task") ?? "",
        node: result.text($0, "node") ?? "")
    }
  }

  /// The cluster's nodes, by name, with the age of their last renewal on the database's clock.
  public func nodes() throws(ClusterError) -> [NodeStatus] {
    let result = try run {
      try $0.query(
        """
        SELECT name, labels, epoch, state, version, tfs_now_ms() - renewed_at AS lease_age,
          (SELECT count(*) FROM run WHERE run.node = node.name AND run.status = 'running') AS running
        FROM node ORDER BY name
        """)
    }
    return (0..<result.count).map { row in
      NodeStatus(
        name: result.text(row, "name") ?? "",
        labels: (result.text(row, "labels") ?? "").split(separator: ",").map(String.init),
        epoch: result.int(row, "epoch") ?? 0, state: result.text(row, "state") ?? "",
        version: result.text(row, "version") ?? "", leaseAgeMs: result.int(row, "lease_age") ?? 0,
        running: Int(result.int(row, "running") ?? 0))
    }
  }
}

/// One line of `tfs nodes`.
public struct NodeStatus: Equatable, Sendable {
  public var name: String
  public var labels: [String]
  public var epoch: Int64
  /// `live`, `dead` (a peer found its lease expired) or `left` (it shut down).
  public var state: String
  public var version: String
  public var leaseAgeMs: Int64
  public var running: Int
}
