import ArgumentParser

struct ChannelCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "channel",
    abstract: "Manage alert channels: where alerts are delivered (default: list).",
    discussion: """
      A channel runs a command, posts to a webhook (generic JSON, slack, discord, teams, ntfy) \
      or sends mail (SMTP or a sendmail-compatible program). Alerts are queued in the database \
      with the event that caused them and delivered by the daemon, retried for up to a day. \
      Secrets (a URL, a header, a password) may be written env:VAR or file:PATH; outputs show \
      them redacted.
      """,
    subcommands: [ChannelAdd.self, ChannelList.self, ChannelShow.self, ChannelRemove.self, ChannelTest.self],
    defaultSubcommand: ChannelList.self)
}
