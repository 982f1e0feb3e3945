import CTFSSupport
import Foundation

/// What to start: argv, environment, working directory and the descriptors for stdout/stderr.
public struct LaunchRequest: Sendable {
  public var executable: String
  public var arguments: [String]
  public var environment: [String: String]
  public var workdir: String
  public var stdoutFd: Int32
  public var stderrFd: Int32
}

/// The only code that starts processes. `posix_spawn` (vfork-based in glibc) in a new session,
/// with a clean signal mask and every inherited descriptor closed — see CTFSSupport.
public protocol ProcessLauncher: Sendable {
  /// Starts the process and returns its pid (= its process group and session id).
  func launch(_ request: LaunchRequest) throws(LaunchError) -> Int32
}

public struct LaunchError: Error, CustomStringConvertible, Sendable {
  public let executable: String
  public let errno: Int32
  public var description: String {
    "could not start '\(executable)': \(String(cString: strerror(errno)))"
  }
}

public struct PosixLauncher: ProcessLauncher {
  public init() {}

  public func launch(_ request: LaunchRequest) throws(LaunchError) -> Int32 {
    let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer { if devNull >= 0 { close(devNull) } }
    var pid: pid_t = 0
    let env = request.environment.map { "\($0.key)=\($0.value)" }
    let rc = withCStrings(request.arguments) { argv in
      withCStrings(env) { envp in
        ctfs_spawn(
          request.executable, argv, envp, request.workdir, devNull, request.stdoutFd, request.stderrFd,
          &pid)
      }
    }
    guard rc == 0 else { throw LaunchError(executable: request.executable, errno: rc) }
    return pid
  }

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

/// Calls `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
  var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
  pointers.append(nil)
  defer { for p in pointers { free(p) } }
  return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
