import Foundation
import TFSCore

/// Mail over SMTP through libcurl (SPEC §7): a 2xx/3xx end is delivered, an SMTP 5xx is final,
/// a 4xx, a time-out or a connection error is retried.
enum SMTPTransport {
  struct Server {
    /// `smtp[s]://[user@]host[:port]`, maybe a secret reference.
    var url: String
    /// A secret reference or literal; nil: no authentication.
    var password: String?
  }

  static func send(
    _ message: AlertMessage, to addresses: [String], server: Server, timeoutMs: Int64,
    environment: [String: String]
  ) -> DeliveryResult {
    let recipients = MailParts.recipients(message, addresses)
    guard !recipients.isEmpty else { return .permanent(MailParts.noRecipients) }
    let mail: Curl.Mail
    do {
      let url = try Secret.resolve(server.url, environment: environment)
      guard let endpoint = Endpoint(url) else {
        return .permanent("invalid SMTP URL '\(Secret.redact(server.url))'; use smtp[s]://[user@]host[:port]")
      }
      let password = try server.password.map { text throws(Secret.ResolveError) in
        try Secret.resolve(text, environment: environment)
      }
      let from = MailParts.from(message)
      mail = Curl.Mail(
        url: endpoint.url, user: endpoint.user, password: password ?? endpoint.password,
        requireTLS: endpoint.requiresStartTLS, from: MailMessage.address(from),
        recipients: recipients.map(MailMessage.address),
        message: MailParts.render(message, from: from, to: recipients))
    } catch {
      return .retry(error.description)
    }
    return outcome(Curl.send(mail, timeoutMs: timeoutMs), timeoutMs: timeoutMs)
  }

  static func outcome(_ answer: CurlAnswer, timeoutMs: Int64) -> DeliveryResult {
    let reply = DeliveryResult.answer(answer.answer)
    if answer.curlCode == 0 { return DeliveryResult(outcome: .delivered, answer: reply) }
    if answer.curlCode == CurlAnswer.timedOut {
      return .retry(DeliveryResult.timedOut(timeoutMs), answer: reply)
    }
    let why = reply.isEmpty ? answer.message : "SMTP \(reply.split(separator: "\n").last ?? "")"
    switch answer.code {
    case 500..<600: return .permanent(why, answer: reply)
    case 400..<500: return .retry(why, answer: reply)
    default:
      return CurlAnswer.badRequest.contains(answer.curlCode)
        ? .permanent(answer.message, answer: reply) : .retry(answer.message, answer: reply)
    }
  }

  /// An SMTP URL split for libcurl: the user name comes out of the URL (the password is a
  /// separate secret), and plain `smtp://` must upgrade to TLS unless the server is this host.
  struct Endpoint {
    var url: String
    var user: String?
    var password: String?
    var requiresStartTLS: Bool

    init?(_ text: String) {
      guard let sep = text.range(of: "://") else { return nil }
      let scheme = text[..<sep.lowerBound].lowercased()
      guard scheme == "smtp" || scheme == "smtps" else { return nil }
      let rest = text[sep.upperBound...]
      let end = rest.firstIndex(of: "/") ?? rest.endIndex
      var hostPort = rest[..<end]
      if let at = hostPort.lastIndex(of: "@") {
        let info = hostPort[..<at].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        user = info.first.flatMap { String($0).removingPercentEncoding }
        password = info.count > 1 ? String(info[1]).removingPercentEncoding : nil
        hostPort = hostPort[hostPort.index(after: at)...]
      }
      let host =
        hostPort.hasPrefix("[")
        ? String(hostPort.dropFirst().prefix { $0 != "]" })
        : String(hostPort.prefix { $0 != ":" })
      guard !host.isEmpty else { return nil }
      url = scheme + "://" + hostPort + rest[end...]
      requiresStartTLS = scheme == "smtp" && !Endpoint.isLoopback(host)
    }

    static func isLoopback(_ host: String) -> Bool {
      host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
  }
}

/// Mail through a sendmail-compatible program (`sendmail -t`, `msmtp -t`): the message on
/// stdin, recipients from its headers; exit 0 is delivered, anything else is retried.
enum SendmailTransport {
  static func send(
    _ message: AlertMessage, to addresses: [String], command: String, timeoutMs: Int64,
    environment: [String: String]
  ) -> DeliveryResult {
    let recipients = MailParts.recipients(message, addresses)
    guard !recipients.isEmpty else { return .permanent(MailParts.noRecipients) }
    let mail = MailParts.render(message, from: MailParts.from(message), to: recipients)
    return CommandTransport.run(
      command, input: Array(mail.utf8), environment: environment, timeoutMs: timeoutMs)
  }
}

/// What both mail transports share.
enum MailParts {
  static let noRecipients =
    "no recipients: the channel has no address, the task no owner and setting 'notify' is empty"

  /// The message's recipients and the channel's addresses, each once, in order.
  static func recipients(_ message: AlertMessage, _ addresses: [String]) -> [String] {
    var seen = Set<String>()
    return (message.recipients + addresses).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
      !$0.isEmpty && seen.insert($0.lowercased()).inserted
    }
  }

  /// Setting `mail-from`, else `tfs@<host>`.
  static func from(_ message: AlertMessage) -> String {
    message.mailFrom.isEmpty ? "tfs@\(message.host)" : message.mailFrom
  }

  static func render(_ message: AlertMessage, from: String, to: [String]) -> String {
    MailMessage.render(message, from: from, to: to, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
  }
}
