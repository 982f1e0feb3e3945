import CTFSSupport
import Foundation
import TFSTestSupport
import Testing

/// Every spawned child starts with no signal blocked and every disposition at its default,
/// whatever the spawning threads block and the process ignores or handles: the daemon spawns
/// from several worker threads at once, with handlers installed (its signal pipe) and SIGPIPE
/// ignored. Each child is `cat /proc/self/status`, so the state checked is the child's own at
/// exec — not a shell's, which changes its own mask around the commands it runs (dash blocks
/// every signal from before its vfork until that child has exec'd).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SpawnSignalStateTests {
  enum Path: String, CustomTestStringConvertible {
    /// `ctfs_spawn`: the shared-table clone (posix_spawn too under TFS_SPAWN=posix_spawn).
    case clone
    /// `ctfs_spawn_posix`, the fallback.
    case posixSpawn
    var testDescription: String { rawValue }
  }

  /// glibc's own real-time signals (32 and 33): posix_spawn leaves them ignored in the child.
  static let glibcInternal: UInt64 = 1 << 31 | 1 << 32

  @Test(arguments: [Path.clone, .posixSpawn])
  func childrenSpawnedTogetherStartWithAnEmptyMaskAndDefaultDispositions(path: Path) throws {
    let dir = TempDir("tfs-spawn-signals")
    defer { dir.remove() }
    let restore = ProcessSignals.install()
    defer { restore() }
    let results = SpawningThread.runAll(childrenEach: 30, dir: dir.path, path: path)
    let allowedIgnored = path == .clone && ctfs_spawn_fast_enabled() == 1 ? 0 : Self.glibcInternal
    for (thread, result) in results.enumerated() {
      #expect(result.maskAfter == result.maskBefore, "spawning changed thread \(thread)'s own mask")
      for child in result.children {
        guard child.rc == 0 else {
          Issue.record("spawn \(child.file) failed: errno \(child.rc)")
          continue
        }
        let status = dir.read(child.file) ?? ""
        let blocked = Self.field("SigBlk", status)
        let ignored = Self.field("SigIgn", status)
        #expect(blocked == 0, "thread \(thread) \(child.file): SigBlk \(hex(blocked))")
        #expect(
          ignored.map { $0 & ~allowedIgnored == 0 } == true,
          "thread \(thread) \(child.file): SigIgn \(hex(ignored))")
      }
    }
  }

  /// The hexadecimal mask `name` of /proc/PID/status text.
  static func field(_ name: String, _ status: String) -> UInt64? {
    let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
    return line.flatMap {
      UInt64($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces), radix: 16)
    }
  }

  func hex(_ mask: UInt64?) -> String { mask.map { String($0, radix: 16) } ?? "missing" }
}

/// Process-wide dispositions like the daemon's, for the length of a test: SIGPIPE and SIGUSR2
/// ignored, SIGWINCH and SIGURG handled. Returns what puts the previous ones back.
enum ProcessSignals {
  static func install() -> () -> Void {
    let ignored = [SIGPIPE, SIGUSR2].map { ($0, signal($0, SIG_IGN)) }
    let handled = [SIGWINCH, SIGURG].map { ($0, signal($0) { _ in }) }
    return { (ignored + handled).forEach { signal($0.0, $0.1) } }
  }
}

/// Threads that each block some signals for themselves, then spawn and reap children one after
/// another, all at once.
enum SpawningThread {
  struct Child {
    let file: String
    let rc: Int32
  }

  /// What one thread spawned, and its own mask (as /proc shows it) before and after.
  struct Result {
    var children: [Child] = []
    var maskBefore: UInt64 = 0
    var maskAfter: UInt64 = 0
  }

  /// The signals each thread blocks (nil: every one it can): the daemon's, more, none.
  static let blocked: [[Int32]?] = [
    nil, [], [SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1],
    [
      SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGPIPE, SIGUSR2, SIGWINCH, SIGURG, SIGALRM, SIGQUIT, 40, 64,
    ],
    [SIGUSR2, SIGPIPE],
  ]

  /// Starts one thread per entry of `blocked`; returns when every child has been reaped.
  static func runAll(childrenEach: Int, dir: String, path: SpawnSignalStateTests.Path) -> [Result] {
    let results = ResultBox(count: blocked.count)
    let group = DispatchGroup()
    for (index, signals) in blocked.enumerated() {
      group.enter()
      let thread = Thread {
        var set = sigset_t()
        if let signals {
          sigemptyset(&set)
          for signal in signals { sigaddset(&set, signal) }
        } else {
          sigfillset(&set)
        }
        pthread_sigmask(SIG_SETMASK, &set, nil)
        var result = Result(maskBefore: currentMask())
        for i in 0..<childrenEach {
          result.children.append(spawnCat(into: dir, file: "\(index)-\(i)", path: path))
        }
        result.maskAfter = currentMask()
        results.set(index, result)
        group.leave()
      }
      thread.start()
    }
    group.wait()
    return results.all
  }

  /// Spawns `cat /proc/self/status` writing to `dir/file` and waits for it.
  static func spawnCat(into dir: String, file: String, path: SpawnSignalStateTests.Path) -> Child {
    let out = open(dir + "/" + file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer {
      close(out)
      close(null)
    }
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("cat"), strdup("/proc/self/status"), nil]
    let envp: [UnsafeMutablePointer<CChar>?] = [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc =
      switch path {
      case .clone: ctfs_spawn("/bin/cat", argv, envp, dir, null, out, out, &pid)
      case .posixSpawn: ctfs_spawn_posix("/bin/cat", argv, envp, dir, null, out, out, &pid)
      }
    if rc == 0 { waitpid(pid, nil, 0) }
    return Child(file: file, rc: rc)
  }

  /// The calling thread's mask as /proc/PID/status shows it (bit n-1 for signal n).
  static func currentMask() -> UInt64 {
    var set = sigset_t()
    pthread_sigmask(SIG_BLOCK, nil, &set)
    var mask: UInt64 = 0
    for signal in 1..<65 where sigismember(&set, Int32(signal)) == 1 { mask |= 1 << UInt64(signal - 1) }
    return mask
  }
}

/// The spawning threads' results, each written once by its thread.
final class ResultBox: @unchecked Sendable {
  private var results: [SpawningThread.Result]
  private let lock = NSLock()
  init(count: Int) { results = Array(repeating: SpawningThread.Result(), count: count) }
  func set(_ index: Int, _ result: SpawningThread.Result) { lock.withLock { results[index] = result } }
  var all: [SpawningThread.Result] { lock.withLock { results } }
}
