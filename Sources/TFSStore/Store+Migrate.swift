import GRDB
import TFSCore

/// `tfs migrate-store`: a home's SQLite store copied into a cluster's PostgreSQL database.
extension Store {
  /// The tables copied, in an order that satisfies their references. The SQLite `daemon` row is
  /// not: on a cluster each node has its own (`node`).
  static let migratedTables = ["setting", "task", "channel", "run", "event", "delivery"]

  /// Why this store cannot be copied now (its daemon is live, a run is live), or nil.
  public func migrationBlocker() throws(StoreError) -> String? {
    let live = try read { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM run WHERE status IN ('queued', 'running')") ?? 0
    }
    return live > 0
      ? "\(live) run\(live == 1 ? " is" : "s are") still queued or running; start the home's daemon until they end, then stop it"
      : nil
  }

  /// Copies every row of this (SQLite) store into `target` (PostgreSQL), in one transaction
  /// there, keeping ids, and moves the target's id sequences past them. The target must hold no
  /// task, run or event. Returns the rows copied per table.
  public func copy(into target: Store) throws(StoreError) -> [(table: String, rows: Int)] {
    guard target.postgres != nil, sqlite != nil else { throw .unsupported(target.path) }
    let tables = try sqlRead { db in
      try Store.migratedTables.map { table in (table, try db.rows("SELECT * FROM \(table) ORDER BY 1", [])) }
    }
    return try target.sqlWrite { db in
      let occupied =
        try db.int(
          "SELECT (SELECT count(*) FROM task) + (SELECT count(*) FROM run) + (SELECT count(*) FROM event)")
        ?? 0
      guard occupied == 0 else {
        throw StoreError.database(
          path: target.path, message: "it already holds tasks, runs or events; copy into an empty database")
      }
      var counts: [(table: String, rows: Int)] = []
      for (table, rows) in tables {
        for row in rows {
          let columns = row.columns
          let marks = columns.map { _ in "?" }.joined(separator: ", ")
          try db.execute(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(marks))",
            row.values)
        }
        if table != "setting" {
          _ = try db.rows(
            "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce(max(id), 0) + 1, false) FROM \(table)",
            [])
        }
        counts.append((table, rows.count))
      }
      return counts
    }
  }
}
