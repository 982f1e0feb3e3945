/// What a webhook POSTs for one message: the preset's headers and body. The channel's own
/// `--header` lines go after these headers.
public struct WebhookPayload: Equatable, Sendable {
  /// `Name: value` lines.
  public var headers: [String]
  public var body: String

  public init(headers: [String], body: String) {
    self.headers = headers
    self.body = body
  }

  /// Discord rejects a `content` longer than this.
  static let discordLimit = 2000
  /// Slack shortens and may refuse longer `text`; Teams cards refuse ~28 KB; ntfy turns a body
  /// over 4 KiB into an attachment. A long stderr head or digest is clipped, not refused.
  static let slackLimit = 3500
  static let teamsLimit = 20_000
  static let ntfyLimit = 3800

  /// The body `preset` expects for `message`; times in the text are shown in `zone`.
  public static func render(_ message: AlertMessage, preset: WebhookPreset, zone: ZoneRules = .utc)
    -> WebhookPayload
  {
    let json = "Content-Type: application/json"
    switch preset {
    case .generic:
      return WebhookPayload(headers: [json], body: AlertJSON.render(message))
    case .slack:
      let text = slackEscaped(clipped(AlertText.full(message, style: .markdown, zone: zone), to: slackLimit))
      return WebhookPayload(headers: [json], body: "{\"text\":\(JSON.quote(text))}")
    case .discord:
      let text = clipped(AlertText.full(message, style: .markdown, zone: zone), to: discordLimit)
      // No @everyone or role pings from a task's output.
      let body = "{\"content\":\(JSON.quote(text)),\"allowed_mentions\":{\"parse\":[]}}"
      return WebhookPayload(headers: [json], body: body)
    case .teams:
      return WebhookPayload(headers: [json], body: teamsCard(message, zone: zone))
    case .ntfy:
      return ntfy(message, zone: zone)
    }
  }

  /// A legacy Office 365 connector card; Teams joins single newlines, so lines become paragraphs.
  private static func teamsCard(_ message: AlertMessage, zone: ZoneRules) -> String {
    let subject = AlertText.subject(message)
    let text = clipped(AlertText.body(message, style: .plain, zone: zone), to: teamsLimit)
      .replacingOccurrences(of: "\n", with: "\n\n")
    return "{\"@type\":\"MessageCard\",\"@context\":\"https://schema.org/extensions\","
      + "\"summary\":\(JSON.quote(subject)),\"title\":\(JSON.quote(subject)),\"text\":\(JSON.quote(text))}"
  }

  /// ntfy takes the text as the body and the rest as headers (non-ASCII as RFC 2047 words,
  /// which ntfy decodes).
  private static func ntfy(_ message: AlertMessage, zone: ZoneRules) -> WebhookPayload {
    let urgent: Set<EventType> = [.failed, .timeout, .lost, .entryMissing, .systemError, .missed]
    let high = message.alerts.contains { urgent.contains($0.type) }
    var tags: [String] = []
    for alert in message.alerts where !tags.contains(alert.type.rawValue) { tags.append(alert.type.rawValue) }
    return WebhookPayload(
      headers: [
        "Content-Type: text/plain; charset=utf-8",
        "Title: " + MailMessage.encodedWords(AlertText.subject(message)),
        "Priority: " + (high ? "high" : "default"),
        "Tags: " + tags.joined(separator: ","),
      ],
      body: clipped(AlertText.body(message, style: .plain, zone: zone), to: ntfyLimit))
  }

  /// Slack reads `&`, `<` and `>` as markup (links, mentions) unless escaped.
  static func slackEscaped(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }

  /// At most `limit` characters, the last one `…` when something was cut.
  static func clipped(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
  }
}
