import Foundation
import TFSCore

/// How one delivery attempt went (SPEC §7): what the outbox records and `channel test` prints.
public struct DeliveryResult: Sendable, Equatable {
  public enum Outcome: Sendable, Equatable {
    case delivered
    /// Worth trying again later (a timeout, a 5xx, a connection refused), with why.
    case retry(String)
    /// No retry will help (a 404, an SMTP 550, a malformed command), with why.
    case permanent(String)
  }

  public var outcome: Outcome
  public var latencyMs: Int64
  /// The start of the answer (≤ 300 characters, one line per answer line kept): HTTP status +
  /// body head, command output, SMTP reply.
  public var answer: String
  /// From a `Retry-After` header.
  public var retryAfterMs: Int64?

  public init(outcome: Outcome, latencyMs: Int64 = 0, answer: String = "", retryAfterMs: Int64? = nil) {
    self.outcome = outcome
    self.latencyMs = latencyMs
    self.answer = answer
    self.retryAfterMs = retryAfterMs
  }

  static func retry(_ why: String, answer: String = "") -> DeliveryResult {
    DeliveryResult(outcome: .retry(why), answer: answer)
  }

  static func permanent(_ why: String, answer: String = "") -> DeliveryResult {
    DeliveryResult(outcome: .permanent(why), answer: answer)
  }

  /// At most this many characters of an answer are kept.
  static let answerLimit = 300

  /// `text` as an answer: lines without trailing blanks, empty ones dropped, cut to
  /// `answerLimit` characters.
  static func answer(_ text: String) -> String {
    let lines = text.split(whereSeparator: \.isNewline).map {
      String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    return String(lines.filter { !$0.isEmpty }.joined(separator: "\n").prefix(answerLimit))
  }

  /// `timed out after 10s`.
  static func timedOut(_ timeoutMs: Int64) -> String {
    "timed out after \(Durations.format(milliseconds: timeoutMs))"
  }
}

/// Sends alerts through each kind of channel: command, webhook, mail over SMTP or sendmail.
public enum Transports {
  /// Sends `message` through `channel` with the channel's time limit (channel.timeoutMs),
  /// blocking the calling thread. Secrets are resolved from `environment` now (so a rotated one
  /// is used at once); a command channel also gets it, plus the `TFS_ALERT_*` variables.
  public static func send(
    _ message: AlertMessage, via channel: Channel, timeoutMs: Int64? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> DeliveryResult {
    let limit = max(1, timeoutMs ?? channel.timeoutMs)
    let started = monotonicMs()
    var result: DeliveryResult
    switch channel.target {
    case .command(let command):
      result = CommandTransport.send(message, command: command, timeoutMs: limit, environment: environment)
    case .webhook(let url, let preset, let headers):
      let request = WebhookTransport.Request(url: url, preset: preset, headers: headers)
      result = WebhookTransport.send(message, request, timeoutMs: limit, environment: environment)
    case .email(let addresses, .smtp(let url, let password)):
      let server = SMTPTransport.Server(url: url, password: password)
      result = SMTPTransport.send(
        message, to: addresses, server: server, timeoutMs: limit, environment: environment)
    case .email(let addresses, .sendmail(let command)):
      result = SendmailTransport.send(
        message, to: addresses, command: command, timeoutMs: limit, environment: environment)
    }
    result.latencyMs = monotonicMs() - started
    return result
  }
}
