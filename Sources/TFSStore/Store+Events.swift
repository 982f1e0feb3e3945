import Foundation
import GRDB
import TFSCore

/// Which events `tfs events` shows.
public struct EventFilter: Sendable {
  public var task: String?
  public var type: String?
  public var sinceMs: Int64?
  public var afterID: Int64?
  public var limit: Int
  public init(
    task: String? = nil, type: String? = nil, sinceMs: Int64? = nil, afterID: Int64? = nil, limit: Int = 50
  ) {
    self.task = task
    self.type = type
    self.sinceMs = sinceMs
    self.afterID = afterID
    self.limit = limit
  }
}

extension Store {
  /// Records an alert or audit event.
  @discardableResult
  public func record(_ event: Event) throws(StoreError) -> Int64 {
    try write { db in try Store.insertEvent(db, event) }
  }

  /// Events matching `filter`, newest first (or, with `afterID`, oldest first for following).
  public func events(_ filter: EventFilter) throws(StoreError) -> [Event] {
    try read { db in
      var clauses: [String] = []
      var args: [(any DatabaseValueConvertible)?] = []
      // As for runs: one index per query (task, else time, else type); `+column` keeps a term
      // out of index selection, and the time index also gives the order.
      let byTime = filter.task == nil && filter.sinceMs != nil && filter.afterID == nil
      if let task = filter.task {
        clauses.append("task = ?")
        args.append(task)
      }
      if let type = filter.type {
        clauses.append(filter.task == nil && !byTime ? "type = ?" : "+type = ?")
        args.append(type)
      }
      if let since = filter.sinceMs {
        clauses.append(byTime ? "at >= ?" : "+at >= ?")
        args.append(since)
      }
      if let after = filter.afterID {
        clauses.append("id > ?")
        args.append(after)
      }
      let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
      let order = filter.afterID != nil ? "id ASC" : byTime ? "at DESC, id DESC" : "id DESC"
      args.append(filter.limit)
      return try Row.fetchAll(
        db,
        sql: """
          SELECT id, at, type, task, run_id, actor, title, details, delivery FROM event
          \(whereSQL) ORDER BY \(order) LIMIT ?
          """, arguments: StatementArguments(args)
      ).map { row in
        Event(
          id: row["id"], at: row["at"], type: row["type"], task: row["task"], runID: row["run_id"],
          actor: row["actor"], title: row["title"], details: row["details"], delivery: row["delivery"])
      }
    }
  }

  /// The id of the newest event (0 when none).
  public func lastEventID() throws(StoreError) -> Int64 {
    try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM event") ?? 0 }
  }
}

/// Wakes the delivery worker when alerts were queued in this process (it also polls, for
/// alerts other processes record).
public final class DeliveryBell: @unchecked Sendable {
  private let semaphore = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var rung = false

  public init() {}

  public func ring() {
    lock.lock()
    let first = !rung
    rung = true
    lock.unlock()
    if first { semaphore.signal() }
  }

  /// Waits until rung or `timeoutMs` passed; true when rung.
  public func wait(timeoutMs: Int64) -> Bool {
    let result = semaphore.wait(timeout: .now() + .milliseconds(Int(max(0, timeoutMs))))
    lock.lock()
    defer { lock.unlock() }
    let wasRung = rung
    rung = false
    if result == .timedOut && wasRung { _ = semaphore.wait(timeout: .now()) }
    return wasRung
  }
}

extension Store {
  /// Rung whenever this process queues a delivery.
  public static let deliveryBell = DeliveryBell()

  static func deliveriesQueued() { deliveryBell.ring() }
}
