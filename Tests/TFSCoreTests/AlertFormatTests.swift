import Foundation
import Testing

@testable import TFSCore

/// 2024-03-10T07:00:00Z.
private let at: Int64 = 1_710_054_000_000

private func failedAlert(folded: Int = 0) -> AlertPayload {
  AlertPayload(
    id: 7, type: .failed, at: at, task: "demo/x", runID: 12, title: "run 12 of 'demo/x' failed (exit 1)",
    details: #"{"exit_code":1,"stderr_head":"boom\nline 2\n","version":"202403/10/070000"}"#, folded: folded)
}

private func message(_ alerts: [AlertPayload]) -> AlertMessage {
  AlertMessage(
    alerts: alerts, channel: "ops", host: "build-1", recipients: ["a@example.com"], mailFrom: "tfs@build-1")
}

private let daemonAlert = AlertPayload(
  id: 8, type: .daemonStarted, at: at + 1000, title: "daemon started (3 tasks)")

/// Parses `text` as JSON, failing the test when it is not.
private func parsed(_ text: String) throws -> [String: Any] {
  try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite struct AlertFormatTests {
  @Test func genericJSONOfOneAlert() {
    #expect(
      AlertJSON.render(message([failedAlert()]))
        == #"{"schema":"tfs.alert/1","id":7,"type":"failed","at":"2024-03-10T07:00:00+00:00","#
        + #""task":"demo/x","run_id":12,"title":"run 12 of 'demo/x' failed (exit 1)","#
        + #""details":{"exit_code":1,"stderr_head":"boom\nline 2\n","version":"202403/10/070000"},"#
        + #""folded":0,"host":"build-1","channel":"ops"}"#)
  }

  @Test func genericJSONOfADigest() {
    #expect(
      AlertJSON.render(message([failedAlert(folded: 2), daemonAlert]))
        == #"{"schema":"tfs.digest/1","count":2,"host":"build-1","channel":"ops","alerts":["#
        + #"{"schema":"tfs.alert/1","id":7,"type":"failed","at":"2024-03-10T07:00:00+00:00","#
        + #""task":"demo/x","run_id":12,"title":"run 12 of 'demo/x' failed (exit 1)","#
        + #""details":{"exit_code":1,"stderr_head":"boom\nline 2\n","version":"202403/10/070000"},"#
        + #""folded":2,"host":"build-1","channel":"ops"},"#
        + #"{"schema":"tfs.alert/1","id":8,"type":"daemon-started","at":"2024-03-10T07:00:01+00:00","#
        + #""task":null,"run_id":null,"title":"daemon started (3 tasks)","details":{},"folded":0,"#
        + #""host":"build-1","channel":"ops"}]}"#)
  }

  @Test func everyFormIsValidJSONForHostileText() throws {
    let nasty = "q\"uo\\te\n\r\t\u{01}\u{7F} <b>&amp; 🚨 \u{2028}"
    let alert = AlertPayload(
      id: 1, type: .systemError, at: at, task: nasty, title: nasty, details: "not json {")
    let m = AlertMessage(alerts: [alert], channel: nasty, host: nasty)
    let generic = try parsed(AlertJSON.render(m))
    #expect(generic["title"] as? String == nasty)
    #expect((generic["details"] as? [String: Any])?["text"] as? String == "not json {")
    for preset in [WebhookPreset.slack, .discord, .teams] {
      _ = try parsed(WebhookPayload.render(m, preset: preset).body)
    }
  }

  @Test func subjects() {
    #expect(
      AlertText.subject(message([failedAlert()]))
        == "[tfs] failed: demo/x - run 12 of 'demo/x' failed (exit 1)")
    #expect(
      AlertText.subject(message([daemonAlert]))
        == "[tfs] daemon-started on build-1 - daemon started (3 tasks)")
    #expect(AlertText.subject(message([failedAlert(), daemonAlert])) == "[tfs] 2 alerts on build-1")
  }

  @Test func plainBody() {
    #expect(
      AlertText.body(message([failedAlert(folded: 3)])) == """
        run 12 of 'demo/x' failed (exit 1)

        task: demo/x
        run: 12
        when: 2024-03-10T07:00:00+00:00
        host: build-1
        3 more alerts like this one were folded since the last message

        stderr:
            boom
            line 2

        exit_code: 1
        version: 202403/10/070000
        """)
  }

  @Test func markdownBodyFencesTheStderrHead() {
    let body = AlertText.body(message([failedAlert(folded: 1)]), style: .markdown)
    #expect(body.contains("1 more alert like this one was folded since the last message"))
    #expect(body.contains("stderr:\n```\nboom\nline 2\n```\n\nexit_code: 1"))
  }

  @Test func digestBody() {
    #expect(
      AlertText.body(message([failedAlert(folded: 2), daemonAlert])) == """
        2 alerts on build-1

        - 2024-03-10T07:00:00+00:00 failed demo/x: run 12 of 'demo/x' failed (exit 1) (+2 folded)
        - 2024-03-10T07:00:01+00:00 daemon-started: daemon started (3 tasks)
        """)
  }
}

@Suite struct WebhookPresetTests {
  let single = message([failedAlert()])

  @Test func slackEscapesMarkup() throws {
    var alert = failedAlert()
    alert.title = "a < b & c"
    let payload = WebhookPayload.render(message([alert]), preset: .slack)
    #expect(payload.headers == ["Content-Type: application/json"])
    let text = try #require(try parsed(payload.body)["text"] as? String)
    #expect(text.hasPrefix("[tfs] failed: demo/x - a &lt; b &amp; c\n\na &lt; b &amp; c\n\ntask: demo/x"))
  }

  @Test func discordIsCutTo2000Characters() throws {
    var alert = failedAlert()
    alert.details = JSON.object(["stderr_head": String(repeating: "x", count: 5000)])
    let body = try parsed(WebhookPayload.render(message([alert]), preset: .discord).body)
    let content = try #require(body["content"] as? String)
    #expect(content.count == 2000)
    #expect(content.hasSuffix("…"))
    #expect((body["allowed_mentions"] as? [String: Any])?["parse"] as? [Any] != nil)
  }

  @Test func teamsMessageCard() throws {
    let card = try parsed(WebhookPayload.render(single, preset: .teams).body)
    #expect(card["@type"] as? String == "MessageCard")
    #expect(card["@context"] as? String == "https://schema.org/extensions")
    #expect(card["summary"] as? String == AlertText.subject(single))
    #expect(card["title"] as? String == AlertText.subject(single))
    #expect(
      (card["text"] as? String)?.hasPrefix("run 12 of 'demo/x' failed (exit 1)\n\n\n\ntask: demo/x") == true)
  }

  @Test func ntfyHeaders() {
    let payload = WebhookPayload.render(single, preset: .ntfy)
    #expect(
      payload.headers == [
        "Content-Type: text/plain; charset=utf-8",
        "Title: [tfs] failed: demo/x - run 12 of 'demo/x' failed (exit 1)",
        "Priority: high", "Tags: failed",
      ])
    #expect(payload.body == AlertText.body(single))
    let calm = WebhookPayload.render(message([daemonAlert]), preset: .ntfy)
    #expect(calm.headers.contains("Priority: default"))
  }

  @Test func genericSendsTheAlertJSON() {
    let payload = WebhookPayload.render(single, preset: .generic)
    #expect(
      payload == WebhookPayload(headers: ["Content-Type: application/json"], body: AlertJSON.render(single)))
  }
}

@Suite struct MailMessageTests {
  @Test func wholeMessage() {
    let mail = MailMessage.render(
      message([failedAlert()]), from: "tfs@build-1", to: ["a@example.com", "b@example.com"],
      nowMs: at + 5000)
    #expect(
      mail == [
        "From: tfs@build-1",
        "To: a@example.com, b@example.com",
        "Subject: [tfs] failed: demo/x - run 12 of 'demo/x' failed (exit 1)",
        "Date: Sun, 10 Mar 2024 07:00:05 +0000",
        "Message-ID: <tfs.7.1710054005000.ops@build-1>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
      ].joined(separator: "\r\n") + "\r\n"
        + AlertText.body(message([failedAlert()])).replacingOccurrences(
          of: "\n", with: "\r\n") + "\r\n")
  }

  @Test func headersCannotBeInjected() {
    var alert = failedAlert()
    alert.title = "x\r\nBcc: victim@example.com"
    let mail = MailMessage.render(
      message([alert]), from: "tfs@h\r\nBcc: b@x", to: ["a@example.com\nBcc: c@x"], nowMs: at)
    let head = mail.components(separatedBy: "\r\n\r\n")[0]
    #expect(!head.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc") })
    #expect(!mail.contains("\r\nBcc"))
  }

  @Test func encodedWordsStayShortAndDecodeBack() throws {
    let subject = "[tfs] failed: ünïcødé/täsk — " + String(repeating: "😀", count: 30)
    let words = MailMessage.encodedWords(subject, separator: " ").split(separator: " ")
    var decoded = Data()
    for word in words {
      #expect(word.count <= 75)
      #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
      decoded += try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
    }
    #expect(String(decoding: decoded, as: UTF8.self) == subject)
    #expect(MailMessage.encodedWords("plain ascii") == "plain ascii")
  }

  @Test func longAddressListsAndLinesAreFolded() {
    let to = (1...6).map { "someone\($0)@example.com" }
    let mail = MailMessage.render(message([failedAlert()]), from: "f@x", to: to, nowMs: at)
    #expect(mail.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    #expect(
      mail.contains("To: someone1@example.com, someone2@example.com, someone3@example.com,\r\n someone4"))
    #expect(MailMessage.wrapped(String(repeating: "é", count: 600)).map(\.utf8.count) == [998, 202])
  }

  @Test func dates() {
    #expect(MailMessage.date(epochMs: 0, zone: .utc) == "Thu, 1 Jan 1970 00:00:00 +0000")
    let paris = ZoneRules.forZone(TimeZone(identifier: "Europe/Paris")!)
    #expect(MailMessage.date(epochMs: at, zone: paris) == "Sun, 10 Mar 2024 08:00:00 +0100")
    #expect(MailMessage.address("Ops Team <ops@example.com>") == "ops@example.com")
    #expect(MailMessage.address(" ops@example.com ") == "ops@example.com")
  }

  @Test func retryAfter() {
    let now: Int64 = 1_445_412_475_000  // 2015-10-21T07:27:55Z
    #expect(RetryAfter.milliseconds("2", nowMs: now) == 2000)
    #expect(RetryAfter.milliseconds(" 120 ", nowMs: now) == 120_000)
    #expect(RetryAfter.milliseconds("Wed, 21 Oct 2015 07:28:00 GMT", nowMs: now) == 5000)
    #expect(RetryAfter.milliseconds("Wed, 21 Oct 2015 07:00:00 GMT", nowMs: now) == 0)
    #expect(RetryAfter.milliseconds("99999999999", nowMs: now) == 86_400_000)
    #expect(RetryAfter.milliseconds("soon", nowMs: now) == nil)
    #expect(RetryAfter.milliseconds("-1", nowMs: now) == nil)
    #expect(RetryAfter.milliseconds("Wed, 32 Oct 2015 07:28:00 GMT", nowMs: now) == nil)
  }
}
