import Foundation
import GRDB
import TFSCore

/// The SQLite database shared by the CLI and the daemon: the only type that runs SQL.
///
/// One connection per process (`DatabaseQueue`) on a database in WAL mode, so the CLI reads while
/// the daemon writes; every write is a `BEGIN IMMEDIATE` transaction and waits (busy timeout)
/// instead of failing with "database is locked" when another process holds the write lock.
/// Not a `DatabasePool`: its set-up writes to the file on every open (GRDB creates and drops a
/// table when no WAL is pending), which would make read-only commands modify `tfs.db` and wake
/// the daemon. WAL mode is persistent, so it is set once, when the file is created.
public final class Store: Sendable {
  /// The SQLite database; nil for a store on PostgreSQL (`postgres`).
  let sqlite: DatabaseQueue?
  /// The PostgreSQL database of a cluster (`open(postgres:)`); nil for a home's SQLite file.
  let postgres: PGLink?
  /// The SQLite file, or the PostgreSQL URL with its password masked.
  public let path: String

  /// Opens (creating when `create`) the database at `home`. The home is made 0700 and the
  /// database 0600 before SQLite first touches them.
  public static func open(home: Home, create: Bool = true) throws(StoreError) -> Store {
    let fm = FileManager.default
    if !fm.fileExists(atPath: home.database) {
      guard create else { throw .notInitialized(home.path) }
      try makeHome(home)
      let fd = Glibc.open(home.database, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
      guard fd >= 0 else { throw .io(path: home.database, action: "creating the database", errno: errno) }
      close(fd)
    }
    return try open(path: home.database)
  }

  /// Opens the database file at `path` and applies pending migrations. A write waits up to
  /// `busyTimeout` seconds for another writer's lock.
  public static func open(path: String, busyTimeout: TimeInterval = 30) throws(StoreError) -> Store {
    var config = Configuration()
    config.busyMode = .timeout(busyTimeout)
    config.foreignKeysEnabled = true
    config.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
    do {
      let pool = try DatabaseQueue(path: path, configuration: config)
      try enableWAL(pool)
      let migrator = Schema.migrator
      if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
        throw StoreError.newerSchema(path)
      }
      if try pool.read({ try !migrator.hasCompletedMigrations($0) }) {
        try migrator.migrate(pool)
      }
      return Store(pool: pool, path: path)
    } catch let error as StoreError {
      throw error
    } catch {
      throw .database(path: path, message: "\(error)")
    }
  }

  /// Switches a new (or rollback-journal) database to WAL; a no-op read on an existing one.
  private static func enableWAL(_ queue: DatabaseQueue) throws {
    let mode = try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
    guard mode != "wal" else { return }
    try queue.writeWithoutTransaction { db in
      _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
    }
  }

  private init(pool: DatabaseQueue, path: String) {
    self.sqlite = pool
    self.postgres = nil
    self.path = path
  }

  private init(postgres: PGLink) {
    self.sqlite = nil
    self.postgres = postgres
    self.path = postgres.target
  }

  /// Opens the store on a PostgreSQL database (a cluster's) and brings its schema up to date.
  /// Only the operations already moved onto `SQLDatabase` work there yet (docs/CLUSTER.md);
  /// the others fail with `StoreError.unsupported`.
  /// With a `member` (a daemon's store) every write is fenced by the node's lease.
  public static func open(
    postgres url: String, limits: PGLimits = PGLimits(), member: ClusterMember? = nil
  ) throws(StoreError) -> Store {
    do {
      let connection = try PGConnection(url: url, limits: limits)
      try ClusterSchema.migrate(connection)
      return Store(postgres: PGLink(connection, url: url, limits: limits, member: member))
    } catch {
      throw .database(path: PGURL.redacted(url), message: "\(error)")
    }
  }

  /// The node this store writes as (a daemon's store on PostgreSQL), else nil.
  public var member: ClusterMember? { postgres?.member }

  /// Whether the store is a cluster's PostgreSQL database.
  public var isPostgres: Bool { postgres != nil }

  /// The SQLite database, or `unsupported` on PostgreSQL.
  var pool: DatabaseQueue {
    get throws(StoreError) {
      guard let sqlite else { throw .unsupported(path) }
      return sqlite
    }
  }

  /// Runs `body` in one write transaction on either engine (all or nothing).
  func sqlWrite<T>(_ body: (any SQLDatabase) throws -> T) throws(StoreError) -> T {
    if let postgres { return try postgres.transaction(path: path, write: true, body) }
    return try write { db in try body(SQLiteDatabase(db: db)) }
  }

  /// Runs `body` in one read transaction on either engine.
  func sqlRead<T>(_ body: (any SQLDatabase) throws -> T) throws(StoreError) -> T {
    if let postgres { return try postgres.transaction(path: path, write: false, body) }
    return try read { db in try body(SQLiteDatabase(db: db)) }
  }

  /// Creates the home (0700) when it does not exist: a node of a cluster keeps its lock, logs and
  /// task folders there, its store being elsewhere.
  public static func makeHome(_ home: Home) throws(StoreError) {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: home.path, isDirectory: &isDir) {
      guard isDir.boolValue else { throw .io(path: home.path, action: "creating the home", errno: ENOTDIR) }
      return
    }
    do {
      try FileManager.default.createDirectory(
        atPath: home.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw .io(path: home.path, action: "creating the home", errno: errno)
    }
  }

  /// Runs `body` in one write transaction (all or nothing).
  func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try pool.write(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw .database(path: path, message: "\(error)")
    }
  }

  func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try pool.read(body)
    } catch let error as StoreError {
      throw error
    } catch {
      throw .database(path: path, message: "\(error)")
    }
  }

  /// SQLite's `PRAGMA data_version` on the writer connection: changes when another connection
  /// commits, not for our own writes. The daemon polls it to notice CLI changes.
  /// On the cluster store, the count of commands' writes (`tfs_change`).
  public func dataVersion() throws(StoreError) -> Int64 {
    if postgres != nil {
      return try sqlRead { db in try db.int("SELECT version FROM tfs_change WHERE id = 1") ?? 0 }
    }
    do {
      return try pool.writeWithoutTransaction { db in
        try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
      }
    } catch {
      throw .database(path: path, message: "\(error)")
    }
  }

  /// `PRAGMA integrity_check` result ("ok" when healthy).
  public func integrityCheck() throws(StoreError) -> String {
    try read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
  }

  /// Moves the WAL into the main file (used before byte-level comparisons and backups).
  public func checkpoint() throws(StoreError) {
    do {
      try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    } catch {
      throw .database(path: path, message: "\(error)")
    }
  }
}

/// Store failures. The description is the user's message.
public enum StoreError: Error, CustomStringConvertible, Equatable {
  case notInitialized(String)
  case newerSchema(String)
  case taskExists(String)
  case noSuchTask(String)
  case noSuchRun(String)
  case channelExists(String)
  case noSuchChannel(String)
  case io(path: String, action: String, errno: Int32)
  case database(path: String, message: String)
  /// An operation not yet moved onto PostgreSQL (docs/CLUSTER.md, "The store seam").
  case unsupported(String)
  /// This node's lease ended or a peer declared it dead: its writes are refused until it rejoins.
  case fenced(String)

  public var description: String {
    switch self {
    case .notInitialized(let home): "no tfs home at '\(home)'; run 'tfs init' or pass --home"
    case .newerSchema(let path):
      "the database '\(path)' was written by a newer tfs; upgrade tfs to use it"
    case .taskExists(let name): "task '\(name)' already exists; use 'tfs modify \(name)'"
    case .noSuchTask(let name): "no task named '\(name)'; see 'tfs list'"
    case .noSuchRun(let what): "no run \(what)"
    case .channelExists(let name):
      "channel '\(name)' already exists; remove it first with 'tfs channel remove \(name)'"
    case .noSuchChannel(let name): "no channel named '\(name)'; see 'tfs channel list'"
    case .io(let path, let action, let code):
      "I/O error at '\(path)' while \(action): \(String(cString: strerror(code)))"
    case .database(let path, let message): "database error in '\(path)': \(message)"
    case .unsupported(let target): "this operation does not work on PostgreSQL ('\(target)') yet"
    case .fenced(let node): "node '\(node)' is fenced: its lease ended; it writes nothing until it rejoins"
    }
  }
}
