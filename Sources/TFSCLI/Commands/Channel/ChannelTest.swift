import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct ChannelTest: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Send a sample alert now (no retries); print the outcome, latency and the start of the answer.",
    discussion: """
      Exits 0 when the channel took the alert (its failing state, if any, is cleared), 1 when it \
      did not. Secrets written env:VAR are read from this command's environment, not the \
      daemon's.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Channel name.", completion: Completions.channelNames) var name: String
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Alert type of the sample (default failed).", valueName: "type"),
    completion: Completions.eventTypes)
  var type: String?
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let name = try ChannelName.validate(self.name)
      let type = try self.type.map { try AlertTypes.parse([$0], flag: "--type")[0] } ?? .failed
      let context = try Context(global, create: false)
      guard let record = try context.store.channel(name) else { throw StoreError.noSuchChannel(name) }
      let message = ChannelTest.sample(
        type, channel: record.channel, settings: context.settings, now: context.now)
      signal(SIGPIPE, SIG_IGN)
      let result = Transports.send(message, via: record.channel)
      if output.json {
        Terminal.out(ChannelView.testJSON(result, channel: name).render())
      } else {
        Terminal.out(ChannelView.testText(result, channel: name))
      }
      guard case .delivered = result.outcome else { throw CLIError.exit(1) }
      // It works now: a channel that was failing is no longer shown as such.
      try context.store.recordChannelWorks(name, at: context.now)
    }
  }

  /// A sample alert of `type`, addressed like a real one (without task owners).
  static func sample(_ type: EventType, channel: Channel, settings: EffectiveSettings, now: Int64)
    -> AlertMessage
  {
    let alert = AlertPayload(
      id: 0, type: type, at: now, task: "example/task", runID: nil,
      title: "test alert from tfs channel test (\(type.rawValue))",
      details: JSON.object(["test": "yes"]))
    var message = AlertMessage(alerts: [alert], channel: channel.name, host: AlertHost.name)
    if case .email(let addresses, _) = channel.target {
      var seen: Set<String> = []
      message.recipients = (addresses + settings.notify).filter { seen.insert($0.lowercased()).inserted }
      message.mailFrom = settings.mailFrom ?? "tfs@\(AlertHost.name)"
    }
    return message
  }
}
