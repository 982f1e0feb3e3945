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
  /// For the task folders: a process is this home's run only if its TFS_TASK_DIR matches too
  /// (run ids repeat across homes on one machine).
  let settings: EffectiveSettings

  /// Returns, per task, the occurrences (epoch s) of the scheduled runs it recorded `missed`
  /// (queued by a daemon that died before starting them): the missed alert counts them.
  @discardableResult
  func resolveLeftovers(previousDaemon: Int32?) throws -> [TaskName: [Int64]] {
    let live = try store.liveRunsWithExecutor()
    var lost: [(Run, String)] = []
    var unstarted: [(RunID, RunEnd, [Event])] = []
    var missed: [TaskName: [Int64]] = [:]
    // Recorded queued by a daemon (or for one): a crash between a spawn and the write that marks
    // the run started leaves a live process whose row is still queued, found by its TFS_RUN_ID.
    let unclaimed = { (run: Run, executor: Int32?) in run.status == .queued && executor == nil }
    let queued = live.filter(unclaimed).map(\.0)
    for (run, executor) in live where !unclaimed(run, executor) {
      if let executor, executor != previousDaemon, executor != getpid(), ctfs_process_alive(executor) != 0 {
        continue  // a `tfs run --here` still running it
      }
      var killed = false
      if let pid = run.pid, let start = run.processStart, ctfs_process_start(pid) == start {
        kill(-pid, SIGKILL)
        killed = true
      }
      lost.append(
        (
          run,
          killed
            ? "executor died; its processes were killed at recovery" : "executor died before the run ended"
        ))
    }
    var folders: [RunID: String] = [:]
    for run in lost.map(\.0) + queued { folders[run.id] = settings.paths(run.task).folder }
    // On a cluster, what peers recorded lost while this node was gone may still run here.
    for run in try store.runsLostByPeers(sinceMs: clock.nowMs() - 86_400_000) {
      if let pid = run.pid, let start = run.processStart, ctfs_process_start(pid) == start {
        kill(-pid, SIGKILL)
      }
      folders[run.id] = settings.paths(run.task).folder
    }
    let spawned = ProcessControl.killRuns(folders)
    for run in queued {
      if spawned.contains(run.id) {
        lost.append((run, "started just before the daemon died; its processes were killed at recovery"))
      } else if run.trigger != .manual {
        // Queued by a daemon that died before starting it (manual runs are ours to start).
        let end = RunEnd.notStarted(run, at: clock.nowMs())
        unstarted.append((run.id, end, []))
        if end.status == .missed, let at = run.scheduledAt { missed[run.task, default: []].append(at / 1000) }
      }
    }
    try store.finishRuns(ends(lost) + unstarted)
    if !lost.isEmpty {
      log.warning("resolved runs left by a previous executor", metadata: ["lost": .int(lost.count)])
    }
    return missed.mapValues { $0.sorted() }
  }

  /// Lost runs' ends, with what they left kept like any run's: the log's size, and `publish/`
  /// moved to `history/<version>/` (for the task's latest lost run: runs of a task share
  /// `publish/`), before the next run empties it.
  private func ends(_ lost: [(Run, String)]) -> [(RunID, RunEnd, [Event])] {
    var latest: [TaskName: RunID] = [:]
    for (run, _) in lost { latest[run.task] = max(latest[run.task] ?? run.id, run.id) }
    return lost.map { run, reason in
      let now = clock.nowMs()
      let paths = settings.paths(run.task)
      var end = RunEnd(status: .lost, endedAt: now, reason: reason)
      var info = stat()
      if let log = run.logPath, stat(paths.absolute(log), &info) == 0 { end.logBytes = Int64(info.st_size) }
      if latest[run.task] == run.id { end.published = FileSystem.archivePublish(paths, version: run.version) }
      let event = Event(
        at: now, type: EventType.lost.rawValue, task: run.task.rawValue, runID: run.id, actor: "tfs",
        title: "run \(run.id) of '\(run.task)' lost: \(reason)",
        details: JSON.object([
          "version": run.version, "run_id": String(run.id), "trigger": run.trigger.rawValue,
        ]))
      return (run.id, end, [event])
    }
  }
}

/// Deletes runs past retention with their logs and history folders.
public struct Pruner {
  let store: Store
  let settings: EffectiveSettings
  let log: Logger

  func pruneExpired(now: Int64) throws {
    let runs = Pruner.sparingLatest(
      try store.prunableByPolicy(now: now, retentionMs: settings.retentionMs), settings: settings)
    guard !runs.isEmpty else { return }
    for run in runs { Pruner.deleteFiles(of: run, settings: settings) }
    try store.deleteRuns(runs.map(\.id), actor: "tfs", now: now)
    log.info("pruned", metadata: ["runs": .int(runs.count)])
  }

  /// `runs` without the one each task's `history/latest` points at: whoever serves a task's
  /// published files through that link keeps them, whatever the retention says.
  public static func sparingLatest(_ runs: [Run], settings: EffectiveSettings) -> [Run] {
    var latest: [TaskName: String] = [:]
    return runs.filter { run in
      let target =
        latest[run.task]
        ?? (try? FileManager.default.destinationOfSymbolicLink(
          atPath: settings.paths(run.task).folder + "/history/latest")) ?? ""
      latest[run.task] = target
      return target != run.version
    }
  }

  /// Removes a run's log file and history folder (never anything outside the task folder).
  static func deleteFiles(of run: Run, settings: EffectiveSettings) {
    let paths = settings.paths(run.task)
    if let log = run.logPath { try? FileManager.default.removeItem(atPath: paths.absolute(log)) }
    try? FileManager.default.removeItem(atPath: paths.history(version: run.version))
  }
}
