import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// What a user sees at a glance (issue 14): the timeline of upcoming runs, …
@Suite(.timeLimit(.minutes(3)))
struct GlanceTests {
  /// `tfs next` without a rule: every enabled task's next run, soonest first, with its last run
  /// (like `systemctl list-timers`); --limit, --all, --tz and --json.
  @Test func nextWithoutARuleIsTheTimelineOfEveryTask() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("hourly", rule: "0 0 * * * *", script: "true")
    try s.addTask("soon", rule: "30 0 12 * * *", script: "exit 3")
    try s.addTask("nightly", rule: "0 0 2 * * *", script: "true", flags: ["--tz", "Europe/Paris"])
    try s.addTask("off", rule: "* * * * * *", script: "true", flags: ["--disabled"])
    #expect(try s.tfs.run(["run", "--here", "soon", "--now", "2024-03-09T11:00:00Z"]).status == 3)

    let now = ["--now", E2E.now]  // 2024-03-09T12:00:00Z
    let out = try s.tfs.run(["next"] + now)
    #expect(out.status == 0 && out.stderr.isEmpty, "\(out)")
    #expect(
      E2E.lines(out.stdout) == [
        "NEXT (GMT)           LEFT    LAST                 PASSED     TASK     RESULT",
        "2024-03-09 12:00:30  30s     2024-03-09 11:00:00  1h00m ago  soon     failed",
        "2024-03-09 13:00:00  1h00m   -                    -          hourly   -",
        "2024-03-10 01:00:00  13h00m  -                    -          nightly  -",
      ], "\(out.stdout)")
    let limited = try s.tfs.run(["next", "--limit", "1", "--tz", "Asia/Shanghai"] + now)
    #expect(E2E.lines(limited.stdout).count == 2 && limited.stdout.hasPrefix("NEXT (Asia/Shanghai)"))
    #expect(limited.stdout.contains("2024-03-09 20:00:30"))
    let all = try s.tfs.run(["next", "--all"] + now)
    #expect(
      E2E.lines(all.stdout).last
        == "-                    disabled  -                    -          off      -")
    let json = try #require(try E2E.json(try s.tfs.run(["next", "--json"] + now).stdout) as? [[String: Any]])
    #expect(json.map { $0["task"] as? String } == ["soon", "hourly", "nightly"])
    #expect(json[0]["next"] as? String == "2024-03-09T12:00:30+00:00" && json[0]["left_ms"] as? Int == 30_000)
    #expect((json[0]["last_run"] as? [String: Any])?["status"] as? String == "failed")
    #expect(json[1]["last_run"] is NSNull)
    let mixed = try s.tfs.run(["next", "soon", "--limit", "2"])
    #expect(mixed.status == 64 && mixed.stderr.contains("--limit and --all list every task"))
  }

  /// The daemon's log: logfmt lines a parser can split, a failed run at `warning`, integers as
  /// JSON numbers, and on the journal's stream each line prefixed with its syslog priority.
  @Test func theDaemonLogIsLogfmtJSONAndJournalReady() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("bad", rule: "* * * * * *", script: "echo oops; exit 3")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 20) { daemon.log.contains("status=failed") }, "\(daemon.log)")
    let lines = daemon.log.split(separator: "\n").map(String.init)
    let started = try #require(lines.first { $0.contains("msg=\"daemon started\"") })
    #expect(
      started.hasPrefix("time=") && started.contains(" level=info ")
        && started.contains(" pid=\(daemon.pid) "))
    let ended = try #require(lines.first { $0.contains("msg=ended") && $0.contains("task=bad") })
    #expect(
      ended.contains(" level=warning ") && ended.contains(" exit=3 ") && ended.contains(" status=failed"),
      "\(ended)")
    daemon.stop()

    let json = try s.tfs.startDaemon(["--log-format", "json"])
    defer { json.stop() }
    #expect(waitUntil(timeout: 20) { json.log.contains("\"status\":\"failed\"") }, "\(json.log)")
    let objects = json.log.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    let failed = try #require(
      objects.first { $0["message"] as? String == "ended" && $0["status"] as? String == "failed" })
    #expect(failed["exit"] as? Int == 3 && failed["run"] is Int && failed["level"] as? String == "warning")
    json.stop()

    // stderr is "the journal" when JOURNAL_STREAM names its device and inode.
    let log = s.dir.path + "/journal.log"
    let script = """
      exec 2>"$1"; JOURNAL_STREAM=$(stat -c %d:%i "$1") exec "$2" daemon --once
      """
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", script, "sh", log, TFSBinary.path]
    shell.environment = ["TFS_HOME": s.home, "PATH": "/usr/bin:/bin", "TZ": "UTC"]
    try shell.run()
    shell.waitUntilExit()
    let journal = try #require(s.dir.read("journal.log"))
    #expect(journal.contains("<6>time=") && journal.contains("msg=\"daemon started\""), "\(journal)")
  }
}
