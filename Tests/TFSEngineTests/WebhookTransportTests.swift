import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine

/// Webhook deliveries against the real peer (`scripts/peers/webhook.py`).
@Suite struct WebhookTransportTests {
  private func channel(_ url: String, preset: WebhookPreset = .generic, headers: [String] = []) -> Channel {
    Channel(name: "hook", target: .webhook(url: url, preset: preset, headers: headers))
  }

  @Test(arguments: WebhookPreset.allCases)
  func delivered(preset: WebhookPreset) throws {
    let peer = try Peer.webhook()
    defer { peer.stop() }
    let message = sampleMessage(channel: "hook")
    let result = Transports.send(
      message, via: channel("env:HOOK_URL", preset: preset, headers: ["X-Token: env:HOOK_TOKEN"]),
      environment: ["HOOK_URL": "http://127.0.0.1:\(peer.port)/ok", "HOOK_TOKEN": "t0k3n"])
    #expect(result.outcome == .delivered, "\(result)")
    #expect(result.answer == "HTTP 200\nstatus 200 for /ok")
    let request = try #require(try peer.requests().first)
    let expected = WebhookPayload.render(message, preset: preset)
    #expect(request.body == expected.body)
    #expect(request.headers["x-token"] == "t0k3n")
    for line in expected.headers {
      let (name, value) = try #require(
        line.firstIndex(of: ":").map { (line[..<$0], line[line.index($0, offsetBy: 2)...]) })
      #expect(request.headers[name.lowercased()] == String(value))
    }
  }

  @Test func serverErrorsAreRetried() throws {
    let peer = try Peer.webhook()
    defer { peer.stop() }
    let hook = channel("http://127.0.0.1:\(peer.port)/fail-twice")
    let outcomes = (0..<3).map { _ in Transports.send(sampleMessage(), via: hook).outcome }
    #expect(outcomes == [.retry("HTTP 500"), .retry("HTTP 500"), .delivered])
  }

  @Test func retryAfterIsHonoured() throws {
    let peer = try Peer.webhook()
    defer { peer.stop() }
    let hook = channel("http://127.0.0.1:\(peer.port)/retry-after")
    let first = Transports.send(sampleMessage(), via: hook)
    #expect(first.outcome == .retry("HTTP 429"))
    #expect(first.retryAfterMs == 2000)
    #expect(Transports.send(sampleMessage(), via: hook).outcome == .delivered)
  }

  @Test func hangingServerTimesOut() throws {
    let peer = try Peer.webhook()
    defer { peer.stop() }
    let result = Transports.send(
      sampleMessage(), via: channel("http://127.0.0.1:\(peer.port)/hang"), timeoutMs: 1500)
    #expect(result.outcome == .retry("timed out after 1.5s"))
    #expect(result.latencyMs >= 1400 && result.latencyMs < 5000, "\(result.latencyMs) ms")
  }

  @Test func clientErrorsArePermanent() throws {
    let peer = try Peer.webhook()
    defer { peer.stop() }
    let result = Transports.send(sampleMessage(), via: channel("http://127.0.0.1:\(peer.port)/gone"))
    #expect(result.outcome == .permanent("HTTP 404"))
    #expect(result.answer == "HTTP 404\nstatus 404 for /gone")
  }

  @Test func selfSignedCertificateIsRefused() throws {
    let peer = try Peer.webhook(tls: true)
    defer { peer.stop() }
    let result = Transports.send(sampleMessage(), via: channel("https://127.0.0.1:\(peer.port)/ok"))
    #expect(result.isRetry)
    #expect(result.reason.contains("certificate"), "\(result)")
    #expect(peer.lines(atLeast: 0).isEmpty)
  }

  @Test func unresolvedSecretsAndDeadPeersAreRetried() {
    let unset = Transports.send(sampleMessage(), via: channel("env:TFS_NO_SUCH_HOOK"), environment: [:])
    #expect(unset.outcome == .retry("environment variable 'TFS_NO_SUCH_HOOK' is not set"))
    let refused = Transports.send(sampleMessage(), via: channel("http://127.0.0.1:1/ok"))
    #expect(refused.isRetry && refused.reason.contains("onnect"), "\(refused)")
    let malformed = Transports.send(sampleMessage(), via: channel("ftp://127.0.0.1/x"))
    #expect(malformed.isPermanent, "\(malformed)")
  }

  @Test func curlMessagesReadLikeOurs() {
    #expect(CurlAnswer.houseStyle("Failed to connect to 127.0.0.1") == "failed to connect to 127.0.0.1")
    #expect(CurlAnswer.houseStyle("SSL certificate problem") == "SSL certificate problem")
  }
}
