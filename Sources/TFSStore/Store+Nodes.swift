import TFSCore

extension Store {
  /// The cluster's nodes by name, with the age of their last lease renewal on the database's
  /// clock and their running runs (`tfs nodes`, `status`); nil on a home's SQLite file, which
  /// has one daemon and no nodes.
  public func nodes() throws(StoreError) -> [NodeStatus]? {
    guard postgres != nil else { return nil }
    return try sqlRead { db in
      try db.rows(
        """
        SELECT name, labels, epoch, state, version, tfs_now_ms() - renewed_at AS lease_age,
          (SELECT count(*) FROM run WHERE run.node = node.name AND run.status = 'running') AS running
        FROM node ORDER BY name
        """, []
      ).map { row in
        NodeStatus(
          name: row.text("name") ?? "",
          labels: (row.text("labels") ?? "").split(separator: ",").map(String.init),
          epoch: row.int("epoch") ?? 0, state: row.text("state") ?? "", version: row.text("version") ?? "",
          leaseAgeMs: row.int("lease_age") ?? 0, running: Int(row.int("running") ?? 0))
      }
    }
  }
}
