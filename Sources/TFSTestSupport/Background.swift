import Foundation

/// The result of a `tfs` whose stdout is kept as bytes (logs hold any bytes, not only UTF-8).
public struct RawOutput: Sendable {
  public let status: Int32
  public let stdout: Data
  public let stderr: String
}

/// A `tfs` command started in the background (`logs -f`, `events -f`); `stop()` it in `defer`.
public final class BackgroundCommand: @unchecked Sendable {
  public let process: Process
  private let out = Locked(Data())
  private let err = Locked(Data())
  private let outDone = Locked(false)
  private let errDone = Locked(false)

  init(process: Process, stdout: Pipe, stderr: Pipe) {
    self.process = process
    Self.drain(stdout.fileHandleForReading, into: out, done: outDone)
    Self.drain(stderr.fileHandleForReading, into: err, done: errDone)
  }

  /// Appends whatever arrives to `buffer` on a thread of its own until end of file.
  private static func drain(_ handle: FileHandle, into buffer: Locked<Data>, done: Locked<Bool>) {
    let thread = Thread {
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        var data = buffer.get()
        data.append(chunk)
        buffer.set(data)
      }
      done.set(true)
    }
    thread.start()
  }

  /// Bytes written to stdout so far.
  public var stdout: Data { out.get() }
  public var stderr: String { String(decoding: err.get(), as: UTF8.self) }
  public var isRunning: Bool { process.isRunning }

  /// Waits up to `timeout` seconds for the command to exit by itself; nil if it is still running.
  public func wait(timeout: Double) -> RawOutput? {
    guard waitUntil(timeout: timeout, { !process.isRunning }) else { return nil }
    process.waitUntilExit()
    _ = waitUntil(timeout: 5) { outDone.get() && errDone.get() }
    return RawOutput(status: process.terminationStatus, stdout: stdout, stderr: stderr)
  }

  /// SIGTERM, then SIGKILL after `grace` seconds; always reaps the process.
  public func stop(grace: Double = 5) {
    if process.isRunning {
      kill(process.processIdentifier, SIGTERM)
      if !waitUntil(timeout: grace, { !process.isRunning }) { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
  }

  deinit { stop(grace: 1) }
}

extension TFSBinary {
  /// Runs `tfs args…` to completion and keeps stdout as raw bytes.
  public func runRaw(_ args: [String], timeout: Double = 60) throws -> RawOutput {
    let command = try start(args)
    guard let output = command.wait(timeout: timeout) else {
      command.stop()
      return RawOutput(status: -1, stdout: command.stdout, stderr: command.stderr + "\n(timed out)")
    }
    return output
  }

  /// Starts `tfs args…` in the background with stdout and stderr captured.
  public func start(_ args: [String]) throws -> BackgroundCommand {
    let process = makeProcess(args)
    let outPipe = Pipe()
    let errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    try process.run()
    return BackgroundCommand(process: process, stdout: outPipe, stderr: errPipe)
  }
}
