import ArgumentParser
import TFSCore
import TFSEngine

struct Enable: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "enable",
    abstract: "Enable a task: the daemon schedules it from its next occurrence.",
    discussion: "Occurrences that passed while it was disabled are not missed runs.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name.", completion: Completions.taskNames) var name: String

  func run() async throws {
    try await runCLI { try setEnabled(true, name: name, global: global) }
  }
}

/// `enable`/`disable`: flips the task's flag with an `enabled`/`disabled` audit event; a task
/// already in that state is left alone (and nothing is written).
func setEnabled(_ enabled: Bool, name text: String, global: GlobalOptions) throws {
  let name = try taskName(text)
  let context = try Context(global, create: false)
  let state = enabled ? "enabled" : "disabled"
  let diff = try context.store.updateTask(
    name, actor: Actor.current(), now: context.now, eventType: enabled ? .enabled : .disabled
  ) { spec in
    spec.enabled = enabled
  }
  guard !diff.isEmpty else {
    Terminal.out("task '\(name)' is already \(state)")
    return
  }
  Nudge.daemon(context.home)
  Terminal.out("\(state) task '\(name)'")
}
