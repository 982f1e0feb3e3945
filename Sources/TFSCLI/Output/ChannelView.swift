import TFSCore
import TFSEngine
import TFSStore

/// How channels are shown: secrets redacted everywhere (SPEC §7).
enum ChannelView {
  /// The target in one line: a redacted URL, the command, or the addresses and how mail goes.
  static func target(_ target: Channel.Target) -> String {
    switch target {
    case .command(let command): return command
    case .webhook(let url, let preset, _): return "\(Secret.redact(url)) (\(preset.rawValue))"
    case .email(let addresses, let via):
      let to = addresses.isEmpty ? "task owners" : addresses.joined(separator: ", ")
      switch via {
      case .smtp(let url, _): return "\(to) via \(Secret.redact(url))"
      case .sendmail(let program): return "\(to) via \(program)"
      }
    }
  }

  static func types(_ c: Channel) -> String {
    c.on == Channel.defaultTypes ? "default" : AlertTypes.text(c.on)
  }

  static func health(_ r: ChannelRecord, nowMs: Int64) -> String {
    if r.isFailing { return "failing (\(r.failures) attempts)" }
    if r.failures > 0 { return "retrying" }
    if let ok = r.lastSuccessAt { return "ok \(Render.ago(nowMs - ok))" }
    return "unused"
  }

  static func table(_ records: [ChannelRecord], nowMs: Int64) -> String {
    var table = Table(["NAME", "KIND", "TARGET", "ON", "TASKS", "PENDING", "HEALTH"])
    for r in records {
      table.add([
        r.channel.name, r.channel.kind, target(r.channel.target), types(r.channel), r.channel.tasks ?? "*",
        String(r.pending), health(r, nowMs: nowMs),
      ])
    }
    table.style = { _, column, text in
      column == 6 ? (text.hasPrefix("failing") ? .red : text.hasPrefix("ok") ? .green : nil) : nil
    }
    return table.render()
  }

  static func details(_ r: ChannelRecord, nowMs: Int64, zone: ZoneRules) -> String {
    var lines: [(String, String)] = [
      ("name", r.channel.name), ("kind", r.channel.kind), ("target", target(r.channel.target)),
    ]
    if case .webhook(_, _, let headers) = r.channel.target, !headers.isEmpty {
      lines.append(("headers", headers.map(Secret.redactHeader).joined(separator: "; ")))
    }
    if case .email(_, .smtp(_, let password?)) = r.channel.target {
      lines.append(("password", Secret.redact(password)))
    }
    lines += [
      ("on", AlertTypes.text(r.channel.on)), ("tasks", r.channel.tasks ?? "*"),
      ("pending", String(r.pending)),
      ("health", health(r, nowMs: nowMs)), ("last error", r.lastError.isEmpty ? "-" : r.lastError),
      ("last attempt", r.lastAttemptAt.map { Times.short(epochMs: $0, zone: zone) } ?? "-"),
      ("last success", r.lastSuccessAt.map { Times.short(epochMs: $0, zone: zone) } ?? "-"),
    ]
    let width = lines.map(\.0.count).max() ?? 0
    return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(
      separator: "\n")
  }

  static func json(_ r: ChannelRecord, zone: ZoneRules) -> JSONValue {
    let c = r.channel
    var pairs: [(String, JSONValue)] = [("name", .string(c.name)), ("kind", .string(c.kind))]
    switch c.target {
    case .command(let command): pairs.append(("command", .string(command)))
    case .webhook(let url, let preset, let headers):
      pairs += [
        ("url", .string(Secret.redact(url))), ("preset", .string(preset.rawValue)),
        ("headers", .array(headers.map { .string(Secret.redactHeader($0)) })),
      ]
    case .email(let addresses, let via):
      pairs.append(("addresses", .array(addresses.map { .string($0) })))
      switch via {
      case .smtp(let url, let password):
        pairs += [
          ("smtp", .string(Secret.redact(url))), ("smtp_password", .string(password.map(Secret.redact))),
        ]
      case .sendmail(let program): pairs.append(("sendmail", .string(program)))
      }
    }
    pairs += [
      ("on", .array(c.on.map { .string($0.rawValue) })), ("tasks", .string(c.tasks)),
      ("created_at", Render.iso(r.createdAt, zone)), ("pending", .int(r.pending)),
      ("failing", .bool(r.isFailing)),
      ("failures", .int(r.failures)), ("last_error", .string(r.lastError)),
      ("last_attempt_at", Render.iso(r.lastAttemptAt, zone)),
      ("last_success_at", Render.iso(r.lastSuccessAt, zone)),
    ]
    return .object(pairs)
  }

  static func testText(_ r: DeliveryResult, channel: String) -> String {
    let head: String
    switch r.outcome {
    case .delivered: head = "delivered to '\(channel)' in \(r.latencyMs) ms"
    case .retry(let why): head = "not delivered to '\(channel)' after \(r.latencyMs) ms (would retry): \(why)"
    case .permanent(let why):
      head = "not delivered to '\(channel)' after \(r.latencyMs) ms (permanent): \(why)"
    }
    return r.answer.isEmpty ? head : head + "\nanswer: " + r.answer
  }

  static func testJSON(_ r: DeliveryResult, channel: String) -> JSONValue {
    let (outcome, error): (String, String?) =
      switch r.outcome {
      case .delivered: ("delivered", nil)
      case .retry(let why): ("retry", why)
      case .permanent(let why): ("permanent", why)
      }
    return .object([
      ("channel", .string(channel)), ("outcome", .string(outcome)), ("error", .string(error)),
      ("latency_ms", .int(r.latencyMs)), ("answer", .string(r.answer)),
      ("retry_after_ms", .int(r.retryAfterMs)),
    ])
  }
}
