import Foundation
import TFSCore

/// The home's `daemon.lock`, held with `flock` by the running daemon, its pid written inside.
/// The kernel drops the lock when the daemon dies, however it dies, so a stale file never
/// blocks a new daemon.
public final class DaemonLock {
  let fd: Int32
  public let path: String

  private init(fd: Int32, path: String) {
    self.fd = fd
    self.path = path
  }

  public enum Failure: Error, CustomStringConvertible {
    case held(home: String, pid: Int32?)
    case io(path: String, errno: Int32)

    public var description: String {
      switch self {
      case .held(let home, let pid):
        "a daemon is already running for \(home)" + (pid.map { " (pid \($0))" } ?? "")
      case .io(let path, let code):
        "I/O error at '\(path)' while taking the daemon lock: \(String(cString: strerror(code)))"
      }
    }
  }

  /// Takes the lock or fails naming the holder.
  public static func acquire(_ home: Home) throws(Failure) -> DaemonLock {
    let fd = open(home.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .io(path: home.lockFile, errno: errno) }
    // `holder(_:)` (status, nudges) takes a shared lock for an instant; retry briefly so a
    // monitor polling `tfs status` cannot make a daemon's start fail.
    var attempts = 0
    while flock(fd, LOCK_EX | LOCK_NB) != 0 && attempts < 10 {
      attempts += 1
      usleep(20_000)
    }
    guard attempts < 10 else {
      let pid = readPid(fd)
      close(fd)
      throw .held(home: home.path, pid: pid)
    }
    let text = Array("\(getpid())\n".utf8)
    _ = ftruncate(fd, 0)
    _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    return DaemonLock(fd: fd, path: home.lockFile)
  }

  /// The pid of the running daemon, or nil when none holds the lock.
  public static func holder(_ home: Home) -> Int32? {
    let fd = open(home.lockFile, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    if flock(fd, LOCK_SH | LOCK_NB) == 0 {
      _ = flock(fd, LOCK_UN)
      return nil
    }
    return readPid(fd) ?? -1
  }

  private static func readPid(_ fd: Int32) -> Int32? {
    var buffer = [UInt8](repeating: 0, count: 32)
    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
    guard n > 0 else { return nil }
    return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingWhitespace())
  }

  deinit {
    close(fd)
  }
}

/// Tells the daemon (if any) to look at the database now instead of at its next poll.
public enum Nudge {
  public static func daemon(_ home: Home) {
    if let pid = DaemonLock.holder(home), pid > 0 { kill(pid, SIGUSR1) }
  }
}
