import ArgumentParser
import Foundation
import TFSCore
import TFSStore

struct ChannelAdd: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Add a channel: --command, --webhook or --email.",
    discussion: """
      Default types (--on): \(Channel.defaultTypes.map(\.rawValue).joined(separator: ", ")). Opt-in: \
      started, succeeded.

      Examples:
        tfs channel add ops-mail --email ops@example.com \\
          --smtp smtp://alerts@mail.example.com:587 \\
          --smtp-password env:SMTP_PASSWORD
        tfs channel add slack --webhook env:SLACK_WEBHOOK_URL --preset slack
        tfs channel add pager --command '/usr/local/bin/page-oncall --team data'
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Channel name (letters, digits, '.', '_', '-').") var name: String
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Run CMD with the alert JSON on stdin (no shell).", valueName: "cmd"))
  var command: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("POST alerts to this http(s) URL (or env:VAR, file:PATH).", valueName: "url"))
  var webhook: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Webhook body: generic|slack|discord|teams|ntfy.", valueName: "preset"))
  var preset: String?
  @Option(
    parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Extra webhook header 'Name: value' (repeatable).", valueName: "header"))
  var header: [String] = []
  @Option(
    parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Mail alerts to ADDR (repeatable; 'a@x;b@y' too).", valueName: "addr"))
  var email: [String] = []
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Send mail through smtp[s]://[user@]host[:port].", valueName: "url"))
  var smtp: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("SMTP password (env:VAR, file:PATH, or literal).", valueName: "secret"))
  var smtpPassword: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Send mail through a sendmail-compatible program.", valueName: "cmd"))
  var sendmail: String?
  @Option(
    parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Alert types to send (comma list, 'all').", valueName: "types"))
  var on: [String] = []
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Only alerts of tasks matching this glob.", valueName: "glob")
  )
  var tasks: String?

  func run() async throws {
    try await runCLI {
      let channel = try self.channel()
      let context = try Context(global)
      try context.store.addChannel(channel, actor: Actor.current(), now: context.now)
      Terminal.out("channel '\(channel.name)' added: \(ChannelView.target(channel.target))")
    }
  }

  /// The channel the flags describe, validated.
  func channel() throws -> Channel {
    let name = try ChannelName.validate(self.name)
    let kinds = [command != nil, webhook != nil, !email.isEmpty].filter { $0 }.count
    guard kinds == 1 else { throw ValidationError("give exactly one of --command, --webhook or --email") }
    if webhook == nil, preset != nil || !header.isEmpty {
      throw ValidationError("--preset and --header apply to --webhook only")
    }
    if email.isEmpty, smtp != nil || smtpPassword != nil || sendmail != nil {
      throw ValidationError("--smtp, --smtp-password and --sendmail apply to --email only")
    }
    let on = self.on.isEmpty ? Channel.defaultTypes : try AlertTypes.parse(self.on, flag: "--on")
    if let tasks, tasks.isEmpty || tasks.contains("\0") {
      throw ValidationError("invalid --tasks '\(tasks)'")
    }
    return Channel(name: name, target: try target(), on: on, tasks: tasks)
  }

  private func target() throws -> Channel.Target {
    if let command {
      _ = try CommandWords.split(command, as: "--command")
      return .command(command)
    }
    if let webhook {
      try ChannelAdd.checkURL(webhook, flag: "--webhook", schemes: ["http", "https"])
      let preset = try self.preset.map { try WebhookPreset.parse($0, flag: "--preset") } ?? .generic
      for line in header { try ChannelAdd.checkHeader(line) }
      return .webhook(url: webhook, preset: preset, headers: header)
    }
    let addresses: [String]
    do {
      addresses = try Owners.parse(email)
    } catch {
      throw ValidationError(error.message.replacingOccurrences(of: "invalid owner", with: "invalid --email"))
    }
    guard !addresses.isEmpty else { throw ValidationError("invalid --email '': name at least one address") }
    switch (smtp, sendmail) {
    case (let url?, nil):
      try ChannelAdd.checkURL(url, flag: "--smtp", schemes: ["smtp", "smtps"])
      if let smtpPassword { try ChannelAdd.checkReference(smtpPassword, flag: "--smtp-password") }
      return .email(addresses: addresses, via: .smtp(url: url, password: smtpPassword))
    case (nil, let program?):
      guard smtpPassword == nil else { throw ValidationError("--smtp-password applies to --smtp only") }
      _ = try CommandWords.split(program, as: "--sendmail")
      return .email(addresses: addresses, via: .sendmail(program))
    case (_?, _?):
      throw ValidationError("give only one of --smtp URL or --sendmail CMD")
    case (nil, nil):
      throw ValidationError("--email needs one of --smtp URL or --sendmail CMD")
    }
  }

  /// `env:VAR` and `file:PATH` must name something (they are resolved at each delivery).
  static func checkReference(_ text: String, flag: String) throws {
    for prefix in ["env:", "file:"] where text.hasPrefix(prefix) && text.count == prefix.count {
      throw ValidationError("invalid \(flag) '\(text)': empty reference")
    }
  }

  /// A URL with one of `schemes` and a host, or a secret reference resolved at delivery.
  static func checkURL(_ text: String, flag: String, schemes: [String]) throws {
    if text.hasPrefix("env:") || text.hasPrefix("file:") {
      guard text.count > (text.hasPrefix("env:") ? 4 : 5) else {
        throw ValidationError("invalid \(flag) '\(text)': empty reference")
      }
      return
    }
    guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
      schemes.contains(scheme),
      let host = url.host, !host.isEmpty
    else {
      let list = schemes.map { "\($0)://" }.joined(separator: " or ")
      throw ValidationError(
        "invalid \(flag) '\(Secret.redact(text))'; use a \(list) URL, env:VAR or file:PATH")
    }
  }

  static func checkHeader(_ line: String) throws {
    let parts = line.split(separator: ":", maxSplits: 1)
    let name = parts.first.map { String($0).trimmingWhitespace() } ?? ""
    guard parts.count == 2, !name.isEmpty,
      name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0 != ":" }),
      !line.contains("\n"), !line.contains("\r")
    else {
      throw ValidationError("invalid --header '\(Secret.redactHeader(line))'; write 'Name: value'")
    }
    try checkReference(String(parts[1]).trimmingWhitespace(), flag: "--header")
  }
}
