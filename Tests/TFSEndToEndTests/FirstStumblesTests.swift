import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// What a new user stumbled on (issue 14, point 6), each through the binary.
@Suite(.timeLimit(.minutes(3)))
struct FirstStumblesTests {
  /// `tfs run` says `started` once the daemon started it; `--follow` streams the output and
  /// exits with the run's code; `tfs logs -F` follows the task from one run to the next.
  @Test func runSaysStartedFollowStreamsAndLogsFollowsTheTask() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("job", rule: "@yearly", script: "echo \"hello $TFS_RUN_ID\"; sleep 0.3; echo bye; exit 4")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let follow = try s.tfs.start(["logs", "job", "-F"])
    defer { follow.stop() }

    let started = try s.tfs.run(["run", "job"])
    #expect(started.status == 0 && started.stdout.hasPrefix("run 1 of 'job' started ("), "\(started)")
    #expect(waitUntil(timeout: 10) { (try? E2E.store(s).run(1))?.status.isFinal == true })
    let streamed = try s.tfs.run(["run", "job", "--follow"])
    #expect(streamed.status == 4, "\(streamed)")
    #expect(
      streamed.stdout.hasPrefix("run 2 of 'job' started (") && streamed.stdout.hasSuffix("hello 2\nbye\n"))
    #expect(streamed.stderr.contains("run 2 of 'job' failed (exit 4)"))

    let text = { String(decoding: follow.stdout, as: UTF8.self) }
    #expect(waitUntil(timeout: 10) { text() == "hello 1\nbye\nhello 2\nbye\n" }, "\(text())")
    let heads = follow.stderr
    #expect(heads.contains("==> run 1 of 'job' (") && heads.contains("==> run 2 of 'job' ("), "\(heads)")
    #expect(follow.isRunning, "-F goes on after a run ends")
  }

  /// A disabled failing task is shown but passes `status --check`; ALERTS holds alerts about
  /// runs, not the audit of task changes.
  @Test func statusCheckAndAlertsLeaveOutWhatIsNotAProblem() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("broken", rule: "@yearly", script: "exit 1")
    #expect(try s.tfs.run(["run", "--here", "broken"]).status == 1)
    #expect(try s.tfs.run(["modify", "broken", "--title", "being fixed"]).status == 0)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let failing = try s.tfs.run(["status", "--check"])
    #expect(failing.status == 1 && failing.stderr.contains("1 task failing: broken (failed)"), "\(failing)")
    let status = try s.tfs.run(["status"])
    let alerts = try #require(status.stdout.components(separatedBy: "ALERTS").last)
    #expect(
      alerts.contains("failed") && !alerts.contains("modified") && !alerts.contains("added"),
      "\(status.stdout)")
    #expect(try s.tfs.run(["disable", "broken"]).status == 0)
    let disabled = try s.tfs.run(["status", "--check"])
    #expect(disabled.status == 0, "\(disabled)")
  }

  /// history says when its limit cut the list and where a run's files are; list names the zone
  /// of its times; show gives the effective zone once, quotes env values and has a REASON;
  /// add warns about an executor that is not on PATH; log-max takes 10M.
  @Test func smallThingsSaidPlainly() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask(
      "pub", rule: "@daily", script: "echo x > \"$TFS_PUBLISH_DIR/out.txt\"",
      flags: ["--env", "GREETING=hi there"])
    for _ in 0..<3 { #expect(try s.tfs.run(["run", "--here", "pub"]).status == 0) }
    let cut = try s.tfs.run(["history", "--limit", "2"])
    #expect(
      E2E.lines(cut.stdout).count == 3
        && cut.stderr == "(the newest 2 runs; --limit N for more, --limit 0 for all)\n")
    #expect(try s.tfs.run(["history", "--limit", "3"]).stderr.isEmpty)
    let files = try s.tfs.run(["history", "pub", "--files"])
    #expect(
      files.stdout.hasPrefix("run 3 (")
        && files.stdout.contains(" published into \(s.taskDir("pub"))/history/"), "\(files)")
    #expect(files.stdout.contains("out.txt  2\n"))

    #expect(try s.tfs.run(["list"]).stdout.hasPrefix("NAME  RULE    NEXT RUN (GMT)"))
    let show = try s.tfs.run(["show", "pub"]).stdout
    #expect(show.contains("timezone         GMT (the default)\n") && !show.contains("\nzone "), "\(show)")
    #expect(show.contains("env              GREETING='hi there'\n"))
    #expect(show.contains("STATUS     EXIT  REASON\n"), "\(show)")
    #expect(show.contains(" ✓✓✓  (last 3 runs, oldest first; longest "), "\(show)")

    let add = try s.tfs.run(["add", "x", "--rule", "@daily", "--command", "no-such-runner-xyz"])
    #expect(add.status == 0 && add.stderr.contains("executor 'no-such-runner-xyz' is not on PATH"), "\(add)")
    #expect(try s.tfs.run(["config", "set", "log-max", "10M"]).status == 0)
    #expect(try s.tfs.run(["config", "get", "log-max"]).stdout == "10M\n")
  }
}
