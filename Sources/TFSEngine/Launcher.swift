import CTFSSupport
import Foundation

/// What to start: argv, environment, working directory and the descriptors for stdout/stderr.
public struct LaunchRequest: Sendable {
  public let executable: String
  public let arguments: [String]
  public let environment: [String: String]
  public let workdir: String
  public var stdoutFd: Int32
  public var stderrFd: Int32
  /// argv and envp as C arrays, built with the request (when a run is prepared, ahead of its
  /// occurrence) rather than in the spawn.
  let native: NativeArguments

  public init(
    executable: String, arguments: [String], environment: [String: String], workdir: String,
    stdoutFd: Int32, stderrFd: Int32
  ) {
    (self.executable, self.arguments, self.environment, self.workdir) = (
      executable, arguments, environment, workdir
    )
    (self.stdoutFd, self.stderrFd) = (stdoutFd, stderrFd)
    native = NativeArguments(
      arguments: arguments, environment: environment.map { "\($0.key)=\($0.value)" }, executable: executable,
      workdir: workdir)
  }
}

/// NULL-terminated C string arrays owned by one request, freed with it.
final class NativeArguments: @unchecked Sendable {
  let argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
  let envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
  let executable: UnsafeMutablePointer<CChar>
  let workdir: UnsafeMutablePointer<CChar>
  private let counts: (Int, Int)

  init(arguments: [String], environment: [String], executable: String, workdir: String) {
    argv = NativeArguments.array(arguments)
    envp = NativeArguments.array(environment)
    self.executable = strdup(executable)
    self.workdir = strdup(workdir)
    counts = (arguments.count, environment.count)
  }

  private static func array(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
    let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
    for (i, s) in strings.enumerated() { array[i] = strdup(s) }
    array[strings.count] = nil
    return array
  }

  deinit {
    for i in 0..<counts.0 { free(argv[i]) }
    for i in 0..<counts.1 { free(envp[i]) }
    argv.deallocate()
    envp.deallocate()
    free(executable)
    free(workdir)
  }
}

/// The only code that starts processes: a vfork-style clone sharing the descriptor table (or
/// `posix_spawn`) into a new session, with default signal dispositions, an empty mask and no
/// inherited descriptor but stdin/stdout/stderr — see CTFSSupport's `ctfs_spawn`.
public protocol ProcessLauncher: Sendable {
  /// Starts the process and returns its pid (= its process group and session id).
  func launch(_ request: LaunchRequest) throws(LaunchError) -> Int32
  /// Sends `signal` to the process group `pid` leads.
  func signal(group pid: Int32, _ signal: Int32)
  /// The children among `pids` that exited, with their wait status (without blocking).
  func reap(_ pids: [Int32]) -> [(pid: Int32, status: Int32)]
}

extension ProcessLauncher {
  public func signal(group pid: Int32, _ signal: Int32) { kill(-pid, signal) }

  /// Only the given pids: `waitpid(-1)` would also reap children this process started for
  /// other reasons (alert delivery, Foundation's Process in tests).
  public func reap(_ pids: [Int32]) -> [(pid: Int32, status: Int32)] { PosixLauncher.wait(pids) }
}

extension PosixLauncher {
  /// `waitpid(WNOHANG)` of each of `pids`: those that exited, with their wait status.
  static func wait(_ pids: [Int32]) -> [(pid: Int32, status: Int32)] {
    pids.compactMap { pid in
      var status: Int32 = 0
      return waitpid(pid, &status, WNOHANG) == pid ? (pid, status) : nil
    }
  }
}

public struct LaunchError: Error, CustomStringConvertible, Sendable {
  public let executable: String
  public let errno: Int32
  public var description: String {
    "could not start '\(executable)': \(String(cString: strerror(errno)))"
  }
}

public struct PosixLauncher: ProcessLauncher {
  /// The runs' processes that left their group, when this process adopts orphans (the daemon,
  /// `tfs run --here`): signalled with their run's group, killed when their run ends.
  public let descendants: Descendants?

  /// Reserves the spawn slots now, while the process has few descriptors open; with
  /// `adoptingOrphans`, makes this process a child subreaper (see `Descendants`).
  public init(adoptingOrphans: Bool = false, cgroups: RunCgroups? = nil) {
    ctfs_spawn_setup()
    descendants = adoptingOrphans ? Descendants.adopt(cgroups: cgroups) : nil
  }

  public func launch(_ request: LaunchRequest) throws(LaunchError) -> Int32 {
    var pid: pid_t = 0
    let n = request.native
    let cgroup = descendants?.cgroupFd(for: request.environment) ?? -1
    defer { if cgroup >= 0 { close(cgroup) } }
    let rc = ctfs_spawn_in(
      n.executable, n.argv, n.envp, n.workdir, PosixLauncher.devNull, request.stdoutFd, request.stderrFd,
      cgroup,
      &pid)
    guard rc == 0 else { throw LaunchError(executable: request.executable, errno: rc) }
    descendants?.launched(pid, environment: request.environment)
    return pid
  }

  public func signal(group pid: Int32, _ signal: Int32) {
    kill(-pid, signal)
    descendants?.signal(leader: pid, signal)
  }

  /// The given pids that exited; then what their runs left behind is killed and the orphans
  /// adopted meanwhile are tied to their runs (`Descendants.collect`).
  public func reap(_ pids: [Int32]) -> [(pid: Int32, status: Int32)] {
    let exited = PosixLauncher.wait(pids)
    descendants?.collect(reaped: exited.map(\.pid))
    return exited
  }

  /// Every child's stdin, opened once (close-on-exec: the spawn dup2s it to 0).
  private static let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)

  /// Finds `command` the way execvp would: as given when it has a '/', else in `path`'s folders.
  public static func resolve(_ command: String, path: String?, workdir: String) -> String? {
    if command.contains("/") {
      let full = command.hasPrefix("/") ? command : workdir + "/" + command
      return access(full, X_OK) == 0 ? full : nil
    }
    for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let full = "\(dir)/\(command)"
      var info = stat()
      if stat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(full, X_OK) == 0 { return full }
    }
    return nil
  }
}
