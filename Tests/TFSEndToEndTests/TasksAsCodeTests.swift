import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

extension E2E {
  /// What a store holds of its tasks and audit trail: equal before and after means nothing was written.
  static func snapshot(_ s: Scenario) throws -> ([TaskRecord], Int64) {
    let store = try store(s)
    return (try store.tasks(), try store.lastEventID())
  }

  /// Every flag of `tfs add`, each away from its default.
  static let everyFlag = [
    "--rule", "*/7 * * * * *", "--command", "python3 -u", "--entry", "bin/job.py", "--title",
    "Funds \"daily\" ü",
    "--description", "two\nlines with \"quotes\" and \\ too", "--owner", "a@b.c;d@e.f", "--tz",
    "Asia/Shanghai",
    "--timeout", "1h30m", "--on-timeout", "alert", "--overlap", "queue", "--catch-up", "all",
    "--catch-up-window", "2h", "--retries", "3", "--retry-delay", "45s", "--jitter", "1500ms", "--env", "A=1",
    "--env", "EMPTY=", "--env", "Q=a \"b\" \\c = d", "--workdir", "/srv/x", "--disabled", "--alert-after",
    "2",
    "--realert", "6h", "--alert-on", "failed,timeout", "--keep", "10", "--keep-for", "14d", "--user",
    "www-data", "--on-node", "node-1", "--on-label", "gpu", "--rerun-lost", "yes",
  ]
}

@Suite(.timeLimit(.minutes(3)))
struct TasksAsCodeTests {
  /// A task with every field set, exported, removed and applied back, is the same task; applying
  /// the export again changes nothing and writes nothing (no event, no updated_at).
  @Test func exportApplyRoundTripsEveryField() throws {
    let s = Scenario()
    defer { s.remove() }
    #expect(try s.tfs.run(["add", "crawler/funds"] + E2E.everyFlag).status == 0)
    try s.addTask("crawler/plain", rule: "@hourly", script: "true")
    let exported = try s.tfs.run(["export"])
    #expect(exported.status == 0 && exported.stderr.isEmpty, "\(exported)")
    for field in TaskField.allCases where field != .env {
      #expect(exported.stdout.contains("\n\(field.rawValue) = "), "\(field.rawValue) is not exported")
    }
    #expect(exported.stdout.contains("[[task]]\nname = \"crawler/plain\"\nrule = \"@hourly\"\n"))
    let before = try #require(try E2E.store(s).task(E2E.name("crawler/funds")))

    let same = try s.tfs.run(["apply", "-"], stdin: exported.stdout)
    #expect(same.status == 0 && same.stdout == "no changes: 2 tasks already as the file says\n", "\(same)")
    let snapshot = try E2E.snapshot(s)
    #expect(try s.tfs.run(["apply", "-"], stdin: exported.stdout).status == 0)
    #expect(try E2E.snapshot(s) == snapshot, "an apply without changes wrote something")

    #expect(try s.tfs.run(["remove", "crawler/funds"]).status == 0)
    let back = try s.tfs.run(["apply", "-"], stdin: exported.stdout)
    #expect(back.status == 0 && back.stdout.hasPrefix("+ crawler/funds  (*/7 * * * * *)\n"), "\(back)")
    let after = try #require(try E2E.store(s).task(E2E.name("crawler/funds")))
    #expect(after.spec == before.spec && after.spec.diff(to: before.spec).isEmpty)
    #expect(try s.tfs.run(["export"]).stdout == exported.stdout)
    // One task, by name or by its group.
    #expect(try s.tfs.run(["export", "crawler/plain"]).stdout.components(separatedBy: "[[task]]").count == 2)
    #expect(try s.tfs.run(["export", "crawler/"]).stdout == exported.stdout)
    let none = try s.tfs.run(["export", "nothing"])
    #expect(
      none.status == 1 && none.stderr == "tfs: no task 'nothing' and none under 'nothing/'; see 'tfs list'\n")
  }

  /// The plan names what is added, changed (field by field) and removed; --dry-run stops there;
  /// the apply is audited like add, modify and remove, by the user who ran it.
  @Test func planDryRunAndAudit() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("sync/a", rule: "0 */5 * * * *", script: "true", flags: ["--timeout", "10m"])
    try s.addTask("sync/old", rule: "@daily", script: "true")
    let file = s.dir.write(
      "tasks.toml",
      """
      [[task]]
      name = "sync/a"
      rule = "0 */10 * * * *"
      retries = 2

      [[task]]
      name = "sync/new"
      rule = "@hourly"
      """)
    let snapshot = try E2E.snapshot(s)
    let dry = try s.tfs.run(["apply", file, "--prune", "sync", "--dry-run"])
    #expect(dry.status == 0, "\(dry)")
    #expect(
      E2E.lines(dry.stdout) == [
        "+ sync/new  (@hourly)", "~ sync/a", "    rule: 0 */5 * * * * → 0 */10 * * * *",
        "    timeout: 10m → (none)",
        "    retries: 0 → 2", "- sync/old", "plan: 1 to add, 1 to change, 1 to remove, 0 unchanged",
        "dry run: nothing was written",
      ])
    #expect(try E2E.snapshot(s) == snapshot)

    let applied = try s.tfs.run(["apply", file, "--prune", "sync"])
    #expect(applied.status == 0)
    #expect(E2E.lines(applied.stdout).last == "applied: 1 added, 1 changed, 1 removed")
    let events = try E2E.store(s).events(EventFilter(limit: 3)).sorted { $0.id < $1.id }
    #expect(events.map(\.type) == ["added", "modified", "deleted"])
    #expect(events.map { $0.task ?? "" } == ["sync/new", "sync/a", "sync/old"])
    #expect(events.allSatisfy { $0.actor == E2E.user })
    #expect(events[1].details.contains("{\"field\":\"retries\",\"new\":\"2\",\"old\":\"0\"}"))
    let again = try s.tfs.run(["apply", file, "--prune", "sync"])
    #expect(again.stdout == "no changes: 2 tasks already as the file says\n")
  }

  /// --prune PREFIX removes only tasks under PREFIX the file lacks; without --prune nothing
  /// goes; --prune alone covers every task.
  @Test func pruneIsConfinedToItsPrefix() throws {
    let s = Scenario()
    defer { s.remove() }
    for name in ["crawler", "crawler/a", "crawler/b/deep", "crawlers/x", "other/y"] {
      try s.addTask(name, rule: "@daily", script: "true")
    }
    let file = s.dir.write("keep.toml", "[[task]]\nname = \"crawler/a\"\nrule = \"@daily\"\n")
    let names = { try E2E.store(s).tasks().map(\.spec.name.rawValue) }

    #expect(try s.tfs.run(["apply", file]).stdout == "no changes: 1 task already as the file says\n")
    #expect(try names() == ["crawler", "crawler/a", "crawler/b/deep", "crawlers/x", "other/y"])
    let confined = try s.tfs.run(["apply", file, "--prune", "crawler/"])
    #expect(confined.status == 0, "\(confined)")
    #expect(E2E.lines(confined.stdout).prefix(2) == ["- crawler", "- crawler/b/deep"])
    #expect(try names() == ["crawler/a", "crawlers/x", "other/y"])
    let all = try s.tfs.run(["apply", file, "--prune"])
    #expect(all.status == 0, "\(all)")
    #expect(try names() == ["crawler/a"])
  }

  /// A file with three problems: all three named with their lines, exit 64, nothing written.
  @Test func threeErrorsAreAllReportedAndNothingIsWritten() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@daily", script: "true")
    let file = s.dir.write(
      "bad.toml",
      """
      [[task]]
      name = "a"
      rule = "@hourly"

      [[task]]
      name = "b"
      rule = "0 61 * * * *"

      [[task]]
      name = "c"
      rule = "@daily"
      timeout = "soon"
      overlap = "sometimes"
      """)
    let snapshot = try E2E.snapshot(s)
    let out = try s.tfs.run(["apply", file, "--prune"])
    #expect(out.status == 64 && out.stdout.isEmpty, "\(out)")
    #expect(
      E2E.lines(out.stderr) == [
        "\(file):7: task 'b': invalid rule '0 61 * * * *': minute field: '61' is out of range 0-59",
        "\(file):12: task 'c': timeout: invalid duration 'soon'; write e.g. 500ms, 90s, 5m, 1h30m, 2d",
        "\(file):13: task 'c': invalid overlap 'sometimes'; use skip|queue|replace|allow",
        "tfs: \(file) has 3 problems (listed above); nothing was applied",
      ])
    #expect(try E2E.snapshot(s) == snapshot)
  }

  /// A running daemon takes an applied task without a restart; a task with a live run is not
  /// removed, and then nothing of the file is applied.
  @Test func theDaemonPicksAnApplyUpAndABusyRemovalAppliesNothing() throws {
    let s = Scenario()
    defer { s.remove() }
    s.dir.write("home/tasks/live/tick/run.sh", "#!/bin/sh\necho tick\nsleep 30\n", executable: true)
    try s.addTask("live/idle", rule: "@yearly", script: "true")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let file = s.dir.write("live.toml", "[[task]]\nname = \"live/tick\"\nrule = \"* * * * * *\"\n")
    #expect(try s.tfs.run(["apply", file]).status == 0)
    let running = waitUntil(timeout: 20) {
      let runs = (try? E2E.store(s).runs(RunFilter(task: "live/tick", limit: 5))) ?? []
      return runs.contains { $0.status == .running }
    }
    #expect(running, "no run of live/tick started: \(daemon.log)")

    let empty = s.dir.write("empty.toml", "[[task]]\nname = \"live/new\"\nrule = \"@daily\"\n")
    let snapshot = try E2E.snapshot(s)
    let busy = try s.tfs.run(["apply", empty, "--prune", "live/tick"])
    #expect(busy.status == 1, "\(busy)")
    #expect(busy.stderr.contains("tfs: task 'live/tick' has a run in progress (run "), "\(busy)")
    #expect(busy.stderr.contains("nothing was applied"))
    #expect(try E2E.store(s).task(E2E.name("live/new")) == nil)
    #expect(try E2E.snapshot(s).0 == snapshot.0)
  }
}
