import ArgumentParser
import TFSCore
import TFSStore

struct ChannelList: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "Channels: NAME, KIND, TARGET (secrets redacted), ON, TASKS, HEALTH.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let context = try Context(global, create: false)
      let records = try context.store.channels()
      let zone = context.localZone
      if output.json {
        Terminal.out(JSONValue.array(records.map { ChannelView.json($0, zone: zone) }).render())
      } else {
        Terminal.out(ChannelView.table(records, nowMs: context.now))
      }
    }
  }
}

struct ChannelShow: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "One channel: its target (secrets redacted), filters and health.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Channel name.", completion: Completions.channelNames) var name: String
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let name = try ChannelName.validate(self.name)
      let context = try Context(global, create: false)
      guard let record = try context.store.channel(name) else { throw StoreError.noSuchChannel(name) }
      let zone = context.localZone
      Terminal.out(
        output.json
          ? ChannelView.json(record, zone: zone).render()
          : ChannelView.details(record, nowMs: context.now, zone: zone))
    }
  }
}
