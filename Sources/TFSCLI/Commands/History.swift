import ArgumentParser
import TFSCore
import TFSStore

struct History: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "List runs, newest first; with --files, the files a run published.",
    discussion: """
      Columns: ID, TASK, VERSION, TRIGGER, STARTED, DURATION, STATUS, EXIT ('sig N' when a signal \
      ended the run). --since and --until compare with the time a run was queued (its occurrence); \
      they take ISO-8601, a date (2024-03-10, local midnight) or an age (2h, 3d: that long ago). \
      'tfs history NAME --files [RUN]' lists the files RUN (default: the last run) published, \
      relative to the task's history/<version>/ folder, with their sizes in bytes.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name (default: every task).", completion: Completions.taskNames) var name: String?
  @Argument(
    help: ArgumentHelp("With --files: run id or version (default: the last run).", valueName: "run"),
    completion: Completions.runIDs)
  var reference: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Runs queued at or after this time.", valueName: "time"))
  var since: String?
  @Option(parsing: .unconditional, help: ArgumentHelp("Runs queued before this time.", valueName: "time"))
  var until: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Only runs in this status (\(History.statuses)).", valueName: "status"),
    completion: Completions.statuses)
  var status: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Only runs that exited with this code.", valueName: "n"))
  var exitCode: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Only runs started by this trigger (\(History.triggers)).", valueName: "trigger"),
    completion: Completions.triggers)
  var trigger: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("At most N runs (default 50; 0 = all).", valueName: "n"))
  var limit: String?
  @Flag(help: "List the files a run published instead of runs.") var files = false
  @OptionGroup var output: JSONOption

  static let statuses = RunStatus.allCases.map(\.rawValue).joined(separator: ", ")
  static let triggers = Trigger.allCases.map(\.rawValue).joined(separator: ", ")

  func run() async throws {
    try await runCLI {
      let name = try name.map(taskName)
      let clock = try global.clock()
      let filter = try self.filter(task: name, nowMs: clock.nowMs(), zone: localZone)
      let context = try Context(global, create: false)
      if let name, try context.store.task(name) == nil, try !context.store.hasRuns(task: name) {
        throw StoreError.noSuchTask(name.rawValue)
      }
      if files, let name {
        let run = try Logs.find(name, reference, context.store)
        let published = try context.store.publishedFiles(run.id)
        let folder = context.settings.paths(name).history(version: run.version)
        let node = try context.store.node(ofRun: run.id)
        if output.json {
          Terminal.out(FilesTable.json(run, folder: folder, files: published, node: node).render())
        } else {
          Terminal.out(
            "run \(run.id) (\(run.version)) published into \(folder)/\(node.map { " on node \($0)" } ?? "")")
          Terminal.out(published.isEmpty ? "nothing" : FilesTable.render(published))
        }
        return
      }
      // One run more than the limit says whether it cut the list.
      var probe = filter
      if probe.limit >= 0 { probe.limit += 1 }
      var runs = try context.store.runs(probe)
      let cut = filter.limit >= 0 && runs.count > filter.limit
      if cut { runs.removeLast() }
      if output.json {
        Terminal.out(JSONValue.array(runs.map { Render.run($0, zone: context.localZone) }).render())
      } else {
        Terminal.out(HistoryTable.render(runs, zone: context.localZone))
      }
      if cut {
        Terminal.warnLine(
          "(the newest \(plural(filter.limit, "run")); --limit N for more, --limit 0 for all)")
      }
    }
  }

  var localZone: ZoneRules { ZoneRules.forZone(.current) }

  /// Validates every flag (exit 64 with one line naming the bad value) into a store filter.
  func filter(task: TaskName?, nowMs: Int64, zone: ZoneRules) throws -> RunFilter {
    if files {
      guard task != nil else {
        throw CLIError.usage("--files needs a task name: tfs history NAME --files [RUN]")
      }
      let used = [
        ("--since", since), ("--until", until), ("--status", status), ("--exit-code", exitCode),
        ("--trigger", trigger), ("--limit", limit),
      ].filter { $0.1 != nil }.map(\.0)
      if let flag = used.first { throw CLIError.usage("\(flag) cannot be combined with --files") }
    } else if let reference {
      throw CLIError.usage("unexpected argument '\(reference)'; a run is only given with --files")
    }
    var filter = RunFilter(task: task?.rawValue)
    filter.sinceMs = try since.map { try Times.parse($0, now: nowMs, zone: zone) }
    filter.untilMs = try until.map { try Times.parse($0, now: nowMs, zone: zone) }
    if let s = filter.sinceMs, let u = filter.untilMs, s >= u {
      throw CLIError.usage("--since '\(since ?? "")' is not before --until '\(until ?? "")'")
    }
    filter.status = try status.map { try RunStatus.parse($0, flag: "--status") }
    filter.trigger = try trigger.map { try Trigger.parse($0, flag: "--trigger") }
    if let exitCode {
      guard let code = Int32(exitCode) else {
        throw CLIError.usage("invalid --exit-code '\(exitCode)'; use an integer such as 0 or 1")
      }
      filter.exitCode = code
    }
    if let limit {
      guard let n = Int(limit), n >= 0 else {
        throw CLIError.usage("invalid --limit '\(limit)'; use a number of runs (0 = all)")
      }
      filter.limit = n == 0 ? -1 : n
    }
    return filter
  }
}
