import GRDB
import TFSCore

/// What `tfs list` shows of a task: six columns instead of the whole definition, so listing
/// 10,000 tasks stays well under 50 ms.
public struct TaskSummary: Sendable {
  public var name: TaskName
  public var rule: CronRule
  public var timeZone: String?
  public var enabled: Bool
  public var lastStatus: RunStatus?
  public var lastRunAt: Int64?
}

extension Store {
  /// Every task's summary, sorted by name. On SQLite through a cursor (no row kept): `list`
  /// with 10,000 tasks is held to P5.
  public func taskSummaries() throws(StoreError) -> [TaskSummary] {
    var decoder = SummaryDecoder()
    let sql = "SELECT name, rule, time_zone, enabled, last_status, last_run_at FROM task ORDER BY name"
    if postgres != nil {
      return try sqlRead { db in
        try db.rows(sql, []).map { row in
          try decoder.summary(
            name: row.text(0) ?? "", rule: row.text(1) ?? "", timeZone: row.text(2), enabled: row.int(3) == 1,
            status: row.text(4), lastRunAt: row.int(5))
        }
      }
    }
    return try read { db in
      var result: [TaskSummary] = []
      let rows = try Row.fetchCursor(db, sql: sql)
      while let row = try rows.next() {
        result.append(
          try decoder.summary(
            name: row[0], rule: row[1], timeZone: row[2], enabled: row[3], status: row[4], lastRunAt: row[5]))
      }
      return result
    }
  }
}

/// Decodes summary rows, parsing each distinct rule once.
private struct SummaryDecoder {
  var rules: [String: CronRule] = [:]

  mutating func summary(
    name: String, rule text: String, timeZone: String?, enabled: Bool, status: String?, lastRunAt: Int64?
  ) throws -> TaskSummary {
    let rule: CronRule
    if let cached = rules[text] {
      rule = cached
    } else {
      guard let parsed = try? CronRule(text) else {
        throw StoreError.database(path: "", message: "task '\(name)' has an unreadable rule '\(text)'")
      }
      rules[text] = parsed
      rule = parsed
    }
    return TaskSummary(
      name: TaskName(stored: name), rule: rule, timeZone: timeZone, enabled: enabled,
      lastStatus: status.flatMap(RunStatus.init(rawValue:)), lastRunAt: lastRunAt)
  }
}
