import Foundation
import TFSCore
import TFSTestSupport
import Testing

/// Which alerts the daemon raises and sends (SPEC §7), seen through a command channel that
/// records each message it is given: types, the per-task policy, retry chains and digests.
@Suite(.timeLimit(.minutes(3)))
struct AlertTypesTests {
  /// A channel taking every alert type; each delivery appends "TYPE TASK COUNT" to a file.
  static func recorder(_ s: Scenario, _ name: String = "rec", on: String = "all", extra: [String] = []) throws
    -> String
  {
    let script = s.dir.write(
      "\(name).sh",
      "#!/bin/sh\necho \"$TFS_ALERT_TYPE $TFS_ALERT_TASK $TFS_ALERT_COUNT\" >> \"$0.out\"\ncat > /dev/null\n",
      executable: true)
    let out = try s.tfs.run(["channel", "add", name, "--command", script, "--on", on] + extra)
    guard out.status == 0 else { throw ScenarioError.command("channel add", out) }
    return script + ".out"
  }

  static func received(_ path: String) -> [String] {
    (FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "")
      .split(separator: "\n").map(String.init)
  }

  static func types(_ path: String) -> [String] { received(path).map { String($0.split(separator: " ")[0]) } }

  @Test func alertAfterStillFailingAndRecovered() throws {
    let s = Scenario("tfs-alerts")
    defer { s.remove() }
    let out = try AlertTypesTests.recorder(s, on: "failed,still-failing,recovered")
    _ = try s.tfs.run(["config", "set", "alert-interval", "0s"])
    s.dir.write("home/tasks/flaky/mode", "fail")
    try s.addTask(
      "flaky", rule: "0 0 0 1 1 *", script: "[ \"$(cat \"$TFS_TASK_DIR/mode\")\" = ok ] || exit 1",
      flags: ["--alert-after", "2", "--realert", "1s"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    _ = try s.tfs.run(["run", "flaky", "--wait"])
    _ = try s.tfs.run(["run", "flaky", "--wait"])
    #expect(waitUntil(timeout: 10) { AlertTypesTests.types(out).contains("still-failing") })
    // The first failing run was held back by --alert-after 2.
    #expect(AlertTypesTests.types(out).filter { $0 == "failed" }.count == 1)
    s.dir.write("home/tasks/flaky/mode", "ok")
    _ = try s.tfs.run(["run", "flaky", "--wait"])
    #expect(waitUntil(timeout: 10) { AlertTypesTests.types(out).contains("recovered") })
    let recovered = try #require(try s.json(["events", "--type", "recovered"]) as? [[String: Any]])
    #expect((recovered.first?["title"] as? String)?.contains("after failing for") == true)
    let failed = try #require(try s.json(["events", "--type", "failed"]) as? [[String: Any]])
    #expect(failed.map { $0["delivery"] as? String } == ["delivered", "suppressed"])
  }

  @Test func aRetryChainAlertsOnceNamingTheAttempt() throws {
    let s = Scenario("tfs-alerts")
    defer { s.remove() }
    let out = try AlertTypesTests.recorder(s, on: "failed")
    try s.addTask(
      "r", rule: "* * * * * *", script: "exit 1", flags: ["--retries", "2", "--retry-delay", "100ms"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 15) {
        ((try? s.json(["events", "--type", "failed", "--limit", "0"])) as? [[String: Any]] ?? []).contains {
          $0["delivery"] as? String == "delivered"
        }
      })
    let failed = try #require(try s.json(["events", "--type", "failed", "--limit", "0"]) as? [[String: Any]])
    let sent = failed.filter { $0["delivery"] as? String != "suppressed" }
    #expect((sent.last?["title"] as? String)?.hasSuffix("attempt 3 of 3") == true, "\(sent)")
    let held = failed.filter { $0["delivery"] as? String == "suppressed" }
    #expect(held.allSatisfy { ($0["title"] as? String)?.contains("attempt 3 of 3") == false })
    #expect(AlertTypesTests.types(out).first == "failed")
  }

  @Test func lostMissedKilledAndOptInTypes() throws {
    let s = Scenario("tfs-alerts")
    defer { s.remove() }
    let out = try AlertTypesTests.recorder(s, on: "lost,missed,killed,daemon-started")
    let feed = try AlertTypesTests.recorder(s, "feed", on: "started,succeeded", extra: ["--tasks", "s*"])
    _ = try s.tfs.run(["config", "set", "alert-interval", "0s"])
    try s.addTask("slow", rule: "0 0 0 1 1 *", script: "sleep 300 # tfs-alert-lost")
    try s.addTask("swift", rule: "0 0 0 1 1 *", script: "true")
    try s.addTask("tick", rule: "*/2 * * * * *", script: "true")
    let first = try s.tfs.startDaemon()
    defer { first.killHard() }
    #expect(try s.tfs.run(["run", "slow"]).status == 0)
    #expect(try s.tfs.run(["run", "swift", "--wait"]).status == 0)
    #expect(waitUntil(timeout: 10) { AlertTypesTests.received(feed).count >= 3 })
    // Opt-in types only where a channel asked for them, and only for its tasks.
    #expect(
      Set(AlertTypesTests.received(feed)) == ["started slow 1", "started swift 1", "succeeded swift 1"])
    // `tick` (outside the feed's `s*`) has succeeded meanwhile: no `succeeded` event for it.
    #expect(
      waitUntil(timeout: 10) {
        ((try? s.json(["history", "tick", "--limit", "0"])) as? [[String: Any]] ?? []).contains {
          $0["status"] as? String == "succeeded"
        }
      })
    let ticks = try #require(try s.json(["events", "tick", "--limit", "0"]) as? [[String: Any]])
    #expect(!ticks.contains { $0["type"] as? String == "succeeded" || $0["type"] as? String == "started" })
    first.killHard()
    // Down over several occurrences of `tick`: they are missed, then the running run is lost.
    Thread.sleep(forTimeInterval: 4.5)
    let second = try s.tfs.startDaemon()
    defer { second.stop() }
    #expect(waitUntil(timeout: 10) { AlertTypesTests.types(out).contains("lost") })
    #expect(waitUntil(timeout: 10) { AlertTypesTests.types(out).contains("missed") })
    let missed = try #require(try s.json(["events", "--type", "missed"]) as? [[String: Any]])
    let count = (missed.first?["details"] as? [String: Any])?["count"] as? Int
    #expect((count ?? 0) >= 2, "\(missed)")
    #expect(processes(containing: "tfs-alert-lost").isEmpty)
    _ = try s.tfs.run(["run", "slow"])
    #expect(waitUntil(timeout: 10) { (try? s.tfs.run(["kill", "slow"]).status) == 0 })
    #expect(waitUntil(timeout: 10) { AlertTypesTests.types(out).contains("killed") })
    #expect(AlertTypesTests.types(out).contains("daemon-started"))
  }

  @Test func moreThanTenAlertsAMinuteBecomeOneDigest() throws {
    let s = Scenario("tfs-alerts")
    defer { s.remove() }
    let out = try AlertTypesTests.recorder(s, on: "failed")
    // 15 tasks failing at the same instants: 15 alerts at once, again every 20 s.
    for i in 0..<15 { try s.addTask("t\(i)", rule: "*/20 * * * * *", script: "exit 1") }
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 40) {
        AlertTypesTests.received(out).compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
          >= 15
      })
    let messages = AlertTypesTests.received(out)
    #expect(messages.count <= 11, "\(messages)")
    #expect(messages.contains { (Int($0.split(separator: " ").last ?? "") ?? 0) > 1 }, "\(messages)")
  }

  /// A retry waiting for its delay when the daemon stops is `skipped` (its occurrence had its
  /// run), and the chain's failure, held back for it, is alerted then.
  @Test func aRetryCutByShutdownIsSkippedAndTheChainAlerts() throws {
    let s = Scenario("tfs-alerts")
    defer { s.remove() }
    _ = try AlertTypesTests.recorder(s, on: "failed")
    try s.addTask(
      "r", rule: "0 0 0 1 1 *", script: "exit 1", flags: ["--retries", "1", "--retry-delay", "1h"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    _ = try s.tfs.run(["run", "r"])
    #expect(
      waitUntil(timeout: 10) {
        ((try? s.json(["history", "r"])) as? [[String: Any]] ?? []).contains {
          $0["trigger"] as? String == "retry"
        }
      })
    daemon.stop()
    let runs = try #require(try s.json(["history", "r"]) as? [[String: Any]])
    let retry = try #require(runs.first { $0["trigger"] as? String == "retry" })
    #expect(retry["status"] as? String == "skipped", "\(retry)")
    #expect((retry["reason"] as? String)?.contains("before this retry started") == true)
    let failed = try #require(try s.json(["events", "--type", "failed"]) as? [[String: Any]])
    // Raised as the daemon stopped: sent in its last moments, or by the next daemon.
    #expect(failed.count == 2 && failed[1]["delivery"] as? String == "suppressed", "\(failed)")
    #expect(["pending", "delivered"].contains(failed[0]["delivery"] as? String), "\(failed)")
  }
}
