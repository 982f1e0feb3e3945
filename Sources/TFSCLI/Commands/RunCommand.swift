import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Start a run now (trigger manual), through the daemon or --here.",
    discussion: """
      Works on disabled tasks. Obeys the task's overlap policy unless --force. Without --wait it \
      returns once the daemon has started the run ('run 12 of 'x' started'), or says it is \
      queued when it must wait (overlap queue, max-parallel); --wait and --here exit with the \
      run's exit code (128+signal when killed), and --follow streams its output meanwhile.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name.", completion: Completions.taskNames) var name: String
  @Flag(help: "Block until the run ends and exit with its code.") var wait = false
  @Flag(help: "Run in this process (no daemon needed), streaming the log to stdout.") var here = false
  @Flag(help: "Start even while another run of the task is active.") var force = false
  @Flag(help: "Print the run's output as it comes (like 'tfs logs -f'); implies --wait.") var follow = false

  func run() async throws {
    try await runCLI {
      let name = try taskName(name)
      let context = try Context(global, create: false)
      let record = try context.task(name)
      let spec = record.spec
      if !here, try !context.daemonRunning() {
        throw CLIError.noDaemon(
          "no daemon is running for \(context.store.isPostgres ? context.store.path : context.home.path); start 'tfs daemon' or use 'tfs run \(name) --here'"
        )
      }
      let live = try context.store.liveRuns(task: name, dueBy: context.now)
      if !force, let current = live.first, spec.overlap == .skip {
        throw CLIError.failed(
          "task '\(name)' is already running (run \(current.id)); use --force to start another")
      }
      let zone = ZoneRules.forZone(context.settings.zone(for: spec))
      let now = context.now
      let queued = Run(
        task: name, version: Times.version(epochSeconds: now / 1000, zone: zone), trigger: .manual,
        status: .queued,
        queuedAt: now, actor: Actor.current())
      if here {
        let run = try context.store.insertRun(queued, force: force, executorPid: getpid())
        Nudge.daemon(context.home)  // a running daemon counts this run for the overlap policy
        Terminal.warnLine("run \(run.id) of '\(name)' started here")
        let ended = try HereRunner(store: context.store, settings: context.settings, clock: context.clock)
          .execute(run, spec: spec, echo: STDOUT_FILENO)
        Nudge.daemon(context.home)
        Terminal.warnLine(RunCommand.summary(ended))
        if ended.shellExitCode != 0 { throw CLIError.exit(ended.shellExitCode) }
        return
      }
      let run = try context.store.insertRun(queued, force: force)
      Nudge.daemon(context.home)
      let seen = try await RunCommand.started(run, store: context.store)
      let state = seen.startedAt != nil ? "started" : seen.status.isFinal ? seen.status.rawValue : "queued"
      Terminal.out("run \(run.id) of '\(name)' \(state) (\(run.version))")
      guard wait || follow else { return }
      if follow {
        try await Logs.follow(
          seen, paths: context.settings.paths(name), lines: nil, store: context.store,
          cap: context.settings.logMax,
          home: context.home)
      }
      let last = try await RunCommand.waitForEnd(seen, context: context)
      Terminal.warnLine(RunCommand.summary(last))
      if last.shellExitCode != 0 { throw CLIError.exit(last.shellExitCode) }
    }
  }

  /// Polls the run until it ends; fails (69) when the daemon goes away under it.
  static func waitForEnd(_ run: Run, context: Context) async throws -> Run {
    var last = run
    let name = run.task
    var daemonGoneSince: Date?
    while !last.status.isFinal {
      try await Task.sleep(for: .milliseconds(50))
      guard let fresh = try context.store.run(run.id) else { throw StoreError.noSuchRun("\(run.id)") }
      last = fresh
      // The daemon died (or stopped) under the run: the next daemon resolves it, not us.
      if try context.daemonRunning() {
        daemonGoneSince = nil
      } else if let since = daemonGoneSince, Date().timeIntervalSince(since) > 2, !last.status.isFinal {
        throw CLIError.noDaemon(
          "the daemon stopped before run \(run.id) of '\(name)' ended; the next 'tfs daemon' resolves it")
      } else if daemonGoneSince == nil {
        daemonGoneSince = Date()
      }
    }
    return last
  }

  /// The run once the daemon has started it (or ended it without a start), or as it is after
  /// 3 s (still queued: it waits for its turn).
  static func started(_ run: Run, store: Store) async throws -> Run {
    let deadline = Date().addingTimeInterval(3)
    var last = run
    while last.startedAt == nil && !last.status.isFinal && Date() < deadline {
      try await Task.sleep(for: .milliseconds(5))
      last = try store.run(run.id) ?? last
    }
    return last
  }

  static func summary(_ run: Run) -> String {
    var text = "run \(run.id) of '\(run.task)' \(run.status.rawValue)"
    if let code = run.exitCode { text += " (exit \(code))" }
    if let signal = run.signal { text += " (signal \(signal))" }
    if let d = run.durationMs { text += " in \(Durations.format(milliseconds: d))" }
    if !run.reason.isEmpty { text += ": \(run.reason)" }
    return text
  }
}
