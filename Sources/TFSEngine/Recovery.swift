import CTFSSupport
import Foundation
import Logging
import TFSCore
import TFSStore

/// At start-up: every run a dead executor left `running` (or `queued` mid-spawn) is resolved as
/// `lost`, and any of its processes still alive is killed — matched by pid *and* start time, or
/// by the `TFS_RUN_ID` in its environment, so a reused pid is never hit.
struct Recovery {
  let store: Store
  let log: Logger
  let clock: any TFSCore.Clock

  func resolveLeftovers(previousDaemon: Int32?) throws {
    let live = try store.liveRunsWithExecutor()
    var lost: [(RunID, RunEnd, [Event])] = []
    var orphanIDs: Set<RunID> = []
    var unstarted: [(RunID, RunEnd, [Event])] = []
    for (run, executor) in live {
      if run.status == .queued && run.trigger != .manual && executor == nil {
        // Queued by a daemon that died before starting it.
        let reason = "the daemon stopped before it started"
        unstarted.append((run.id, RunEnd(status: .missed, endedAt: clock.nowMs(), reason: reason), []))
        continue
      }
      guard run.status == .running || executor != nil else { continue }  // queued by the CLI: ours to start
      if let executor, executor != previousDaemon, executor != getpid(), ctfs_process_alive(executor) != 0 {
        continue  // a `tfs run --here` still running it
      }
      orphanIDs.insert(run.id)
      var killed = false
      if let pid = run.pid, let start = run.processStart, ctfs_process_start(pid) == start {
        kill(-pid, SIGKILL)
        killed = true
      }
      let now = clock.nowMs()
      let reason =
        killed ? "executor died; its processes were killed at recovery" : "executor died before the run ended"
      lost.append(
        (
          run.id, RunEnd(status: .lost, endedAt: now, reason: reason),
          [
            Event(
              at: now, type: EventType.systemError.rawValue, task: run.task.rawValue, runID: run.id,
              actor: "tfs",
              title: "run \(run.id) of '\(run.task)' lost: \(reason)", delivery: "pending")
          ]
        ))
    }
    killByEnvironment(orphanIDs)
    try store.finishRuns(lost + unstarted)
    if !lost.isEmpty {
      log.warning("resolved runs left by a previous executor", metadata: ["lost": "\(lost.count)"])
    }
  }

  /// Kills processes whose environment names one of `ids` as TFS_RUN_ID (spawned just before a crash).
  private func killByEnvironment(_ ids: Set<RunID>) {
    guard !ids.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
      return
    }
    for entry in entries {
      guard let pid = Int32(entry), pid != getpid(),
        let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
      else { continue }
      for variable in data.split(separator: 0) where variable.starts(with: Array("TFS_RUN_ID=".utf8)) {
        if let id = RunID(String(decoding: variable.dropFirst(11), as: UTF8.self)), ids.contains(id) {
          kill(-pid, SIGKILL)
          kill(pid, SIGKILL)
        }
      }
    }
  }
}

/// Deletes runs past retention with their logs and history folders.
struct Pruner {
  let store: Store
  let settings: EffectiveSettings
  let log: Logger

  func pruneExpired(now: Int64) throws {
    let runs = try store.prunable(beforeMs: now - settings.retentionMs, keepPerTask: nil)
    guard !runs.isEmpty else { return }
    for run in runs { Pruner.deleteFiles(of: run, settings: settings) }
    try store.deleteRuns(runs.map(\.id), actor: "tfs", now: now)
    log.info("pruned", metadata: ["runs": "\(runs.count)"])
  }

  /// Removes a run's log file and history folder (never anything outside the task folder).
  static func deleteFiles(of run: Run, settings: EffectiveSettings) {
    let paths = settings.paths(run.task)
    if let log = run.logPath { try? FileManager.default.removeItem(atPath: paths.absolute(log)) }
    try? FileManager.default.removeItem(atPath: paths.history(version: run.version))
  }
}
