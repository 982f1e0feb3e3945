import ArgumentParser

struct Disable: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disable",
    abstract: "Disable a task: it is no longer scheduled (a running run goes on; see 'tfs kill').",
    discussion: "A disabled task has no missed runs; 'tfs run' still starts it by hand.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name.", completion: Completions.taskNames) var name: String

  func run() async throws {
    try await runCLI { try setEnabled(false, name: name, global: global) }
  }
}
