import Foundation

/// The store's PostgreSQL connection, shared by the threads of one process (the daemon's loop,
/// its delivery worker): one transaction at a time, behind a lock, as SQLite's single
/// connection is. A connection lost by an earlier call is opened again by the next one.
///
/// With a `member` (a daemon's store), every transaction first names the node to the database
/// (`tfs.node`, `tfs.epoch`: the run rows it inserts or starts carry them) and every write
/// checks the node's lease (`tfs_fence`), in the same round trip.
final class PGLink: @unchecked Sendable {
  private var connection: PGConnection
  private let url: String
  private let limits: PGLimits
  private let lock = NSLock()
  let member: ClusterMember?
  let target: String

  init(_ connection: PGConnection, url: String, limits: PGLimits, member: ClusterMember?) {
    self.connection = connection
    self.url = url
    self.limits = limits
    self.member = member
    target = connection.target
  }

  func transaction<T>(path: String, write: Bool, _ body: (any SQLDatabase) throws -> T) throws(StoreError)
    -> T
  {
    lock.lock()
    defer { lock.unlock() }
    do {
      if !connection.isOpen { connection = try PGConnection(url: url, limits: limits) }
      return try connection.transaction { db in
        if let member {
          // Reads need no lease (the daemon reads its row before joining); writes do.
          let epoch = member.epoch ?? 0
          if write && member.epoch == nil { throw StoreError.fenced(member.name) }
          try db.query(
            """
            SELECT set_config('tfs.node', $1, true), set_config('tfs.epoch', $2, true),
              CASE WHEN $3 THEN tfs_fence($1, $2::bigint) END
            """, [member.name, String(epoch), write ? "true" : "false"])
        }
        return try body(db)
      }
    } catch let error as StoreError {
      throw error
    } catch let error as PGError where error.sqlState == "TFS01" {
      throw .fenced(member?.name ?? "")
    } catch {
      throw .database(path: path, message: "\(error)")
    }
  }
}
