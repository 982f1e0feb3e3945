import CTFSPostgres
import Foundation
import TFSCore

/// One synchronous connection to PostgreSQL through libpq, used by one thread at a time: the
/// daemon's loop is synchronous, so its store calls are too (no event loop, no async driver).
///
/// Every connection is opened with the time limits of `PGLimits`: a hung server, a lock held
/// elsewhere or a half-open TCP connection ends a call with an error within seconds, which the
/// caller turns into fencing, never into a silent stall.
public final class PGConnection {
  private var handle: UnsafeMutableRawPointer?
  /// The URL with its password masked, for messages.
  public let target: String
  /// How long a call waits for the server's answer before giving the connection up.
  let answerMs: Int

  /// Connects to `url` (`postgres://user@host:port/db?…` or a `key=value` string).
  public init(url: String, limits: PGLimits = PGLimits(), applicationName: String = "tfs") throws(PGError) {
    target = PGURL.redacted(url)
    answerMs = limits.statementMs + limits.answerSlackMs
    var loadError = [CChar](repeating: 0, count: 256)
    guard ctfs_pq_load(&loadError, loadError.count) == 0 else {
      throw .unavailable(
        String(decoding: loadError.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    var settings = limits.connectionSettings
    settings.append(("application_name", applicationName))
    // `dbname` comes first so that the keys after it override what the URL says.
    let pairs = [("dbname", url)] + settings
    let conn = CStrings.with(pairs.map(\.0)) { keys in
      CStrings.with(pairs.map(\.1)) { values in ctfs_pq_connect(keys, values) }
    }
    guard ctfs_pq_ok(conn) == 1 else {
      let message = PGError.clean(String(cString: ctfs_pq_error(conn)))
      ctfs_pq_finish(conn)
      throw .connect(target: target, message: message)
    }
    handle = conn
  }

  deinit { close() }

  public var isOpen: Bool { handle != nil }

  /// The connection's socket (-1 when closed), for a caller's own `poll` (a listener).
  public var socket: Int32 { handle.map { ctfs_pq_socket($0) } ?? -1 }

  /// The server process serving this connection (for `pg_terminate_backend` in tests).
  public var backendPID: Int32 { handle.map { ctfs_pq_backend_pid($0) } ?? 0 }

  public func close() {
    if let handle { ctfs_pq_finish(handle) }
    handle = nil
  }

  /// Runs one statement with text parameters (`$1`, `$2`…; nil is SQL NULL).
  @discardableResult
  public func query(_ sql: String, _ parameters: [String?] = []) throws(PGError) -> PGResult {
    guard let handle else { throw .connectionLost("the connection is closed") }
    let sent = CStrings.withOptional(parameters) { values in
      ctfs_pq_send(handle, sql, Int32(parameters.count), values)
    }
    return try answer(handle, sent: sent)
  }

  /// Runs several statements separated by `;`, without parameters (a schema step).
  public func script(_ sql: String) throws(PGError) {
    guard let handle else { throw .connectionLost("the connection is closed") }
    _ = try answer(handle, sent: ctfs_pq_send(handle, sql, -1, nil))
  }

  /// Waits for the answer to what was sent, for at most `answerMs`: the server's own time limits
  /// end a slow statement first, but a server that hangs (stopped, or its machine frozen while
  /// the kernel still acknowledges our packets) never answers, and no TCP time-out fires then.
  /// Past the deadline the connection is closed and the call fails as unreachable. Returns the
  /// last result, or throws for the first that failed.
  private func answer(_ handle: UnsafeMutableRawPointer, sent: Int32) throws(PGError) -> PGResult {
    guard sent == 1 else { throw lost(handle) }
    let deadline = Monotonic.nowMs() + Int64(answerMs)
    var kept: UnsafeMutableRawPointer?
    var failed: UnsafeMutableRawPointer?
    defer {
      ctfs_pq_clear(kept)
      ctfs_pq_clear(failed)
    }
    while true {
      while ctfs_pq_busy(handle) == 1 {
        let left = deadline - Monotonic.nowMs()
        guard left > 0 else {
          close()
          throw .connectionLost("no answer from the server within \(answerMs) ms")
        }
        var pfd = pollfd(fd: ctfs_pq_socket(handle), events: Int16(POLLIN), revents: 0)
        if poll(&pfd, 1, Int32(min(left, 1_000))) > 0 && ctfs_pq_consume(handle) != 1 { throw lost(handle) }
      }
      guard let result = ctfs_pq_next_result(handle) else { break }
      if failed == nil && ctfs_pq_result_ok(result) == 0 {
        failed = result
      } else {
        ctfs_pq_clear(kept)
        kept = result
      }
    }
    if let failed { try check(failed, handle) }
    guard let kept else { throw lost(handle) }
    return PGResult(kept)
  }

  private func check(_ result: UnsafeMutableRawPointer, _ handle: UnsafeMutableRawPointer) throws(PGError) {
    let state = String(cString: ctfs_pq_sqlstate(result))
    let message = PGError.clean(String(cString: ctfs_pq_result_error(result)))
    if ctfs_pq_ok(handle) == 0 {
      close()
      throw .connectionLost(message.isEmpty ? "the server closed the connection" : message)
    }
    throw .query(sqlState: state, message: message)
  }

  /// The connection broke: closes it and says why.
  private func lost(_ handle: UnsafeMutableRawPointer) -> PGError {
    let message = PGError.clean(String(cString: ctfs_pq_error(handle)))
    close()
    return .connectionLost(message.isEmpty ? "the server closed the connection" : message)
  }

  /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
  public func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
    try query("BEGIN")
    do {
      let value = try body(self)
      try query("COMMIT")
      return value
    } catch {
      if isOpen { _ = try? query("ROLLBACK") }
      throw error
    }
  }

  public func listen(_ channel: String) throws(PGError) {
    try query("LISTEN \(PGConnection.identifier(channel))")
  }

  public func notify(_ channel: String, _ payload: String) throws(PGError) {
    try query("SELECT pg_notify($1, $2)", [channel, payload])
  }

  /// Waits up to `timeoutMs` for notifications on the channels this connection listens to and
  /// returns those received (none on time-out).
  public func notifications(waitingMs timeoutMs: Int32) throws(PGError) -> [PGNotification] {
    guard let handle else { throw .connectionLost("the connection is closed") }
    var received = drain(handle)
    if !received.isEmpty { return received }
    var pfd = pollfd(fd: ctfs_pq_socket(handle), events: Int16(POLLIN), revents: 0)
    let ready = poll(&pfd, 1, timeoutMs)
    guard ready > 0 else { return [] }
    guard ctfs_pq_consume(handle) == 1 else { throw lost(handle) }
    received = drain(handle)
    return received
  }

  private func drain(_ handle: UnsafeMutableRawPointer) -> [PGNotification] {
    var out: [PGNotification] = []
    var channel = [CChar](repeating: 0, count: 64)
    var payload = [CChar](repeating: 0, count: 8_001)
    while ctfs_pq_notification(handle, &channel, channel.count, &payload, payload.count) == 1 {
      out.append(PGNotification(channel: String(cString: channel), payload: String(cString: payload)))
    }
    return out
  }

  /// A quoted SQL identifier.
  static func identifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

public struct PGNotification: Equatable, Sendable {
  public var channel: String
  public var payload: String
}

/// The rows of a query, as text (libpq's text format), read by column name or position.
public struct PGResult: Sendable {
  public let columns: [String]
  public let rows: [[String?]]

  init(_ result: UnsafeMutableRawPointer) {
    let width = Int(ctfs_pq_columns(result))
    columns = (0..<width).map { String(cString: ctfs_pq_column_name(result, Int32($0))) }
    rows = (0..<Int(ctfs_pq_rows(result))).map { row in
      (0..<width).map { column in
        ctfs_pq_value(result, Int32(row), Int32(column)).map { String(cString: $0) }
      }
    }
  }

  public var count: Int { rows.count }

  public func text(_ row: Int, _ column: String) -> String? {
    guard let index = columns.firstIndex(of: column), row < rows.count else { return nil }
    return rows[row][index]
  }

  public func int(_ row: Int, _ column: String) -> Int64? { text(row, column).flatMap { Int64($0) } }

  /// A boolean column (`t` / `f` in text format).
  public func bool(_ row: Int, _ column: String) -> Bool? { text(row, column).map { $0 == "t" } }
}

/// Arrays of C strings that live for the duration of a call.
enum CStrings {
  static func with<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    withOptional(strings.map { Optional($0) }, body)
  }

  static func withOptional<T>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T
  {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } }
    defer { copies.forEach { free($0) } }
    var pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeMutableBufferPointer { body(UnsafePointer($0.baseAddress!)) }
  }
}
