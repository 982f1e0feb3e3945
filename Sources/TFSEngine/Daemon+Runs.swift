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

  /// A task's runs in progress: the daemon's own, and those `tfs run --here` started elsewhere
  /// (seen at the last reload; a replace policy cannot stop those, so it waits for them).
  func busyRuns(_ name: TaskName) -> [Run] {
    supervisor.liveRuns(of: name).map(\.run) + (runsElsewhere[name] ?? [])
  }

  func slotFree(extra: Int) -> Bool {
    settings.maxParallel <= 0 || supervisor.runningCount + extra < settings.maxParallel
  }

  /// Starts waiting runs whose time has come, in the order they were queued, with their task as
  /// it is now; scheduled runs (retries, jittered, queued behind a busy task) of a task disabled
  /// meanwhile are recorded `skipped` instead.
  func startQueued(now: Int64) throws {
    guard !scheduler.waiting.isEmpty else { return }
    var toStart: [(Run, TaskSpec)] = []
    var remaining: [Scheduler.Waiting] = []
    var startingTasks: Set<TaskName> = []
    var dropped: [(RunID, RunEnd, [Event])] = []
    for var w in scheduler.waiting {
      if let current = scheduler.spec(w.spec.name) { w.spec = current }
      if !w.spec.enabled && w.run.trigger != .manual {
        dropped.append(
          (w.run.id, RunEnd(status: .skipped, endedAt: now, reason: "the task was disabled"), []))
        continue
      }
      let busy = !busyRuns(w.spec.name).isEmpty || startingTasks.contains(w.spec.name)
      let ready = w.notBeforeMs <= now && slotFree(extra: toStart.count)
      if ready && (!busy || w.force || w.spec.overlap == .allow) {
        toStart.append((w.run, w.spec))
        startingTasks.insert(w.spec.name)
      } else {
        if ready && busy && w.spec.overlap == .replace && w.run.trigger == .manual {
          for current in supervisor.liveRuns(of: w.spec.name) where current.stop == nil {
            supervisor.stop(current, reason: .replaced(by: "run \(w.run.id)"))
          }
        }
        remaining.append(w)
      }
    }
    scheduler.waiting = remaining
    try store.finishRuns(dropped)
    try launch(toStart)
  }

  private func launch(_ items: [(Run, TaskSpec)]) throws {
    guard !items.isEmpty else { return }
    let (started, failed) = try supervisor.start(items)
    logStarted(started)
    try finish(failed)
  }

  private func logStarted(_ started: [LiveRun]) {
    for run in started {
      log.info(
        "started",
        metadata: [
          "task": "\(run.spec.name)", "run": "\(run.run.id)", "pid": "\(run.pid)",
          "trigger": "\(run.run.trigger.rawValue)",
        ])
    }
  }

  /// Records ended runs (with those a failed write left unrecorded), or keeps them for the next
  /// step when the store refuses: a run that started always gets a record that ends.
  func finish(_ finished: [Supervisor.Finished]) throws {
    let all = unrecorded + finished
    unrecorded = []
    guard !all.isEmpty else { return }
    do {
      try recordEnds(all)
    } catch {
      unrecorded = all
      throw error
    }
  }

  /// Records ended runs and the retries that follow them (one transaction), logs them and
  /// queues the retries.
  private func recordEnds(_ finished: [Supervisor.Finished]) throws {
    let now = clock.nowMs()
    // Whether a retry follows is decided first: the alert policy counts a retry chain once.
    var ends: [(RunID, RunEnd, [Event])] = []
    var retries: [(Run, TaskSpec, Int64)] = []
    for f in finished {
      let spec = scheduler.spec(f.live.spec.name) ?? f.live.spec
      let retryable = f.end.status == .failed || f.end.status == .timedOut
      var end = f.end
      end.retryFollows = retryable && f.live.run.attempt < spec.retries && !stopping
      ends.append((f.live.run.id, end, f.events))
      guard end.retryFollows else { continue }
      let delay = OverlapRules.retryDelay(baseMs: spec.retryDelayMs, attempt: f.live.run.attempt)
      let zone = ZoneRules.forZone(settings.zone(for: spec))
      let retry = Run(
        task: spec.name, version: Times.version(epochSeconds: (now + delay) / 1000, zone: zone),
        trigger: .retry,
        status: .queued, scheduledAt: f.live.run.scheduledAt, queuedAt: now, attempt: f.live.run.attempt + 1)
      retries.append((retry, spec, now + delay))
    }
    let inserted = try store.finishRuns(ends, retries: retries.map(\.0))
    for (i, run) in inserted.enumerated() {
      scheduler.waiting.append(.init(run: run, spec: retries[i].1, force: false, notBeforeMs: retries[i].2))
    }
    for (f, end) in zip(finished, ends.map(\.1)) {
      scheduler.overlapAlerted.remove(f.live.run.id)
      var meta: Logger.Metadata = [
        "task": "\(f.live.spec.name)", "run": "\(f.live.run.id)", "status": "\(end.status.rawValue)",
      ]
      if let code = end.exitCode { meta["exit"] = "\(code)" }
      if let signal = end.signal { meta["signal"] = "\(signal)" }
      if !end.reason.isEmpty { meta["reason"] = "\(end.reason)" }
      log.info("ended", metadata: meta)
    }
  }

  /// Missed occurrences: `missed` run rows (up to a cap), one alert per task, then catch-up.
  func record(_ missed: [Scheduler.Missed], reason: String = "no daemon was running or the clock jumped")
    throws
  {
    guard !missed.isEmpty else { return }
    let now = clock.nowMs()
    var rows: [Run] = []
    var alerts: [Event] = []
    var catchUps: [(Run, TaskSpec)] = []
    for m in missed where m.total + m.recorded.count > 0 {
      for t in m.times {
        rows.append(
          Run(
            task: m.spec.name, version: Times.version(epochSeconds: t, zone: m.zone), trigger: .schedule,
            status: .missed,
            scheduledAt: t * 1000, queuedAt: now, reason: reason))
      }
      let all = (m.recorded + m.times).sorted()
      let count = m.total + m.recorded.count
      let first = Times.iso(epochSeconds: all.first ?? 0, zone: m.zone)
      alerts.append(
        Event(
          at: now, type: EventType.missed.rawValue, task: m.spec.name.rawValue, actor: "tfs",
          title: "\(count) occurrence\(count == 1 ? "" : "s") of '\(m.spec.name)' missed since \(first)",
          details: JSON.object([
            "count": String(count), "first": first, "catch_up": m.spec.catchUp.rawValue,
          ]),
          delivery: "pending"))
      let window = m.spec.catchUpWindowMs.map { now - $0 } ?? Int64.min
      let eligible = all.filter { $0 * 1000 >= window }
      let picked: [Int64] =
        switch m.spec.catchUp {
        case .none: []
        case .once: eligible.last.map { [$0] } ?? []
        case .all: eligible
        }
      for t in picked {
        let run = Run(
          task: m.spec.name, version: Times.version(epochSeconds: now / 1000, zone: m.zone),
          trigger: .catchUp,
          status: .queued, scheduledAt: t * 1000, queuedAt: now)
        catchUps.append((run, m.spec))
      }
      log.notice(
        "missed", metadata: ["task": "\(m.spec.name)", "count": "\(count)", "catch_up": "\(picked.count)"])
    }
    try store.insertRuns(rows, events: alerts)
    let inserted = try store.insertRunsReturning(catchUps.map(\.0), executorPid: nil)
    for (i, run) in inserted.enumerated() {
      scheduler.waiting.append(.init(run: run, spec: catchUps[i].1, force: false, notBeforeMs: now))
    }
  }

  /// Re-reads tasks, settings and queued runs after another process wrote to the store.
  func reloadFromStore(now: Int64) throws {
    let stored = try store.settings()
    let fresh = EffectiveSettings(stored: stored, home: options.home)
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
    runsElsewhere = Dictionary(
      grouping: try store.runsElsewhere(than: pid).filter { ProcessControl.isAlive($0.executor) }.map(\.run),
      by: \.task)
    try loadQueued()
  }

  /// Picks up runs queued by `tfs run` and drops waiting runs that were killed or removed.
  func loadQueued() throws {
    let queued = try store.queuedRuns()
    let ids = Set(queued.map { $0.0.id })
    scheduler.waiting.removeAll { !ids.contains($0.run.id) }
    let known = Set(scheduler.waiting.map(\.run.id)).union(armed.flatMap { $0.prepared.map(\.run.id) })
      .union(pendingFailures.map(\.live.run.id))
    let now = clock.nowMs()
    var orphans: [(RunID, RunEnd, [Event])] = []
    defer { try? store.finishRuns(orphans) }
    for (run, force) in queued where !known.contains(run.id) {
      guard let spec = scheduler.spec(run.task) else {
        // Queued by `tfs run` just as the task was removed: end it rather than keep it forever.
        orphans.append(
          (run.id, RunEnd(status: .failed, endedAt: now, reason: "task '\(run.task)' was removed"), []))
        continue
      }
      scheduler.waiting.append(.init(run: run, spec: spec, force: force, notBeforeMs: now))
    }
  }

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
