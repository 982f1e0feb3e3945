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
    try insertEvent(SQLiteDatabase(db: db), e, verdict: verdict)
  }

  @discardableResult
  static func insertEvent(_ db: any SQLDatabase, _ e: Event, verdict: AlertVerdict? = nil) throws -> Int64 {
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
      try db.execute(
        """
        INSERT INTO delivery (event_id, channel, task, type, state, created_at, next_attempt_at, folded,
          last_error)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
          .int(id), .text(p.channel), SQLValue(e.task), .text(type.rawValue),
          .text(p.pending ? "pending" : "suppressed"),
          .int(e.at), SQLValue(p.pending ? e.at : nil), SQLValue(p.folded),
          .text(p.pending ? "" : "folded (alert-interval)"),
        ])
    }
    if plans.contains(where: \.pending) { deliveriesQueued() }
    return id
  }

  private static func insertEventRow(_ db: any SQLDatabase, _ e: Event, delivery: String) throws -> Int64 {
    try db.int(
      """
      INSERT INTO event (at, type, task, run_id, actor, title, details, delivery)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
      """,
      [
        .int(e.at), .text(e.type), SQLValue(e.task), SQLValue(e.runID), .text(e.actor), .text(e.title),
        .text(e.details), .text(delivery),
      ]) ?? 0
  }

  private struct DeliveryPlan {
    var channel: String
    var pending: Bool
    var folded: Int
  }

  /// When the task's current failing spell began, for a failure alert: a failure after a
  /// success is news, however soon it comes, and is never folded into the previous spell's.
  private static func spellStart(_ db: any SQLDatabase, _ type: EventType, _ task: String?) throws -> Int64? {
    guard let task, [.failed, .timeout, .entryMissing, .lost].contains(type) else { return nil }
    return try db.int("SELECT failing_since FROM task WHERE name = ?", [.text(task)])
  }

  /// One plan per channel taking (type, task): pending, or folded into the next (dedup within
  /// `alert-interval`, and within the failing spell that began at `spellStart`).
  private static func planDeliveries(
    _ db: any SQLDatabase, type: EventType, task: String?, at: Int64, spellStart: Int64?
  ) throws -> [DeliveryPlan] {
    let channels = try fetchChannels(db).filter { $0.accepts(type: type, task: task) }
    guard !channels.isEmpty else { return [] }
    let interval = try alertIntervalMs(db)
    return try channels.map { c in
      let key: [SQLValue] = [.text(c.name), SQLValue(task), .text(type.rawValue)]
      let last = try db.row(
        """
        SELECT id, created_at FROM delivery WHERE channel = ? AND task IS NOT DISTINCT FROM ? AND type = ?
          AND state != 'suppressed' ORDER BY id DESC LIMIT 1
        """, key)
      var lastAt = last?.int("created_at")
      if let start = spellStart, let sent = lastAt, sent < start { lastAt = nil }
      guard AlertRules.sendsNow(type: type, lastSentAt: lastAt, intervalMs: interval, now: at) else {
        return DeliveryPlan(channel: c.name, pending: false, folded: 0)
      }
      let folded =
        try db.int(
          """
          SELECT count(*) FROM delivery WHERE channel = ? AND task IS NOT DISTINCT FROM ? AND type = ?
            AND state = 'suppressed' AND id > ?
          """, key + [.int(last?.int("id") ?? 0)]
        ).map { Int($0) } ?? 0
      return DeliveryPlan(channel: c.name, pending: true, folded: folded)
    }
  }

  private static func alertIntervalMs(_ db: any SQLDatabase) throws -> Int64 {
    let text = try db.text("SELECT value FROM setting WHERE key = 'alert-interval'")
    return text.flatMap { try? Durations.parse($0) } ?? 600_000
  }

  /// The `--tasks` globs of the channels taking `type` (nil in the list: a channel for every
  /// task). The opt-in `started`/`succeeded` are recorded only for a task one of them covers.
  /// Asked at every run's start and end, so it reads only these columns (no target decoding).
  static func channelGlobs(_ db: any SQLDatabase, taking type: EventType) throws -> [String?] {
    try db.rows(
      "SELECT tasks FROM channel WHERE ',' || on_types || ',' LIKE '%,' || ? || ',%'", [.text(type.rawValue)]
    )
    .map { $0.text(0) }
  }

  /// Sets an event's delivery from its deliveries: pending while one is, else failed if one
  /// failed, else delivered if one was, else suppressed.
  static func summarizeDelivery(_ db: any SQLDatabase, event id: Int64) throws {
    try db.execute(
      """
      UPDATE event SET delivery = coalesce((
        SELECT CASE
          WHEN count(*) FILTER (WHERE state = 'pending') > 0 THEN 'pending'
          WHEN count(*) FILTER (WHERE state = 'failed') > 0 THEN 'failed'
          WHEN count(*) FILTER (WHERE state = 'delivered') > 0 THEN 'delivered'
          ELSE 'suppressed' END
        FROM delivery WHERE event_id = ? HAVING count(*) > 0), delivery)
      WHERE id = ?
      """, [.int(id), .int(id)])
  }
}
