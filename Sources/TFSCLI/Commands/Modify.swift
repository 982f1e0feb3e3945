import ArgumentParser
import TFSCore
import TFSEngine

struct Modify: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "modify",
    abstract: "Change a task's fields; prints old → new.",
    discussion: "Takes effect from the next occurrence; a running run keeps its definition.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name.", completion: Completions.taskNames) var name: String
  @OptionGroup var flags: TaskFlags

  func run() async throws {
    try await runCLI {
      let name = try taskName(name)
      // Validate every flag against a scratch spec before touching the database.
      var scratch = TaskSpec(name: name, rule: try CronRule("* * * * * *"), command: "sh", entry: "run.sh")
      try flags.apply(to: &scratch)
      let context = try Context(global)
      if let entry = flags.entry { try context.settings.paths(name).checkContained(entry: entry) }
      let diff = try context.store.updateTask(name, actor: Actor.current(), now: context.now) { spec in
        try flags.apply(to: &spec)
      }
      guard !diff.isEmpty else {
        Terminal.out("task '\(name)' unchanged")
        return
      }
      Nudge.daemon(context.home)
      for change in diff {
        Terminal.out("\(change.field): \(show(change.old)) → \(show(change.new))")
      }
      if diff.contains(where: { ["command", "entry", "env", "workdir"].contains($0.field) }),
        let spec = try context.store.task(name)?.spec
      {
        TaskWarnings.check(spec, settings: context.settings)
      }
    }
  }

  private func show(_ value: String) -> String { value.isEmpty ? "(none)" : value }
}
