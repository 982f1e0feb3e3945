import TFSCore

/// What `Store.removeIdleTask` did.
public enum TaskRemoval: Sendable, Equatable {
  /// The task is gone; `purgedRuns` of its runs were deleted with it (0 without purge).
  case removed(purgedRuns: Int)
  /// Nothing was written: these runs of the task are queued or running.
  case busy([RunID])
}

extension Store {
  /// Deletes a task and records a `deleted` event, unless one of its runs is queued or running:
  /// the check and the delete share one transaction, so a run started in between is never
  /// orphaned. A run the daemon recorded ahead of an occurrence still to come is withdrawn with
  /// the task. With `purge` its runs go too; the audit trail (events) is kept either way.
  public func removeIdleTask(
    _ name: TaskName, purge: Bool, actor: String, now: Int64
  ) throws(StoreError) -> TaskRemoval {
    try sqlWrite { db in
      guard try Store.fetchTask(db, name) != nil else { throw StoreError.noSuchTask(name.rawValue) }
      let live = try Store.liveRunIDs(db, name, now: now)
      guard live.isEmpty else { return .busy(live) }
      return .removed(purgedRuns: try Store.deleteTask(db, name, purge: purge, actor: actor, now: now))
    }
  }

  /// The runs of `name` queued or running (a run recorded ahead of an occurrence still to come
  /// excluded), oldest first.
  static func liveRunIDs(_ db: any SQLDatabase, _ name: TaskName, now: Int64) throws -> [RunID] {
    try db.rows(
      """
      SELECT id FROM run WHERE status IN ('queued', 'running') AND task = ? AND NOT \(Store.notYetDue)
      ORDER BY id
      """, [.text(name.rawValue), .int(now)]
    ).compactMap { $0.int(0) }
  }

  /// Deletes an idle task inside the caller's transaction, withdrawing its runs recorded ahead
  /// (and with `purge` all its runs), and records `deleted`. Returns the runs purged.
  static func deleteTask(_ db: any SQLDatabase, _ name: TaskName, purge: Bool, actor: String, now: Int64)
    throws
    -> Int
  {
    let task: [SQLValue] = [.text(name.rawValue)]
    try db.execute("DELETE FROM run WHERE task = ? AND \(Store.notYetDue)", task + [.int(now)])
    try db.execute("DELETE FROM task WHERE name = ?", task)
    var purged = 0
    if purge { purged = try db.rows("DELETE FROM run WHERE task = ? RETURNING id", task).count }
    try Store.insertEvent(
      db,
      Event(
        at: now, type: EventType.deleted.rawValue, task: name.rawValue, actor: actor,
        title: "task '\(name)' deleted",
        details: JSON.object(["purge": purge ? "yes" : "no", "runs_deleted": String(purged)])))
    return purged
  }

  /// How many runs of `task` are recorded (any status).
  public func runCount(task: TaskName) throws(StoreError) -> Int {
    try sqlRead { db in
      Int(try db.int("SELECT count(*) FROM run WHERE task = ?", [.text(task.rawValue)]) ?? 0)
    }
  }
}
