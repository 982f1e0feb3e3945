import ArgumentParser
import TFSCore

/// The `tfs` root command.
public struct TFSCommand: AsyncParsableCommand {
  public static let version = "0.1.0"

  public static let configuration = CommandConfiguration(
    commandName: "tfs",
    abstract: "Run scheduled batch jobs with cron rules, logs, history and alerts.",
    discussion: """
      Tasks are programs run on cron rules with a seconds field by 'tfs daemon'. Everything is \
      stored in one SQLite database in the home (--home > TFS_HOME > $XDG_DATA_HOME/tfs > \
      ~/.local/share/tfs).
      """,
    version: version,
    subcommands: [
      Init.self, Add.self, Modify.self, Enable.self, Disable.self, Remove.self, List.self, Show.self,
      RunCommand.self, Kill.self, Logs.self, History.self, Status.self, Events.self, Next.self,
      Daemon.self, Prune.self, Config.self, ChannelCommand.self, Import.self, Export.self, Apply.self,
      Edit.self, Top.self, Nodes.self, MigrateStore.self,
    ]
  )

  public init() {}
}

extension TFSCommand {
  /// Runs the command named by the arguments. A parse error (unknown option, missing value…)
  /// is one line on stderr and exit 64 like every other invalid input, instead of
  /// ArgumentParser's block with the usage; help and version still print as usual.
  public static func main() async {
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      var command = try await asyncParseAsRoot(arguments)
      if var command = command as? AsyncParsableCommand {
        try await command.run()
      } else {
        try command.run()
      }
    } catch let error where !(error is ExitCode) && exitCode(for: error) == .validationFailure {
      Terminal.error(usageError(error, arguments: arguments))
      exit(withError: ExitCode.validationFailure)
    } catch {
      exit(withError: error)
    }
  }

  /// `unknown option '--bogus'; see 'tfs add --help'`: ArgumentParser's message, lowercased
  /// like ours, with the help of the subcommand the arguments name.
  static func usageError(_ error: any Error, arguments: [String]) -> String {
    let message = message(for: error).split(separator: "\n").joined(separator: " ")
    var names = ["tfs"]
    var command: any ParsableCommand.Type = TFSCommand.self
    for word in arguments where !word.hasPrefix("-") {
      guard let sub = command.configuration.subcommands.first(where: { $0._commandName == word }) else {
        break
      }
      names.append(word)
      command = sub
    }
    return message.prefix(1).lowercased() + message.dropFirst()
      + "; see '\(names.joined(separator: " ")) --help'"
  }
}
