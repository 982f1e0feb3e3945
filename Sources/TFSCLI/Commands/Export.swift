import ArgumentParser
import TFSCore

struct Export: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Print task definitions as a task file for 'tfs apply'.",
    discussion: """
      The file is TOML: one [[task]] table per task, keyed like the flags of 'tfs add' \
      (docs/TASKFILE.md). Only fields that differ from add's defaults are written, so \
      'tfs export > tasks.toml; tfs apply tasks.toml' changes nothing. NAME selects that task \
      and every task under NAME/.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(
    help: ArgumentHelp("A task or a group of tasks (default: every task).", valueName: "name"),
    completion: Completions.taskNames)
  var selection: String?

  func run() async throws {
    try await runCLI {
      let scope = try TaskScope(selection)
      let context = try Context(global, create: false)
      let specs = try scope.tasks(in: context.store)
      if let root = scope.root, specs.isEmpty {
        throw CLIError.failed("no task '\(root)' and none under '\(root)/'; see 'tfs list'")
      }
      Terminal.out(bytes: Array(TaskFiles.export(specs, context: context).utf8))
    }
  }
}

extension TaskFiles {
  /// The task file of `specs`, with a header saying how to use it.
  static func export(_ specs: [TaskSpec], context: Context) -> String {
    TaskFile.encode(
      specs, defaults: defaults(context.settings),
      header: [
        "tfs tasks: 'tfs apply FILE' makes the tasks match this file (format: docs/TASKFILE.md).",
        "Fields left out take the defaults of 'tfs add'.",
      ])
  }
}
