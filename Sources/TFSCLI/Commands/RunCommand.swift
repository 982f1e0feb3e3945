import ArgumentParser

struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run", abstract: "(not yet implemented)")
  @OptionGroup var global: GlobalOptions

  func run() async throws {
    try await runCLI { throw CLIError.failed("not implemented yet") }
  }
}
