import Foundation
import GRDB
import TFSCore

/// A stored task: its definition plus what the store knows about it.
public struct TaskRecord: Sendable, Equatable {
  public var spec: TaskSpec
  public var createdAt: Int64
  public var updatedAt: Int64
  public var lastRunID: RunID?
  public var lastStatus: RunStatus?
  public var lastRunAt: Int64?
  /// When it was last enabled (nil while disabled, or for a row older than migration v4 that
  /// was disabled then).
  public var enabledAt: Int64? = nil
}

extension Store {
  /// The columns of `TaskRow.Column`, in its order.
  static let taskColumns = TaskRow.Column.allCases.map(\.name).joined(separator: ", ")

  /// Adds a task and its `added` event in one transaction.
  public func addTask(_ spec: TaskSpec, actor: String, now: Int64) throws(StoreError) {
    try sqlWrite { db in try Store.insertTask(db, spec, actor: actor, now: now) }
  }

  /// Inserts a task and its `added` event inside the caller's transaction.
  static func insertTask(_ db: any SQLDatabase, _ spec: TaskSpec, actor: String, now: Int64) throws {
    if try db.row("SELECT 1 FROM task WHERE name = ?", [.text(spec.name.rawValue)]) != nil {
      throw StoreError.taskExists(spec.name.rawValue)
    }
    var values = Store.arguments(spec)
    values += [.int(now), .int(now), SQLValue(spec.enabled ? now : nil)]
    try db.execute(
      """
      INSERT INTO task (name, rule, command, entry, title, description, owners, time_zone,
        timeout_ms, on_timeout, overlap, catch_up, catch_up_window_ms, retries, retry_delay_ms,
        jitter_ms, environment, workdir, enabled, alert_after, realert_ms, alert_on, keep_runs,
        keep_for_ms, run_as, on_node, on_label, rerun_lost, created_at, updated_at, enabled_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """, values)
    let details = Dictionary(uniqueKeysWithValues: spec.fields.map { ($0.0, $0.1) })
    try Store.insertEvent(
      db,
      Event(
        at: now, type: EventType.added.rawValue, task: spec.name.rawValue, actor: actor,
        title: "task '\(spec.name)' added", details: JSON.object(details)))
  }

  /// Replaces a task's definition; records a `modified` event with the field diff.
  /// Returns the diff (empty when nothing changed, and then nothing is written).
  @discardableResult
  public func updateTask(
    _ name: TaskName, actor: String, now: Int64, eventType: EventType = .modified,
    change: (inout TaskSpec) throws -> Void
  ) throws -> [(field: String, old: String, new: String)] {
    // `change` validates input: its error must reach the user as itself (exit 64), not as a
    // database error.
    var changeError: (any Error)?
    do {
      return try applyUpdate(name, actor: actor, now: now, eventType: eventType) { spec in
        do {
          try change(&spec)
        } catch {
          changeError = error
          throw error
        }
      }
    } catch {
      throw changeError ?? error
    }
  }

  private func applyUpdate(
    _ name: TaskName, actor: String, now: Int64, eventType: EventType,
    applying change: (inout TaskSpec) throws -> Void
  ) throws(StoreError) -> [(field: String, old: String, new: String)] {
    try sqlWrite { db in
      guard let old = try Store.fetchTask(db, name) else { throw StoreError.noSuchTask(name.rawValue) }
      var spec = old.spec
      try change(&spec)
      let diff = old.spec.diff(to: spec)
      guard !diff.isEmpty else { return [] }
      try Store.writeUpdate(db, from: old.spec, to: spec, actor: actor, now: now, eventType: eventType)
      return diff
    }
  }

  /// Replaces the row of `old.name` with `new` and records the event with the field diff,
  /// inside the caller's transaction.
  static func writeUpdate(
    _ db: any SQLDatabase, from old: TaskSpec, to spec: TaskSpec, actor: String, now: Int64,
    eventType: EventType
  ) throws {
    let name = old.name
    let diff = old.diff(to: spec)
    var values = Store.arguments(spec)
    values.removeFirst()  // name
    let enabling = spec.enabled && !old.enabled
    values += [.int(now), SQLValue(enabling), .int(now), .text(name.rawValue)]
    try db.execute(
      """
      UPDATE task SET rule = ?, command = ?, entry = ?, title = ?, description = ?, owners = ?,
        time_zone = ?, timeout_ms = ?, on_timeout = ?, overlap = ?, catch_up = ?,
        catch_up_window_ms = ?, retries = ?, retry_delay_ms = ?, jitter_ms = ?, environment = ?,
        workdir = ?, enabled = ?, alert_after = ?, realert_ms = ?, alert_on = ?, keep_runs = ?,
        keep_for_ms = ?, run_as = ?, on_node = ?, on_label = ?, rerun_lost = ?, updated_at = ?,
        enabled_at = CASE WHEN ? = 1 THEN ? ELSE enabled_at END
      WHERE name = ?
      """, values)
    let changes = diff.map { JSON.object(["field": $0.field, "old": $0.old, "new": $0.new]) }
    try Store.insertEvent(
      db,
      Event(
        at: now, type: eventType.rawValue, task: name.rawValue, actor: actor,
        title: "task '\(name)' \(eventType.rawValue)",
        details: "{\"changes\":[\(changes.joined(separator: ","))]}"))
  }

  /// Deletes a task (and with `purge` its runs and events); records a `deleted` event.
  /// Fails when a run is live unless `allowLive`.
  public func removeTask(_ name: TaskName, purge: Bool, actor: String, now: Int64) throws(StoreError) {
    try sqlWrite { db in
      guard try Store.fetchTask(db, name) != nil else { throw StoreError.noSuchTask(name.rawValue) }
      let task: [SQLValue] = [.text(name.rawValue)]
      try db.execute("DELETE FROM task WHERE name = ?", task)
      if purge {
        try db.execute("DELETE FROM run WHERE task = ?", task)
        try db.execute("DELETE FROM event WHERE task = ?", task)
      } else {
        try db.execute("DELETE FROM run WHERE task = ? AND status = 'queued'", task)
      }
      try Store.insertEvent(
        db,
        Event(
          at: now, type: EventType.deleted.rawValue, task: name.rawValue, actor: actor,
          title: "task '\(name)' deleted", details: JSON.object(["purge": purge ? "yes" : "no"])))
    }
  }

  public func task(_ name: TaskName) throws(StoreError) -> TaskRecord? {
    try sqlRead { db in try Store.fetchTask(db, name) }
  }

  /// Every task, sorted by name.
  public func tasks(enabledOnly: Bool = false) throws(StoreError) -> [TaskRecord] {
    var decoder = TaskDecoder()
    var records: [TaskRecord] = []
    do {
      try forEachTaskRow(enabledOnly: enabledOnly) { records.append(try decoder.record($0)) }
    } catch {
      throw error as? StoreError ?? .database(path: path, message: "\(error)")
    }
    return records
  }

  /// Hands every task's row, sorted by name, to `body` as it is read, without decoding it:
  /// `list --json` writes 10,000 tasks from SQLite's own bytes, with no `String` per column.
  /// Errors thrown by `body` are rethrown as they are.
  public func forEachTaskRow(enabledOnly: Bool = false, _ body: (TaskRow) throws -> Void) throws {
    let filter = enabledOnly ? "WHERE enabled = 1" : ""
    if postgres != nil {
      let rows = try sqlRead { db in
        try db.rows("SELECT \(Store.taskColumns) FROM task \(filter) ORDER BY name", [])
      }
      for row in rows { try body(TaskRow(row)) }
      return
    }
    try readPassingErrors { db in
      let statement = try db.makeStatement(
        sql: "SELECT \(Store.taskColumns) FROM task \(filter) ORDER BY name")
      let row = TaskRow(statement.sqliteStatement)
      let rows = try Row.fetchCursor(statement)
      while try rows.next() != nil { try passing { try body(row) } }
    }
  }

  /// Hands the row of task `name` to `body` (nil when there is no such task), as
  /// `forEachTaskRow` does.
  public func withTaskRow<T>(_ name: TaskName, _ body: (TaskRow?) throws -> T) throws -> T {
    if postgres != nil {
      let row = try sqlRead { db in
        try db.row("SELECT \(Store.taskColumns) FROM task WHERE name = ?", [.text(name.rawValue)])
      }
      return try body(row.map(TaskRow.init))
    }
    return try readPassingErrors { db in
      try Store.withTaskRow(db, name) { row in try passing { try body(row) } }
    }
  }

  /// `read`, except that what a caller's closure throws (run through `passing`) reaches the
  /// caller as itself — a CLI's own error raised while it writes rows — not as a database error.
  private func readPassingErrors<T>(_ work: (Database) throws -> T) throws -> T {
    do {
      return try pool.read(work)
    } catch let passed as PassedError {
      throw passed.error
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError.database(path: path, message: "\(error)")
    }
  }

  private func passing<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch {
      throw PassedError(error: error)
    }
  }

  /// Task names and their last change, cheap enough for the daemon to poll.
  public func taskCount() throws(StoreError) -> Int {
    try sqlRead { db in Int(try db.int("SELECT count(*) FROM task") ?? 0) }
  }

  static func fetchTask(_ db: any SQLDatabase, _ name: TaskName) throws -> TaskRecord? {
    if let lite = db as? SQLiteDatabase {
      return try withTaskRow(lite.db, name) { row in
        var decoder = TaskDecoder()
        return try row.map { try decoder.record($0) }
      }
    }
    var decoder = TaskDecoder()
    return try db.row("SELECT \(taskColumns) FROM task WHERE name = ?", [.text(name.rawValue)])
      .map { try decoder.record(TaskRow($0)) }
  }

  static func withTaskRow<T>(_ db: Database, _ name: TaskName, _ body: (TaskRow?) throws -> T) throws -> T {
    let statement = try db.makeStatement(sql: "SELECT \(taskColumns) FROM task WHERE name = ?")
    let rows = try Row.fetchCursor(statement, arguments: [name.rawValue])
    // The row is read in place: the cursor (which resets the statement when it goes) must live.
    return try withExtendedLifetime(rows) {
      try body(try rows.next() != nil ? TaskRow(statement.sqliteStatement) : nil)
    }
  }

  static func arguments(_ s: TaskSpec) -> [SQLValue] {
    [
      .text(s.name.rawValue), .text(s.rule.text), .text(s.command), .text(s.entry), .text(s.title),
      .text(s.description), .text(s.owners.joined(separator: ";")), SQLValue(s.timeZone),
      SQLValue(s.timeoutMs),
      .text(s.onTimeout.rawValue), .text(s.overlap.rawValue), .text(s.catchUp.rawValue),
      SQLValue(s.catchUpWindowMs), SQLValue(s.retries), .int(s.retryDelayMs), .int(s.jitterMs),
      .text(JSON.object(s.environment)), SQLValue(s.workdir), SQLValue(s.enabled),
      SQLValue(s.alertPolicy.alertAfter),
      SQLValue(s.alertPolicy.realertMs), SQLValue(s.alertPolicy.alertOn.map(AlertTypes.text)),
      SQLValue(s.keepRuns),
      SQLValue(s.keepForMs), SQLValue(s.user), SQLValue(s.onNode), SQLValue(s.onLabel), SQLValue(s.rerunLost),
    ]
  }

}

/// Decodes `TaskRow`s into `TaskRecord`s, parsing each distinct rule and environment once.
struct TaskDecoder {
  private var rules: [String: CronRule] = [:]
  private var environments: [String: [String: String]] = [:]

  mutating func record(_ row: TaskRow) throws -> TaskRecord {
    let name = row.string(.name) ?? ""
    let ruleText = row.string(.rule) ?? ""
    let rule = try rules[ruleText] ?? TaskRow.rule(ruleText, task: name)
    rules[ruleText] = rule
    let owners = row.string(.owners) ?? ""
    let envText = row.string(.environment) ?? ""
    let environment = environments[envText] ?? TaskRow.environment(envText)
    environments[envText] = environment
    let spec = TaskSpec(
      name: TaskName(stored: name), rule: rule, command: row.string(.command) ?? "",
      entry: row.string(.entry) ?? "", title: row.string(.title) ?? "",
      description: row.string(.description) ?? "",
      owners: TaskRow.owners(owners),
      timeZone: row.string(.timeZone), timeoutMs: row.int(.timeoutMs),
      onTimeout: row.onTimeout, overlap: row.overlap, catchUp: row.catchUp,
      catchUpWindowMs: row.int(.catchUpWindowMs), retries: Int(row.int(.retries) ?? 0),
      retryDelayMs: row.int(.retryDelayMs) ?? 0, jitterMs: row.int(.jitterMs) ?? 0,
      environment: environment, workdir: row.string(.workdir), enabled: row.enabled,
      alertPolicy: row.alertPolicy, keepRuns: row.int(.keepRuns).map { Int($0) },
      keepForMs: row.int(.keepForMs), user: row.string(.user), onNode: row.string(.onNode),
      onLabel: row.string(.onLabel), rerunLost: row.int(.rerunLost) == 1)
    return TaskRecord(
      spec: spec, createdAt: row.int(.createdAt) ?? 0, updatedAt: row.int(.updatedAt) ?? 0,
      lastRunID: row.int(.lastRunID), lastStatus: row.lastStatus,
      lastRunAt: row.int(.lastRunAt), enabledAt: row.int(.enabledAt))
  }
}

/// An error thrown by a caller's closure inside a read, carried out of GRDB unchanged.
private struct PassedError: Error {
  let error: any Error
}
