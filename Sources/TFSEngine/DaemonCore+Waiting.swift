import Foundation
import Logging
import TFSCore
import TFSStore

/// Runs waiting for their time, a slot or their task (queued, jittered, retries), starting
/// them, and the runs in progress.
extension DaemonCore {
  /// A task's runs in progress: the daemon's own, and those `tfs run --here` started elsewhere
  /// (seen at the last reload; a replace policy cannot stop those, so it waits for them).
  func busyRuns(_ name: TaskName) -> [Run] {
    let now = clock.nowMs()
    // A run another node armed for a later occurrence is not running yet.
    let elsewhere = (runsElsewhere[name] ?? []).filter {
      !($0.status == .queued && $0.trigger == .schedule && ($0.scheduledAt ?? 0) > now)
    }
    return table.live(of: name).map(\.run) + elsewhere
  }

  /// `max-parallel`: on a cluster the runs of other nodes count too, running or about to (queued
  /// for an occurrence of the last second or later: armed there, or waiting there for a slot).
  func slotFree(extra: Int) -> Bool {
    guard settings.maxParallel > 0 else { return true }
    var elsewhere = 0
    if placement != nil {
      let recent = clock.nowMs() - 1_000
      for runs in runsElsewhere.values {
        elsewhere += runs.count(where: {
          $0.status == .running
            || ($0.status == .queued && $0.trigger == .schedule && ($0.scheduledAt ?? 0) >= recent)
        })
      }
    }
    return table.liveCount + extra + elsewhere < settings.maxParallel
  }

  /// Starts waiting runs whose time has come, in the order they were queued, with their task as
  /// it is now; scheduled runs of a task disabled meanwhile are recorded `skipped` instead.
  func startWaiting() throws {
    let waiting = table.waiting
    guard !stopping, !waiting.isEmpty else { return }  // draining (`--once`): they still start
    let now = clock.nowMs()
    var toStart: [(Run, TaskSpec)] = []
    var startingTasks: Set<TaskName> = []
    var dropped: [(RunID, RunEnd, [Event])] = []
    for row in waiting {
      guard case .waiting(let notBefore, let force) = row.state else { continue }
      let spec = scheduler.spec(row.spec.name) ?? row.spec
      let load = TaskLoad(
        running: busyRuns(spec.name).count + (startingTasks.contains(spec.name) ? 1 : 0),
        slotFree: slotFree(extra: toStart.count))
      let input = RunInput.waiting(spec, trigger: row.run.trigger, force: force, notBeforeMs: notBefore)
      switch RunRules.decide(input, load: load, now: now, random: &random) {
      case .start:
        toStart.append((row.run, spec))
        startingTasks.insert(spec.name)
      case .skip(let reason, _):
        table.remove(row.run.id)
        dropped.append((row.run.id, RunEnd(status: .skipped, endedAt: now, reason: reason), []))
      case .replace:
        for case .running(let current) in table.runs(of: spec.name).map(\.state) {
          stop(current, .replaced(by: "run \(row.run.id)"))
        }
        try stopElsewhere(spec.name, replacedBy: row.run.id, now: now)
      default: break
      }
    }
    try store.finishRuns(dropped)
    try launch(toStart)
  }

  /// Starts recorded runs now (one transaction marks them started).
  func launch(_ items: [(Run, TaskSpec)]) throws {
    guard !items.isEmpty else { return }
    try started(supervisor.start(items))
  }

  /// Moves launched runs to `running` (or `stopping`, when `tfs kill` ended them as they were
  /// spawned); records those that could not start.
  func started(_ launched: Supervisor.Launched) throws {
    for live in launched.started {
      let state: RunState =
        launched.killedMeanwhile.contains(live.run.id)
        ? .stopping(live, Stop(reason: .killed(actor: "tfs kill", signal: SIGKILL), killAt: nil))
        : .running(live)
      if table[live.run.id] == nil {
        table.insert(live.run, live.spec, state)
      } else {
        table.move(live.run.id, to: state, spec: live.spec)
      }
      log.info(
        "started",
        metadata: [
          "task": "\(live.spec.name)", "run": .int(live.run.id), "pid": .int(live.pid),
          "trigger": "\(live.run.trigger.rawValue)",
        ])
    }
    for f in launched.failed { table.remove(f.live.run.id) }
    try finish(launched.failed)
    if let error = launched.unmarked { throw error }
  }

  /// Asks a live run to stop: `signal` now, SIGKILL after the grace; the run moves to `stopping`
  /// (a second stop keeps the first reason and the earlier deadline).
  func stop(_ live: LiveRun, _ reason: StopReason, signal: Int32 = SIGTERM, graceMs: Int64? = nil) {
    guard let id = table.id(ofPid: live.pid), let row = table[id] else { return }
    var earlier: Stop?
    if case .stopping(_, let s) = row.state { earlier = s }
    table.move(
      id, to: .stopping(live, supervisor.stop(live, reason, signal: signal, graceMs: graceMs, after: earlier))
    )
  }

  /// Timeouts (an alert; a stop under `on-timeout kill`) and kill graces.
  func checkRunTimers(now: Int64) throws {
    var events: [Event] = []
    for row in table.rows.values {
      guard let live = row.state.live else { continue }
      var stop: Stop?
      if case .stopping(_, let s) = row.state { stop = s }
      let (event, after) = supervisor.checkTimers(live, stop: stop, now: now)
      if let event { events.append(event) }
      if let after, after != stop { table.move(row.run.id, to: .stopping(live, after)) }
    }
    for event in events { try store.record(event) }
  }

  /// Moves what the given runs wrote (stdout, stderr) into their logs, up to `log-max`.
  func drain(_ runs: [LiveRun]) { for run in runs { supervisor.drainOutput(run) } }

  /// The pipes to poll (each live run's stdout and stderr), with their runs.
  var descriptors: [(Int32, LiveRun)] {
    var pipes: [(Int32, LiveRun)] = []
    for run in table.live {
      if run.stdoutFd >= 0 { pipes.append((run.stdoutFd, run)) }
      if run.stderrFd >= 0 { pipes.append((run.stderrFd, run)) }
    }
    return pipes
  }

  /// Children that exited (pid, wait status): their runs end and are recorded.
  func reaped(_ exited: [(pid: Int32, status: Int32)]) throws {
    var ended: [(run: LiveRun, status: Int32, stop: StopReason?)] = []
    for (pid, status) in exited {
      guard let id = table.id(ofPid: pid), let row = table.remove(id), let live = row.state.live else {
        continue
      }
      var stop: StopReason?
      if case .stopping(_, let s) = row.state { stop = s.reason }
      ended.append((live, status, stop))
    }
    try finish(supervisor.ended(ended))
  }
}
