import Foundation
import Logging
import TFSCore
import TFSStore

/// Runs waiting for their time, a slot or their task (queued, jittered, retries), and starting them.
extension Daemon {
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

  func launch(_ items: [(Run, TaskSpec)]) throws {
    guard !items.isEmpty else { return }
    let (started, failed) = try supervisor.start(items)
    logStarted(started)
    try finish(failed)
  }

  func logStarted(_ started: [LiveRun]) {
    for run in started {
      log.info(
        "started",
        metadata: [
          "task": "\(run.spec.name)", "run": "\(run.run.id)", "pid": "\(run.pid)",
          "trigger": "\(run.run.trigger.rawValue)",
        ])
    }
  }
}
