import ArgumentParser
import Foundation
import TFSCore
import TFSEngine

struct Add: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add a task.",
    discussion: "The task folder is <task-root>/NAME; argv is the command words plus the entry path.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name: 1-3 segments of [A-Za-z0-9._-] joined by '/'.") var name: String
  @OptionGroup var flags: TaskFlags
  @Flag(help: "Add the task disabled.") var disabled = false

  func run() async throws {
    try await runCLI {
      let name = try taskName(name)
      guard let ruleText = flags.rule else {
        throw ValidationError("missing --rule for task '\(name)'; e.g. --rule '*/30 * * * * *'")
      }
      var spec = TaskSpec(name: name, rule: try CronRule(ruleText), command: "sh", entry: "run.sh")
      try flags.apply(to: &spec)  // all validation happens before the database is opened
      let context = try Context(global)
      if flags.command == nil { spec.command = context.settings.defaultCommand }
      if flags.entry == nil { spec.entry = context.settings.defaultEntry }
      spec.enabled = !disabled
      let paths = context.settings.paths(name)
      try paths.checkContained(entry: spec.entry)
      try context.store.addTask(spec, actor: Actor.current(), now: context.now)
      Nudge.daemon(context.home)
      Terminal.out("added task '\(name)' (\(spec.rule.text))")
      TaskWarnings.check(spec, settings: context.settings)
    }
  }
}
