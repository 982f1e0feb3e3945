import Foundation
import Logging
import TFSCore
import TFSStore

/// Runs recorded ahead of their occurrence, when it comes.
extension DaemonCore {
  /// Spawns the armed runs whose occurrence has come, and records the failure of those that
  /// could not be prepared. Runs whose task changed after they were prepared are withdrawn; the
  /// occurrences their task still has are returned, to be decided again with the task as it is.
  func launchArmed(now: Int64) throws -> [DueOccurrence] {
    let armed = table.armed.filter { ($0.run.scheduledAt ?? 0) <= now }.sorted { $0.order < $1.order }
    var again: [DueOccurrence] = []
    if !armed.isEmpty { again += try spawnArmed(armed, now: now) }
    var failures: [Supervisor.Finished] = []
    var stale: [RunID] = []
    for row in table.unstartable where (row.run.scheduledAt ?? 0) <= now {
      guard case .unstartable(let f) = row.state else { continue }
      table.remove(row.run.id)
      let input = RunInput.unstartableDue(prepared: row.spec, current: scheduler.spec(row.spec.name))
      if RunRules.decide(input, load: TaskLoad(), now: now, random: &random) == .end {
        // It fails at its occurrence, not when it was prepared (before it).
        failures.append(f.recorded(at: max(now, row.run.scheduledAt ?? now)))
      } else {
        stale.append(row.run.id)
        if let item = occurrenceAgain(row.run) { again.append(item) }
      }
    }
    try store.withdrawQueuedRuns(stale)
    try finish(failures)
    return again
  }

  private func spawnArmed(_ armed: [TrackedRun], now: Int64) throws -> [DueOccurrence] {
    // `tfs kill` may have asked to end a run just as it came due: it is not started.
    let killRequests = try store.killRequests(armed.map(\.run.id))
    var launchNow: [Supervisor.Prepared] = []
    var ends: [(RunID, RunEnd, [Event])] = []
    var skipped: [(RunID, RunEnd, [Event])] = []
    var withdrawn: [RunID] = []
    var again: [DueOccurrence] = []
    var alerts: [Event] = []
    for row in armed {
      guard case .armed(let p) = row.state else { continue }
      let name = row.spec.name
      if let request = killRequests[row.run.id] {
        ends.append(killedBeforeStart(p.run, by: request.actor, now: now))
      } else {
        let running = busyRuns(name)
        let load = TaskLoad(
          running: running.count, alerted: running.contains { overlapAlerted.contains($0.id) },
          slotFree: slotFree(extra: launchNow.count))
        let input = RunInput.armedDue(prepared: p.spec, current: scheduler.spec(name))
        switch RunRules.decide(input, load: load, now: now, random: &random) {
        case .start:
          launchNow.append(p)
          continue
        case .skip(let reason, let alert):
          // Armed while its previous run was still going, which has not ended: `skip`.
          if alert, let occurrence = occurrence(of: p) {
            overlapAlert(running, occurrence, "skipped", now, &alerts)
          }
          skipped.append((p.run.id, RunEnd(status: .skipped, endedAt: now, reason: reason), []))
        default:
          withdrawn.append(p.run.id)
          if let item = occurrenceAgain(p.run) { again.append(item) }
        }
      }
      table.remove(row.run.id)
      supervisor.discard([p])
    }
    // The alerts go in the same transaction as the skipped runs (with the first: a run killed
    // before it started may have been recorded by `tfs kill` already, which drops its events).
    if !skipped.isEmpty { skipped[0].2 += alerts }
    try store.finishRuns(skipped + ends)  // a kill: unless `tfs kill` recorded the end first
    try store.withdrawQueuedRuns(withdrawn)
    try started(supervisor.launch(launchNow))
    return again
  }

  /// The occurrence a prepared run was armed for, with the zone it was prepared in.
  private func occurrence(of p: Supervisor.Prepared) -> DueOccurrence? {
    guard let at = p.run.scheduledAt else { return nil }
    let zone = ZoneRules.forZone(settings.zone(for: p.spec))
    return DueOccurrence(spec: p.spec, occurrence: Occurrence(task: p.spec.name, at: at / 1000, zone: zone))
  }

  private func killedBeforeStart(_ run: Run, by actor: String, now: Int64) -> (RunID, RunEnd, [Event]) {
    let title = "run \(run.id) of '\(run.task)' killed by \(actor)"
    return (
      run.id, RunEnd(status: .killed, endedAt: now, reason: "killed by \(actor) before it started"),
      [Alerts.make(.killed, run, title: title, now: now, actor: actor)]
    )
  }
}
