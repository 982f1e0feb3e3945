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
    try sqlWrite { db in try Store.insertEvent(db, event) }
  }

  /// Events matching `filter`, newest first (or, with `afterID`, oldest first for following).
  public func events(_ filter: EventFilter) throws(StoreError) -> [Event] {
    try sqlRead { db in
      var clauses: [String] = []
      var args: [SQLValue] = []
      // As for runs: one index per query (task, else time, else type); in SQLite `+column`
      // keeps a term out of index selection, and the time index also gives the order.
      let byTime = filter.task == nil && filter.sinceMs != nil && filter.afterID == nil
      let hint = db.dialect == .sqlite ? "+" : ""
      if let task = filter.task {
        clauses.append("task = ?")
        args.append(.text(task))
      }
      if let type = filter.type {
        clauses.append(filter.task == nil && !byTime ? "type = ?" : "\(hint)type = ?")
        args.append(.text(type))
      }
      if let since = filter.sinceMs {
        clauses.append(byTime ? "at >= ?" : "\(hint)at >= ?")
        args.append(.int(since))
      }
      if let after = filter.afterID {
        clauses.append("id > ?")
        args.append(.int(after))
      }
      let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
      let order = filter.afterID != nil ? "id ASC" : byTime ? "at DESC, id DESC" : "id DESC"
      args.append(.int(Int64(filter.limit)))
      return try db.rows(
        """
        SELECT id, at, type, task, run_id, actor, title, details, delivery FROM event
        \(whereSQL) ORDER BY \(order) LIMIT ?
        """, args
      ).map { row in
        Event(
          id: row.int("id") ?? 0, at: row.int("at") ?? 0, type: row.text("type") ?? "",
          task: row.text("task"),
          runID: row.int("run_id"), actor: row.text("actor") ?? "", title: row.text("title") ?? "",
          details: row.text("details") ?? "{}", delivery: row.text("delivery") ?? "none")
      }
    }
  }

  /// The id of the newest event (0 when none).
  public func lastEventID() throws(StoreError) -> Int64 {
    try sqlRead { db in try db.int("SELECT max(id) FROM event") ?? 0 }
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
