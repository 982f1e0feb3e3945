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
    try sqlWrite { db in
      guard let inserted = try Store.insertRun(db, run, force: force, executorPid: executorPid) else {
        throw StoreError.database(
          path: "", message: "occurrence \(run.scheduledAt ?? 0) of '\(run.task)' already has a run")
      }
      return inserted
    }
  }

  /// Inserts several runs in one transaction (missed occurrences, skipped fires), with the
  /// alerts about them.
  public func insertRuns(_ runs: [Run], events: [Event] = []) throws(StoreError) {
    try sqlWrite { db in
      for run in runs { try Store.insertRun(db, run, force: false, executorPid: nil) }
      for event in events { try Store.insertEvent(db, event) }
    }
  }

  /// Records occurrences `missed`, each with its alert, unless a run already holds the
  /// occurrence: on a cluster, the nodes a task is not pinned to record what its nodes did not
  /// claim, and whichever gets there first records it (once; its alert once).
  public func insertMissedUnlessRecorded(_ missed: [(run: Run, alert: Event)]) throws(StoreError) -> Int {
    try sqlWrite { db in
      var recorded = 0
      for (run, alert) in missed {
        guard let inserted = try Store.insertRun(db, run, force: false, executorPid: nil) else { continue }
        var alert = alert
        alert.runID = inserted.id
        try Store.insertEvent(db, alert)
        recorded += 1
      }
      return recorded
    }
  }

  /// Inserts a run; nil when it is a scheduled run whose occurrence already has one.
  @discardableResult
  static func insertRun(_ db: Database, _ run: Run, force: Bool, executorPid: Int32?) throws -> Run? {
    try insertRun(SQLiteDatabase(db: db), run, force: force, executorPid: executorPid)
  }

  /// The daemon inserts a run per occurrence (1,000 a second for P1b): on SQLite through GRDB's
  /// statement cache and `lastInsertedRowID`, as before the seam; on PostgreSQL with `RETURNING`.
  @discardableResult
  static func insertRun(_ db: any SQLDatabase, _ run: Run, force: Bool, executorPid: Int32?) throws -> Run? {
    var run = run
    run.version = try uniqueVersion(db, task: run.task.rawValue, base: run.version)
    let values: [SQLValue] = [
      .text(run.task.rawValue), .text(run.version), .text(run.trigger.rawValue), .text(run.status.rawValue),
      SQLValue(run.scheduledAt), .int(run.queuedAt), SQLValue(run.startedAt), SQLValue(run.endedAt),
      SQLValue(run.exitCode.map(Int64.init)), SQLValue(run.signal.map(Int64.init)),
      SQLValue(run.pid.map(Int64.init)),
      SQLValue(run.processStart), SQLValue(run.attempt), .text(run.stderrHead), .text(run.reason),
      SQLValue(run.logPath),
      .int(run.logBytes), SQLValue(run.actor), SQLValue(force), SQLValue(executorPid.map(Int64.init)),
    ]
    if let lite = db as? SQLiteDatabase {
      try lite.execute(insertRunSQL, values)
      guard lite.db.changesCount > 0 else { return nil }
      run.id = lite.db.lastInsertedRowID
      return run
    }
    guard let id = try db.int(insertRunSQL + " RETURNING id", values) else { return nil }
    run.id = id
    return run
  }

  private static let insertRunSQL = """
    INSERT INTO run (task, version, trigger, status, scheduled_at, queued_at, started_at,
      ended_at, exit_code, signal, pid, process_start, attempt, stderr_head, reason, log_path,
      log_bytes, actor, force, executor_pid)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (task, scheduled_at) WHERE trigger = 'schedule' DO NOTHING
    """

  static func uniqueVersion(_ db: any SQLDatabase, task: String, base: String) throws -> String {
    // A range on the (task, version) index: `base` and `base-N` sort in [base, base + "."),
    // since '-' < '.' and versions have a fixed length. (A LIKE here read every version of the
    // task: an every-second task made each insert a little slower, second after second.)
    let sql = "SELECT version FROM run WHERE task = ? AND version >= ? AND version < ?"
    let taken: Set<String>
    if let lite = db as? SQLiteDatabase {  // once per inserted run: no row conversion
      taken = try String.fetchSet(lite.db.cachedStatement(sql: sql), arguments: [task, base, base + "."])
    } else {
      taken = Set(try db.rows(sql, [.text(task), .text(base), .text(base + ".")]).compactMap { $0.text(0) })
    }
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
    try sqlWrite { db in
      try db.execute(
        """
        UPDATE run SET status = 'running', started_at = ?, pid = ?, process_start = ?, log_path = ?,
          executor_pid = ?, version = coalesce(?, version)
        WHERE id = ?
        """,
        [
          .int(startedAt), SQLValue(pid.map(Int64.init)), SQLValue(processStart), SQLValue(logPath),
          SQLValue(Int64(executorPid)), SQLValue(version), .int(id),
        ])
    }
  }

  /// Records how a run ended, updates the task's last run, and adds `events` (alerts) — all in
  /// one transaction, so a run is never ended without its alerts or the other way round.
  public func finishRun(_ id: RunID, _ end: RunEnd, events: [Event] = []) throws(StoreError) {
    try sqlWrite { db in _ = try Store.finish(db, id, end, events) }
  }

  /// Ends a run that is still queued (never started); false when it started meanwhile.
  public func finishQueuedRun(_ id: RunID, _ end: RunEnd, events: [Event] = []) throws(StoreError) -> Bool {
    try sqlWrite { db in try Store.finish(db, id, end, events, onlyQueued: true) }
  }

  public func run(_ id: RunID) throws(StoreError) -> Run? {
    try sqlRead { db in
      try db.row("SELECT \(Store.runColumns) FROM run WHERE id = ?", [.int(id)]).map(Store.runValue)
    }
  }

  /// A run of `task` by id (digits) or version (`202401/05/120000`), or its last run.
  public func run(task: TaskName, reference: String?) throws(StoreError) -> Run? {
    try sqlRead { db in
      let sql: String
      let args: [SQLValue]
      if let reference, let id = Int64(reference) {
        sql = "SELECT \(Store.runColumns) FROM run WHERE task = ? AND id = ?"
        args = [.text(task.rawValue), .int(id)]
      } else if let reference {
        sql = "SELECT \(Store.runColumns) FROM run WHERE task = ? AND version = ?"
        args = [.text(task.rawValue), .text(reference)]
      } else {
        sql = """
          SELECT \(Store.runColumns) FROM run WHERE task = ? AND status NOT IN ('queued', 'skipped', 'missed')
          ORDER BY id DESC LIMIT 1
          """
        args = [.text(task.rawValue)]
      }
      return try db.row(sql, args).map(Store.runValue)
    }
  }

  /// Runs that are queued or running (optionally of one task), oldest first. With `dueBy`, a
  /// scheduled run recorded ahead of an occurrence still to come (the daemon prepares runs up to
  /// 250 ms early) is left out: it is not a run anyone could kill or wait behind yet.
  public func liveRuns(task: TaskName? = nil, dueBy now: Int64? = nil) throws(StoreError) -> [Run] {
    try sqlRead { db in
      var filter = task == nil ? "" : "AND task = ?"
      var args: [SQLValue] = task.map { [.text($0.rawValue)] } ?? []
      if let now {
        filter += " AND NOT \(Store.notYetDue)"
        args.append(.int(now))
      }
      return try db.rows(
        "SELECT \(Store.runColumns) FROM run WHERE status IN ('queued', 'running') \(filter) ORDER BY id",
        args
      ).map(Store.runValue)
    }
  }

  /// A scheduled run recorded ahead of its occurrence (one `?`: now, epoch ms).
  static let notYetDue = "(status = 'queued' AND trigger = 'schedule' AND scheduled_at > ?)"

  /// The executor pid and `force` flag of a live run (the daemon's bookkeeping).
  public func executor(of id: RunID) throws(StoreError) -> (pid: Int32?, force: Bool) {
    try sqlRead { db in
      let row = try db.row("SELECT executor_pid, force FROM run WHERE id = ?", [.int(id)])
      return (row?.int("executor_pid").map { Int32($0) }, row?.int("force") == 1)
    }
  }

  /// Asks whoever executes run `id` to stop it; returns false when it is no longer live.
  public func requestKill(_ id: RunID, signal: Int32, actor: String, now: Int64) throws(StoreError) -> Bool {
    try sqlWrite { db in
      try !db.rows(
        """
        UPDATE run SET kill_requested_at = ?, kill_signal = ?, kill_actor = ?
        WHERE id = ? AND status IN ('queued', 'running') RETURNING id
        """, [.int(now), .int(Int64(signal)), .text(actor), .int(id)]
      ).isEmpty
    }
  }

  public func killRequest(_ id: RunID) throws(StoreError) -> KillRequest? {
    try sqlRead { db in
      guard
        let row = try db.row(
          "SELECT kill_requested_at, kill_signal, kill_actor FROM run WHERE id = ?", [.int(id)]),
        let at = row.int("kill_requested_at")
      else { return nil }
      return KillRequest(
        at: at, signal: Int32(row.int("kill_signal") ?? 15), actor: row.text("kill_actor") ?? "")
    }
  }

  /// Runs matching `filter`, newest first.
  public func runs(_ filter: RunFilter) throws(StoreError) -> [Run] {
    try sqlRead { db in
      var clauses: [String] = []
      var args: [SQLValue] = []
      // `+column` is SQLite's; PostgreSQL plans with its statistics.
      func add(_ clause: String, _ value: SQLValue) {
        clauses.append(db.dialect == .sqlite ? clause : clause.replacingOccurrences(of: "+", with: ""))
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
      if let v = filter.task { add("task = ?", .text(v)) }
      if let v = filter.sinceMs { add(byTime ? "queued_at >= ?" : "+queued_at >= ?", .int(v)) }
      if let v = filter.untilMs { add(byTime ? "queued_at < ?" : "+queued_at < ?", .int(v)) }
      if let v = filter.status { add(byStatus ? "status = ?" : "+status = ?", .text(v.rawValue)) }
      if let v = filter.exitCode {
        add(byExit && v != 0 ? "exit_code = ? AND exit_code != 0" : "+exit_code = ?", .int(Int64(v)))
      }
      if let v = filter.trigger { add("trigger = ?", .text(v.rawValue)) }
      let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
      let order = byTime ? "queued_at DESC, id DESC" : "id DESC"
      args.append(SQLValue(filter.limit))
      return try db.rows("SELECT \(Store.runColumns) FROM run \(whereSQL) ORDER BY \(order) LIMIT ?", args)
        .map(Store.runValue)
    }
  }

  /// The published files of a run.
  public func publishedFiles(_ id: RunID) throws(StoreError) -> [PublishedFile] {
    try sqlRead { db in
      let text = try db.text("SELECT published FROM run WHERE id = ?", [.int(id)]) ?? "[]"
      return (try? JSONDecoder().decode([PublishedFile].self, from: Data(text.utf8))) ?? []
    }
  }

  static func runValue(_ row: SQLRow) -> Run {
    Run(
      id: row.int("id") ?? 0, task: TaskName(stored: row.text("task") ?? ""),
      version: row.text("version") ?? "",
      trigger: row.text("trigger").flatMap(Trigger.init(rawValue:)) ?? .manual,
      status: row.text("status").flatMap(RunStatus.init(rawValue:)) ?? .lost,
      scheduledAt: row.int("scheduled_at"),
      queuedAt: row.int("queued_at") ?? 0, startedAt: row.int("started_at"), endedAt: row.int("ended_at"),
      exitCode: row.int("exit_code").map { Int32($0) }, signal: row.int("signal").map { Int32($0) },
      pid: row.int("pid").map { Int32($0) }, processStart: row.int("process_start"),
      attempt: Int(row.int("attempt") ?? 0), stderrHead: row.text("stderr_head") ?? "",
      reason: row.text("reason") ?? "", logPath: row.text("log_path"), logBytes: row.int("log_bytes") ?? 0,
      actor: row.text("actor"))
  }

}
