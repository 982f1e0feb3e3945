import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine

/// Mail deliveries against the real SMTP peer (`scripts/peers/smtp.py`), over libcurl and
/// through msmtp as a sendmail program.
@Suite struct MailTransportTests {
  private func smtp(_ url: String, password: String? = nil, addresses: [String] = ["ops@example.com"])
    -> Channel
  {
    Channel(name: "mail", target: .email(addresses: addresses, via: .smtp(url: url, password: password)))
  }

  /// The header block of a received message, unfolded.
  private func headers(_ data: String) -> [String] {
    let head = data.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
    return head.components(separatedBy: "\r\n")
  }

  @Test func smtpDelivers() throws {
    let peer = try Peer.smtp()
    defer { peer.stop() }
    let message = sampleMessage(channel: "mail", recipients: ["owner@example.com", "OPS@example.com"])
    let result = Transports.send(message, via: smtp("smtp://127.0.0.1:\(peer.port)"))
    #expect(result.outcome == .delivered, "\(result)")
    #expect(result.answer == "250 2.0.0 OK queued (test peer)")
    let mail = try #require(try peer.mails().first)
    #expect(mail.mailFrom == "tfs@build-1")
    #expect(mail.rcptTos == ["owner@example.com", "OPS@example.com"])
    let lines = headers(mail.data)
    #expect(lines.contains("To: owner@example.com, OPS@example.com"))
    #expect(lines.contains("From: tfs@build-1"))
    #expect(lines.contains("Subject: [tfs] failed: demo/x - run 12 of 'demo/x' failed (exit 1)"))
    #expect(mail.data.hasSuffix("\r\nstderr:\r\n    boom\r\n\r\nexit_code: 1\r\n"))
  }

  @Test func smtpAuthenticatesWithTheSecretPassword() throws {
    let peer = try Peer.smtp(auth: "bob:pa55")
    defer { peer.stop() }
    let url = "smtp://bob@127.0.0.1:\(peer.port)"
    let good = Transports.send(
      sampleMessage(), via: smtp(url, password: "env:SMTP_PASSWORD"), environment: ["SMTP_PASSWORD": "pa55"])
    #expect(good.outcome == .delivered, "\(good)")
    #expect(try peer.mails().first?.login == "bob")
    let bad = Transports.send(sampleMessage(), via: smtp(url, password: "wrong"))
    #expect(bad.isPermanent && bad.reason.hasPrefix("SMTP 535"), "\(bad)")
    let unset = Transports.send(
      sampleMessage(), via: smtp(url, password: "env:SMTP_PASSWORD"), environment: [:])
    #expect(unset.outcome == .retry("environment variable 'SMTP_PASSWORD' is not set"))
  }

  @Test func smtpTemporaryFailureIsRetried() throws {
    let peer = try Peer.smtp(failFirst: 1)
    defer { peer.stop() }
    let channel = smtp("smtp://127.0.0.1:\(peer.port)")
    let first = Transports.send(sampleMessage(), via: channel)
    #expect(first.outcome == .retry("SMTP 451 4.3.0 try again later (test peer)"), "\(first)")
    #expect(Transports.send(sampleMessage(), via: channel).outcome == .delivered)
    #expect(try peer.mails().count == 1)
  }

  @Test func smtpUnreachableOrMisconfigured() {
    let refused = Transports.send(sampleMessage(), via: smtp("smtp://127.0.0.1:1"))
    #expect(refused.isRetry, "\(refused)")
    let wrong = Transports.send(sampleMessage(), via: smtp("http://127.0.0.1:1"))
    #expect(
      wrong.outcome == .permanent("invalid SMTP URL 'http://127.0.0.1:1'; use smtp[s]://[user@]host[:port]"))
  }

  @Test func startTLSRequiredButNotOfferedIsRetried() throws {
    let peer = try Peer.smtp()
    defer { peer.stop() }
    let mail = Curl.Mail(
      url: "smtp://127.0.0.1:\(peer.port)", requireTLS: true, from: "tfs@test", recipients: ["a@example.com"],
      message: "Subject: x\r\n\r\nx\r\n")
    let result = SMTPTransport.outcome(Curl.send(mail, timeoutMs: 10_000), timeoutMs: 10_000)
    #expect(result.isRetry && result.reason.contains("STARTTLS"), "\(result)")
    #expect(peer.lines(atLeast: 0).isEmpty)
  }

  @Test func noRecipientsIsPermanent() {
    let result = Transports.send(sampleMessage(), via: smtp("smtp://127.0.0.1:1", addresses: []))
    #expect(result.isPermanent && result.reason.hasPrefix("no recipients: "), "\(result)")
  }

  @Test func sendmailProgramDelivers() throws {
    let peer = try Peer.smtp()
    defer { peer.stop() }
    let command = "msmtp --host=127.0.0.1 --port=\(peer.port) --from=tfs@test -t"
    let channel = Channel(
      name: "mail", target: .email(addresses: ["ops@example.com"], via: .sendmail(command)))
    let result = Transports.send(sampleMessage(channel: "mail"), via: channel)
    #expect(result.outcome == .delivered, "\(result)")
    let mail = try #require(try peer.mails().first)
    #expect(mail.rcptTos == ["ops@example.com"])
    let lines = headers(mail.data)
    #expect(lines.contains("To: ops@example.com"))
    let subject = try #require(lines.first { $0.hasPrefix("Subject: ") })
    #expect(subject.hasPrefix("Subject: [tfs] failed: demo/x - "))
  }

  @Test func sendmailFailureIsRetried() {
    let channel = Channel(
      name: "mail",
      target: .email(addresses: ["ops@example.com"], via: .sendmail("msmtp --host=127.0.0.1 --port=1 -t")))
    let result = Transports.send(sampleMessage(), via: channel)
    #expect(result.isRetry && result.reason.hasPrefix("exit "), "\(result)")
  }

  @Test(arguments: [
    ("smtp://alice@mail.example.com:587", "smtp://mail.example.com:587", "alice", true),
    ("smtp://127.0.0.1:2525", "smtp://127.0.0.1:2525", nil, false),
    ("smtp://localhost", "smtp://localhost", nil, false),
    ("smtps://a%40b:pw@[::1]:465/", "smtps://[::1]:465/", "a@b", false),
  ])
  func endpoints(url: String, bare: String, user: String?, startTLS: Bool) throws {
    let endpoint = try #require(SMTPTransport.Endpoint(url))
    #expect(endpoint.url == bare)
    #expect(endpoint.user == user)
    #expect(endpoint.requiresStartTLS == startTLS)
  }
}
