import Foundation
import Logging
import TFSCore
import TFSStore

/// Picking up what other processes wrote, and the checks made before the daemon starts.
extension DaemonCore {
  /// Re-reads tasks, settings and queued runs when another process wrote to the store (its
  /// data version changed, looked at every poll interval) or when asked (SIGHUP, SIGUSR1).
  func reloadIfChanged(force: Bool) throws {
    let now = clock.nowMs()
    guard now >= nextPoll || force else { return }
    nextPoll = now + pollIntervalMs
    let version = try store.dataVersion()
    guard version != lastDataVersion || force else {
      // On a cluster, runs waiting here may wait for runs of other nodes to end: their ends are
      // not notified (daemons' writes are not), so they are looked at every poll.
      if placement != nil && !table.waiting.isEmpty { try refreshRunsElsewhere() }
      return
    }
    try reload(now: now)
    lastDataVersion = version  // only once applied: a reload that failed is tried again
  }

  private func reload(now: Int64) throws {
    let stored = try store.settings()
    let fresh = EffectiveSettings(stored: stored, home: home)
    if fresh.taskRoot != settings.taskRoot || fresh.logMax != settings.logMax
      || fresh.maxParallel != settings.maxParallel
      || fresh.timeZone != settings.timeZone
    {
      log.info("settings reloaded")
    }
    let zoneChanged = fresh.timeZone != settings.timeZone
    settings = fresh
    supervisor.settings = fresh
    scheduler.settings = fresh
    let tasks = try store.tasks()
    if zoneChanged { scheduler.rezone(now: now) }
    scheduler.update(tasks, now: now)
    // Waiting runs of removed tasks are gone with them.
    for row in table.waiting where scheduler.spec(row.run.task) == nil { table.remove(row.run.id) }
    try refreshRunsElsewhere()
    try loadQueued()
    if store.isPostgres { try applyKillRequests() }
  }

  /// On a cluster, `tfs kill` on another host asks through the store: the node stops its run
  /// with the signal asked (SIGKILL after the kill grace) and records it killed.
  private func applyKillRequests() throws {
    let live = table.live
    guard !live.isEmpty else { return }
    let requests = try store.killRequests(live.map(\.run.id))
    for run in live {
      guard let request = requests[run.run.id], let row = table[run.run.id] else { continue }
      if case .stopping = row.state { continue }
      stop(run, .killed(actor: request.actor, signal: request.signal), signal: request.signal)
    }
  }

  /// The runs other processes (`tfs run --here`) and, on a cluster, other nodes hold.
  func refreshRunsElsewhere() throws {
    runsElsewhere = Dictionary(
      grouping: try store.runsElsewhere(than: pid).filter { $0.executor.map(ProcessControl.isAlive) ?? true }
        .map(\.run),
      by: \.task)
  }

  /// Picks up runs queued by `tfs run` and drops waiting runs that were killed or removed.
  func loadQueued() throws {
    let queued = try store.queuedRuns()
    let ids = Set(queued.map { $0.0.id })
    for row in table.waiting where !ids.contains(row.run.id) { table.remove(row.run.id) }
    let now = clock.nowMs()
    var orphans: [(RunID, RunEnd, [Event])] = []
    defer { try? store.finishRuns(orphans) }
    for (run, force) in queued where table[run.id] == nil {
      guard let spec = scheduler.spec(run.task) else {
        // Queued by `tfs run` just as the task was removed: end it rather than keep it forever.
        orphans.append(
          (run.id, RunEnd(status: .failed, endedAt: now, reason: "task '\(run.task)' was removed"), []))
        continue
      }
      table.insert(run, spec, .waiting(notBeforeMs: now, force: force))
    }
  }

}

extension Daemon {
  /// Refuses a database or task root that other users can write: writing them means running
  /// commands as this daemon's user.
  static func checkPermissions(home: Home, settings: EffectiveSettings) throws {
    try FileManager.default.createDirectory(
      atPath: settings.taskRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    for path in [home.database, settings.taskRoot] {
      var info = stat()
      guard stat(path, &info) == 0 else { continue }
      if info.st_mode & 0o022 != 0 {
        throw DaemonError.insecure(
          "'\(path)' is writable by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run 'chmod go-w \(path)'"
        )
      }
    }
  }
}
