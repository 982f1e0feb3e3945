import Foundation
import TFSCore

extension Store {
  /// `runColumns` each prefixed with `run.`.
  static let qualifiedRunColumns = runColumns.split(separator: ",")
    .map { "run." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

  /// Ended runs past their task's retention, oldest first: past `--keep N` (the newest N runs
  /// of the task are kept) or `--keep-for DUR` (queued longer ago) when the task sets either,
  /// else queued longer ago than `retentionMs` (the setting `retention`). Runs of removed
  /// tasks follow `retentionMs`.
  public func prunableByPolicy(now: Int64, retentionMs: Int64) throws(StoreError) -> [Run] {
    try sqlRead { db in
      try db.rows(
        """
        SELECT \(Store.qualifiedRunColumns) FROM (
          SELECT run.*, row_number() OVER (PARTITION BY run.task ORDER BY run.id DESC) AS newest
          FROM run) AS run
        LEFT JOIN task ON task.name = run.task
        WHERE run.status NOT IN ('queued', 'running') AND (
          (task.keep_runs IS NOT NULL AND run.newest > task.keep_runs)
          OR run.queued_at < ? - (CASE
            WHEN task.keep_for_ms IS NOT NULL THEN task.keep_for_ms
            WHEN task.keep_runs IS NOT NULL THEN NULL
            ELSE ? END))
        ORDER BY run.id
        """, [.int(now), .int(retentionMs)]
      ).map(Store.runValue)
    }
  }

  /// Ended runs queued before `beforeMs` and/or past the newest `keepPerTask` of their task
  /// (the same limit for every task: `tfs prune --older-than/--keep`), oldest first.
  public func prunable(beforeMs: Int64?, keepPerTask: Int?) throws(StoreError) -> [Run] {
    try sqlRead { db in
      var clauses = ["status NOT IN ('queued', 'running')"]
      var args: [SQLValue] = []
      if let beforeMs {
        clauses.append("queued_at < ?")
        args.append(.int(beforeMs))
      }
      if let keep = keepPerTask {
        clauses.append(
          "id NOT IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY task ORDER BY id DESC) AS n FROM run) AS ranked WHERE n <= ?)"
        )
        args.append(SQLValue(keep))
      }
      return try db.rows(
        "SELECT \(Store.runColumns) FROM run WHERE \(clauses.joined(separator: " AND ")) ORDER BY id", args
      ).map(Store.runValue)
    }
  }

  public func deleteRuns(_ ids: [RunID], actor: String, now: Int64) throws(StoreError) {
    try sqlWrite { db in
      for chunk in stride(from: 0, to: ids.count, by: 500) {
        let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
        let marks = part.map { _ in "?" }.joined(separator: ",")
        try db.execute("DELETE FROM run WHERE id IN (\(marks))", part.map(SQLValue.int))
      }
      try Store.insertEvent(
        db,
        Event(
          at: now, type: EventType.pruned.rawValue, actor: actor, title: "pruned \(ids.count) runs",
          details: JSON.object(["runs": String(ids.count)])))
    }
  }

}
