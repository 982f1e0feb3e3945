import Foundation
import GRDB
import TFSCore

/// A stored channel with its health (SPEC §7: a channel that keeps failing is shown).
public struct ChannelRecord: Sendable, Equatable {
  public var channel: Channel
  public var createdAt: Int64
  /// Failed attempts in a row (0 after a success).
  public var failures: Int
  public var lastError: String
  public var lastAttemptAt: Int64?
  public var lastSuccessAt: Int64?
  /// Deliveries waiting (pending) for this channel.
  public var pending: Int

  public var isFailing: Bool { failures >= DeliveryRules.failingAfter }

  public init(
    channel: Channel, createdAt: Int64, failures: Int = 0, lastError: String = "",
    lastAttemptAt: Int64? = nil,
    lastSuccessAt: Int64? = nil, pending: Int = 0
  ) {
    self.channel = channel
    self.createdAt = createdAt
    self.failures = failures
    self.lastError = lastError
    self.lastAttemptAt = lastAttemptAt
    self.lastSuccessAt = lastSuccessAt
    self.pending = pending
  }
}

extension Store {
  /// Adds a channel (audit `channel-added`); fails when the name is taken.
  public func addChannel(_ channel: Channel, actor: String, now: Int64) throws(StoreError) {
    try sqlWrite { db in
      if try db.row("SELECT 1 FROM channel WHERE name = ?", [.text(channel.name)]) != nil {
        throw StoreError.channelExists(channel.name)
      }
      try db.execute(
        "INSERT INTO channel (name, kind, target, on_types, tasks, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [
          .text(channel.name), .text(channel.kind), .text(Store.encodeTarget(channel.target)),
          .text(AlertTypes.text(channel.on)), SQLValue(channel.tasks), .int(now),
        ])
      try Store.insertEvent(
        db,
        Event(
          at: now, type: EventType.channelAdded.rawValue, actor: actor,
          title: "channel '\(channel.name)' added (\(channel.kind))",
          details: JSON.object(["channel": channel.name, "kind": channel.kind])))
    }
  }

  /// Removes a channel and its deliveries still waiting (audit `channel-removed`).
  public func removeChannel(_ name: String, actor: String, now: Int64) throws(StoreError) {
    try sqlWrite { db in
      guard !(try db.rows("DELETE FROM channel WHERE name = ? RETURNING id", [.text(name)]).isEmpty) else {
        throw StoreError.noSuchChannel(name)
      }
      let events = try db.rows(
        "SELECT event_id FROM delivery WHERE channel = ? AND state = 'pending'", [.text(name)]
      ).compactMap { $0.int(0) }
      try db.execute(
        "UPDATE delivery SET state = 'failed', last_error = 'channel removed', claimed_by = NULL, "
          + "claimed_until = NULL WHERE channel = ? AND state = 'pending'", [.text(name)])
      for id in events { try Store.summarizeDelivery(db, event: id) }
      try Store.insertEvent(
        db,
        Event(
          at: now, type: EventType.channelRemoved.rawValue, actor: actor, title: "channel '\(name)' removed",
          details: JSON.object(["channel": name])))
    }
  }

  /// Every channel with its health, by name.
  public func channels() throws(StoreError) -> [ChannelRecord] {
    try sqlRead { db in
      try db.rows(
        """
        SELECT c.name, c.target, c.on_types, c.tasks, c.created_at, c.failures, c.last_error, c.last_attempt_at,
          c.last_success_at,
          (SELECT count(*) FROM delivery d WHERE d.channel = c.name AND d.state = 'pending') AS pending
        FROM channel c ORDER BY name
        """, []
      ).compactMap { row in
        guard
          let channel = try? Store.channelValue(
            name: row.text("name") ?? "", target: row.text("target") ?? "", on: row.text("on_types") ?? "",
            tasks: row.text("tasks"))
        else { return nil }
        return ChannelRecord(
          channel: channel, createdAt: row.int("created_at") ?? 0, failures: Int(row.int("failures") ?? 0),
          lastError: row.text("last_error") ?? "", lastAttemptAt: row.int("last_attempt_at"),
          lastSuccessAt: row.int("last_success_at"), pending: Int(row.int("pending") ?? 0))
      }
    }
  }

  public func channel(_ name: String) throws(StoreError) -> ChannelRecord? {
    try channels().first { $0.channel.name == name }
  }

  /// The channels, inside a transaction (the fan-out of an alert). A row whose target this
  /// version cannot read (written by a newer tfs) is skipped: it must not stop runs from ending.
  static func fetchChannels(_ db: any SQLDatabase) throws -> [Channel] {
    try db.rows("SELECT name, target, on_types, tasks FROM channel ORDER BY name", []).compactMap { row in
      try? channelValue(
        name: row.text("name") ?? "", target: row.text("target") ?? "", on: row.text("on_types") ?? "",
        tasks: row.text("tasks"))
    }
  }

  static func channelValue(name: String, target text: String, on: String, tasks: String?) throws -> Channel {
    guard let target = decodedTargets.target(text) else {
      throw StoreError.database(path: "", message: "channel '\(name)' has an unreadable target")
    }
    return Channel(name: name, target: target, on: AlertTypes.stored(on), tasks: tasks)
  }

  /// Targets by their stored text: each alert's fan-out reads the channels, and decoding JSON
  /// every time was most of its cost.
  private static let decodedTargets = TargetCache()

  static func encodeTarget(_ target: Channel.Target) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return (try? String(data: encoder.encode(target), encoding: .utf8)) ?? "{}"
  }
}

/// Decoded channel targets by stored text, shared by every connection of the process.
private final class TargetCache: @unchecked Sendable {
  private var targets: [String: Channel.Target] = [:]
  private let lock = NSLock()

  func target(_ text: String) -> Channel.Target? {
    lock.lock()
    defer { lock.unlock() }
    if let known = targets[text] { return known }
    guard let decoded = try? JSONDecoder().decode(Channel.Target.self, from: Data(text.utf8)) else {
      return nil
    }
    if targets.count > 1000 { targets = [:] }
    targets[text] = decoded
    return decoded
  }
}
