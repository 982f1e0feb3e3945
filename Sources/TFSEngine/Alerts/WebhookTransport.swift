import Foundation
import TFSCore

/// HTTP POST of the preset's body (SPEC §7): 2xx is delivered; 408, 429, 5xx, time-outs and
/// connection or TLS errors are retried (honouring `Retry-After`); any other answer is final.
enum WebhookTransport {
  struct Request {
    /// The URL, maybe a secret reference.
    var url: String
    var preset: WebhookPreset
    /// The channel's `Name: value` lines; values may be secret references.
    var headers: [String]
  }

  static func send(
    _ message: AlertMessage, _ request: Request, timeoutMs: Int64, environment: [String: String]
  ) -> DeliveryResult {
    let url: String
    let extra: [String]
    do {
      url = try Secret.resolve(request.url, environment: environment)
      extra = try request.headers.map { line throws(Secret.ResolveError) in
        try resolveHeader(line, environment: environment)
      }
    } catch {
      return .retry(error.description)
    }
    let payload = WebhookPayload.render(message, preset: request.preset)
    let answer = Curl.post(
      url: url, headers: (payload.headers + extra).map(AlertText.oneLine), body: payload.body,
      timeoutMs: timeoutMs)
    var result = outcome(answer, timeoutMs: timeoutMs)
    if !answer.retryAfter.isEmpty {
      result.retryAfterMs = RetryAfter.milliseconds(
        answer.retryAfter, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
    }
    return result
  }

  /// `Name: value` with the value resolved when it is a secret reference.
  static func resolveHeader(_ line: String, environment: [String: String]) throws(Secret.ResolveError)
    -> String
  {
    guard let colon = line.firstIndex(of: ":") else { return line }
    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    return String(line[..<colon]) + ": " + (try Secret.resolve(value, environment: environment))
  }

  /// The classification of one answer.
  static func outcome(_ answer: CurlAnswer, timeoutMs: Int64) -> DeliveryResult {
    if answer.curlCode == CurlAnswer.timedOut { return .retry(DeliveryResult.timedOut(timeoutMs)) }
    if CurlAnswer.badRequest.contains(answer.curlCode) { return .permanent(answer.message) }
    guard answer.curlCode == 0 else { return .retry(answer.message) }
    let text = DeliveryResult.answer("HTTP \(answer.code)\n" + answer.answer)
    switch answer.code {
    case 200..<300: return DeliveryResult(outcome: .delivered, answer: text)
    case 408, 429, 500..<600: return .retry("HTTP \(answer.code)", answer: text)
    default: return .permanent("HTTP \(answer.code)", answer: text)
    }
  }
}
