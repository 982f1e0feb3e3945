import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// `tfs status` and `status --check` through the binary.
@Suite(.timeLimit(.minutes(2)))
struct StatusTests {
  func scenario() throws -> Scenario {
    let s = Scenario("tfs-status")
    try s.addTask("a", rule: "0 0 * * * *", script: "echo a")
    try s.addTask("b", rule: "0 0 * * * *", script: "echo b")
    return s
  }

  @Test func checkFailsWithoutADaemon() throws {
    let s = try scenario()
    defer { s.remove() }
    let out = try s.tfs.run(["status", "--check"])
    #expect(out.status == 1)
    #expect(out.stdout.isEmpty)
    #expect(out.stderr == "tfs: no daemon is running for \(s.home); start one with 'tfs daemon'\n")
  }

  @Test func checkFailsWithoutAHome() throws {
    let dir = TempDir("tfs-status")
    defer { dir.remove() }
    let out = try TFSBinary(home: dir.path + "/none").run(["status", "--check"])
    #expect(out.status == 1)
    #expect(out.stderr.contains("no tfs home at"))
  }

  @Test func failingTasksRunningRunsAndAlerts() throws {
    let s = try scenario()
    defer { s.remove() }
    try s.recordRun("a", at: readT0, status: .failed, exitCode: 2, log: Data())
    try s.recordRun("b", at: readT0, status: .timedOut, signal: 15, log: Data())
    try s.recordRun("b", at: readT0 + 60_000, status: .succeeded, log: Data())  // recovered
    let running = try s.recordRun("b", at: readT0 + 120_000, status: .running, log: Data())
    let now = ["--now", "2024-01-05T12:05:00Z"]

    let check = try s.tfs.run(["status", "--check"] + now)
    #expect(check.status == 1)
    #expect(
      check.stderr
        == "tfs: no daemon is running for \(s.home); start one with 'tfs daemon'; 1 task failing: a (failed)\n"
    )

    let text = try s.tfs.run(["status"] + now)
    #expect(text.status == 0)
    #expect(
      text.stdout.hasPrefix(
        "daemon   down (never started)\nrunning  1\nqueued   0\nfailing  1\nchannels none"))
    #expect(
      text.stdout.contains(
        """
        RUNNING
        ID  TASK  VERSION           STATUS   STARTED              ELAPSED  PID
        \(running.id)   b     202401/05/120200  running  2024-01-05 12:02:00  2m59s    4242
        """), "\(text)")
    #expect(
      text.stdout.contains(
        """
        FAILING
        TASK  STATUS  ENDED                RUN  STATE
        a     failed  2024-01-05 12:00:01  1    enabled
        """), "\(text)")
    // Audit entries (the tasks' `added`) stay out of the alerts: there is none here.
    #expect(!text.stdout.contains("RECENT ALERTS") && !text.stdout.contains("task 'b' added"), "\(text)")

    let json = try #require(try s.json(["status"] + now) as? [String: Any])
    #expect(json["ok"] as? Bool == false)
    let daemon = try #require(json["daemon"] as? [String: Any])
    #expect(daemon["state"] as? String == "down")
    #expect(daemon["up"] as? Bool == false)
    let runs = try #require(json["runs"] as? [[String: Any]])
    #expect(runs.map { ($0["id"] as? NSNumber)?.int64Value } == [running.id])
    #expect((runs.first?["elapsed_ms"] as? NSNumber)?.int64Value == 179_995)
    let failing = try #require(json["failing"] as? [[String: Any]])
    #expect(failing.map { $0["task"] as? String } == ["a"])
    #expect(failing.first?["status"] as? String == "failed")
  }

  /// The daemon-up half of `--check`, with a real `tfs daemon` (never a lock held by the test).
  @Test
  func checkPassesWithADaemonUpAndNothingFailing() throws {
    let s = try scenario()
    defer { s.remove() }
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 15) { (try? s.tfs.run(["status", "--check"]).status) == 0 }, "\(daemon.log)")
    let json = try #require(try s.json(["status"]) as? [String: Any])
    let info = try #require(json["daemon"] as? [String: Any])
    #expect(info["state"] as? String == "up")
    #expect((info["pid"] as? NSNumber)?.int32Value == daemon.pid)
    #expect(info["version"] as? String == "0.1.0")
    let text = try s.tfs.run(["status"])
    #expect(text.stdout.hasPrefix("daemon   up (pid \(daemon.pid), since "), "\(text)")

    // A heartbeat older than 10s means down, even with the lock held.
    let later = Date().addingTimeInterval(30)
    let stale = try s.tfs.run(["status", "--check", "--now", ISO8601DateFormatter().string(from: later)])
    #expect(stale.status == 1)
    #expect(stale.stderr.contains("the daemon (pid \(daemon.pid)) holds the lock but has sent no heartbeat"))

    try s.recordRun("a", at: readT0, status: .failed, exitCode: 1, log: Data())
    let failing = try s.tfs.run(["status", "--check"])
    #expect(failing.status == 1)
    #expect(failing.stderr == "tfs: 1 task failing: a (failed)\n")

    daemon.stop()
    let after = try s.tfs.run(["status"])
    #expect(after.stdout.hasPrefix("daemon   down (pid \(daemon.pid) stopped "), "\(after)")
  }
}
