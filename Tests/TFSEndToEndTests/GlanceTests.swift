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

/// `tfs top` in a real terminal: tmux runs it in an 80×24 window, its keys are sent with
/// `send-keys` and the screen read with `capture-pane`.
@Suite(.timeLimit(.minutes(3)))
struct TopTerminalTests {
  struct Tmux {
    let socket: String

    /// Runs a tmux command and returns its output, read from a file: the server a first
    /// command starts inherits the client's descriptors and would hold a pipe open for ever,
    /// and Foundation's Process did not see that client exit; posix_spawn and waitpid do.
    @discardableResult
    func callAsFunction(_ args: String...) throws -> String {
      let file = socket + ".out"
      var actions = posix_spawn_file_actions_t()
      posix_spawn_file_actions_init(&actions)
      defer { posix_spawn_file_actions_destroy(&actions) }
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
      posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
      posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
      let argv = (["tmux", "-S", socket] + args).map { strdup($0) } + [nil]
      defer { for a in argv { free(a) } }
      var pid: pid_t = 0
      guard posix_spawnp(&pid, "tmux", &actions, nil, argv, environ) == 0 else {
        throw CocoaError(.executableNotLoadable)
      }
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
      return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    func screen(_ target: String = "top") -> [String] {
      ((try? self("capture-pane", "-p", "-t", target)) ?? "").split(
        separator: "\n", omittingEmptySubsequences: false
      )
      .map(String.init)
    }
  }

  @Test func topDrawsFiltersScrollsAndGivesTheTerminalBack() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("slow", rule: "* * * * * *", script: "sleep 3", flags: ["--overlap", "skip"])
    try s.addTask("bad", rule: "*/2 * * * * *", script: "exit 1")
    for i in 1...12 { try s.addTask("t\(i)", rule: "@daily", script: "true") }
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let tmux = Tmux(socket: s.dir.path + "/tmux.sock")
    defer { _ = try? tmux("kill-server") }
    let command =
      "TFS_HOME='\(s.home)' NO_COLOR=1 TZ=UTC '\(TFSBinary.path)' top; echo EXITED $?; stty -a; sleep 60"
    try tmux("new-session", "-d", "-s", "top", "-x", "80", "-y", "24", command)

    #expect(
      waitUntil(timeout: 20) {
        tmux.screen().contains { $0.hasPrefix("RUNNING (") && !$0.hasPrefix("RUNNING (0)") }
      },
      "\(tmux.screen())")
    var screen = tmux.screen()
    #expect(screen.first?.hasPrefix("tfs top  \(s.home)  daemon up") == true, "\(screen)")
    #expect(screen.contains { $0.contains(" slow ") }, "\(screen)")
    #expect(screen.allSatisfy { $0.count <= 80 } && screen.count >= 24)

    try tmux("send-keys", "-t", "top", "/", "b", "a", "d", "Enter")
    #expect(waitUntil(timeout: 10) { tmux.screen().contains { $0.contains("filter: bad") } })
    #expect(waitUntil(timeout: 10) { !tmux.screen().contains { $0.contains(" slow ") } }, "\(tmux.screen())")
    try tmux("send-keys", "-t", "top", "Escape")
    try tmux("send-keys", "-t", "top", "G")
    #expect(
      waitUntil(timeout: 10) { tmux.screen().contains { $0.hasPrefix("CHANNELS") } }, "\(tmux.screen())")

    try tmux("resize-window", "-t", "top", "-x", "60", "-y", "30")
    #expect(waitUntil(timeout: 10) { tmux.screen().count >= 30 && tmux.screen()[0].count <= 60 })
    screen = tmux.screen()
    #expect(screen.allSatisfy { $0.count <= 60 }, "\(screen)")

    try tmux("send-keys", "-t", "top", "q")
    #expect(waitUntil(timeout: 10) { tmux.screen().contains("EXITED 0") }, "\(tmux.screen())")
    #expect(
      tmux.screen().contains { $0.contains(" icanon") && $0.contains(" echo") },
      "the terminal mode was not restored")

    // Ctrl-C: the same, exit 130.
    try tmux("new-window", "-t", "top", "-n", "second", command)
    #expect(waitUntil(timeout: 20) { tmux.screen("top:second").contains { $0.hasPrefix("RUNNING") } })
    try tmux("send-keys", "-t", "top:second", "C-c")
    #expect(
      waitUntil(timeout: 10) { tmux.screen("top:second").contains("EXITED 130") },
      "\(tmux.screen("top:second"))")
    #expect(tmux.screen("top:second").contains { $0.contains(" icanon") && $0.contains(" echo") })
  }

  /// Not a terminal: the view printed plainly, --count times.
  @Test func topPrintsPlainlyWhenNotATerminal() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@hourly", script: "true")
    let out = try s.tfs.run(["top", "--count", "2"])
    #expect(out.status == 0 && !out.stdout.contains("\u{1B}"), "\(out)")
    #expect(out.stdout.components(separatedBy: "tfs top  ").count == 3)
    #expect(out.stdout.contains("NEXT\nNEXT") && out.stdout.contains("  a  "))
  }
}
