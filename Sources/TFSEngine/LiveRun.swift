import Foundation
import TFSCore

/// Why tfs itself stopped a run; decides its final status.
enum StopReason: Equatable {
  case killed(actor: String, signal: Int32)
  case timeout
  case replaced(by: String)
  case shutdown
}

/// A run whose process is alive: its descriptors and what is read from them (the run table
/// holds it in the `running` and `stopping` states).
final class LiveRun {
  var run: Run
  let spec: TaskSpec
  let paths: TaskPaths
  let pid: Int32
  let processStart: Int64?
  /// The log, opened (created) at the run's first byte of output: a run that writes nothing
  /// leaves no file (-1 until then).
  var logFd: Int32 = -1
  let logPath: String
  /// The read ends of the child's stdout and stderr pipes; -1 once closed (end of file, or the
  /// run's end).
  var stdoutFd: Int32
  var stderrFd: Int32
  var head = StderrHead()
  let startedAt: Int64
  /// Bytes of stdout and stderr written to the log so far (the truncation note aside): at most
  /// `log-max`.
  var logBytes: Int64 = 0
  /// Whether the stdout pipe was offered a larger buffer (once, when first found full).
  var stdoutGrown = false
  /// The log does not take splice(2) (its file system has none): stdout is copied instead.
  var stdoutCopied = false
  /// Why writing the log failed (a full disk…): what came after is discarded.
  var logError: String?
  var timeoutAlerted = false
  var logCapped = false

  init(
    run: Run, spec: TaskSpec, paths: TaskPaths, pid: Int32, processStart: Int64?, logPath: String,
    stdoutFd: Int32, stderrFd: Int32, startedAt: Int64
  ) {
    self.run = run
    self.spec = spec
    self.paths = paths
    self.pid = pid
    self.processStart = processStart
    self.logPath = logPath
    self.stdoutFd = stdoutFd
    self.stderrFd = stderrFd
    self.startedAt = startedAt
  }

  var timeoutAt: Int64? { spec.timeoutMs.map { startedAt + $0 } }
}

/// The first 50 lines (≤ 64 KiB) of a run's stderr, kept for the run record and alerts.
struct StderrHead {
  static let maxLines = 50
  static let maxBytes = 64 * 1024
  private(set) var bytes: [UInt8] = []
  private(set) var lines = 0
  var isFull: Bool { lines >= StderrHead.maxLines || bytes.count >= StderrHead.maxBytes }

  mutating func append(_ chunk: UnsafeRawBufferPointer) {
    for byte in chunk {
      if isFull { return }
      bytes.append(byte)
      if byte == 10 { lines += 1 }
    }
  }

  /// Lossy UTF-8 (invalid bytes become U+FFFD): the record is text, the log keeps the bytes.
  var text: String { String(decoding: bytes, as: UTF8.self) }
}
