import Foundation
import GRDB
import TFSCore

/// The outbox (SPEC §7): an alert is recorded in the transaction of its cause, with the task's
/// alert policy applied and one delivery row per channel that takes it; the delivery worker
/// sends from those rows. Audit entries are recorded with delivery `none`.
extension Store {
  /// Records an event. For an alert: `verdict` (or, when nil, the task's `--alert-on` and, for
  /// a timeout, `--alert-after`) decides whether it leaves; if so, one delivery per channel
  /// that takes it, folded when the same (task, type) went to that channel within
  /// `alert-interval`.
  @discardableResult
  static func insertEvent(_ db: Database, _ e: Event, verdict: AlertVerdict? = nil) throws -> Int64 {
    guard let type = EventType(rawValue: e.type), type.isAlert else {
      return try insertEventRow(db, e, delivery: "none")
    }
    var verdict = verdict
    if verdict == nil, let task = e.task, let alerting = try fetchAlerting(db, task: task, run: e.runID) {
      if type == .timeout {
        let retryFollows = alerting.onTimeoutKills && alerting.attempt < alerting.retries
        let (state, v) = AlertRules.timeoutPassed(
          alerting.state, policy: alerting.policy, retryFollows: retryFollows, at: e.at)
        if state != alerting.state { try saveAlertState(db, task: task, state) }
        verdict = v
      } else {
        verdict = AlertRules.gate(type, streak: Int.max, policy: alerting.policy)
      }
    }
    if case .suppress(let reason)? = verdict {
      var suppressed = e
      suppressed.details = JSON.adding("suppressed", reason, to: e.details)
      return try insertEventRow(db, suppressed, delivery: "suppressed")
    }
    let plans = try planDeliveries(
      db, type: type, task: e.task, at: e.at, spellStart: try spellStart(db, type, e.task))
    let summary = plans.isEmpty ? "none" : plans.contains { $0.pending } ? "pending" : "suppressed"
    let id = try insertEventRow(db, e, delivery: summary)
    for p in plans {
      try db.cachedStatement(
        sql: """
          INSERT INTO delivery (event_id, channel, task, type, state, created_at, next_attempt_at, folded,
            last_error)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(arguments: [
        id, p.channel, e.task, type.rawValue, p.pending ? "pending" : "suppressed", e.at,
        p.pending ? e.at : nil, p.folded, p.pending ? "" : "folded (alert-interval)",
      ])
    }
    if plans.contains(where: \.pending) { deliveriesQueued() }
    return id
  }

  private static func insertEventRow(_ db: Database, _ e: Event, delivery: String) throws -> Int64 {
    try db.cachedStatement(
      sql: """
        INSERT INTO event (at, type, task, run_id, actor, title, details, delivery)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [e.at, e.type, e.task, e.runID, e.actor, e.title, e.details, delivery])
    return db.lastInsertedRowID
  }

  private struct DeliveryPlan {
    var channel: String
    var pending: Bool
    var folded: Int
  }

  /// When the task's current failing spell began, for a failure alert: a failure after a
  /// success is news, however soon it comes, and is never folded into the previous spell's.
  private static func spellStart(_ db: Database, _ type: EventType, _ task: String?) throws -> Int64? {
    guard let task, [.failed, .timeout, .entryMissing, .lost].contains(type) else { return nil }
    return try Int64.fetchOne(
      db.cachedStatement(sql: "SELECT failing_since FROM task WHERE name = ?"), arguments: [task])
  }

  /// One plan per channel taking (type, task): pending, or folded into the next (dedup within
  /// `alert-interval`, and within the failing spell that began at `spellStart`).
  private static func planDeliveries(
    _ db: Database, type: EventType, task: String?, at: Int64, spellStart: Int64?
  ) throws -> [DeliveryPlan] {
    let channels = try fetchChannels(db).filter { $0.accepts(type: type, task: task) }
    guard !channels.isEmpty else { return [] }
    let interval = try alertIntervalMs(db)
    return try channels.map { c in
      let last = try Row.fetchOne(
        db.cachedStatement(
          sql: """
            SELECT id, created_at FROM delivery WHERE channel = ? AND task IS ? AND type = ?
              AND state != 'suppressed' ORDER BY id DESC LIMIT 1
            """), arguments: [c.name, task, type.rawValue])
      var lastAt: Int64? = last?["created_at"]
      if let start = spellStart, let sent = lastAt, sent < start { lastAt = nil }
      guard AlertRules.sendsNow(type: type, lastSentAt: lastAt, intervalMs: interval, now: at) else {
        return DeliveryPlan(channel: c.name, pending: false, folded: 0)
      }
      let folded =
        try Int.fetchOne(
          db.cachedStatement(
            sql: """
              SELECT count(*) FROM delivery WHERE channel = ? AND task IS ? AND type = ?
                AND state = 'suppressed' AND id > ?
              """), arguments: [c.name, task, type.rawValue, (last?["id"] as Int64?) ?? 0]) ?? 0
      return DeliveryPlan(channel: c.name, pending: true, folded: folded)
    }
  }

  private static func alertIntervalMs(_ db: Database) throws -> Int64 {
    let text = try String.fetchOne(
      db.cachedStatement(sql: "SELECT value FROM setting WHERE key = 'alert-interval'"))
    return text.flatMap { try? Durations.parse($0) } ?? 600_000
  }

  /// Whether some channel takes `type` (the opt-in `started`/`succeeded` are recorded only then).
  /// Asked at every run's start and end, so it reads only the type lists (no target decoding).
  static func channelsTake(_ db: Database, _ type: EventType) throws -> Bool {
    try Bool.fetchOne(
      db.cachedStatement(
        sql: "SELECT 1 FROM channel WHERE instr(',' || on_types || ',', ',' || ? || ',') > 0 LIMIT 1"),
      arguments: [type.rawValue]) ?? false
  }

  /// Sets an event's delivery from its deliveries: pending while one is, else failed if one
  /// failed, else delivered if one was, else suppressed.
  static func summarizeDelivery(_ db: Database, event id: Int64) throws {
    try db.cachedStatement(
      sql: """
        UPDATE event SET delivery = coalesce((
          SELECT CASE
            WHEN sum(state = 'pending') > 0 THEN 'pending'
            WHEN sum(state = 'failed') > 0 THEN 'failed'
            WHEN sum(state = 'delivered') > 0 THEN 'delivered'
            ELSE 'suppressed' END
          FROM delivery WHERE event_id = ?1 HAVING count(*) > 0), delivery)
        WHERE id = ?1
        """
    ).execute(arguments: [id])
  }
}

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
  static func fetchAlerting(_ db: Database, task: String, run: RunID?) throws -> TaskAlerting? {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(
          sql: """
            SELECT alert_after, realert_ms, alert_on, fail_streak, failing_since, alerted_at, realerted_at,
              retries, on_timeout, (SELECT attempt FROM run WHERE id = ?) AS attempt
            FROM task WHERE name = ?
            """), arguments: [run, task])
    else { return nil }
    return alerting(row, task: task)
  }

  static func alerting(_ row: Row, task: String) -> TaskAlerting {
    let alertOn: String? = row["alert_on"]
    return TaskAlerting(
      task: task,
      policy: AlertPolicy(
        alertAfter: row["alert_after"], realertMs: row["realert_ms"], alertOn: alertOn.map(AlertTypes.stored)),
      state: AlertState(
        streak: row["fail_streak"], failingSince: row["failing_since"], alertedAt: row["alerted_at"],
        realertedAt: row["realerted_at"]),
      retries: row["retries"], onTimeoutKills: (row["on_timeout"] as String) == "kill",
      attempt: (row["attempt"] as Int?) ?? 0)
  }

  static func saveAlertState(_ db: Database, task: String, _ s: AlertState) throws {
    try db.cachedStatement(
      sql: """
        UPDATE task SET fail_streak = ?, failing_since = ?, alerted_at = ?, realerted_at = ? WHERE name = ?
        """
    ).execute(arguments: [s.streak, s.failingSince, s.alertedAt, s.realertedAt, task])
  }

  /// A run just ended (inside `finish`): applies the policy to the task's state and records the
  /// run's alerts, a `recovered` alert when due, and `succeeded` when a channel takes it.
  static func recordRunEnd(_ db: Database, _ id: RunID, _ end: RunEnd, _ events: [Event]) throws {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT task, started_at, trigger, version FROM run WHERE id = ?"),
        arguments: [id]),
      let alerting = try fetchAlerting(db, task: row["task"], run: id)
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
    if end.status == .succeeded, try channelsTake(db, .succeeded) {
      let started: Int64? = row["started_at"]
      let duration = started.map { end.endedAt - $0 } ?? 0
      try insertEvent(
        db,
        Event(
          at: end.endedAt, type: EventType.succeeded.rawValue, task: task, runID: id, actor: "tfs",
          title: "run \(id) of '\(task)' succeeded (\(Durations.format(milliseconds: duration)))",
          details: JSON.object([
            "version": row["version"], "trigger": row["trigger"], "duration_ms": String(duration),
          ])))
    }
  }

  /// Whether this run's `timeout` alert was held back because a retry was to follow.
  private static func timeoutHeldForRetry(_ db: Database, task: String, run: RunID) throws -> Bool {
    try Bool.fetchOne(
      db,
      sql: """
        SELECT 1 FROM event WHERE task = ? AND run_id = ? AND type = 'timeout' AND delivery = 'suppressed'
          AND details LIKE '%a retry follows%' LIMIT 1
        """, arguments: [task, run]) ?? false
  }

  /// A retry that ends without running (the task was disabled, the daemon stopped or died
  /// first): the attempt before it failed and its alert was held for this retry, so the chain
  /// ends failed here and alerts now.
  static func recordRetryNotRun(_ db: Database, _ id: RunID, _ end: RunEnd) throws {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT task, attempt, trigger, started_at FROM run WHERE id = ?"),
        arguments: [id]),
      (row["trigger"] as String) == Trigger.retry.rawValue, (row["started_at"] as Int64?) == nil,
      let alerting = try fetchAlerting(db, task: row["task"], run: id)
    else { return }
    let task = alerting.task
    let decision = AlertRules.runEnded(
      alerting.state, policy: alerting.policy, status: .failed, failureType: .failed, retryFollows: false,
      at: end.endedAt)
    if decision.state != alerting.state { try saveAlertState(db, task: task, decision.state) }
    let attempt = (row["attempt"] as Int? ?? 1)
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
  static func recordStarts(_ db: Database, _ ids: [RunID], at: Int64) throws {
    guard !ids.isEmpty, try channelsTake(db, .started) else { return }
    for id in ids {
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT task, version, trigger, pid FROM run WHERE id = ?", arguments: [id])
      else { continue }
      let task: String = row["task"]
      try insertEvent(
        db,
        Event(
          at: at, type: EventType.started.rawValue, task: task, runID: id, actor: "tfs",
          title: "run \(id) of '\(task)' started",
          details: JSON.object(["version": row["version"], "trigger": row["trigger"]])))
    }
  }
}

extension Store {
  /// Records a `still-failing` reminder for every task whose `--realert` period has passed
  /// since its failure alert (or its last reminder). Returns how many were recorded.
  @discardableResult
  public func raiseStillFailing(now: Int64) throws(StoreError) -> Int {
    let due = try read { db in try Store.realertsDue(db, now: now) }
    guard !due.isEmpty else { return 0 }
    return try write { db in
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

  private static func realertsDue(_ db: Database, now: Int64) throws -> [TaskAlerting] {
    try Row.fetchAll(
      db.cachedStatement(
        sql: """
          SELECT name, alert_after, realert_ms, alert_on, fail_streak, failing_since, alerted_at, realerted_at,
            retries, on_timeout, NULL AS attempt
          FROM task WHERE alerted_at IS NOT NULL AND realert_ms IS NOT NULL AND enabled = 1
          """)
    ).map { alerting($0, task: $0["name"]) }.filter {
      AlertRules.realertDue($0.state, policy: $0.policy, now: now)
    }
  }
}
