import ArgumentParser
import TFSCore
import TFSStore

struct ChannelRemove: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remove", abstract: "Remove a channel; alerts waiting for it are marked failed.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Channel name.", completion: Completions.channelNames) var name: String

  func run() async throws {
    try await runCLI {
      let name = try ChannelName.validate(self.name)
      let context = try Context(global, create: false)
      try context.store.removeChannel(name, actor: Actor.current(), now: context.now)
      Terminal.out("channel '\(name)' removed")
    }
  }
}
