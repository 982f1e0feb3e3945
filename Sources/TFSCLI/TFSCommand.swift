import ArgumentParser
import TFSCore

/// The `tfs` root command.
public struct TFSCommand: AsyncParsableCommand {
  public static let version = "0.1.0"

  public static let configuration = CommandConfiguration(
    commandName: "tfs",
    abstract: "Run scheduled batch jobs with cron rules, logs, history and alerts.",
    discussion: """
      Tasks are programs run on cron rules with a seconds field by 'tfs daemon'. Everything is
      stored in one SQLite database in the home (--home > TFS_HOME > $XDG_DATA_HOME/tfs >
      ~/.local/share/tfs).
      """,
    version: version,
    subcommands: [
      Init.self, Add.self, Modify.self, Enable.self, Disable.self, Remove.self, List.self, Show.self,
      RunCommand.self, Kill.self, Logs.self, History.self, Status.self, Events.self, Next.self,
      Daemon.self, Prune.self, Config.self, ChannelCommand.self, Import.self,
    ]
  )

  public init() {}
}
