import Foundation

/// The generic alert JSON (documented in docs/ALERTS.md): what `command` channels get on stdin
/// and `generic` webhooks get as their body. Keys come in a fixed order, so the same alert
/// always gives the same bytes.
public enum AlertJSON {
  /// Schema names; a consumer checks these before reading the rest.
  public static let alertSchema = "tfs.alert/1"
  public static let digestSchema = "tfs.digest/1"

  /// One alert as an object (`tfs.alert/1`), or a digest (`tfs.digest/1`) holding each of them.
  public static func render(_ message: AlertMessage) -> String {
    guard message.isDigest else {
      return message.alerts.first.map { object($0, host: message.host, channel: message.channel) }
        ?? digest(message)
    }
    return digest(message)
  }

  /// `{"schema":"tfs.alert/1","id":…,"type":…,"at":…,"task":…,"run_id":…,"title":…,
  /// "details":{…},"folded":…,"host":…,"channel":…}`.
  public static func object(_ alert: AlertPayload, host: String, channel: String) -> String {
    let fields: [(String, String)] = [
      ("schema", JSON.quote(alertSchema)),
      ("id", String(alert.id)),
      ("type", JSON.quote(alert.type.rawValue)),
      ("at", JSON.quote(Times.iso(epochMs: alert.at, zone: .utc))),
      ("task", alert.task.map(JSON.quote) ?? "null"),
      ("run_id", alert.runID.map { String($0) } ?? "null"),
      ("title", JSON.quote(alert.title)),
      ("details", detailsObject(alert.details)),
      ("folded", String(alert.folded)),
      ("host", JSON.quote(host)),
      ("channel", JSON.quote(channel)),
    ]
    return "{" + fields.map { JSON.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
  }

  private static func digest(_ message: AlertMessage) -> String {
    let alerts = message.alerts.map { object($0, host: message.host, channel: message.channel) }
    let omitted = message.omitted > 0 ? ",\"omitted\":\(message.omitted)" : ""
    return "{\"schema\":\(JSON.quote(digestSchema)),\"count\":\(message.count),"
      + "\"host\":\(JSON.quote(message.host)),\"channel\":\(JSON.quote(message.channel)),"
      + "\"alerts\":[\(alerts.joined(separator: ","))]\(omitted)}"
  }

  /// The stored details as they are when they are a JSON object (the store writes them so);
  /// anything else is wrapped as `{"text": …}` so the whole stays valid JSON.
  static func detailsObject(_ details: String) -> String {
    let trimmed = details.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.hasPrefix("{"), (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) is [String: Any]
    {
      return JSON.withIntegers(trimmed)
    }
    return "{\"text\":\(JSON.quote(details))}"
  }
}

extension ZoneRules {
  /// UTC, without asking Foundation.
  public static let utc = ZoneRules(identifier: "UTC", transitions: [], offsets: [0])
}
