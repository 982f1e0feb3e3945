import Foundation
import TFSCore
import TFSTestSupport
import Testing

/// Alerts delivered by the daemon to real peers on loopback (SPEC §7): webhooks that fail,
/// throttle, hang or present a bad certificate; mail over SMTP and through msmtp; commands.
@Suite(.timeLimit(.minutes(3)))
struct AlertDeliveryTests {
  /// Deliveries of the newest alert of `type` (per channel: state, attempts, last error).
  static func deliveries(_ s: Scenario, type: String) throws -> [[String: Any]] {
    let events = try #require(try s.json(["events", "--type", type, "--limit", "1"]) as? [[String: Any]])
    return (events.first?["deliveries"] as? [[String: Any]]) ?? []
  }

  static func state(_ s: Scenario, type: String, channel: String) throws -> String? {
    try deliveries(s, type: type).first { $0["channel"] as? String == channel }?["state"] as? String
  }

  static func daemon(_ s: Scenario) throws -> DaemonProcess {
    try s.tfs.startDaemon(["--alert-retry-base", "200ms"])
  }

  /// A task that fails once, run by hand through the daemon.
  static func failOnce(_ s: Scenario, _ name: String = "crawl", flags: [String] = []) throws {
    try s.addTask(name, rule: "0 0 0 1 1 *", script: "echo 'no route to host' >&2\nexit 3", flags: flags)
  }

  @Test func webhookFailingTwiceIsRetriedUntilDelivered() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    let peer = try Peer.webhook()
    defer { peer.stop() }
    try AlertDeliveryTests.failOnce(s)
    #expect(
      try s.tfs.run(["channel", "add", "hook", "--webhook", "http://127.0.0.1:\(peer.port)/fail-twice"])
        .status == 0)
    let daemon = try AlertDeliveryTests.daemon(s)
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "crawl", "--wait"]).status == 3)
    let requests = try peer.requests(atLeast: 3, timeout: 20)
    #expect(requests.count == 3)
    let body = try #require(
      try JSONSerialization.jsonObject(with: Data(requests[2].body.utf8)) as? [String: Any])
    #expect(body["schema"] as? String == "tfs.alert/1" && body["type"] as? String == "failed")
    #expect(body["task"] as? String == "crawl" && body["channel"] as? String == "hook")
    #expect(
      waitUntil(timeout: 10) {
        (try? AlertDeliveryTests.state(s, type: "failed", channel: "hook")) == "delivered"
      })
    let d = try #require(try AlertDeliveryTests.deliveries(s, type: "failed").first)
    #expect(d["attempts"] as? Int == 3)
    let table = try s.tfs.run(["events", "--type", "failed"])
    #expect(table.stdout.contains("hook:delivered"), "\(table)")
  }

  @Test func retryAfterIsHonoured() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    let peer = try Peer.webhook()
    defer { peer.stop() }
    try AlertDeliveryTests.failOnce(s)
    _ = try s.tfs.run(["channel", "add", "hook", "--webhook", "http://127.0.0.1:\(peer.port)/retry-after"])
    let daemon = try AlertDeliveryTests.daemon(s)
    defer { daemon.stop() }
    _ = try s.tfs.run(["run", "crawl", "--wait"])
    _ = try peer.requests(atLeast: 1, timeout: 10)
    let first = Date()
    let both = try peer.requests(atLeast: 2, timeout: 10)
    let gap = Date().timeIntervalSince(first)
    #expect(both.count == 2)
    // Retry-After: 2 — without it the retry would come after 100-200 ms.
    #expect(gap > 1.7, "second attempt after \(gap) s")
  }

  @Test func aHungChannelHoldsUpNeitherOtherChannelsNorRuns() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    let peer = try Peer.webhook()
    defer { peer.stop() }
    try AlertDeliveryTests.failOnce(s)
    try s.addTask("tick", rule: "* * * * * *", script: "true")
    _ = try s.tfs.run(["channel", "add", "hung", "--webhook", "http://127.0.0.1:\(peer.port)/hang"])
    _ = try s.tfs.run(["channel", "add", "fine", "--webhook", "http://127.0.0.1:\(peer.port)/ok"])
    let daemon = try AlertDeliveryTests.daemon(s)
    defer { daemon.stop() }
    _ = try s.tfs.run(["run", "crawl", "--wait"])
    let started = Date()
    #expect(
      waitUntil(timeout: 5) {
        (try? AlertDeliveryTests.state(s, type: "failed", channel: "fine")) == "delivered"
      })
    #expect(Date().timeIntervalSince(started) < 3)
    // The hung request times out after 10 s and is retried; runs kept firing meanwhile.
    #expect(
      waitUntil(timeout: 20) {
        let d = (try? AlertDeliveryTests.deliveries(s, type: "failed"))?.first {
          $0["channel"] as? String == "hung"
        }
        return (d?["last_error"] as? String)?.contains("timed out") == true
      })
    let ticks = try #require(try s.json(["history", "tick", "--limit", "0"]) as? [[String: Any]])
    #expect(ticks.count >= 9, "\(ticks.count) runs of an every-second task in ~10 s")
  }

  @Test func badCertificateFailsAndAFailingChannelShowsInStatus() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    let peer = try Peer.webhook(tls: true)
    defer { peer.stop() }
    try AlertDeliveryTests.failOnce(s)
    _ = try s.tfs.run(["channel", "add", "tls", "--webhook", "https://127.0.0.1:\(peer.port)/ok"])
    let daemon = try AlertDeliveryTests.daemon(s)
    defer { daemon.stop() }
    _ = try s.tfs.run(["run", "crawl", "--wait"])
    #expect(waitUntil(timeout: 15) { daemon.log.contains("channel failing") })
    let check = try s.tfs.run(["status", "--check"])
    #expect(check.status == 1 && check.stderr.contains("alert channel 'tls' failing"), "\(check)")
    let status = try s.tfs.run(["status"])
    #expect(status.stdout.contains("FAILING CHANNELS") && status.stdout.contains("certificate"), "\(status)")
    let list = try s.tfs.run(["channel", "list"])
    #expect(list.stdout.contains("failing ("), "\(list)")
    // Never an alert about alerts.
    let events = try #require(try s.json(["events", "--limit", "0"]) as? [[String: Any]])
    #expect(events.filter { $0["type"] as? String == "system-error" }.isEmpty)
  }

  @Test func commandChannelExitingOneThenZero() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    try AlertDeliveryTests.failOnce(s)
    let script = s.dir.write(
      "notify.sh",
      """
      #!/bin/sh
      if [ ! -e "$0.tried" ]; then touch "$0.tried"; echo 'not yet' >&2; exit 1; fi
      { echo "$TFS_ALERT_TYPE $TFS_ALERT_TASK $TFS_ALERT_RUN_ID"; cat; echo; } >> "$0.out"
      """, executable: true)
    _ = try s.tfs.run(["channel", "add", "pager", "--command", script])
    let daemon = try AlertDeliveryTests.daemon(s)
    defer { daemon.stop() }
    _ = try s.tfs.run(["run", "crawl", "--wait"])
    #expect(
      waitUntil(timeout: 10) {
        (try? AlertDeliveryTests.state(s, type: "failed", channel: "pager")) == "delivered"
      })
    let out = try #require(s.dir.read("notify.sh.out"))
    #expect(out.hasPrefix("failed crawl 1\n{"), "\(out)")
    #expect(out.contains("\"stderr_head\":\"no route to host\\n\""), "\(out)")
    let d = try #require(try AlertDeliveryTests.deliveries(s, type: "failed").first)
    #expect(d["attempts"] as? Int == 2)
  }

  @Test func mailThroughSMTPAndThroughMsmtp() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    let smtp = try Peer.smtp()
    defer { smtp.stop() }
    try AlertDeliveryTests.failOnce(s, flags: ["--owner", "owner@example.com"])
    _ = try s.tfs.run(["config", "set", "mail-from", "tfs@example.com"])
    _ = try s.tfs.run([
      "channel", "add", "smtp", "--email", "ops@example.com", "--smtp", "smtp://127.0.0.1:\(smtp.port)",
    ])
    _ = try s.tfs.run([
      "channel", "add", "msmtp", "--email", "dev@example.com", "--sendmail",
      "msmtp --host=127.0.0.1 --port=\(smtp.port) --auth=off --tls=off --from=tfs@example.com -t",
    ])
    let daemon = try AlertDeliveryTests.daemon(s)
    defer { daemon.stop() }
    _ = try s.tfs.run(["run", "crawl", "--wait"])
    let mails = try smtp.mails(atLeast: 2, timeout: 20)
    #expect(mails.count == 2)
    let recipients = Set(mails.map { Set($0.rcptTos) })
    #expect(
      recipients == [["ops@example.com", "owner@example.com"], ["dev@example.com", "owner@example.com"]])
    for mail in mails {
      #expect(mail.data.contains("Subject: [tfs] failed: crawl"), "\(mail.data)")
      #expect(mail.data.contains("no route to host"))
    }
    #expect(
      waitUntil(timeout: 10) {
        (try? AlertDeliveryTests.state(s, type: "failed", channel: "msmtp")) == "delivered"
      })
  }

  @Test func aSendInterruptedBySIGKILLIsSentByTheNextDaemon() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    let peer = try Peer.webhook()
    defer { peer.stop() }
    try AlertDeliveryTests.failOnce(s)
    _ = try s.tfs.run(["channel", "add", "hook", "--webhook", "http://127.0.0.1:\(peer.port)/hang-first"])
    let first = try AlertDeliveryTests.daemon(s)
    defer { first.killHard() }
    _ = try s.tfs.run(["run", "crawl", "--wait"])
    _ = try peer.requests(atLeast: 1, timeout: 10)
    first.killHard()  // in the middle of the send: the peer holds the request open
    let second = try AlertDeliveryTests.daemon(s)
    defer { second.stop() }
    let requests = try peer.requests(atLeast: 2, timeout: 10)
    #expect(requests.count == 2 && requests[0].body == requests[1].body)
    #expect(
      waitUntil(timeout: 10) {
        (try? AlertDeliveryTests.state(s, type: "failed", channel: "hook")) == "delivered"
      })
  }

  @Test func channelTestPrintsOutcomeLatencyAndAnswer() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    let peer = try Peer.webhook()
    defer { peer.stop() }
    _ = try s.tfs.run([
      "channel", "add", "ok", "--webhook", "http://127.0.0.1:\(peer.port)/ok", "--preset", "slack",
    ])
    _ = try s.tfs.run(["channel", "add", "gone", "--webhook", "http://127.0.0.1:\(peer.port)/gone"])
    let ok = try s.tfs.run(["channel", "test", "ok"])
    #expect(ok.status == 0, "\(ok)")
    #expect(ok.stdout.hasPrefix("delivered to 'ok' in ") && ok.stdout.contains("answer: HTTP 200"), "\(ok)")
    let request = try #require(try peer.requests(atLeast: 1).first)
    #expect(request.body.hasPrefix("{\"text\":") && request.body.contains("test alert"), "\(request.body)")
    let gone = try s.tfs.run(["channel", "test", "gone", "--json"])
    #expect(gone.status == 1, "\(gone)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(gone.stdout.utf8)) as? [String: Any])
    #expect(json["outcome"] as? String == "permanent" && (json["latency_ms"] as? Int ?? -1) >= 0)
    #expect((json["answer"] as? String)?.contains("404") == true, "\(json)")
    // Nothing was recorded: a test is not an alert.
    let events = try #require(try s.json(["events"]) as? [[String: Any]])
    #expect(events.allSatisfy { $0["type"] as? String == "channel-added" })
  }

  @Test func aStoppingDaemonEndsTheChannelCommandsItStarted() throws {
    let s = Scenario("tfs-alert")
    defer { s.remove() }
    try AlertDeliveryTests.failOnce(s)
    let marker = "tfs-stop-marker-\(getpid())"
    let script = s.dir.write("hang.sh", "#!/bin/sh\nsh -c 'sleep 300; :' \(marker)\n", executable: true)
    _ = try s.tfs.run(["channel", "add", "hang", "--command", script])
    let daemon = try AlertDeliveryTests.daemon(s)
    defer { daemon.killHard() }
    _ = try s.tfs.run(["run", "crawl", "--wait"])
    #expect(waitUntil(timeout: 10) { !processes(containing: marker).isEmpty })
    daemon.stop()
    #expect(waitUntil(timeout: 5) { processes(containing: marker).isEmpty })
    for pid in processes(containing: marker) { kill(pid, SIGKILL) }
    // Its claim was freed: the next daemon sends it again.
    let d = try #require(try AlertDeliveryTests.deliveries(s, type: "failed").first)
    #expect(d["state"] as? String == "pending")
  }
}
