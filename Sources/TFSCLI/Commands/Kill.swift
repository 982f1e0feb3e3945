import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Kill: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kill",
    abstract: "Stop the current run of a task: a signal to its process group, SIGKILL after the grace.",
    discussion: "Returns once the run is recorded as ended (status killed). Exit 1 when nothing runs.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name.", completion: Completions.taskNames) var name: String
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Stop this run (id) instead of every live run of the task.", valueName: "id"),
    completion: Completions.runIDs)
  var run: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Signal to send first (TERM, INT, HUP, KILL, a number…).", valueName: "sig"))
  var signal = "TERM"
  @Option(parsing: .unconditional, help: ArgumentHelp("Time before SIGKILL.", valueName: "dur")) var grace =
    "10s"
  @Flag(help: "Also disable the task.") var disable = false

  func run() async throws {
    try await runCLI {
      let name = try taskName(name)
      guard let signo = ProcessControl.signalNumber(signal) else {
        throw ValidationError("invalid --signal '\(signal)'; use TERM, INT, HUP, KILL or a number")
      }
      let graceMs = try Durations.parse(grace)
      let runID = try run.map { text in
        guard let id = Int64(text), id > 0 else {
          throw ValidationError("invalid --run '\(text)'; use a run id from 'tfs history \(name)'")
        }
        return id
      }
      let context = try Context(global, create: false)
      _ = try context.task(name)
      if disable {
        try context.store.updateTask(name, actor: Actor.current(), now: context.now, eventType: .disabled) {
          $0.enabled = false
        }
        Nudge.daemon(context.home)
      }
      var targets = try context.store.liveRuns(task: name, dueBy: context.now)
      if let id = runID { targets = targets.filter { $0.id == id } }
      guard !targets.isEmpty else {
        throw CLIError.failed(
          runID.map { "run \($0) of '\(name)' is not running" } ?? "no run of '\(name)' is running")
      }
      for target in targets {
        let ended = try await KillRun.stop(context: context, run: target, signal: signo, graceMs: graceMs)
        Terminal.out("killed run \(ended.id) of '\(name)' (\(ended.status.rawValue))")
      }
    }
  }
}

/// Stops one live run and waits until it is recorded as ended (shared with `remove --kill`).
enum KillRun {
  static func stop(context: Context, run: Run, signal: Int32, graceMs: Int64) async throws -> Run {
    let actor = Actor.current()
    let store = context.store
    guard try store.requestKill(run.id, signal: signal, actor: actor, now: context.now) else {
      return try store.run(run.id) ?? run
    }
    var run = run
    if run.status == .queued {
      // Ended here only if it is still queued: a run the daemon started since `run` was read
      // is stopped like any running one (the daemon no longer starts it once asked to kill).
      if try store.finishQueuedRun(
        run.id, RunEnd(status: .killed, endedAt: context.now, reason: "killed by \(actor) before it started"),
        events: [killedEvent(run, actor: actor, now: context.now)])
      {
        Nudge.daemon(context.home)
        return try store.run(run.id) ?? run
      }
      run = try store.run(run.id) ?? run
      if run.status.isFinal { return run }
    }
    if store.isPostgres { return try await waitForNode(store: store, run: run, graceMs: graceMs) }
    if let pid = run.pid {
      ProcessControl.signalGroup(pid: pid, processStart: run.processStart, signal: signal)
    }
    let start = Date()
    var killSent = signal == SIGKILL
    while true {
      if let fresh = try store.run(run.id), fresh.status.isFinal { return fresh }
      let elapsed = Int64(Date().timeIntervalSince(start) * 1000)
      if !killSent && elapsed >= graceMs, let pid = run.pid {
        ProcessControl.signalGroup(pid: pid, processStart: run.processStart, signal: SIGKILL)
        killSent = true
      }
      let (executor, _) = try store.executor(of: run.id)
      let executorGone = executor.map { !ProcessControl.isAlive($0) } ?? true
      if executorGone && (killSent || elapsed > graceMs + 5000) {
        // Nobody will record the end: do it here, after whatever the run left behind (its leader
        // may have exited, leaving grandchildren the group signal above could not reach).
        ProcessControl.killRuns([run.id: context.settings.paths(run.task).folder])
        let now = SystemClock().nowMs()
        try store.finishRun(
          run.id, RunEnd(status: .killed, endedAt: now, signal: signal, reason: "killed by \(actor)"),
          events: [killedEvent(run, actor: actor, now: now)])
        return try store.run(run.id) ?? run
      }
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  /// On a cluster the run's node stops it (it hears of the request through the store) and
  /// records the end; a node that died has its runs recorded lost by its peers instead.
  static func waitForNode(store: Store, run: Run, graceMs: Int64) async throws -> Run {
    let deadline = Date().addingTimeInterval(Double(graceMs) / 1000 + 30)
    while Date() < deadline {
      if let fresh = try store.run(run.id), fresh.status.isFinal { return fresh }
      try await Task.sleep(for: .milliseconds(20))
    }
    return try store.run(run.id) ?? run
  }

  static func killedEvent(_ run: Run, actor: String, now: Int64) -> Event {
    Event(
      at: now, type: EventType.killed.rawValue, task: run.task.rawValue, runID: run.id, actor: actor,
      title: "run \(run.id) of '\(run.task)' killed by \(actor)",
      details: JSON.object(["version": run.version, "run_id": String(run.id)]), delivery: "pending")
  }
}
