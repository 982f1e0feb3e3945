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
}
