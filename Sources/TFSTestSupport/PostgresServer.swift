import Foundation

/// A throwaway PostgreSQL server for tests: Debian's `initdb` and `pg_ctl` on a temporary data
/// folder, listening on 127.0.0.1 only, with trust authentication and no fsync. Started by the
/// test; `stop()` it in `defer` (deinit also does). As root the server runs as the `postgres`
/// account, since PostgreSQL refuses to run as root.
public final class PostgresServer: @unchecked Sendable {
  public private(set) var port = 0
  public let dir: TempDir
  private let bin: String
  private let listen: [String]
  private var running = false

  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  /// The folder of `initdb` and `pg_ctl` (the newest PostgreSQL installed), or `TFS_PG_BIN`.
  public static func binaries() -> String? {
    if let override = ProcessInfo.processInfo.environment["TFS_PG_BIN"] { return override }
    let root = "/usr/lib/postgresql"
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    return versions.compactMap { Int($0) }.sorted().reversed().map { "\(root)/\($0)/bin" }
      .first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
  }

  /// `listen`: the addresses to listen on besides 127.0.0.1 (a veth of a network namespace);
  /// connections from anywhere are trusted, so use only addresses of this machine.
  public init(listen: [String] = []) throws {
    self.listen = listen
    guard let bin = PostgresServer.binaries() else {
      throw Failure(
        description: "PostgreSQL server binaries not found (scripts/ensure-deps.sh installs them)")
    }
    self.bin = bin
    dir = TempDir("tfs-pg")
    if getuid() == 0, let account = getpwnam("postgres") {
      chown(dir.path, account.pointee.pw_uid, account.pointee.pw_gid)
      PostgresServer.letOthersTraverse(above: dir.path)
    }
    try run([
      "initdb", "-D", dir.file("data"), "-A", "trust", "-U", "tfs", "--no-sync", "-E", "UTF8", "--locale=C",
    ])
    if !listen.isEmpty, let hba = FileHandle(forWritingAtPath: dir.file("data/pg_hba.conf")) {
      hba.seekToEndOfFile()
      hba.write(Data("host all all 0.0.0.0/0 trust\n".utf8))
      try? hba.close()
    }
    var lastError = ""
    for _ in 0..<5 {
      let candidate = PostgresServer.freePort()
      do {
        try start(port: candidate)
        port = candidate
        return
      } catch {
        lastError = "\(error)"
      }
    }
    dir.remove()
    throw Failure(description: "PostgreSQL did not start: \(lastError)")
  }

  deinit { stop() }

  /// The URL of database `name` on this server.
  public func url(_ name: String = "postgres") -> String { "postgres://tfs@127.0.0.1:\(port)/\(name)" }

  /// The server's log (its errors, when a test fails).
  public var log: String { dir.read("server.log") ?? "" }

  /// Stops the server at once (`immediate`: like a crash, no checkpoint) and removes its files.
  public func stop() {
    halt()
    dir.remove()
  }

  /// Stops the server at once, keeping its files (see `restart`).
  public func halt() {
    guard running else { return }
    resume()
    running = false
    _ = try? run(["pg_ctl", "-D", dir.file("data"), "-m", "immediate", "-w", "stop"])
  }

  /// Freezes the server (SIGSTOP to its process group: the postmaster and every backend) as a
  /// hung machine would be: connections stay open and the kernel still acknowledges packets, but
  /// nothing answers. `resume()` undoes it.
  public func pause() { signalServer(SIGSTOP) }

  public func resume() { signalServer(SIGCONT) }

  private func signalServer(_ signal: Int32) {
    guard let text = dir.read("data/postmaster.pid"), let line = text.split(separator: "\n").first,
      let pid = Int32(line)
    else { return }
    // The postmaster and its children (every backend and helper); the backends first, so that
    // none is started or reaped in between.
    let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap {
      entry -> Int32? in
      guard let child = Int32(entry),
        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return nil }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
    }
    if signal == SIGSTOP {
      children.forEach { kill($0, signal) }
      kill(pid, signal)
    } else {
      kill(pid, signal)
      children.forEach { kill($0, signal) }
    }
  }

  /// Starts the server again on the same port after `halt()`.
  public func restart() throws {
    try start(port: port)
  }

  private func start(port: Int) throws {
    let addresses = (["127.0.0.1"] + listen).joined(separator: ",")
    let options =
      "-p \(port) -k \(dir.path) -c listen_addresses=\(addresses) -c fsync=off -c max_connections=200"
    try run([
      "pg_ctl", "-D", dir.file("data"), "-l", dir.file("server.log"), "-o", options, "-w", "-t", "30",
      "start",
    ])
    running = true
  }

  /// Runs one of the server's programs and waits for it. Through posix_spawn with every other
  /// descriptor closed: the postmaster that `pg_ctl` leaves behind must not hold a pipe or a
  /// socket of this test process (Foundation's Process leaked them, and its wait hung).
  @discardableResult
  private func run(_ words: [String]) throws -> String {
    let asRoot = getuid() == 0
    let argv =
      (asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [bin + "/" + words[0]]
      + words.dropFirst()
    // The server carries TFS_TEST_DIR, so that scripts/check-leftovers.sh finds one a test left.
    let status = try Spawned.run(
      argv, output: dir.file("command.out"), environment: ["TFS_TEST_DIR": dir.path], directory: dir.path)
    let text = dir.read("command.out") ?? ""
    guard status == 0 else {
      throw Failure(description: "\(words[0]) exited with status \(status): \(text) \(log)")
    }
    return text
  }

  /// Gives the folders above `path` search permission for others (not read): the server's
  /// account must reach its data folder inside a private TMPDIR.
  static func letOthersTraverse(above path: String) {
    var folder = (path as NSString).deletingLastPathComponent
    while folder != "/" && !folder.isEmpty {
      var info = stat()
      if stat(folder, &info) == 0, info.st_mode & S_IXOTH == 0 {
        chmod(folder, (info.st_mode & 0o7777) | S_IXOTH)
      }
      folder = (folder as NSString).deletingLastPathComponent
    }
  }

  /// A port nobody listens on now (the kernel's pick for an ephemeral bind).
  static func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}

// glibc has these (2.34+, 2.29+) but Swift's Glibc module does not declare them.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
func spawnCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
func spawnChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>)
  -> Int32
