import ArgumentParser
import TFSCore
import TFSStore

struct Apply: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Make the tasks match a task file: adds, changes and (with --prune) removes.",
    discussion: """
      Prints the plan (+ added, ~ changed with each field old → new, - removed) and applies it \
      in one transaction: all of it or nothing. Every problem in the file is listed with its \
      line (exit 64, nothing written). Applying the same file again changes nothing. Tasks the \
      file lacks stay, unless --prune removes them: all of them, or with PREFIX only PREFIX and \
      the tasks under PREFIX/. Each change is audited like add, modify and remove.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(
    help: ArgumentHelp("The task file, '-' for stdin.", valueName: "file"),
    completion: .file(extensions: ["toml"]))
  var file: String
  @Flag(help: "Remove the tasks the file lacks (only under PREFIX when given).") var prune = false
  @Argument(
    help: ArgumentHelp("With --prune: the group it is confined to.", valueName: "prefix"),
    completion: Completions.taskNames)
  var prefix: String?
  @Flag(help: "Print the plan; write nothing.") var dryRun = false

  func run() async throws {
    try await runCLI {
      guard prune || prefix == nil else {
        throw ValidationError("unexpected '\(prefix!)'; a prefix goes with --prune ('--prune \(prefix!)')")
      }
      let scope = try TaskScope(prefix)
      let text = try TaskFiles.read(file)
      let context = try Context(global)
      let source = file == "-" ? "stdin" : file
      let wanted: [TaskSpec]
      do {
        wanted = try TaskFiles.tasks(text, source: source, context: context)
      } catch let problems as TaskFileProblems {
        throw problems.report()
      }
      let removing: ((TaskName) -> Bool)? = prune ? { scope.contains($0) } : nil
      let plan = TaskPlan(current: try context.store.tasks().map(\.spec), wanted: wanted, removing: removing)
      try TaskFiles.apply(plan, context: context, dryRun: dryRun)
    }
  }
}
