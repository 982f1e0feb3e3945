import ArgumentParser
import Foundation
import TFSCore

struct Init: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init", abstract: "Create the home and print its paths.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let context = try Context(global)
      try FileManager.default.createDirectory(
        atPath: context.settings.taskRoot, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
      let paths = [
        ("home", context.home.path), ("database", context.home.database),
        ("task_root", context.settings.taskRoot), ("lock", context.home.lockFile),
      ]
      if output.json {
        Terminal.out(JSON.object(Dictionary(uniqueKeysWithValues: paths)))
      } else {
        var table = Table(["PATH", "VALUE"])
        for (k, v) in paths { table.add([k.replacingOccurrences(of: "_", with: "-"), v]) }
        Terminal.out(table.render())
      }
    }
  }
}
