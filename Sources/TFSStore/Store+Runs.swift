import Foundation
import GRDB
import TFSCore

extension Store {
  static let runColumns = """
    id, task, version, trigger, status, scheduled_at, queued_at, started_at, ended_at, exit_code,
    signal, pid, process_start, attempt, stderr_head, reason, log_path, log_bytes, actor
    """

  /// Inserts a run; `version` gets `-2`, `-3`… when the task already has a run with it.
  @discardableResult
  public func insertRun(_ run: Run, force: Bool = false, executorPid: Int32? = nil) throws(StoreError) -> Run
  {
    try write { db in
      guard let inserted = try Store.insertRun(db, run, force: force, executorPid: executorPid) else {
        throw DatabaseError(
          resultCode: .SQLITE_CONSTRAINT,
          message: "occurrence \(run.scheduledAt ?? 0) of '\(run.task)' already has a run")
      }
      return inserted
    }
  }

  /// Inserts several runs in one transaction (missed occurrences, skipped fires), with the
  /// alerts about them.
  public func insertRuns(_ runs: [Run], events: [Event] = []) throws(StoreError) {
    try write { db in
      for run in runs { try Store.insertRun(db, run, force: false, executorPid: nil) }
      for event in events { try Store.insertEvent(db, event) }
    }
  }

  /// Inserts a run; nil when it is a scheduled run whose occurrence already has one.
  @discardableResult
  static func insertRun(_ db: Database, _ run: Run, force: Bool, executorPid: Int32?) throws -> Run? {
    var run = run
    run.version = try uniqueVersion(db, task: run.task.rawValue, base: run.version)
    // Cached statements: the daemon inserts a run per occurrence, and parsing the SQL each time
    // was most of its SQLite time (1,000 every-second tasks).
    try db.cachedStatement(
      sql: """
        INSERT INTO run (task, version, trigger, status, scheduled_at, queued_at, started_at,
          ended_at, exit_code, signal, pid, process_start, attempt, stderr_head, reason, log_path,
          log_bytes, actor, force, executor_pid)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (task, scheduled_at) WHERE trigger = 'schedule' DO NOTHING
        """
    ).execute(
      arguments: [
        run.task.rawValue, run.version, run.trigger.rawValue, run.status.rawValue, run.scheduledAt,
        run.queuedAt, run.startedAt, run.endedAt, run.exitCode, run.signal, run.pid,
        run.processStart, run.attempt, run.stderrHead, run.reason, run.logPath, run.logBytes,
        run.actor, force, executorPid,
      ])
    guard db.changesCount > 0 else { return nil }
    run.id = db.lastInsertedRowID
    return run
  }

  static func uniqueVersion(_ db: Database, task: String, base: String) throws -> String {
    // A range on the (task, version) index: `base` and `base-N` sort in [base, base + "."),
    // since '-' < '.' and versions have a fixed length. (A LIKE here read every version of the
    // task: an every-second task made each insert a little slower, second after second.)
    let taken = try String.fetchSet(
      db.cachedStatement(sql: "SELECT version FROM run WHERE task = ? AND version >= ? AND version < ?"),
      arguments: [task, base, base + "."])
    if !taken.contains(base) { return base }
    var n = 2
    while taken.contains("\(base)-\(n)") { n += 1 }
    return "\(base)-\(n)"
  }

  /// Marks a queued run as running with its process.
  public func markStarted(
    _ id: RunID, version: String? = nil, startedAt: Int64, pid: Int32?, processStart: Int64?,
    logPath: String?, executorPid: Int32
  ) throws(StoreError) {
    try write { db in
      try db.execute(
        sql: """
          UPDATE run SET status = 'running', started_at = ?, pid = ?, process_start = ?, log_path = ?,
            executor_pid = ?, version = coalesce(?, version)
          WHERE id = ?
          """, arguments: [startedAt, pid, processStart, logPath, executorPid, version, id])
    }
  }

  /// Records how a run ended, updates the task's last run, and adds `events` (alerts) — all in
  /// one transaction, so a run is never ended without its alerts or the other way round.
  public func finishRun(_ id: RunID, _ end: RunEnd, events: [Event] = []) throws(StoreError) {
    try write { db in try Store.finish(db, id, end, events) }
  }

  /// Ends a run that is still queued (never started); false when it started meanwhile.
  public func finishQueuedRun(_ id: RunID, _ end: RunEnd, events: [Event] = []) throws(StoreError) -> Bool {
    try write { db in try Store.finish(db, id, end, events, onlyQueued: true) }
  }

  public func run(_ id: RunID) throws(StoreError) -> Run? {
    try read { db in
      try Row.fetchOne(db, sql: "SELECT \(Store.runColumns) FROM run WHERE id = ?", arguments: [id])
        .map(Store.runValue)
    }
  }

  /// A run of `task` by id (digits) or version (`202401/05/120000`), or its last run.
  public func run(task: TaskName, reference: String?) throws(StoreError) -> Run? {
    try read { db in
      let sql: String
      let args: StatementArguments
      if let reference, let id = Int64(reference) {
        sql = "SELECT \(Store.runColumns) FROM run WHERE task = ? AND id = ?"
        args = [task.rawValue, id]
      } else if let reference {
        sql = "SELECT \(Store.runColumns) FROM run WHERE task = ? AND version = ?"
        args = [task.rawValue, reference]
      } else {
        sql = """
          SELECT \(Store.runColumns) FROM run WHERE task = ? AND status NOT IN ('queued', 'skipped', 'missed')
          ORDER BY id DESC LIMIT 1
          """
        args = [task.rawValue]
      }
      return try Row.fetchOne(db, sql: sql, arguments: args).map(Store.runValue)
    }
  }

  /// Runs that are queued or running (optionally of one task), oldest first. With `dueBy`, a
  /// scheduled run recorded ahead of an occurrence still to come (the daemon prepares runs up to
  /// 250 ms early) is left out: it is not a run anyone could kill or wait behind yet.
  public func liveRuns(task: TaskName? = nil, dueBy now: Int64? = nil) throws(StoreError) -> [Run] {
    try read { db in
      var filter = task == nil ? "" : "AND task = ?"
      var args: StatementArguments = task.map { [$0.rawValue] } ?? []
      if let now {
        filter += " AND NOT \(Store.notYetDue)"
        args += [now]
      }
      return try Row.fetchAll(
        db,
        sql: """
          SELECT \(Store.runColumns) FROM run WHERE status IN ('queued', 'running') \(filter) ORDER BY id
          """, arguments: args
      ).map(Store.runValue)
    }
  }

  /// A scheduled run recorded ahead of its occurrence (one `?`: now, epoch ms).
  static let notYetDue = "(status = 'queued' AND trigger = 'schedule' AND scheduled_at > ?)"

  /// The executor pid and `force` flag of a live run (the daemon's bookkeeping).
  public func executor(of id: RunID) throws(StoreError) -> (pid: Int32?, force: Bool) {
    try read { db in
      let row = try Row.fetchOne(db, sql: "SELECT executor_pid, force FROM run WHERE id = ?", arguments: [id])
      return (row?["executor_pid"], row?["force"] ?? false)
    }
  }

  /// Asks whoever executes run `id` to stop it; returns false when it is no longer live.
  public func requestKill(_ id: RunID, signal: Int32, actor: String, now: Int64) throws(StoreError) -> Bool {
    try write { db in
      try db.execute(
        sql: """
          UPDATE run SET kill_requested_at = ?, kill_signal = ?, kill_actor = ?
          WHERE id = ? AND status IN ('queued', 'running')
          """, arguments: [now, signal, actor, id])
      return db.changesCount > 0
    }
  }

  public func killRequest(_ id: RunID) throws(StoreError) -> KillRequest? {
    try read { db in
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT kill_requested_at, kill_signal, kill_actor FROM run WHERE id = ?", arguments: [id]),
        let at: Int64 = row["kill_requested_at"]
      else { return nil }
      return KillRequest(at: at, signal: row["kill_signal"] ?? 15, actor: row["kill_actor"] ?? "")
    }
  }

  /// Runs matching `filter`, newest first.
  public func runs(_ filter: RunFilter) throws(StoreError) -> [Run] {
    try read { db in
      var clauses: [String] = []
      var args: [(any DatabaseValueConvertible)?] = []
      func add(_ clause: String, _ value: (any DatabaseValueConvertible)?) {
        clauses.append(clause)
        args.append(value)
      }
      // One index drives each query (no ANALYZE statistics, so SQLite may pick the worst): the
      // task's; else the queue time's, which then also gives the order (no sort of a month of
      // runs); else the status's; else, for a non-zero exit code, the partial `run_by_failed_exit`
      // (whose `exit_code != 0` the query repeats so SQLite can use it). `+column` keeps a term
      // out of index selection.
      let byTime = filter.task == nil && (filter.sinceMs != nil || filter.untilMs != nil)
      let byStatus = filter.task == nil && !byTime && filter.status != nil
      let byExit = filter.task == nil && !byTime && !byStatus
      if let v = filter.task { add("task = ?", v) }
      if let v = filter.sinceMs { add(byTime ? "queued_at >= ?" : "+queued_at >= ?", v) }
      if let v = filter.untilMs { add(byTime ? "queued_at < ?" : "+queued_at < ?", v) }
      if let v = filter.status { add(byStatus ? "status = ?" : "+status = ?", v.rawValue) }
      if let v = filter.exitCode {
        add(byExit && v != 0 ? "exit_code = ? AND exit_code != 0" : "+exit_code = ?", v)
      }
      if let v = filter.trigger { add("trigger = ?", v.rawValue) }
      let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
      let order = byTime ? "queued_at DESC, id DESC" : "id DESC"
      args.append(filter.limit)
      return try Row.fetchAll(
        db, sql: "SELECT \(Store.runColumns) FROM run \(whereSQL) ORDER BY \(order) LIMIT ?",
        arguments: StatementArguments(args)
      ).map(Store.runValue)
    }
  }

  /// The published files of a run.
  public func publishedFiles(_ id: RunID) throws(StoreError) -> [PublishedFile] {
    try read { db in
      let text =
        try String.fetchOne(db, sql: "SELECT published FROM run WHERE id = ?", arguments: [id]) ?? "[]"
      return (try? JSONDecoder().decode([PublishedFile].self, from: Data(text.utf8))) ?? []
    }
  }

  static func runValue(_ row: Row) throws -> Run {
    let name: String = row["task"]
    let task = TaskName(stored: name)
    return Run(
      id: row["id"], task: task, version: row["version"],
      trigger: Trigger(rawValue: row["trigger"]) ?? .manual,
      status: RunStatus(rawValue: row["status"]) ?? .lost, scheduledAt: row["scheduled_at"],
      queuedAt: row["queued_at"], startedAt: row["started_at"], endedAt: row["ended_at"],
      exitCode: row["exit_code"], signal: row["signal"], pid: row["pid"],
      processStart: row["process_start"], attempt: row["attempt"], stderrHead: row["stderr_head"],
      reason: row["reason"], logPath: row["log_path"], logBytes: row["log_bytes"], actor: row["actor"])
  }
}
