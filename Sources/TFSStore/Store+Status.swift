import GRDB
import TFSCore

/// A task whose last finished run failed, timed out or was lost (SPEC §5: *failing*).
public struct FailingTask: Sendable, Equatable {
  public var name: String
  public var status: RunStatus
  public var runID: RunID?
  public var at: Int64?
  public var enabled: Bool

  public init(name: String, status: RunStatus, runID: RunID?, at: Int64?, enabled: Bool) {
    self.name = name
    self.status = status
    self.runID = runID
    self.at = at
    self.enabled = enabled
  }
}

extension Store {
  /// The event types that are alerts (SPEC §7); the others (enabled, disabled, configured,
  /// pruned, daemon-stopped, channel changes) are audit entries only.
  public static let alertTypes: [String] = EventType.allCases.filter(\.isAlert).map(\.rawValue)

  /// Tasks failing now, by name. Served by the partial index `task_failing` (migration v2).
  public func failingTasks() throws(StoreError) -> [FailingTask] {
    try sqlRead { db in
      try db.rows(
        """
        SELECT name, last_status, last_run_id, last_run_at, enabled FROM task
        WHERE last_status IN ('failed', 'timed-out', 'lost') ORDER BY name
        """, []
      ).map { row in
        FailingTask(
          name: row.text("name") ?? "",
          status: row.text("last_status").flatMap(RunStatus.init(rawValue:)) ?? .failed,
          runID: row.int("last_run_id"), at: row.int("last_run_at"), enabled: row.int("enabled") == 1)
      }
    }
  }

  /// What `status` shows as ALERTS: the alerts about runs and the daemon, not the audit of
  /// what people did (added, modified, deleted, killed), the daemon's start, nor the opt-in
  /// started/succeeded.
  public static let statusAlertTypes: [String] = EventType.allCases.filter {
    $0.isAlert && !$0.isOptIn && ![.added, .modified, .deleted, .killed, .daemonStarted].contains($0)
  }.map(\.rawValue)

  /// The newest `limit` alerts of `statusAlertTypes`, newest first.
  public func recentAlerts(limit: Int) throws(StoreError) -> [Event] {
    try sqlRead { db in
      let marks = Store.statusAlertTypes.map { _ in "?" }.joined(separator: ", ")
      // SQLite: `+type` keeps the planner on the primary key (newest first, stops after `limit`
      // rows) instead of collecting every alert through `event_by_type` and sorting them.
      let type = db.dialect == .sqlite ? "+type" : "type"
      return try db.rows(
        """
        SELECT id, at, type, task, run_id, actor, title, details, delivery FROM event
        WHERE \(type) IN (\(marks)) ORDER BY id DESC LIMIT ?
        """, Store.statusAlertTypes.map(SQLValue.text) + [SQLValue(limit)]
      ).map(Store.eventValue)
    }
  }

  /// Whether any run of `task` is recorded (a removed task's runs outlive its row).
  public func hasRuns(task: TaskName) throws(StoreError) -> Bool {
    try sqlRead { db in try db.row("SELECT 1 FROM run WHERE task = ? LIMIT 1", [.text(task.rawValue)]) != nil
    }
  }

  static func eventValue(_ row: SQLRow) -> Event {
    Event(
      id: row.int("id") ?? 0, at: row.int("at") ?? 0, type: row.text("type") ?? "", task: row.text("task"),
      runID: row.int("run_id"), actor: row.text("actor") ?? "", title: row.text("title") ?? "",
      details: row.text("details") ?? "{}", delivery: row.text("delivery") ?? "none")
  }
}
