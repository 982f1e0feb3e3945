import Foundation

/// A program started with posix_spawn, its stdout and stderr going to a file, every other
/// descriptor closed; `stop()` it in `defer` (SIGTERM, then SIGKILL after `grace`).
public final class Spawned: @unchecked Sendable {
  public let pid: pid_t
  public let outputPath: String
  private var exited: Int32?

  public init(_ argv: [String], output: String, environment: [String: String] = [:], directory: String? = nil)
    throws
  {
    outputPath = output
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    spawnCloseFrom(&actions, 3)
    if let directory { spawnChdir(&actions, directory) }
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    let cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArgs.forEach { free($0) }
      cEnv.forEach { free($0) }
    }
    var child: pid_t = 0
    let code = posix_spawn(&child, argv[0], &actions, nil, cArgs, cEnv)
    guard code == 0 else {
      throw PostgresServer.Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(code)))")
    }
    pid = child
  }

  deinit { stop() }

  public var output: String {
    FileManager.default.contents(atPath: outputPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  /// The exit status once it exited (reaped here), else nil.
  public func poll() -> Int32? {
    if let exited { return exited }
    var status: Int32 = 0
    if waitpid(pid, &status, WNOHANG) == pid { exited = status }
    return exited
  }

  /// Runs `argv` to its end; its exit status (the raw `waitpid` status).
  @discardableResult
  public static func run(
    _ argv: [String], output: String = "/dev/null", environment: [String: String] = [:],
    directory: String? = nil
  ) throws -> Int32 {
    let process = try Spawned(argv, output: output, environment: environment, directory: directory)
    var status: Int32 = 0
    while waitpid(process.pid, &status, 0) < 0 && errno == EINTR {}
    process.exited = status
    return status
  }

  public func stop(grace: Double = 5) {
    guard poll() == nil else { return }
    kill(pid, SIGTERM)
    if !waitUntil(timeout: grace, { poll() != nil }) {
      kill(pid, SIGKILL)
      _ = waitUntil(timeout: 5) { poll() != nil }
    }
  }
}

/// A network namespace joined to this machine by a veth pair (`10.213.N.1` here, `.2` inside),
/// so that a program run in it reaches a server here through a link a test can cut. Root only.
public final class NetworkNamespace: @unchecked Sendable {
  public let name: String
  public let hostAddress: String
  public let innerAddress: String
  private let hostLink: String

  public init() throws {
    let id = Int(getpid() % 200) + Int.random(in: 0..<50)
    name = "tfs-ns-\(getpid())-\(id)"
    hostLink = "tfh\(getpid() % 100_000)x\(id)"
    hostAddress = "10.213.\(id).1"
    innerAddress = "10.213.\(id).2"
    let inner = "tfn\(getpid() % 100_000)x\(id)"
    let steps: [[String]] = [
      ["ip", "netns", "add", name],
      ["ip", "link", "add", hostLink, "type", "veth", "peer", "name", inner],
      ["ip", "link", "set", inner, "netns", name],
      ["ip", "addr", "add", hostAddress + "/30", "dev", hostLink],
      ["ip", "link", "set", hostLink, "up"],
      ["ip", "netns", "exec", name, "ip", "addr", "add", innerAddress + "/30", "dev", inner],
      ["ip", "netns", "exec", name, "ip", "link", "set", inner, "up"],
      ["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"],
    ]
    for step in steps {
      let status = try Spawned.run(["/usr/bin/env"] + step)
      guard status == 0 else {
        remove()
        throw PostgresServer.Failure(
          description: "'\(step.joined(separator: " "))' failed (status \(status))")
      }
    }
  }

  deinit { remove() }

  /// `argv` as run inside the namespace.
  public func wrap(_ argv: [String]) -> [String] { ["/usr/bin/env", "ip", "netns", "exec", name] + argv }

  /// Cuts the link (packets in flight are lost, nothing answers) or restores it.
  public func setLink(up: Bool) throws {
    try Spawned.run(["/usr/bin/env", "ip", "link", "set", hostLink, up ? "up" : "down"])
  }

  /// Drops every packet this host sends into the namespace (a blackhole route to its address),
  /// or stops dropping: what the namespace sends still arrives, and no answer reaches it.
  public func dropAnswers(_ on: Bool) throws {
    try Spawned.run(["/usr/bin/env", "ip", "route", on ? "add" : "del", "blackhole", innerAddress + "/32"])
  }

  public func remove() {
    _ = try? Spawned.run(["/usr/bin/env", "ip", "route", "del", "blackhole", innerAddress + "/32"])
    _ = try? Spawned.run(["/usr/bin/env", "ip", "link", "del", hostLink])
    _ = try? Spawned.run(["/usr/bin/env", "ip", "netns", "del", name])
  }

  /// Whether this process may make namespaces (root with `ip`).
  public static var isAvailable: Bool {
    getuid() == 0
      && ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].contains {
        FileManager.default.isExecutableFile(atPath: $0)
      }
  }
}
