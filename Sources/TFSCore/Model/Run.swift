import Foundation

/// Identifies a run in the store.
public typealias RunID = Int64

/// One execution of a task, as recorded. Times are epoch milliseconds.
public struct Run: Equatable, Sendable {
  public var id: RunID
  public var task: TaskName
  /// `YYYYMM/DD/HHmmss` in the task's zone, with `-2`, `-3`… when the second is taken.
  public var version: String
  public var trigger: Trigger
  public var status: RunStatus
  /// The occurrence that caused it (nil for manual runs).
  public var scheduledAt: Int64?
  public var queuedAt: Int64
  public var startedAt: Int64?
  public var endedAt: Int64?
  public var exitCode: Int32?
  public var signal: Int32?
  public var pid: Int32?
  public var processStart: Int64?
  public var attempt: Int
  /// The first stderr lines (≤ 50 lines, ≤ 64 KiB).
  public var stderrHead: String
  /// Why it ended the way it did when that is not in the exit code (entry missing, killed by …).
  public var reason: String
  /// Relative to the task folder: `logs/202401/05/120000.log`.
  public var logPath: String?
  public var logBytes: Int64
  public var actor: String?

  public init(
    id: RunID = 0, task: TaskName, version: String, trigger: Trigger, status: RunStatus,
    scheduledAt: Int64? = nil, queuedAt: Int64, startedAt: Int64? = nil, endedAt: Int64? = nil,
    exitCode: Int32? = nil, signal: Int32? = nil, pid: Int32? = nil, processStart: Int64? = nil,
    attempt: Int = 0, stderrHead: String = "", reason: String = "", logPath: String? = nil,
    logBytes: Int64 = 0, actor: String? = nil
  ) {
    self.id = id
    self.task = task
    self.version = version
    self.trigger = trigger
    self.status = status
    self.scheduledAt = scheduledAt
    self.queuedAt = queuedAt
    self.startedAt = startedAt
    self.endedAt = endedAt
    self.exitCode = exitCode
    self.signal = signal
    self.pid = pid
    self.processStart = processStart
    self.attempt = attempt
    self.stderrHead = stderrHead
    self.reason = reason
    self.logPath = logPath
    self.logBytes = logBytes
    self.actor = actor
  }

  public var durationMs: Int64? {
    guard let startedAt, let endedAt else { return nil }
    return endedAt - startedAt
  }

  /// The code `tfs run --wait` exits with: the exit code, or 128 + signal. A run killed or
  /// timed out is never a success for a script, even when it caught the signal and exited 0
  /// (or never started): 128 + SIGTERM then.
  public var shellExitCode: Int32 {
    if let signal { return 128 + signal }
    if status == .killed || status == .timedOut, exitCode ?? 0 == 0 { return 128 + 15 }
    if let exitCode { return exitCode }
    return status == .succeeded ? 0 : 1
  }
}

/// A published file recorded for a run: its path under `history/<version>/` and its size.
public struct PublishedFile: Equatable, Sendable, Codable {
  public var path: String
  public var size: Int64
  public init(path: String, size: Int64) {
    self.path = path
    self.size = size
  }
}
