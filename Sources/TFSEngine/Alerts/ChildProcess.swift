import CTFSSupport
import Foundation

/// A short helper process of a delivery (a command channel, a sendmail program): started with
/// `ctfs_spawn` in a session of its own, fed `input` on stdin, its stdout and stderr read
/// through one pipe, and ended with its whole process group. Never `Foundation.Process`: its
/// children inherit a blocked signal mask in the daemon (NOTES.md).
struct ChildProcess {
  enum Ending: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)
    case timedOut
    /// Someone else reaped it: its status is unknown.
    case lost
  }

  struct Result: Sendable {
    var ending: Ending
    /// The first `outputLimit` bytes of stdout and stderr together.
    var output: [UInt8]
  }

  static let outputLimit = 1024

  /// Helpers not reaped yet: a stopping daemon kills their groups (they run in sessions of
  /// their own, so nothing else would end them). A pid leaves the set before it is reaped, so
  /// a group killed from here cannot be a reused id.
  private static let live = LiveSet()

  /// SIGKILL to the process group of every helper still running.
  static func killAll() { live.forEach { kill(-$0, SIGKILL) } }

  let pid: pid_t
  private var input: Descriptor
  private var output: Descriptor

  /// Runs `arguments` (`arguments[0]` is argv[0]) from `executable` and waits at most
  /// `timeoutMs` for it; then its whole process group is killed.
  static func run(
    executable: String, arguments: [String], environment: [String: String], input: [UInt8],
    timeoutMs: Int64
  ) throws(LaunchError) -> Result {
    var child = try start(executable: executable, arguments: arguments, environment: environment)
    return withoutSigpipe { child.communicate(input, deadline: monotonicMs() + timeoutMs) }
  }

  private static func start(executable: String, arguments: [String], environment: [String: String])
    throws(LaunchError) -> ChildProcess
  {
    let fail = { (code: Int32) in LaunchError(executable: executable, errno: code) }
    var stdinPipe: [Int32] = [-1, -1]
    var outPipe: [Int32] = [-1, -1]
    guard ctfs_pipe(&outPipe) == 0 else { throw fail(errno) }
    guard ctfs_pipe(&stdinPipe) == 0 else {
      let code = errno
      outPipe.forEach { close($0) }
      throw fail(code)
    }
    // ctfs_pipe makes the read end non-blocking: right for our end of stdout, wrong for the
    // child's stdin. Swap: the child reads blocking, we write without blocking.
    _ = fcntl(stdinPipe[0], F_SETFL, 0)
    _ = fcntl(stdinPipe[1], F_SETFL, O_NONBLOCK)
    let native = NativeArguments(
      arguments: arguments, environment: environment.map { "\($0.key)=\($0.value)" }, executable: executable,
      workdir: FileManager.default.currentDirectoryPath)
    var pid: pid_t = 0
    let rc = ctfs_spawn(
      native.executable, native.argv, native.envp, native.workdir, stdinPipe[0], outPipe[1], outPipe[1], &pid)
    close(stdinPipe[0])
    close(outPipe[1])
    guard rc == 0 else {
      close(stdinPipe[1])
      close(outPipe[0])
      throw fail(rc)
    }
    live.insert(pid)
    return ChildProcess(pid: pid, input: Descriptor(stdinPipe[1]), output: Descriptor(outPipe[0]))
  }

  /// Writes `bytes` and reads the output until the child exits or `deadline` passes.
  private mutating func communicate(_ bytes: [UInt8], deadline: Int64) -> Result {
    var pending = bytes[...]
    var kept: [UInt8] = []
    if pending.isEmpty { input.close() }
    while ctfs_process_alive(pid) == 1 {
      let left = deadline - monotonicMs()
      guard left > 0 else { return end(.timedOut, output: kept) }
      // The exit itself wakes nobody: look again soon, sooner once the output has ended.
      let wait = Int32(min(left, output.isOpen ? 50 : 10))
      var fds = [pollfd(fd: output.fd, events: Int16(POLLIN), revents: 0)]
      if input.isOpen { fds.append(pollfd(fd: input.fd, events: Int16(POLLOUT), revents: 0)) }
      _ = poll(&fds, nfds_t(fds.count), wait)
      if fds.count > 1, fds[1].revents != 0 { feed(&pending) }
      if fds[0].revents != 0 { drain(into: &kept) }
    }
    drain(into: &kept)
    return end(nil, output: kept)
  }

  /// Writes what the pipe takes now; stops at the end of the input or when the child closed
  /// its stdin (EPIPE: it does not want the rest).
  private mutating func feed(_ pending: inout ArraySlice<UInt8>) {
    let n = pending.withUnsafeBytes { write(input.fd, $0.baseAddress, $0.count) }
    if n > 0 { pending = pending.dropFirst(n) }
    if pending.isEmpty || (n < 0 && errno != EAGAIN && errno != EINTR) { input.close() }
  }

  /// Reads what is there, keeping the first `outputLimit` bytes and dropping the rest (the
  /// child must never block on a full pipe).
  private mutating func drain(into kept: inout [UInt8]) {
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while output.isOpen {
      let n = buffer.withUnsafeMutableBytes { read(output.fd, $0.baseAddress, $0.count) }
      if n > 0 {
        kept += buffer.prefix(min(n, ChildProcess.outputLimit - kept.count))
      } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
        output.close()
      } else if errno == EAGAIN {
        return
      }
    }
  }

  /// Kills what is left of the group while the leader's zombie still holds its pid (so the
  /// group id cannot have been reused), then reaps the leader.
  private mutating func end(_ forced: Ending?, output kept: [UInt8]) -> Result {
    ChildProcess.live.remove(pid)
    kill(-pid, SIGKILL)
    var status: Int32 = 0
    var reaped: pid_t
    repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
    input.close()
    output.close()
    if let forced { return Result(ending: forced, output: kept) }
    guard reaped == pid else { return Result(ending: .lost, output: kept) }
    let signal = status & 0x7f
    return Result(ending: signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal), output: kept)
  }
}

/// Pids shared between delivery threads.
private final class LiveSet: @unchecked Sendable {
  private var pids: Set<pid_t> = []
  private let lock = NSLock()

  func insert(_ pid: pid_t) {
    lock.lock()
    pids.insert(pid)
    lock.unlock()
  }

  func remove(_ pid: pid_t) {
    lock.lock()
    pids.remove(pid)
    lock.unlock()
  }

  /// Calls `body` for each pid while holding the lock (no pid can be reaped meanwhile).
  func forEach(_ body: (pid_t) -> Void) {
    lock.lock()
    pids.forEach(body)
    lock.unlock()
  }
}

/// A descriptor closed at most once.
private struct Descriptor {
  private(set) var fd: Int32
  init(_ fd: Int32) { self.fd = fd }
  var isOpen: Bool { fd >= 0 }
  mutating func close() {
    if fd >= 0 { _ = Glibc.close(fd) }
    fd = -1
  }
}

/// Milliseconds of a clock that never jumps (deadlines of attempts).
func monotonicMs() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
