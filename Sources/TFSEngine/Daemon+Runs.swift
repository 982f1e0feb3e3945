import Foundation
import Logging
import TFSCore
import TFSStore

/// Turning occurrences and queued runs into processes, and finished processes into records.
extension Daemon {
  /// How long before an occurrence the run of an idle task is recorded and prepared (folders,
  /// log file, pipe), so that at the second boundary only `posix_spawn` is left to do.
  static let leadMs: Int64 = 250

  /// Spawns what was armed for now, arms what is due within the lead, and decides the rest.
  func fireDue(now: Int64) throws {
    var due = try launchArmed(now: now)
    let (popped, missed) = scheduler.popDue(nowSec: now / 1000, upToSec: (now + Daemon.leadMs) / 1000)
    if !missed.isEmpty { try record(missed) }
    var toArm: [(TaskSpec, Int64, ZoneRules)] = []
    var arming: Set<TaskName> = []
    // Tasks with a run waiting or armed (computed once per pass, not per occurrence).
    var waiting = Set(scheduler.waiting.filter { $0.run.trigger != .retry }.map(\.spec.name))
    for entry in armed { for p in entry.prepared { waiting.insert(p.spec.name) } }
    for item in popped + takeDeferred(now: now) {
      let (spec, at, _) = item
      if at * 1000 <= now {
        due.append(item)
      } else if armable(spec, waiting: waiting) && !arming.contains(spec.name)
        && slotFree(extra: arming.count)
      {
        toArm.append(item)
        arming.insert(spec.name)
      } else {
        deferred.append(item)  // the overlap policy decides at the occurrence
      }
    }
    try arm(toArm, now: now)
    try decideAndStart(due, now: now)
  }

  /// Whether the run of an occurrence just ahead can be recorded and prepared now: the task is
  /// idle, or still running under `skip` or `allow`, whose outcome `launchArmed` decides at the
  /// occurrence from a prepared run (start it, or record it skipped). Under `queue` and
  /// `replace`, and with a run already waiting, the occurrence is decided when it comes.
  ///
  /// A task firing every second is usually still running (or not yet reaped) when its next
  /// occurrence is armed; without this, 1,000 such tasks fell back to preparing their runs at
  /// the boundary, and the lag grew from 0.5 s to over 1 s.
  private func armable(_ spec: TaskSpec, waiting: Set<TaskName>) -> Bool {
    guard !waiting.contains(spec.name) else { return false }
    let decidedAtLaunch = spec.overlap == .skip || spec.overlap == .allow
    return busyRuns(spec.name).isEmpty || (spec.jitterMs == 0 && decidedAtLaunch)
  }

  /// Deferred occurrences that have come, with their task as it is now (dropped when it was
  /// disabled, removed, or its rule no longer has the occurrence).
  private func takeDeferred(now: Int64) -> [(TaskSpec, Int64, ZoneRules)] {
    let ready = deferred.filter { $0.1 * 1000 <= now }
    deferred.removeAll { $0.1 * 1000 <= now }
    return ready.compactMap { spec, at, zone in
      scheduler.spec(spec.name) == spec ? (spec, at, zone) : revalidated(spec.name, at: at)
    }
  }

  /// Whether a run prepared with `spec` may start as prepared: its task is unchanged and enabled.
  private func isCurrent(_ spec: TaskSpec) -> Bool { spec.enabled && scheduler.spec(spec.name) == spec }

  /// The occurrence of a withdrawn scheduled run, to decide again with its task as it is now.
  private func occurrenceAgain(_ run: Run) -> (TaskSpec, Int64, ZoneRules)? {
    run.scheduledAt.flatMap { revalidated(run.task, at: $0 / 1000) }
  }

  /// Occurrence `at` of a task that changed since it was popped: with the task as it is now, or
  /// nil when the task was disabled or removed meanwhile, or its rule no longer has `at`.
  private func revalidated(_ name: TaskName, at: Int64) -> (TaskSpec, Int64, ZoneRules)? {
    guard let current = scheduler.spec(name), current.enabled else { return nil }
    let zone = ZoneRules.forZone(settings.zone(for: current))
    return current.rule.next(after: at - 1, in: zone) == at ? (current, at, zone) : nil
  }

  /// Records and prepares runs for occurrences just ahead (one transaction).
  private func arm(_ items: [(TaskSpec, Int64, ZoneRules)], now: Int64) throws {
    guard !items.isEmpty else { return }
    let rows = items.map { spec, at, zone in
      Run(
        task: spec.name, version: Times.version(epochSeconds: at, zone: zone), trigger: .schedule,
        status: .queued, scheduledAt: at * 1000, queuedAt: now)
    }
    let inserted = try store.insertRunsReturning(rows, executorPid: nil)
    var jittered: [(Run, TaskSpec)] = []
    var plain: [(Run, TaskSpec)] = []
    for (i, run) in inserted.enumerated() {
      if items[i].0.jitterMs > 0 {
        jittered.append((run, items[i].0))
      } else {
        plain.append((run, items[i].0))
      }
    }
    for (run, spec) in jittered {
      let delay = Int64.random(in: 0..<spec.jitterMs)
      scheduler.waiting.append(
        .init(run: run, spec: spec, force: true, notBeforeMs: run.scheduledAt! + delay))
    }
    let (ready, failed) = supervisor.prepare(plain)
    var byTime: [Int64: [Supervisor.Prepared]] = [:]
    for p in ready { byTime[p.run.scheduledAt!, default: []].append(p) }
    for (at, prepared) in byTime { armed.append((atMs: at, prepared: prepared)) }
    pendingFailures += failed
  }

  /// Spawns the armed runs whose occurrence has come. Those whose task changed after they were
  /// prepared are withdrawn; the occurrences their task (enabled, its rule still matching) still
  /// has are returned, to be decided again with the task as it is now.
  private func launchArmed(now: Int64) throws -> [(TaskSpec, Int64, ZoneRules)] {
    var launchNow: [Supervisor.Prepared] = []
    var skipped: [(Supervisor.Prepared, String)] = []
    var withdrawn: [Supervisor.Prepared] = []
    var again: [(TaskSpec, Int64, ZoneRules)] = []
    var alerts: [Event] = []
    var dueNow: [Supervisor.Prepared] = []
    var notStarted: [Supervisor.Prepared] = []  // killed as they came due
    armed.removeAll { entry in
      guard entry.atMs <= now else { return false }
      dueNow += entry.prepared
      return true
    }
    // `tfs kill` may have asked to end a run just as it came due: it is not started.
    let killRequests = dueNow.isEmpty ? [:] : try store.killRequests(dueNow.map(\.run.id))
    var killed: [(RunID, RunEnd, [Event])] = []
    for p in dueNow {
      if let request = killRequests[p.run.id] {
        notStarted.append(p)
        let reason = "killed by \(request.actor) before it started"
        let title = "run \(p.run.id) of '\(p.spec.name)' killed by \(request.actor)"
        killed.append(
          (
            p.run.id, RunEnd(status: .killed, endedAt: now, reason: reason),
            [Alerts.make(.killed, p.run, title: title, now: now, actor: request.actor)]
          ))
        continue
      }
      let running = busyRuns(p.spec.name)
      let idle = running.isEmpty || p.spec.overlap == .allow
      guard isCurrent(p.spec), idle ? slotFree(extra: launchNow.count) : p.spec.overlap == .skip else {
        // Changed after the run was prepared (`modify` or `disable` in the last moments), or
        // busy under `queue`/`replace` or beyond max-parallel (a run started meanwhile): the
        // prepared run is withdrawn and the occurrence decided again if the task still has it.
        withdrawn.append(p)
        if let item = occurrenceAgain(p.run) { again.append(item) }
        continue
      }
      if idle {
        launchNow.append(p)
      } else {
        // Armed while its previous run was still going, which has not ended: `skip`.
        skipped.append((p, "previous run still running (overlap skip)"))
        let at = p.run.scheduledAt.map { $0 / 1000 } ?? now / 1000
        let zone = ZoneRules.forZone(settings.zone(for: p.spec))
        overlapAlert(running, p.spec, at, zone, "skipped", now, &alerts)
      }
    }
    if !skipped.isEmpty {
      supervisor.discard(skipped.map(\.0))
      // The alerts go in the same transaction as the skipped runs (with the first).
      try store.finishRuns(
        skipped.enumerated().map { i, item in
          (item.0.run.id, RunEnd(status: .skipped, endedAt: now, reason: item.1), i == 0 ? alerts : [])
        })
    }
    if !withdrawn.isEmpty {
      supervisor.discard(withdrawn)
      try store.withdrawQueuedRuns(withdrawn.map(\.run.id))
    }
    supervisor.discard(notStarted)
    try store.finishRuns(killed)  // unless `tfs kill` recorded the end first
    // Runs that could not be prepared (entry missing…) fail at their occurrence, unless their
    // task changed meanwhile (e.g. `modify --entry` fixed it): then decided again like above.
    var due: [Supervisor.Finished] = []
    var stale: [RunID] = []
    for f in pendingFailures where (f.live.run.scheduledAt ?? 0) <= now {
      if isCurrent(f.live.spec) {
        due.append(f.recorded(at: max(now, f.live.run.scheduledAt ?? now)))
      } else {
        stale.append(f.live.run.id)
        if let item = occurrenceAgain(f.live.run) { again.append(item) }
      }
    }
    pendingFailures.removeAll { ($0.live.run.scheduledAt ?? 0) <= now }
    try store.withdrawQueuedRuns(stale)
    let (started, failed) = try supervisor.launch(launchNow)
    logStarted(started)
    try finish(due + failed)
    return again
  }

  /// Gives up armed runs (shutdown): their occurrence has not come, so their rows are withdrawn
  /// and the next daemon counts those occurrences as missed (after the stop time).
  func disarm(now: Int64) throws {
    let all = armed.flatMap(\.prepared)
    armed = []
    supervisor.discard(all)
    try store.withdrawQueuedRuns(all.map(\.run.id) + pendingFailures.map(\.live.run.id))
    pendingFailures = []
  }

  /// Decides due occurrences with the overlap policy: one transaction for the new run rows,
  /// then the spawns.
  private func decideAndStart(_ due: [(TaskSpec, Int64, ZoneRules)], now: Int64) throws {
    guard !due.isEmpty else { return }
    var rows: [Run] = []
    var decisions: [FireDecision] = []
    var alerts: [Event] = []
    var startingPerTask: [TaskName: Int] = [:]
    var starting = 0
    var waitingPerTask: [TaskName: Int] = [:]
    // A retry waiting for its delay belongs to an earlier occurrence: it does not hold this one back.
    for w in scheduler.waiting where w.run.trigger != .retry { waitingPerTask[w.spec.name, default: 0] += 1 }
    for (spec, at, zone) in due {
      let running = busyRuns(spec.name)
      let queued = waitingPerTask[spec.name, default: 0]
      let decision = OverlapRules.decide(
        policy: spec.overlap, running: running.count + startingPerTask[spec.name, default: 0], queued: queued,
        force: false, slotFree: slotFree(extra: starting),
        alreadyAlerted: running.contains { scheduler.overlapAlerted.contains($0.id) })
      var run = Run(
        task: spec.name, version: Times.version(epochSeconds: max(at, now / 1000), zone: zone),
        trigger: .schedule,
        status: .queued, scheduledAt: at * 1000, queuedAt: now)
      switch decision {
      case .start:
        starting += 1
        startingPerTask[spec.name, default: 0] += 1
      case .skip(let alert):
        run.status = .skipped
        run.endedAt = now
        run.reason =
          running.isEmpty ? "a run is already waiting to start" : "previous run still running (overlap skip)"
        if alert { overlapAlert(running, spec, at, zone, "skipped", now, &alerts) }
      case .queue:
        overlapAlert(running, spec, at, zone, "queued", now, &alerts)
      case .replace:
        overlapAlert(running, spec, at, zone, "replaces it", now, &alerts)
      }
      rows.append(run)
      decisions.append(decision)
    }
    let inserted = try store.insertRunsReturning(rows, executorPid: nil, events: alerts)
    var toStart: [(Run, TaskSpec)] = []
    for (i, run) in inserted.enumerated() {
      let spec = due[i].0
      switch decisions[i] {
      case .start where spec.jitterMs > 0:
        let delay = Int64.random(in: 0..<spec.jitterMs)
        scheduler.waiting.append(.init(run: run, spec: spec, force: true, notBeforeMs: now + delay))
      case .start: toStart.append((run, spec))
      case .queue: scheduler.waiting.append(.init(run: run, spec: spec, force: false, notBeforeMs: now))
      case .replace:
        for current in supervisor.liveRuns(of: spec.name) {
          supervisor.stop(current, reason: .replaced(by: "run \(run.id)"))
        }
        scheduler.waiting.append(.init(run: run, spec: spec, force: false, notBeforeMs: now))
      case .skip: break
      }
    }
    try launch(toStart)
  }

  /// One `overlap` alert per running run, whatever the policy did with the occurrence.
  private func overlapAlert(
    _ running: [Run], _ spec: TaskSpec, _ at: Int64, _ zone: ZoneRules, _ outcome: String, _ now: Int64,
    _ alerts: inout [Event]
  ) {
    guard let current = running.first, !scheduler.overlapAlerted.contains(current.id) else { return }
    scheduler.overlapAlerted.insert(current.id)
    let when = Times.iso(epochSeconds: at, zone: zone)
    alerts.append(
      Alerts.make(
        .overlap, current, title: "'\(spec.name)' still running at \(when); occurrence \(outcome)",
        now: now))
  }
}
