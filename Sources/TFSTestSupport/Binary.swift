import Foundation

/// The result of running the built `tfs`.
public struct Output: Sendable, CustomStringConvertible {
  public let status: Int32
  public let stdout: String
  public let stderr: String
  public var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// Runs the built `tfs` binary against a home, and starts daemons that are killed afterwards.
public struct TFSBinary: Sendable {
  public let home: String
  public let environment: [String: String]

  public init(home: String, environment: [String: String] = [:]) {
    self.home = home
    self.environment = environment
  }

  /// The `tfs` built next to the test bundle (`.build/<config>/tfs`).
  public static var path: String {
    if let override = ProcessInfo.processInfo.environment["TFS_BINARY"] { return override }
    var url = Bundle.main.bundleURL
    for _ in 0..<4 {
      let candidate = url.appendingPathComponent("tfs").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      url = url.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("tfs").path
  }

  /// `tfs args…` against this home, stdin `/dev/null` until the caller says otherwise.
  func makeProcess(_ args: [String]) -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TFSBinary.path)
    process.arguments = args
    process.environment = fullEnvironment
    process.standardInput = FileHandle.nullDevice
    return process
  }

  var fullEnvironment: [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["TFS_HOME"] = home
    env["NO_COLOR"] = "1"
    env["TZ"] = env["TZ"] ?? "UTC"
    for (k, v) in environment { env[k] = v }
    return env
  }

  /// Runs `tfs args…` to completion, feeding `stdin`.
  @discardableResult
  public func run(_ args: [String], stdin: String? = nil, timeout: Double = 60) throws -> Output {
    let process = makeProcess(args)
    let outPipe = Pipe()
    let errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    let inPipe = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    if let stdin {
      inPipe.fileHandleForWriting.write(Data(stdin.utf8))
      try? inPipe.fileHandleForWriting.close()
    }
    // Both pipes are read as the output comes, on threads of their own, so a large output cannot
    // block the child. Once the child exited, its output is taken even without an end of file:
    // a process another test started at the same moment may have inherited a pipe's write end
    // (Foundation's Process does not close other descriptors in its children) and hold it open.
    let out = PipeReader(outPipe)
    let err = PipeReader(errPipe)
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(2000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    _ = waitUntil(timeout: 2) { out.ended && err.ended }
    return Output(
      status: process.terminationStatus, stdout: String(decoding: out.data, as: UTF8.self),
      stderr: String(decoding: err.data, as: UTF8.self))
  }

  /// Convenience: `tfs` with arguments split on spaces (no quoting).
  @discardableResult
  public func callAsFunction(_ line: String) throws -> Output {
    try run(line.split(separator: " ").map(String.init))
  }

  /// Starts `tfs daemon` in the background and (by default) waits for its "daemon started" line;
  /// stop it with `DaemonProcess.stop()` in `defer`.
  public func startDaemon(_ extra: [String] = [], waitForStart: Bool = true) throws -> DaemonProcess {
    let process = makeProcess(["daemon"] + extra)
    let logURL = URL(fileURLWithPath: home + "/daemon-test.log")
    try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
    let log = try FileHandle(forWritingTo: logURL)
    process.standardOutput = log
    process.standardError = log
    try process.run()
    let daemon = DaemonProcess(process: process, logPath: logURL.path)
    if waitForStart {
      _ = waitUntil(timeout: 20) { daemon.log.contains("daemon started") || !process.isRunning }
    }
    return daemon
  }
}

/// A daemon started by a test.
public final class DaemonProcess: @unchecked Sendable {
  public let process: Process
  public let logPath: String

  init(process: Process, logPath: String) {
    self.process = process
    self.logPath = logPath
  }

  public var pid: Int32 { process.processIdentifier }
  public var log: String {
    FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds.
  public func stop(grace: Double = 10) {
    guard process.isRunning else { return }
    kill(pid, SIGTERM)
    if !waitUntil(timeout: grace, { !process.isRunning }) { kill(pid, SIGKILL) }
    process.waitUntilExit()
  }

  public func killHard() {
    if process.isRunning { kill(pid, SIGKILL) }
    process.waitUntilExit()
  }

  deinit { killHard() }
}

/// A value shared with a reader thread.
/// A value shared between threads, behind a lock.
public final class Locked<T>: @unchecked Sendable {
  private var value: T
  private var done = false
  private let lock = NSLock()
  public init(_ value: T) { self.value = value }
  public func set(_ v: T) {
    lock.lock()
    value = v
    done = true
    lock.unlock()
  }
  public func get() -> T {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
  public func update(_ change: (inout T) -> Void) {
    lock.lock()
    change(&value)
    lock.unlock()
  }
  var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return done
  }
}

/// Reads a pipe on a thread of its own as data comes, until its end of file.
final class PipeReader: @unchecked Sendable {
  private let bytes = Locked(Data())
  private let finished = Locked(false)

  init(_ pipe: Pipe) {
    let handle = pipe.fileHandleForReading
    let thread = Thread { [bytes, finished] in
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        bytes.update { $0.append(chunk) }
      }
      finished.set(true)
    }
    thread.start()
  }

  var data: Data { bytes.get() }
  var ended: Bool { finished.get() }
}
