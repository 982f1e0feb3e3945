import Foundation

/// The store's PostgreSQL connection, shared by the threads of one process (the daemon's loop,
/// its delivery worker): one transaction at a time, behind a lock, as SQLite's single
/// connection is.
final class PGLink: @unchecked Sendable {
  private let connection: PGConnection
  private let lock = NSLock()
  let target: String

  init(_ connection: PGConnection) {
    self.connection = connection
    target = connection.target
  }

  func transaction<T>(path: String, _ body: (any SQLDatabase) throws -> T) throws(StoreError) -> T {
    lock.lock()
    defer { lock.unlock() }
    do {
      return try connection.transaction { try body($0) }
    } catch let error as StoreError {
      throw error
    } catch {
      throw .database(path: path, message: "\(error)")
    }
  }
}
