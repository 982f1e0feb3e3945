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

extension Store {
  /// On the cluster store, a node asks the nodes running `ids` to stop them (`replace`): a kill
  /// request on each live run, and a notification, as `tfs kill` makes, so that they hear it at
  /// once.
  public func askToStop(_ ids: [RunID], signal: Int32, actor: String, now: Int64) throws(StoreError) {
    guard member != nil, !ids.isEmpty else { return }
    try sqlWrite { db in
      let marks = ids.map { _ in "?" }.joined(separator: ", ")
      try db.execute(
        """
        UPDATE run SET kill_requested_at = ?, kill_signal = ?, kill_actor = ?
        WHERE id IN (\(marks)) AND status IN ('queued', 'running') AND kill_requested_at IS NULL
        """, [.int(now), .int(Int64(signal)), .text(actor)] + ids.map(SQLValue.int))
      try db.execute("UPDATE tfs_change SET version = version + 1 WHERE id = 1", [])
      _ = try db.rows("SELECT pg_notify('tfs_change', '')", [])
    }
  }

  /// On the cluster store, the node that holds run `id` (its log file and published files);
  /// nil on a home's SQLite store.
  public func node(ofRun id: RunID) throws(StoreError) -> String? {
    guard postgres != nil else { return nil }
    return try sqlRead { db in try db.text("SELECT node FROM run WHERE id = ?", [.int(id)]) }
  }

  /// On the cluster store, the log of run `id` as its node kept it when the run ended (nil: none
  /// kept, or a home's SQLite store, where the log is only the file).
  public func storedLog(_ id: RunID) throws(StoreError) -> [UInt8]? {
    guard postgres != nil else { return nil }
    return try sqlRead { db in
      try db.text("SELECT encode(content, 'hex') FROM run_log WHERE run_id = ?", [.int(id)]).flatMap(
        Hex.decode)
    }
  }

  /// On the cluster store, this node's runs that its peers recorded `lost` since `sinceMs`
  /// (an earlier process of the node died, or the node was cut off): their processes may still
  /// run here, and the node kills them when it starts. Empty elsewhere.
  public func runsLostByPeers(sinceMs: Int64) throws(StoreError) -> [Run] {
    guard member != nil else { return [] }
    return try sqlRead { db in
      try db.rows(
        """
        SELECT \(Store.runColumns) FROM run
        WHERE node = current_setting('tfs.node') AND status = 'lost' AND ended_at >= ? ORDER BY id
        """, [.int(sinceMs)]
      ).map(Store.runValue)
    }
  }
}
