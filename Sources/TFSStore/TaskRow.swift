import Foundation
import GRDB
import GRDBSQLite
import TFSCore

/// A row of the task table read in place, for outputs that stream every task (`list --json`):
/// text columns come as SQLite's own UTF-8 bytes, with no `String` made per column.
///
/// Valid only inside the closure it is handed to (`Store.forEachTaskRow`, `Store.withTaskRow`):
/// it reads the current row of a statement that moves on afterwards, and the bytes it lends are
/// SQLite's, freed or overwritten when the statement steps. `TaskDecoder` turns it into a
/// `TaskRecord`; what a column means (a missing enum value, owners split on `;`, the environment
/// as JSON) is the decoder's to say, and readers of raw columns must say the same.
public struct TaskRow {
  /// The selected columns, in the order of the `SELECT` (`Store.taskColumns`).
  public enum Column: Int32, CaseIterable, Sendable {
    case name, rule, command, entry, title, description, owners, timeZone, timeoutMs, onTimeout
    case overlap, catchUp, catchUpWindowMs, retries, retryDelayMs, jitterMs, environment, workdir
    case enabled, createdAt, updatedAt, lastRunID, lastStatus, lastRunAt, alertAfter, realertMs, alertOn,
      enabledAt, keepRuns, keepForMs, user, onNode, onLabel, rerunLost

    /// The SQL column.
    var name: String {
      switch self {
      case .name: "name"
      case .rule: "rule"
      case .command: "command"
      case .entry: "entry"
      case .title: "title"
      case .description: "description"
      case .owners: "owners"
      case .timeZone: "time_zone"
      case .timeoutMs: "timeout_ms"
      case .onTimeout: "on_timeout"
      case .overlap: "overlap"
      case .catchUp: "catch_up"
      case .catchUpWindowMs: "catch_up_window_ms"
      case .retries: "retries"
      case .retryDelayMs: "retry_delay_ms"
      case .jitterMs: "jitter_ms"
      case .environment: "environment"
      case .workdir: "workdir"
      case .enabled: "enabled"
      case .createdAt: "created_at"
      case .updatedAt: "updated_at"
      case .lastRunID: "last_run_id"
      case .lastStatus: "last_status"
      case .lastRunAt: "last_run_at"
      case .alertAfter: "alert_after"
      case .realertMs: "realert_ms"
      case .alertOn: "alert_on"
      case .enabledAt: "enabled_at"
      case .keepRuns: "keep_runs"
      case .keepForMs: "keep_for_ms"
      case .user: "run_as"
      case .onNode: "on_node"
      case .onLabel: "on_label"
      case .rerunLost: "rerun_lost"
      }
    }
  }

  /// SQLite's current row of a statement, or a row PostgreSQL sent (its text, per column).
  private let statement: SQLiteStatement?
  private let values: [String?]

  init(_ statement: SQLiteStatement) {
    self.statement = statement
    values = []
  }

  /// A row of `SELECT \(Store.taskColumns)` read through `SQLDatabase`.
  init(_ row: SQLRow) {
    statement = nil
    values = Column.allCases.map { row.text(Int($0.rawValue)) }
  }

  /// Calls `body` with the UTF-8 bytes of a text column (nil when NULL), up to its first NUL
  /// byte: the text GRDB decodes as `String(cString:)`. The bytes are not checked: they may be
  /// invalid UTF-8, which `String(decoding:as:)` repairs the way GRDB's decoding does.
  @inline(__always)
  public func withText<R>(_ column: Column, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
    guard let statement else {
      guard let text = values[Int(column.rawValue)] else { return try body(nil) }
      return try Array(text.utf8).withUnsafeBufferPointer { try body($0) }
    }
    guard let text = sqlite3_column_text(statement, column.rawValue) else { return try body(nil) }
    var count = Int(sqlite3_column_bytes(statement, column.rawValue))
    if let nul = memchr(text, 0, count) { count = UnsafeRawPointer(nul) - UnsafeRawPointer(text) }
    return try body(UnsafeBufferPointer(start: text, count: count))
  }

  /// A text column as a `String` (nil when NULL), as GRDB decodes it.
  public func string(_ column: Column) -> String? {
    withText(column) { $0.map { String(decoding: $0, as: UTF8.self) } }
  }

  /// An integer column (nil when NULL).
  @inline(__always)
  public func int(_ column: Column) -> Int64? {
    guard let statement else { return values[Int(column.rawValue)].flatMap { Int64($0) } }
    return sqlite3_column_type(statement, column.rawValue) == SQLITE_NULL
      ? nil : sqlite3_column_int64(statement, column.rawValue)
  }

  public var onTimeout: TimeoutAction { string(.onTimeout).flatMap(TimeoutAction.init(rawValue:)) ?? .kill }
  public var overlap: OverlapPolicy { string(.overlap).flatMap(OverlapPolicy.init(rawValue:)) ?? .skip }
  public var catchUp: CatchUpPolicy { string(.catchUp).flatMap(CatchUpPolicy.init(rawValue:)) ?? .none }
  public var enabled: Bool { (int(.enabled) ?? 0) != 0 }
  public var lastStatus: RunStatus? { string(.lastStatus).flatMap(RunStatus.init(rawValue:)) }
  public var alertPolicy: AlertPolicy {
    AlertPolicy(
      alertAfter: Int(int(.alertAfter) ?? 1), realertMs: int(.realertMs),
      alertOn: string(.alertOn).map(AlertTypes.stored))
  }

  /// Parses a stored rule, failing as decoding the task does.
  public static func rule(_ text: String, task: String) throws(StoreError) -> CronRule {
    guard let rule = try? CronRule(text) else {
      throw .database(path: "", message: "task '\(task)' has an unreadable rule '\(text)'")
    }
    return rule
  }

  /// The owners of a stored `owners` column (`a;b`).
  public static func owners(_ text: String) -> [String] {
    text.isEmpty ? [] : text.split(separator: ";").map(String.init)
  }

  /// The variables of a stored `environment` column (a JSON object of strings).
  public static func environment(_ text: String) -> [String: String] { JSON.stringDictionary(text) }
}
