import Foundation
import GRDB
import TFSCore

/// A task's alert policy and state, read in the transaction that applies them.
struct TaskAlerting {
  var task: String
  var policy: AlertPolicy
  var state: AlertState
  var retries: Int
  var onTimeoutKills: Bool
  /// The attempt of the run concerned (0 when none).
  var attempt: Int
}

extension Store {
  static func fetchAlerting(_ db: any SQLDatabase, task: String, run: RunID?) throws -> TaskAlerting? {
    guard
      let row = try db.row(
        """
        SELECT alert_after, realert_ms, alert_on, fail_streak, failing_since, alerted_at, realerted_at,
          retries, on_timeout, (SELECT attempt FROM run WHERE id = ?) AS attempt
        FROM task WHERE name = ?
        """, [SQLValue(run), .text(task)])
    else { return nil }
    return alerting(row, task: task)
  }

  static func alerting(_ row: SQLRow, task: String) -> TaskAlerting {
    TaskAlerting(
      task: task,
      policy: AlertPolicy(
        alertAfter: Int(row.int("alert_after") ?? 1), realertMs: row.int("realert_ms"),
        alertOn: row.text("alert_on").map(AlertTypes.stored)),
      state: AlertState(
        streak: Int(row.int("fail_streak") ?? 0), failingSince: row.int("failing_since"),
        alertedAt: row.int("alerted_at"), realertedAt: row.int("realerted_at")),
      retries: Int(row.int("retries") ?? 0), onTimeoutKills: row.text("on_timeout") == "kill",
      attempt: Int(row.int("attempt") ?? 0))
  }

  static func saveAlertState(_ db: any SQLDatabase, task: String, _ s: AlertState) throws {
    try db.execute(
      "UPDATE task SET fail_streak = ?, failing_since = ?, alerted_at = ?, realerted_at = ? WHERE name = ?",
      [
        SQLValue(s.streak), SQLValue(s.failingSince), SQLValue(s.alertedAt), SQLValue(s.realertedAt),
        .text(task),
      ])
  }

  /// A run just ended (inside `finish`): applies the policy to the task's state and records the
  /// run's alerts, a `recovered` alert when due, and `succeeded` when a channel takes it.
  static func recordRunEnd(_ db: any SQLDatabase, _ id: RunID, _ end: RunEnd, _ events: [Event]) throws {
    guard
      let row = try db.row("SELECT task, started_at, trigger, version FROM run WHERE id = ?", [.int(id)]),
      let alerting = try fetchAlerting(db, task: row.text("task") ?? "", run: id)
    else {
      for event in events { try insertEvent(db, event) }
      return
    }
    let task = alerting.task
    var events = events
    if end.status == .timedOut, !end.retryFollows, alerting.attempt < alerting.retries,
      try timeoutHeldForRetry(db, task: task, run: id)
    {
      // Its timeout alert waited for a retry that is not coming: the chain ends here.
      events.append(
        Event(
          at: end.endedAt, type: EventType.timeout.rawValue, task: task, runID: id, actor: "tfs",
          title:
            "run \(id) of '\(task)' timed out, attempt \(alerting.attempt + 1) of \(alerting.retries + 1);"
            + " no retry followed",
          details: JSON.object(["run_id": String(id), "attempt": String(alerting.attempt + 1)])))
    }
    let failureTypes: [EventType] = [.failed, .entryMissing, .lost, .timeout]
    let failure = events.compactMap { EventType(rawValue: $0.type) }.first { failureTypes.contains($0) }
    let decision = AlertRules.runEnded(
      alerting.state, policy: alerting.policy, status: end.status, failureType: failure,
      retryFollows: end.retryFollows, at: end.endedAt)
    if decision.state != alerting.state { try saveAlertState(db, task: task, decision.state) }
    for event in events {
      try insertEvent(db, event, verdict: event.type == failure?.rawValue ? decision.failure : nil)
    }
    if let after = decision.recoveredAfterMs {
      try insertEvent(
        db,
        Event(
          at: end.endedAt, type: EventType.recovered.rawValue, task: task, runID: id, actor: "tfs",
          title: "task '\(task)' succeeded again after failing for \(Durations.format(milliseconds: after))"
            + " (run \(id))",
          details: JSON.object(["failing_ms": String(after), "run_id": String(id)])))
    }
    if end.status == .succeeded,
      try channelGlobs(db, taking: .succeeded).contains(where: { Channel.covers(tasks: $0, task: task) })
    {
      let duration = row.int("started_at").map { end.endedAt - $0 } ?? 0
      try insertEvent(
        db,
        Event(
          at: end.endedAt, type: EventType.succeeded.rawValue, task: task, runID: id, actor: "tfs",
          title: "run \(id) of '\(task)' succeeded (\(Durations.format(milliseconds: duration)))",
          details: JSON.object([
            "version": row.text("version") ?? "", "trigger": row.text("trigger") ?? "",
            "duration_ms": String(duration),
          ])))
    }
  }

  /// Whether this run's `timeout` alert was held back because a retry was to follow.
  private static func timeoutHeldForRetry(_ db: any SQLDatabase, task: String, run: RunID) throws -> Bool {
    try db.row(
      """
      SELECT 1 FROM event WHERE task = ? AND run_id = ? AND type = 'timeout' AND delivery = 'suppressed'
        AND details LIKE '%a retry follows%' LIMIT 1
      """, [.text(task), .int(run)]) != nil
  }

  /// A retry that ends without running (the task was disabled, the daemon stopped or died
  /// first): the attempt before it failed and its alert was held for this retry, so the chain
  /// ends failed here and alerts now.
  static func recordRetryNotRun(_ db: any SQLDatabase, _ id: RunID, _ end: RunEnd) throws {
    guard
      let row = try db.row("SELECT task, attempt, trigger, started_at FROM run WHERE id = ?", [.int(id)]),
      row.text("trigger") == Trigger.retry.rawValue, row.int("started_at") == nil,
      let alerting = try fetchAlerting(db, task: row.text("task") ?? "", run: id)
    else { return }
    let task = alerting.task
    let decision = AlertRules.runEnded(
      alerting.state, policy: alerting.policy, status: .failed, failureType: .failed, retryFollows: false,
      at: end.endedAt)
    if decision.state != alerting.state { try saveAlertState(db, task: task, decision.state) }
    let attempt = Int(row.int("attempt") ?? 1)
    try insertEvent(
      db,
      Event(
        at: end.endedAt, type: EventType.failed.rawValue, task: task, runID: id, actor: "tfs",
        title: "'\(task)' failed: attempt \(attempt) of \(alerting.retries + 1) failed and its retry"
          + " (run \(id)) did not run: \(end.reason.isEmpty ? end.status.rawValue : end.reason)",
        details: JSON.object([
          "run_id": String(id), "attempt": String(attempt), "retry_status": end.status.rawValue,
        ])),
      verdict: decision.failure)
  }

  /// Records `started` alerts for runs just started, when a channel takes them.
  static func recordStarts(_ db: any SQLDatabase, _ ids: [RunID], at: Int64) throws {
    guard !ids.isEmpty else { return }
    let globs = try channelGlobs(db, taking: .started)
    guard !globs.isEmpty else { return }
    for id in ids {
      guard let row = try db.row("SELECT task, version, trigger, pid FROM run WHERE id = ?", [.int(id)])
      else {
        continue
      }
      let task = row.text("task") ?? ""
      guard globs.contains(where: { Channel.covers(tasks: $0, task: task) }) else { continue }
      try insertEvent(
        db,
        Event(
          at: at, type: EventType.started.rawValue, task: task, runID: id, actor: "tfs",
          title: "run \(id) of '\(task)' started",
          details: JSON.object(["version": row.text("version") ?? "", "trigger": row.text("trigger") ?? ""])))
    }
  }
}

extension Store {
  /// Records a `still-failing` reminder for every task whose `--realert` period has passed
  /// since its failure alert (or its last reminder). Returns how many were recorded.
  @discardableResult
  public func raiseStillFailing(now: Int64) throws(StoreError) -> Int {
    let due = try sqlRead { db in try Store.realertsDue(db, now: now) }
    guard !due.isEmpty else { return 0 }
    return try sqlWrite { db in
      var count = 0
      for a in try Store.realertsDue(db, now: now) {
        var state = a.state
        state.realertedAt = now
        try Store.saveAlertState(db, task: a.task, state)
        let since = state.failingSince ?? a.state.alertedAt ?? now
        try Store.insertEvent(
          db,
          Event(
            at: now, type: EventType.stillFailing.rawValue, task: a.task, actor: "tfs",
            title: "task '\(a.task)' still failing after \(Durations.format(milliseconds: now - since))"
              + " (\(a.state.streak) failing run\(a.state.streak == 1 ? "" : "s"))",
            details: JSON.object(["failing_ms": String(now - since), "failing_runs": String(a.state.streak)]))
        )
        count += 1
      }
      return count
    }
  }

  private static func realertsDue(_ db: any SQLDatabase, now: Int64) throws -> [TaskAlerting] {
    try db.rows(
      """
      SELECT name, alert_after, realert_ms, alert_on, fail_streak, failing_since, alerted_at, realerted_at,
        retries, on_timeout
      FROM task WHERE alerted_at IS NOT NULL AND realert_ms IS NOT NULL AND enabled = 1
      """, []
    ).map { alerting($0, task: $0.text("name") ?? "") }.filter {
      AlertRules.realertDue($0.state, policy: $0.policy, now: now)
    }
  }
}
