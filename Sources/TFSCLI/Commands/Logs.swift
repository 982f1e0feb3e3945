import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Logs: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print the raw log of a task's last run (or of RUN: an id or a version).",
    discussion: """
      The log's bytes go to stdout unchanged (pipe them into grep, less -R…); messages go to \
      stderr. The default run is the last one that started. -f keeps printing while the run is \
      running and exits once it has ended and its log is fully printed. -F follows the task \
      instead, like tail -F: the last run, then each next run as it starts (a '==> run N …' \
      line on stderr before each), until interrupted.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name (a removed task's runs are still found).", completion: Completions.taskNames)
  var name: String
  @Argument(
    help: ArgumentHelp("Run id or version (default: the last run).", valueName: "run"),
    completion: Completions.runIDs)
  var reference: String?
  @Flag(name: [.customShort("f"), .long], help: "Follow a running run until it ends.")
  var follow = false
  @Flag(
    name: [.customShort("F"), .customLong("follow-task")],
    help: "Follow the task across its runs, until interrupted.")
  var followTask = false
  @Option(parsing: .unconditional, help: ArgumentHelp("Print only the last N lines.", valueName: "n"))
  var tail: String?

  /// How often `-f` looks at the file and the run.
  static let pollNs: UInt64 = 100_000_000

  func run() async throws {
    try await runCLI {
      let name = try taskName(name)
      let lines = try tail.map(Logs.lineCount)
      let context = try Context(global, create: false)
      if followTask {
        guard reference == nil else {
          throw CLIError.usage("-F follows the task's runs; drop the run '\(reference!)'")
        }
        try await Logs.followTask(name, lines: lines, context: context)
      }
      let run = try Logs.find(name, reference, context.store, follow: follow)
      let paths = context.settings.paths(name)
      let path = run.logPath.map { $0.hasPrefix("/") ? $0 : paths.absolute($0) }
      if !follow || run.status.isFinal {
        guard let path else { throw Logs.noLog(run) }
        // No log: the run wrote nothing.
        guard let log = try LogFile.open(path: path, run: run, store: context.store) else { return }
        defer { log.close() }
        _ = try log.copy(from: try lines.map(log.tailOffset) ?? 0)
        return
      }
      try await Logs.follow(
        run, paths: paths, lines: lines, store: context.store, cap: context.settings.logMax,
        home: context.home)
    }
  }

  static func lineCount(_ text: String) throws -> Int {
    guard let n = Int(text), n >= 0 else {
      throw CLIError.usage("invalid --tail '\(text)'; use a number of lines (0 or more)")
    }
    return n
  }

  /// The run to show, looked up by name in the runs table (a removed task's runs still count).
  /// Following without RUN prefers a newer live run, so `tfs run x; tfs logs x -f` follows the
  /// run just queued rather than the previous one.
  static func find(_ name: TaskName, _ reference: String?, _ store: Store, follow: Bool = false) throws -> Run
  {
    let run = try store.run(task: name, reference: reference)
    if follow, reference == nil, let live = try store.liveRuns(task: name).last, live.id > run?.id ?? 0 {
      return live
    }
    if let run { return run }
    guard try store.task(name) != nil || store.hasRuns(task: name) else {
      throw StoreError.noSuchTask(name.rawValue)
    }
    if let reference {
      throw CLIError.failed("no run '\(reference)' of task '\(name)'; see 'tfs history \(name)'")
    }
    throw CLIError.failed("task '\(name)' has not run yet; start it with 'tfs run \(name)'")
  }

  static func noLog(_ run: Run) -> CLIError {
    let why = run.reason.isEmpty ? "" : ": \(run.reason)"
    return .failed("run \(run.id) of '\(run.task)' (\(run.status.rawValue)) has no log\(why)")
  }

  /// Prints what the log holds, then what is appended, until the run ends; then drains the file.
  /// While the run is live nothing past `cap` (setting log-max) is printed: the daemon stops
  /// writing there (with a note), so bytes beyond it are never part of the log.
  static func follow(
    _ first: Run, paths: TaskPaths, lines: Int?, store: Store, cap: Int64, home: Home
  ) async throws {
    var run = first
    var log: LogFile?
    defer { log?.close() }
    var offset: Int64 = 0
    var polls = 0
    while true {
      // Read the state before the file: bytes written before the run ended are then drained.
      guard let current = try store.run(run.id) else {
        throw CLIError.failed("run \(run.id) of '\(run.task)' was deleted while following it")
      }
      run = current
      let ended = run.status.isFinal
      if log == nil, let relative = run.logPath {
        let path = relative.hasPrefix("/") ? relative : paths.absolute(relative)
        if ended || FileManager.default.fileExists(atPath: path),
          let opened = try LogFile.open(path: path, run: run, store: store)
        {
          log = opened
          offset = try lines.map(opened.tailOffset) ?? 0
        }
      }
      if let log { offset = try log.copy(from: offset, upTo: ended ? nil : cap) }
      if ended {
        if log == nil && run.logPath == nil { throw noLog(run) }
        return
      }
      polls += 1
      if polls % 10 == 0, let gone = try executorGone(run, store, home: home) { throw gone }
      try await Task.sleep(nanoseconds: pollNs)
    }
  }

  /// A run still marked live whose executor process has died will not end before the next
  /// daemon resolves it: stop following instead of waiting for ever. A run queued for the
  /// daemon (no executor yet) waits for one only while one runs.
  static func executorGone(_ run: Run, _ store: Store, home: Home) throws -> CLIError? {
    // On a cluster the run may be another host's: its node's peers record it lost if it dies.
    guard !store.isPostgres else { return nil }
    guard let pid = try store.executor(of: run.id).pid, pid > 0 else {
      guard run.status == .queued, DaemonLock.holder(home) == nil else { return nil }
      if let now = try store.run(run.id), now.status != .queued { return nil }
      return .noDaemon(
        "run \(run.id) of '\(run.task)' is queued but no daemon is running to start it; "
          + "start one with 'tfs daemon'")
    }
    guard kill(pid, 0) != 0, errno == ESRCH else { return nil }
    if let now = try store.run(run.id), now.status.isFinal { return nil }
    return .failed(
      "run \(run.id) of '\(run.task)' is still marked \(run.status.rawValue) but its executor (pid \(pid)) "
        + "is gone; see 'tfs status'")
  }
}

/// A log file read with `pread` and copied to stdout as raw bytes: logs can be gigabytes and
/// hold any bytes, so they are never decoded.
struct LogFile {
  let fd: Int32
  let path: String

  private init(fd: Int32, path: String) {
    self.fd = fd
    self.path = path
  }

  /// The run's log; nil when there is none because the run wrote nothing (yet): the daemon
  /// creates a log at a run's first output. A log a run wrote that is gone is an error.
  /// On a cluster, a log that is not on this host is read from the store, where the run's node
  /// kept it when the run ended.
  static func open(path: String, run: Run, store: Store? = nil) throws -> LogFile? {
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      guard errno == ENOENT else { throw StoreError.io(path: path, action: "opening the log", errno: errno) }
      if let bytes = try store?.storedLog(run.id) { return try inMemory(bytes, run: run) }
      if run.status.isFinal && run.logBytes > 0 {
        throw CLIError.failed("the log of run \(run.id) of '\(run.task)' is gone: '\(path)' does not exist")
      }
      return nil
    }
    return LogFile(fd: fd, path: path)
  }

  /// A log read from the store, behind an unlinked temporary file so that it reads like any other.
  private static func inMemory(_ bytes: [UInt8], run: Run) throws -> LogFile {
    var template = Array((NSTemporaryDirectory() + "/tfs-log.XXXXXX").utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else {
      throw StoreError.io(path: "a temporary file", action: "holding the log", errno: errno)
    }
    unlink(template)  // gone with the descriptor
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        throw StoreError.io(path: "a temporary file", action: "holding the log", errno: errno)
      }
      written += n
    }
    return LogFile(fd: fd, path: "the log of run \(run.id) kept in the database")
  }

  func close() { _ = Glibc.close(fd) }

  var size: Int64 {
    var st = stat()
    return fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
  }

  /// Copies from `offset` to the current end of the file (or to `limit`); returns the new offset.
  func copy(from offset: Int64, upTo limit: Int64? = nil) throws -> Int64 {
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var position = offset
    while true {
      let want = min(Int64(buffer.count), (limit ?? Int64.max) - position)
      if want <= 0 { return position }
      let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(want), off_t(position)) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw StoreError.io(path: path, action: "reading the log", errno: errno) }
      if n == 0 { return position }
      guard LogFile.writeAll(buffer[0..<n]) else {
        // The reader went away (`tfs logs x | head`): stop quietly, as cat does.
        throw CLIError.exit(errno == EPIPE ? 0 : 1)
      }
      position += Int64(n)
    }
  }

  /// Where the last `lines` lines start: scans backwards from the end in 64 KiB blocks. A final
  /// newline ends the last line rather than starting an empty one (as tail(1) counts).
  func tailOffset(_ lines: Int) throws -> Int64 {
    let end = size
    if lines == 0 { return end }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var blockEnd = end
    var newlines = 0
    while blockEnd > 0 {
      let start = max(0, blockEnd - Int64(buffer.count))
      let count = Int(blockEnd - start)
      let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(start)) }
      if n < 0 && errno == EINTR { continue }
      guard n == count else { throw StoreError.io(path: path, action: "reading the log", errno: errno) }
      for i in stride(from: count - 1, through: 0, by: -1) where buffer[i] == 0x0A {
        if start + Int64(i) == end - 1 { continue }
        newlines += 1
        if newlines == lines { return start + Int64(i) + 1 }
      }
      blockEnd = start
    }
    return 0
  }

  static func writeAll(_ bytes: ArraySlice<UInt8>) -> Bool {
    var rest = bytes
    while !rest.isEmpty {
      let n = rest.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      rest = rest.dropFirst(n)
    }
    return true
  }
}
