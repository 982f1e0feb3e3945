import ArgumentParser

struct Daemon: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "(not yet implemented)")
  @OptionGroup var global: GlobalOptions

  func run() async throws {
    try await runCLI { throw CLIError.failed("not implemented yet") }
  }
}
