import Foundation
import GRDB
import TFSCore

/// A run that has just been started, for `markStartedBatch`.
public struct RunStart: Sendable {
  public var id: RunID
  public var version: String
  public var startedAt: Int64
  public var pid: Int32
  public var processStart: Int64?
  public var logPath: String
  public init(id: RunID, version: String, startedAt: Int64, pid: Int32, processStart: Int64?, logPath: String)
  {
    self.id = id
    self.version = version
    self.startedAt = startedAt
    self.pid = pid
    self.processStart = processStart
    self.logPath = logPath
  }
}

/// Batched writes for the daemon: one transaction per scheduling pass instead of one per run.
extension Store {
  /// Inserts runs and the alerts about them in one transaction (a reader never sees a run
  /// skipped or queued behind another without its `overlap` alert); returns them with ids and
  /// unique versions, or nil for a scheduled run whose occurrence already has one (a scheduled
  /// run is unique per task and occurrence: whoever recorded it first handles it).
  public func insertRunsReturning(_ runs: [Run], executorPid: Int32?, events: [Event] = []) throws(StoreError)
    -> [Run?]
  {
    try sqlWrite { db in
      let inserted = try runs.map { try Store.insertRun(db, $0, force: false, executorPid: executorPid) }
      for event in events { try Store.insertEvent(db, event) }
      return inserted
    }
  }

  /// Marks spawned runs `running`; returns the ids that were no longer `queued` (killed by
  /// `tfs kill` in the meantime), whose processes the caller must stop.
  @discardableResult
  public func markStartedBatch(_ starts: [RunStart], executorPid: Int32) throws(StoreError) -> Set<RunID> {
    guard !starts.isEmpty else { return [] }
    return try sqlWrite { db in
      var notQueued: Set<RunID> = []
      let sql = """
        UPDATE run SET status = 'running', started_at = ?, pid = ?, process_start = ?, log_path = ?,
          executor_pid = ?, version = ?
        WHERE id = ? AND status = 'queued' AND kill_requested_at IS NULL
        """
      for s in starts {
        let values: [SQLValue] = [
          .int(s.startedAt), .int(Int64(s.pid)), SQLValue(s.processStart), .text(s.logPath),
          .int(Int64(executorPid)), .text(s.version), .int(s.id),
        ]
        // A run per occurrence at 1,000 a second (P1b): SQLite counts the change, no row made.
        if let lite = db as? SQLiteDatabase {
          try lite.execute(sql, values)
          if lite.db.changesCount == 0 { notQueued.insert(s.id) }
        } else if try db.rows(sql + " RETURNING id", values).isEmpty {
          notQueued.insert(s.id)
        }
      }
      try Store.recordStarts(
        db, starts.map(\.id).filter { !notQueued.contains($0) }, at: starts.map(\.startedAt).max() ?? 0)
      return notQueued
    }
  }

  /// Ends several runs (with their alerts) in one transaction.
  public func finishRuns(_ ends: [(RunID, RunEnd, [Event])]) throws(StoreError) {
    guard !ends.isEmpty else { return }
    try sqlWrite { db in
      for (id, end, events) in ends { _ = try Store.finish(db, id, end, events) }
    }
  }

  /// Ends runs and records the retries that follow some of them, in one transaction: a failed
  /// attempt's alert is held back for its retry, so the retry must exist whenever the end does.
  /// Returns the retries with their ids and versions.
  public func finishRuns(_ ends: [(RunID, RunEnd, [Event])], retries: [Run]) throws(StoreError) -> [Run] {
    try sqlWrite { db in
      for (id, end, events) in ends { _ = try Store.finish(db, id, end, events) }
      return try retries.compactMap { try Store.insertRun(db, $0, force: false, executorPid: nil) }
    }
  }

  /// Ends a live run (only a queued one with `onlyQueued`); false when it was not.
  @discardableResult
  static func finish(
    _ db: any SQLDatabase, _ id: RunID, _ end: RunEnd, _ events: [Event], onlyQueued: Bool = false
  ) throws -> Bool {
    let published =
      end.published.isEmpty
      ? "[]" : (try? String(data: JSONEncoder().encode(end.published), encoding: .utf8)) ?? "[]"
    // Only a live run ends: one already ended (killed before it started, resolved by a kill
    // whose executor was gone) keeps its record, and no second set of alerts is written.
    let ended = try db.rows(
      """
      UPDATE run SET status = ?, ended_at = ?, exit_code = ?, signal = ?, stderr_head = ?,
        reason = ?, log_bytes = ?, published = ?
      WHERE id = ? AND status IN ('queued', ?) RETURNING id
      """,
      [
        .text(end.status.rawValue), .int(end.endedAt), SQLValue(end.exitCode.map(Int64.init)),
        SQLValue(end.signal.map(Int64.init)), .text(end.stderrHead), .text(end.reason), .int(end.logBytes),
        .text(published), .int(id), .text(onlyQueued ? "queued" : "running"),
      ])
    guard !ended.isEmpty else { return false }
    if let log = end.log, !log.isEmpty, db.dialect == .postgres {
      try db.execute(
        "INSERT INTO run_log (run_id, content) VALUES (?, decode(?, 'hex')) ON CONFLICT (run_id) DO NOTHING",
        [.int(id), .text(Hex.encode(log))])
    }
    if end.status != .skipped && end.status != .missed {
      try db.execute(
        """
        UPDATE task SET last_run_id = ?, last_status = ?, last_run_at = ?
        WHERE name = (SELECT task FROM run WHERE id = ?)
        """, [.int(id), .text(end.status.rawValue), .int(end.endedAt), .int(id)])
    }
    if end.status != .skipped && end.status != .missed {
      try Store.recordRunEnd(db, id, end, events)
    } else {
      for event in events { try Store.insertEvent(db, event) }
      try Store.recordRetryNotRun(db, id, end)
    }
    return true
  }

  /// Kill requests on the given live runs (id → request).
  public func killRequests(_ ids: [RunID]) throws(StoreError) -> [RunID: KillRequest] {
    guard !ids.isEmpty else { return [:] }
    return try sqlRead { db in
      let marks = ids.map { _ in "?" }.joined(separator: ",")
      var result: [RunID: KillRequest] = [:]
      for row in try db.rows(
        """
        SELECT id, kill_requested_at, kill_signal, kill_actor FROM run
        WHERE id IN (\(marks)) AND kill_requested_at IS NOT NULL
        """, ids.map(SQLValue.int))
      {
        result[row.int("id") ?? 0] = KillRequest(
          at: row.int("kill_requested_at") ?? 0, signal: Int32(row.int("kill_signal") ?? 15),
          actor: row.text("kill_actor") ?? "")
      }
      return result
    }
  }

  /// Live runs that another process executes (`tfs run --here`), with its pid; on the cluster
  /// store also the live runs of other nodes (no pid: it is another host's).
  public func runsElsewhere(than pid: Int32) throws(StoreError) -> [(run: Run, executor: Int32?)] {
    try sqlRead { db in
      let mine =
        member.map { _ in " OR (node IS DISTINCT FROM current_setting('tfs.node') AND \(Store.heldElsewhere))"
        } ?? ""
      return try db.rows(
        """
        SELECT \(Store.runColumns), executor_pid\(member == nil ? "" : ", node") FROM run
        WHERE status IN ('queued', 'running')
          AND ((executor_pid IS NOT NULL AND executor_pid != ?)\(mine))
        """, [.int(Int64(pid))]
      ).map { row in
        let here = member == nil || row.text("node") == member?.name
        return (Store.runValue(row), here ? row.int("executor_pid").map { Int32($0) } : nil)
      }
    }
  }

  /// On the cluster store, a live run another node holds (not one queued by a command that no
  /// node took yet). The daemon tells the runs armed ahead of their occurrence from the others.
  static let heldElsewhere = "NOT (status = 'queued' AND node IS NULL)"

  /// Live runs with their executor (for crash recovery); on the cluster store, this node's.
  public func liveRunsWithExecutor() throws(StoreError) -> [(Run, Int32?)] {
    try sqlRead { db in
      let mine = member.map { _ in "AND node = current_setting('tfs.node')" } ?? ""
      return try db.rows(
        """
        SELECT \(Store.runColumns), executor_pid FROM run WHERE status IN ('queued', 'running') \(mine)
        ORDER BY id
        """, []
      ).map { (Store.runValue($0), $0.int("executor_pid").map { Int32($0) }) }
    }
  }
}

extension Store {
  /// Queued runs with their `force` flag, oldest first: those no process has taken (`tfs run
  /// --here` records its run queued, with itself as the executor, before it starts it).
  /// On the cluster store a node takes the runs queued by commands that no node holds yet (one
  /// node gets each) and returns those it holds.
  public func queuedRuns() throws(StoreError) -> [(Run, Bool)] {
    let select = "SELECT \(Store.runColumns), force FROM run WHERE status = 'queued' AND executor_pid IS NULL"
    guard member != nil else {
      return try sqlRead { db in
        try db.rows(select + " ORDER BY id", []).map { (Store.runValue($0), $0.int("force") == 1) }
      }
    }
    let labels = PGArray.text(member?.labels ?? [])
    return try sqlWrite { db in
      // Only the runs of tasks this node may run (`--on-node`, `--on-label`).
      try db.execute(
        """
        UPDATE run SET node = current_setting('tfs.node'), epoch = current_setting('tfs.epoch')::bigint
        WHERE status = 'queued' AND executor_pid IS NULL AND node IS NULL AND task IN (
          SELECT name FROM task WHERE (on_node IS NULL OR on_node = current_setting('tfs.node'))
            AND (on_label IS NULL OR on_label = ANY(?::text[])))
        """, [.text(labels)])
      return try db.rows(select + " AND node = current_setting('tfs.node') ORDER BY id", [])
        .map { (Store.runValue($0), $0.int("force") == 1) }
    }
  }
}

extension Store {
  /// Every task's occurrences (epoch s) in `[fromMs, toMs]` that have a run recorded: the
  /// store's record of what was handled (a scheduled run is unique per task and occurrence), from
  /// which a daemon starting after another finds what no one handled.
  public func occurrencesByTask(fromMs: Int64, toMs: Int64) throws(StoreError) -> [TaskName: Set<Int64>] {
    try sqlRead { db in
      var result: [TaskName: Set<Int64>] = [:]
      for row in try db.rows(
        "SELECT task, scheduled_at FROM run WHERE scheduled_at BETWEEN ? AND ?", [.int(fromMs), .int(toMs)])
      {
        guard let name = try? TaskName(row.text(0) ?? ""), let at = row.int(1) else { continue }
        result[name, default: []].insert(at / 1000)
      }
      return result
    }
  }
}

extension Store {
  /// Deletes runs recorded ahead of an occurrence that has not come (the daemon is stopping):
  /// the next daemon accounts for that occurrence as missed, once.
  public func withdrawQueuedRuns(_ ids: [RunID]) throws(StoreError) {
    guard !ids.isEmpty else { return }
    try sqlWrite { db in
      let marks = ids.map { _ in "?" }.joined(separator: ",")
      try db.execute("DELETE FROM run WHERE status = 'queued' AND id IN (\(marks))", ids.map(SQLValue.int))
    }
  }
}
