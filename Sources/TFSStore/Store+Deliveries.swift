import TFSCore

/// A pending delivery taken by one worker (its claim keeps other workers off it until it
/// expires; with several daemons on one database each delivery is sent by one of them).
public struct ClaimedDelivery: Sendable, Equatable {
  public var id: Int64
  public var channel: String
  public var attempts: Int
  public var createdAt: Int64
  public var folded: Int
  public var event: Event
}

/// What became of a claimed delivery.
public enum DeliveryUpdate: Sendable, Equatable {
  /// Sent; deliveries sent together in one digest share `digest` (the first one's id).
  case delivered(digest: Int64?)
  /// The attempt failed; try again at this instant.
  case retry(at: Int64)
  /// Given up: a permanent answer, or still failing after a day.
  case failed
  /// Not attempted: the channel used its minute (digest pacing); wait until this instant.
  case deferred(until: Int64)
}

/// A delivery as `tfs events` shows it.
public struct DeliveryInfo: Sendable, Equatable {
  public var channel: String
  public var state: String
  public var attempts: Int
  public var lastError: String
  public var nextAttemptAt: Int64?
  public var deliveredAt: Int64?
  public var folded: Int
}

extension Store {
  /// Frees every claim (a daemon starting on its own home: the previous one is gone, and what
  /// it was sending is sent again — at least once).
  public func releaseDeliveryClaims() throws(StoreError) {
    guard postgres == nil else { return }  // a cluster's other nodes hold theirs: they expire
    try sqlWrite { db in
      try db.execute(
        "UPDATE delivery SET claimed_by = NULL, claimed_until = NULL WHERE state = 'pending' AND claimed_by IS NOT NULL",
        [])
    }
  }

  /// When the earliest waiting delivery that a worker could take is due: not claimed, and not
  /// of a channel in `busy` (nil when none).
  public func nextDeliveryDue(now: Int64, skipping busy: Set<String> = []) throws(StoreError) -> Int64? {
    try sqlRead { db in
      let marks = busy.map { _ in "?" }.joined(separator: ",")
      let notBusy = busy.isEmpty ? "" : "AND channel NOT IN (\(marks))"
      return try db.int(
        """
        SELECT min(next_attempt_at) FROM delivery
        WHERE state = 'pending' AND (claimed_until IS NULL OR claimed_until < ?) \(notBusy)
        """, [.int(now)] + busy.sorted().map(SQLValue.text))
    }
  }

  /// Claims due deliveries of channels not in `busy`, oldest first, at most `perChannel` of each
  /// (one channel's backlog never crowds out another's).
  public func claimDeliveries(
    now: Int64, claimant: String, leaseMs: Int64, skipping busy: Set<String>, perChannel: Int = 10_000
  ) throws(StoreError) -> [ClaimedDelivery] {
    try sqlWrite { db in
      let channels = try db.rows(
        """
        SELECT DISTINCT channel FROM delivery WHERE state = 'pending' AND next_attempt_at <= ?
          AND (claimed_until IS NULL OR claimed_until < ?)
        """, [.int(now), .int(now)]
      ).compactMap { $0.text(0) }.filter { !busy.contains($0) }
      var claimed: [ClaimedDelivery] = []
      for channel in channels.sorted() {
        claimed += try Store.claim(
          db, channel: channel, now: now, claimant: claimant, leaseMs: leaseMs, limit: perChannel)
      }
      return claimed
    }
  }

  private static func claim(
    _ db: any SQLDatabase, channel: String, now: Int64, claimant: String, leaseMs: Int64, limit: Int
  ) throws -> [ClaimedDelivery] {
    let rows = try db.rows(
      """
      SELECT d.id, d.channel, d.attempts, d.created_at, d.folded,
        e.id AS eid, e.at, e.type, e.task, e.run_id, e.actor, e.title, e.details, e.delivery
      FROM delivery d JOIN event e ON e.id = d.event_id
      WHERE d.channel = ? AND d.state = 'pending' AND d.next_attempt_at <= ?
        AND (d.claimed_until IS NULL OR d.claimed_until < ?)
      ORDER BY d.next_attempt_at, d.id LIMIT ?
      """, [.text(channel), .int(now), .int(now), SQLValue(limit)])
    return try rows.compactMap { row in
      let id = row.int("id") ?? 0
      // Only if no one claimed it since the read: on PostgreSQL two nodes' workers may read the
      // same due delivery; the second update waits for the first, re-reads the row and finds it
      // claimed (on SQLite, writes are serialised and this always holds).
      let taken = try db.rows(
        """
        UPDATE delivery SET claimed_by = ?, claimed_until = ?
        WHERE id = ? AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < ?) RETURNING id
        """, [.text(claimant), .int(now + leaseMs), .int(id), .int(now)])
      guard !taken.isEmpty else { return nil }
      let event = Event(
        id: row.int("eid") ?? 0, at: row.int("at") ?? 0, type: row.text("type") ?? "", task: row.text("task"),
        runID: row.int("run_id"), actor: row.text("actor") ?? "", title: row.text("title") ?? "",
        details: row.text("details") ?? "{}", delivery: row.text("delivery") ?? "none")
      return ClaimedDelivery(
        id: id, channel: row.text("channel") ?? "", attempts: Int(row.int("attempts") ?? 0),
        createdAt: row.int("created_at") ?? 0, folded: Int(row.int("folded") ?? 0), event: event)
    }
  }

  /// Frees claims of this worker's that it will not complete (a stopping daemon).
  public func releaseDeliveryClaims(of claimant: String) throws(StoreError) {
    try sqlWrite { db in
      try db.execute(
        "UPDATE delivery SET claimed_by = NULL, claimed_until = NULL WHERE state = 'pending' AND claimed_by = ?",
        [.text(claimant)])
    }
  }

  /// Records a `tfs channel test` that got through: the channel works again (health reset).
  public func recordChannelWorks(_ name: String, at: Int64) throws(StoreError) {
    try sqlWrite { db in
      try db.execute(
        """
        UPDATE channel SET failures = 0, last_error = '', last_attempt_at = ?, last_success_at = ?
        WHERE name = ?
        """, [.int(at), .int(at), .text(name)])
    }
  }

  /// When this channel's messages of the window went out (a digest counts once).
  public func messagesSent(channel: String, since: Int64) throws(StoreError) -> [Int64] {
    try sqlRead { db in
      try db.rows(
        """
        SELECT min(delivered_at) FROM delivery WHERE channel = ? AND delivered_at > ?
        GROUP BY coalesce(digest_id, id)
        """, [.text(channel), .int(since)]
      ).compactMap { $0.int(0) }
    }
  }

  /// Records the outcome of one attempt (or a deferral) for claimed deliveries of `channel`,
  /// and the channel's health. Returns the channel's failed attempts in a row before and after.
  @discardableResult
  public func recordAttempt(
    _ updates: [(Int64, DeliveryUpdate)], channel: String, error: String, at: Int64
  ) throws(StoreError) -> (before: Int, after: Int) {
    try sqlWrite { db in
      let failures = "SELECT failures FROM channel WHERE name = ?"
      let before = Int(try db.int(failures, [.text(channel)]) ?? 0)
      // One statement per kind of outcome (500 ids at a time), not one per delivery: a digest's
      // failed attempt may carry thousands of rows, and the daemon shares this connection.
      var groups: [(DeliveryUpdate, [Int64])] = []
      for (id, update) in updates {
        if let i = groups.firstIndex(where: { $0.0 == update }) {
          groups[i].1.append(id)
        } else {
          groups.append((update, [id]))
        }
      }
      for (update, ids) in groups {
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }
        ) {
          try Store.apply(db, update, to: chunk, error: error, at: at)
        }
      }
      let attempted = updates.contains { if case .deferred = $0.1 { false } else { true } }
      let succeeded = updates.contains { if case .delivered = $0.1 { true } else { false } }
      if attempted {
        if succeeded {
          try db.execute(
            """
            UPDATE channel SET failures = 0, last_error = '', last_attempt_at = ?, last_success_at = ?
            WHERE name = ?
            """, [.int(at), .int(at), .text(channel)])
        } else {
          try db.execute(
            "UPDATE channel SET failures = failures + 1, last_error = ?, last_attempt_at = ? WHERE name = ?",
            [.text(error), .int(at), .text(channel)])
        }
      }
      return (before, Int(try db.int(failures, [.text(channel)]) ?? 0))
    }
  }

  /// One outcome for some deliveries; the events' summaries change only when a delivery leaves
  /// `pending` (delivered or failed).
  private static func apply(
    _ db: any SQLDatabase, _ update: DeliveryUpdate, to ids: [Int64], error: String, at: Int64
  ) throws {
    let marks = ids.map { _ in "?" }.joined(separator: ",")
    let free = "claimed_by = NULL, claimed_until = NULL"
    let (set, args): (String, [SQLValue]) =
      switch update {
      case .delivered(let digest):
        (
          "state = 'delivered', delivered_at = ?, digest_id = ?, attempts = attempts + 1, last_error = '', "
            + "next_attempt_at = NULL, \(free)", [.int(at), SQLValue(digest)]
        )
      case .retry(let next):
        ("attempts = attempts + 1, next_attempt_at = ?, last_error = ?, \(free)", [.int(next), .text(error)])
      case .failed:
        (
          "state = 'failed', attempts = attempts + 1, next_attempt_at = NULL, last_error = ?, \(free)",
          [.text(error)]
        )
      case .deferred(let until): ("next_attempt_at = ?, \(free)", [.int(until)])
      }
    try db.execute("UPDATE delivery SET \(set) WHERE id IN (\(marks))", args + ids.map(SQLValue.int))
    switch update {
    case .delivered, .failed:
      let events = try db.rows(
        "SELECT DISTINCT event_id FROM delivery WHERE id IN (\(marks))", ids.map(SQLValue.int))
      for event in events.compactMap({ $0.int(0) }) { try summarizeDelivery(db, event: event) }
    case .retry, .deferred: break
    }
  }

  /// The owners of a task (mail recipients besides the channel's and setting `notify`).
  public func owners(of task: String) throws(StoreError) -> [String] {
    try sqlRead { db in
      TaskRow.owners(try db.text("SELECT owners FROM task WHERE name = ?", [.text(task)]) ?? "")
    }
  }

  /// Each event's deliveries, by channel name.
  public func deliveries(of events: [Int64]) throws(StoreError) -> [Int64: [DeliveryInfo]] {
    guard !events.isEmpty else { return [:] }
    return try sqlRead { db in
      var out: [Int64: [DeliveryInfo]] = [:]
      for chunk in stride(from: 0, to: events.count, by: 500) {
        let ids = Array(events[chunk..<min(chunk + 500, events.count)])
        let marks = ids.map { _ in "?" }.joined(separator: ",")
        for row in try db.rows(
          """
          SELECT event_id, channel, state, attempts, last_error, next_attempt_at, delivered_at, folded
          FROM delivery WHERE event_id IN (\(marks)) ORDER BY channel
          """, ids.map(SQLValue.int))
        {
          out[row.int("event_id") ?? 0, default: []].append(
            DeliveryInfo(
              channel: row.text("channel") ?? "", state: row.text("state") ?? "",
              attempts: Int(row.int("attempts") ?? 0), lastError: row.text("last_error") ?? "",
              nextAttemptAt: row.int("next_attempt_at"), deliveredAt: row.int("delivered_at"),
              folded: Int(row.int("folded") ?? 0)))
        }
      }
      return out
    }
  }
}
