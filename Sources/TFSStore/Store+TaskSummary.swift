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
  /// Every task's summary, sorted by name.
  public func taskSummaries() throws(StoreError) -> [TaskSummary] {
    try read { db in
      var rules: [String: CronRule] = [:]
      var result: [TaskSummary] = []
      let rows = try Row.fetchCursor(
        db, sql: "SELECT name, rule, time_zone, enabled, last_status, last_run_at FROM task ORDER BY name")
      while let row = try rows.next() {
        let name: String = row[0]
        let text: String = row[1]
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
        let status: String? = row[4]
        result.append(
          TaskSummary(
            name: TaskName(stored: name), rule: rule, timeZone: row[2], enabled: row[3],
            lastStatus: status.flatMap(RunStatus.init(rawValue:)), lastRunAt: row[5]))
      }
      return result
    }
  }
}
