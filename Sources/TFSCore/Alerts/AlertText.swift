import Foundation

/// The human form of an alert: a subject line and a body, for chat presets and mail.
public enum AlertText {
  /// How the stderr head is set off from the rest: indented (mail, ntfy) or fenced (chats
  /// that read Markdown).
  public enum Style: Sendable {
    case plain, markdown
  }

  /// `[tfs] failed: demo/x - run 12 of 'demo/x' failed (exit 1)`, or `[tfs] 14 alerts on <host>`.
  public static func subject(_ message: AlertMessage) -> String {
    guard !message.isDigest, let alert = message.alerts.first else {
      return "[tfs] \(message.count) alerts on \(oneLine(message.host))"
    }
    let about = alert.task.map { ": \($0)" } ?? " on \(message.host)"
    return oneLine("[tfs] \(alert.type.rawValue)\(about) - \(alert.title)")
  }

  /// The body: the title, where and when, the folded count, the stderr head and the other
  /// details; for a digest, one line per alert. Times are shown in `zone`.
  public static func body(_ message: AlertMessage, style: Style = .plain, zone: ZoneRules = .utc) -> String {
    guard !message.isDigest, let alert = message.alerts.first else {
      return digestBody(message, zone: zone)
    }
    var lines = [oneLine(alert.title), ""]
    if let task = alert.task { lines.append("task: \(task)") }
    if let run = alert.runID { lines.append("run: \(run)") }
    lines.append("when: \(Times.iso(epochMs: alert.at, zone: zone))")
    lines.append("host: \(oneLine(message.host))")
    if alert.folded > 0 { lines.append(foldedLine(alert.folded)) }
    let details = Details.parse(alert.details)
    if let stderr = details.stderr, !stderr.isEmpty {
      lines += ["", "stderr:"] + block(stderr, style: style)
    }
    if !details.others.isEmpty {
      lines.append("")
      lines += details.others.map { "\($0.key): \($0.value)" }
    }
    return lines.joined(separator: "\n")
  }

  /// The subject, a blank line and the body: a chat message's whole text.
  public static func full(_ message: AlertMessage, style: Style, zone: ZoneRules = .utc) -> String {
    subject(message) + "\n\n" + body(message, style: style, zone: zone)
  }

  static func foldedLine(_ count: Int) -> String {
    count == 1
      ? "1 more alert like this one was folded since the last message"
      : "\(count) more alerts like this one were folded since the last message"
  }

  private static func digestBody(_ message: AlertMessage, zone: ZoneRules) -> String {
    var lines = ["\(message.count) alerts on \(oneLine(message.host))", ""]
    for alert in message.alerts {
      let task = alert.task.map { " \($0)" } ?? ""
      let folded = alert.folded > 0 ? " (+\(alert.folded) folded)" : ""
      let when = Times.iso(epochMs: alert.at, zone: zone)
      lines.append(oneLine("- \(when) \(alert.type.rawValue)\(task): \(alert.title)\(folded)"))
    }
    if message.omitted > 0 { lines.append("- and \(message.omitted) more (tfs events lists them)") }
    return lines.joined(separator: "\n")
  }

  private static func block(_ text: String, style: Style) -> [String] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0).replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "```", with: "'''")
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    switch style {
    case .plain: return lines.map { "    " + $0 }
    case .markdown: return ["```"] + lines + ["```"]
    }
  }

  /// `text` on one line: control characters (newlines too) become spaces.
  public static func oneLine(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
  }
}

/// An alert's details split for display: the stderr head, and the rest as sorted one-line
/// `key: value` pairs.
struct Details {
  var stderr: String?
  var others: [(key: String, value: String)]

  static func parse(_ text: String) -> Details {
    guard let data = text.data(using: .utf8),
      let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else {
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      return Details(stderr: nil, others: trimmed.isEmpty || trimmed == "{}" ? [] : [("details", trimmed)])
    }
    let stderr = object["stderr_head"] as? String
    let others = object.keys.sorted().filter { $0 != "stderr_head" || stderr == nil }.map {
      (key: AlertText.oneLine($0), value: AlertText.oneLine(display(object[$0] as Any)))
    }
    return Details(stderr: stderr, others: others)
  }

  /// A string as it is, anything else as compact JSON.
  private static func display(_ value: Any) -> String {
    if let string = value as? String { return string }
    let options: JSONSerialization.WritingOptions = [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: options) else {
      return "\(value)"
    }
    return String(decoding: data, as: UTF8.self)
  }
}
