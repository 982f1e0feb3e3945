import Foundation
import TFSCore

/// Which runs `tfs history` shows.
public struct RunFilter: Sendable {
  public var task: String?
  public var sinceMs: Int64?
  public var untilMs: Int64?
  public var status: RunStatus?
  public var exitCode: Int32?
  public var trigger: Trigger?
  public var limit: Int
  public init(
    task: String? = nil, sinceMs: Int64? = nil, untilMs: Int64? = nil, status: RunStatus? = nil,
    exitCode: Int32? = nil, trigger: Trigger? = nil, limit: Int = 50
  ) {
    self.task = task
    self.sinceMs = sinceMs
    self.untilMs = untilMs
    self.status = status
    self.exitCode = exitCode
    self.trigger = trigger
    self.limit = limit
  }
}

/// How a run ended, written in one transaction with the task's last-run columns and alerts.
public struct RunEnd: Sendable {
  public var status: RunStatus
  public var endedAt: Int64
  public var exitCode: Int32?
  public var signal: Int32?
  public var stderrHead: String
  public var reason: String
  public var logBytes: Int64
  public var published: [PublishedFile]
  /// A retry of the same occurrence follows: the alert policy counts the chain once, when it ends.
  public var retryFollows = false
  /// On a cluster, the log's bytes (at most `log-max`), kept in the database so that `tfs logs`
  /// reads it from any host; nil on a home's SQLite store (the file is the log).
  public var log: [UInt8]?
  public init(
    status: RunStatus, endedAt: Int64, exitCode: Int32? = nil, signal: Int32? = nil,
    stderrHead: String = "", reason: String = "", logBytes: Int64 = 0, published: [PublishedFile] = []
  ) {
    self.status = status
    self.endedAt = endedAt
    self.exitCode = exitCode
    self.signal = signal
    self.stderrHead = stderrHead
    self.reason = reason
    self.logBytes = logBytes
    self.published = published
  }
}

extension RunEnd {
  /// A run the daemon queued but stopped (or died) before starting: a scheduled or catch-up run
  /// is a `missed` occurrence; a retry is `skipped` — its occurrence had its run, the failed
  /// attempt, and the chain alerts now (`Store.recordRetryNotRun`).
  public static func notStarted(_ run: Run, at: Int64) -> RunEnd {
    run.trigger == .retry
      ? RunEnd(status: .skipped, endedAt: at, reason: "the daemon stopped before this retry started")
      : RunEnd(status: .missed, endedAt: at, reason: "the daemon stopped before it started")
  }
}

/// A kill asked for by `tfs kill`, read by whoever executes the run.
public struct KillRequest: Sendable, Equatable {
  public var at: Int64
  public var signal: Int32
  public var actor: String
}
