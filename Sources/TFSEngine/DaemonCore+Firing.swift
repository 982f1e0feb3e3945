import Foundation
import Logging
import TFSCore
import TFSStore

/// Occurrences into runs: armed ahead of their time, spawned at it, or decided when due.
extension DaemonCore {
  /// Spawns what was armed for now, arms what comes within the lead, and decides the rest.
  func fireDue() throws {
    guard !stopping && !draining else { return }
    let now = clock.nowMs()
    if outage != nil { try dropOutageOccurrences(now: now) }
    var due = try launchArmed(now: now)
    let (popped, missed) = scheduler.popDue(nowSec: now / 1000, upToSec: (now + DaemonCore.leadMs) / 1000)
    if !missed.isEmpty { try record(missed) }
    var ahead: [DueOccurrence] = []
    for item in setAsideForeign(popped) + takeHeld(now: now) {
      if item.occurrence.atMs <= now { due.append(item) } else { ahead.append(item) }
    }
    try arm(ahead, now: now)
    try decideDue(due, now: now)
  }

  /// Which occurrences just ahead are armed now (or wait for their jittered start), with the
  /// runs their tasks have: the others are held and decided when they come.
  private func planArming(_ ahead: [DueOccurrence], now: Int64) -> [(DueOccurrence, startAt: Int64?)] {
    var toArm: [(DueOccurrence, startAt: Int64?)] = []
    var arming: Set<TaskName> = []
    for item in ahead {
      let name = item.spec.name
      let load = TaskLoad(
        running: busyRuns(name).count,
        waiting: table.pendingCount(of: name) + (arming.contains(name) ? 1 : 0),
        slotFree: slotFree(extra: arming.count))
      switch RunRules.decide(.ahead(item.spec, item.occurrence), load: load, now: now, random: &random) {
      case .arm: toArm.append((item, nil))
      case .start(let at): toArm.append((item, at))
      default:
        held.append(item)
        continue
      }
      arming.insert(name)
    }
    return toArm
  }

  /// What other nodes or processes run of `tasks` (of every task under `max-parallel`), as the
  /// store read it under their locks.
  private func refreshElsewhere(_ elsewhere: [TaskName: [Run]]?, of tasks: [TaskName]) {
    guard let elsewhere else { return }
    if settings.maxParallel > 0 {
      runsElsewhere = elsewhere
    } else {
      for name in tasks { runsElsewhere[name] = elsewhere[name] }
    }
  }

  /// The first pass after failing ones: what came due meanwhile is not fired late (nor started,
  /// if it was armed) but recorded missed with the outage (`recordOutage`, once this pass passed).
  private func dropOutageOccurrences(now: Int64) throws {
    _ = scheduler.popDue(nowSec: now / 1000)
    held.removeAll { $0.occurrence.atMs <= now }
    let late = (table.armed + table.unstartable).filter { ($0.run.scheduledAt ?? 0) <= now }
    try store.withdrawQueuedRuns(late.map(\.run.id))
    for row in late {
      table.remove(row.run.id)
      if case .armed(let p) = row.state { supervisor.discard([p]) }
    }
  }

  /// Held occurrences that have come, with their task as it is now (dropped when it was
  /// disabled, removed, or its rule no longer has the occurrence).
  private func takeHeld(now: Int64) -> [DueOccurrence] {
    let ready = held.filter { $0.occurrence.atMs <= now }
    guard !ready.isEmpty else { return [] }
    held.removeAll { $0.occurrence.atMs <= now }
    return ready.compactMap { item in
      scheduler.spec(item.spec.name) == item.spec
        ? item : scheduler.current(item.spec.name, at: item.occurrence.at)
    }
  }

  /// The occurrence of a withdrawn scheduled run, to decide again with its task as it is now.
  func occurrenceAgain(_ run: Run) -> DueOccurrence? {
    run.scheduledAt.flatMap { scheduler.current(run.task, at: $0 / 1000) }
  }

  /// Records and prepares runs for occurrences just ahead (one transaction); a jittered one
  /// waits for its start time instead.
  private func arm(_ ahead: [DueOccurrence], now: Int64) throws {
    guard !ahead.isEmpty else { return }
    var items: [(DueOccurrence, startAt: Int64?)] = []
    let inserted: [Run?]
    do {
      inserted = try store.claimRuns(
        tasks: ahead.map(\.spec.name), pid: pid, everyTask: settings.maxParallel > 0
      ) { elsewhere in
        refreshElsewhere(elsewhere, of: ahead.map(\.spec.name))
        items = planArming(ahead, now: now)
        let rows = items.map { item, _ in
          Run(
            task: item.spec.name, version: item.occurrence.version, trigger: .schedule, status: .queued,
            scheduledAt: item.occurrence.atMs, queuedAt: now)
        }
        return (rows, [])
      }
    } catch {
      held += items.isEmpty ? ahead : items.map(\.0)  // not recorded: decided again when they come
      throw error
    }
    var plain: [(Run, TaskSpec)] = []
    for (i, run) in inserted.enumerated() {
      guard let run else { continue }  // another daemon recorded this occurrence
      if let at = items[i].startAt {
        table.insert(run, items[i].0.spec, .waiting(notBeforeMs: at, force: true))
      } else {
        plain.append((run, items[i].0.spec))
      }
    }
    let (ready, failed) = supervisor.prepare(plain)
    for p in ready { table.insert(p.run, p.spec, .armed(p)) }
    for f in failed { table.insert(f.live.run, f.live.spec, .unstartable(f)) }
  }

  /// Gives up armed runs (shutdown): their occurrence has not come, so their rows are withdrawn
  /// and the next daemon counts those occurrences as missed (after the stop time).
  func disarm() throws {
    let rows = table.armed + table.unstartable
    for row in rows {
      table.remove(row.run.id)
      if case .armed(let p) = row.state { supervisor.discard([p]) }
    }
    try store.withdrawQueuedRuns(rows.map(\.run.id))
  }

  /// Decides due occurrences: one transaction for the new run rows and their alerts, then the
  /// spawns.
  private func decideDue(_ due: [DueOccurrence], now: Int64) throws {
    guard !due.isEmpty else { return }
    var decisions: [RunDecision] = []
    let inserted = try store.claimRuns(
      tasks: due.map(\.spec.name), pid: pid, everyTask: settings.maxParallel > 0
    ) { elsewhere in
      refreshElsewhere(elsewhere, of: due.map(\.spec.name))
      let planned = planDue(due, now: now)
      decisions = planned.decisions
      return (planned.rows, planned.alerts)
    }
    try apply(decisions, to: inserted, due, now: now)
  }

  /// The decision for each due occurrence, each seeing what the earlier ones started, with the
  /// run rows to record and the `overlap` alerts.
  private func planDue(_ due: [DueOccurrence], now: Int64) -> (
    rows: [Run], decisions: [RunDecision], alerts: [Event]
  ) {
    var rows: [Run] = []
    var decisions: [RunDecision] = []
    var alerts: [Event] = []
    var starting: [TaskName: Int] = [:]
    var startingTotal = 0
    var waitingHere: [TaskName: Int] = [:]
    for item in due {
      let name = item.spec.name
      let running = busyRuns(name)
      let load = TaskLoad(
        running: running.count + starting[name, default: 0],
        waiting: table.waitingCount(of: name) + waitingHere[name, default: 0],
        alerted: running.contains { overlapAlerted.contains($0.id) }, slotFree: slotFree(extra: startingTotal)
      )
      let decision = RunRules.decide(.due(item.spec, item.occurrence), load: load, now: now, random: &random)
      var run = Run(
        task: name,
        version: Times.version(epochSeconds: max(item.occurrence.at, now / 1000), zone: item.occurrence.zone),
        trigger: .schedule, status: .queued, scheduledAt: item.occurrence.atMs, queuedAt: now)
      switch decision {
      case .start(let at) where at <= now:
        starting[name, default: 0] += 1
        startingTotal += 1
      case .skip(let reason, let alert):
        (run.status, run.endedAt, run.reason) = (.skipped, now, reason)
        if alert { overlapAlert(running, item, "skipped", now, &alerts) }
      case .queue(let alert), .replace(let alert):
        waitingHere[name, default: 0] += 1
        if alert {
          overlapAlert(
            running, item, decision == .queue(alert: alert) ? "queued" : "replaces it", now, &alerts)
        }
      default:
        waitingHere[name, default: 0] += 1
      }
      rows.append(run)
      decisions.append(decision)
    }
    return (rows, decisions, alerts)
  }

  /// The recorded runs of due occurrences, by their decision: started, waiting, or replacing.
  private func apply(_ decisions: [RunDecision], to inserted: [Run?], _ due: [DueOccurrence], now: Int64)
    throws
  {
    var toStart: [(Run, TaskSpec)] = []
    for (i, run) in inserted.enumerated() {
      guard let run else { continue }  // another daemon recorded this occurrence
      let spec = due[i].spec
      switch decisions[i] {
      case .start(let at) where at > now: table.insert(run, spec, .waiting(notBeforeMs: at, force: true))
      case .start: toStart.append((run, spec))
      case .queue: table.insert(run, spec, .waiting(notBeforeMs: now, force: false))
      case .replace:
        for current in table.live(of: spec.name) { stop(current, .replaced(by: "run \(run.id)")) }
        try stopElsewhere(spec.name, replacedBy: run.id, now: now)
        table.insert(run, spec, .waiting(notBeforeMs: now, force: false))
      default: break
      }
    }
    try launch(toStart)
  }

  /// One `overlap` alert per running run, whatever the policy did with the occurrence.
  func overlapAlert(
    _ running: [Run], _ item: DueOccurrence, _ outcome: String, _ now: Int64, _ alerts: inout [Event]
  ) {
    guard let current = running.first, !overlapAlerted.contains(current.id) else { return }
    overlapAlerted.insert(current.id)
    let when = Times.iso(epochSeconds: item.occurrence.at, zone: item.occurrence.zone)
    alerts.append(
      Alerts.make(
        .overlap, current, title: "'\(item.spec.name)' still running at \(when); occurrence \(outcome)",
        now: now))
  }
}
