import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// Helpers shared by this target's command tests (TaskCommands, BadInput, Concurrency).
enum E2E {
  /// A Saturday before the New York spring-forward: fixed with the hidden `--now`.
  static let now = "2024-03-09T12:00:00Z"
  static let nowMs: Int64 = 1_709_985_600_000

  /// The OS user, read independently of tfs's own `Actor`.
  static var user: String {
    guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return "" }
    return String(cString: name)
  }

  static func json(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
  }

  static func object(_ text: String) throws -> [String: Any] {
    try #require(try json(text) as? [String: Any], "not a JSON object: \(text)")
  }

  static func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
  }

  static func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
  }

  static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  static func store(_ s: Scenario) throws -> Store { try Store.open(path: s.database) }

  static func name(_ text: String) throws -> TaskName { try TaskName(text) }
}

/// Keys of `list --json` / `show --json` task objects (docs/json-tasks.md).
let taskKeys: Set<String> = [
  "name", "rule", "command", "entry", "title", "description", "owners", "timezone", "timeout_ms",
  "on_timeout", "overlap", "catch_up", "catch_up_window_ms", "retries", "retry_delay_ms", "jitter_ms",
  "env", "workdir", "enabled", "alert_after", "realert_ms", "alert_on", "keep", "keep_for_ms", "user",
  "on_node", "on_label", "rerun_lost", "folder",
  "created_at", "updated_at", "next_run", "last_run",
]

@Suite(.timeLimit(.minutes(2)))
struct TaskCommandsTests {
  @Test func initCreatesThePrivateHomeAndPrintsItsPaths() throws {
    let s = Scenario()
    defer { s.remove() }
    let out = try s.tfs.run(["init"])
    #expect(out.status == 0 && out.stderr.isEmpty)
    #expect(
      E2E.lines(out.stdout) == [
        "PATH       VALUE", "home       \(s.home)", "database   \(s.database)",
        "task-root  \(s.home)/tasks", "lock       \(s.home)/daemon.lock",
      ])
    #expect(E2E.mode(s.home) == 0o700 && E2E.mode(s.database) == 0o600)
    #expect(E2E.mode(s.home + "/tasks") == 0o700)
    let json = try E2E.object(try s.tfs.run(["init", "--json"]).stdout)
    #expect(Set(json.keys) == ["home", "database", "task_root", "lock"])
    #expect(json["database"] as? String == s.database)
  }

  @Test func addListShowAndNextOnAFixedClock() throws {
    let s = Scenario()
    defer { s.remove() }
    let add = try s.tfs.run([
      "add", "team/job", "--rule", "0 30 9 * * 1-5", "--tz", "America/New_York", "--now", E2E.now,
    ])
    #expect(add.status == 0)
    #expect(add.stdout == "added task 'team/job' (0 30 9 * * 1-5)\n")
    #expect(add.stderr == "tfs: warning: entry file '\(s.home)/tasks/team/job/run.sh' does not exist yet\n")

    let list = try s.tfs.run(["list", "--now", E2E.now])
    #expect(list.status == 0 && list.stderr.isEmpty)
    #expect(
      E2E.lines(list.stdout) == [
        "NAME      RULE            NEXT RUN (GMT)       LAST RUN  STATE",
        "team/job  0 30 9 * * 1-5  2024-03-11 13:30:00  -         enabled",
      ])
    let items = try #require(
      try E2E.json(try s.tfs.run(["list", "--json", "--now", E2E.now]).stdout) as? [[String: Any]])
    #expect(items.count == 1 && Set(items[0].keys) == taskKeys)
    #expect(items[0]["next_run"] as? String == "2024-03-11T13:30:00+00:00")
    #expect(items[0]["last_run"] is NSNull && items[0]["enabled"] as? Bool == true)

    let occurrences = [
      "2024-03-11T09:30:00-04:00", "2024-03-12T09:30:00-04:00", "2024-03-13T09:30:00-04:00",
      "2024-03-14T09:30:00-04:00", "2024-03-15T09:30:00-04:00",
    ]
    let show = try s.tfs.run(["show", "team/job", "--now", E2E.now])
    #expect(show.status == 0 && show.stderr.isEmpty)
    #expect(
      show.stdout.contains("\n\nNEXT RUNS\n" + occurrences.joined(separator: "\n") + "\n\nLAST RUNS\n-\n"))
    #expect(show.stdout.contains("timezone         America/New_York\n"))
    let shown = try E2E.object(try s.tfs.run(["show", "team/job", "--json", "--now", E2E.now]).stdout)
    #expect(Set(shown.keys) == taskKeys.union(["next_runs", "runs"]))
    #expect(shown["next_runs"] as? [String] == occurrences)
    #expect((shown["runs"] as? [Any])?.isEmpty == true)

    let next = try s.tfs.run(["next", "team/job", "-n", "2", "--now", E2E.now])
    #expect(next.stdout == occurrences.prefix(2).joined(separator: "\n") + "\n")
    let rule = try s.tfs.run([
      "next", "*/20 * * * * *", "--tz", "UTC", "--from", "2024-01-01T00:00:00Z", "-n", "3", "--json",
    ])
    let nextJSON = try E2E.object(rule.stdout)
    #expect(Set(nextJSON.keys) == ["rule", "timezone", "occurrences"])
    #expect(
      nextJSON["occurrences"] as? [String] == [
        "2024-01-01T00:00:20+00:00", "2024-01-01T00:00:40+00:00", "2024-01-01T00:01:00+00:00",
      ])
  }

  @Test func addingTwiceAndShowingAnUnknownTaskFail() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@daily", script: "true")
    let again = try s.tfs.run(["add", "a", "--rule", "@daily"])
    #expect(again.status == 1 && again.stdout.isEmpty)
    #expect(again.stderr == "tfs: task 'a' already exists; use 'tfs modify a'\n")
    let show = try s.tfs.run(["show", "nope"])
    #expect(show.status == 1 && show.stderr == "tfs: no task named 'nope'; see 'tfs list'\n")
    let bad = try s.tfs.run(["next", "0 61 * * * *"])
    #expect(bad.status == 64)
    #expect(bad.stderr == "tfs: invalid rule '0 61 * * * *': minute field: '61' is out of range 0-59\n")
  }

  @Test func modifyPrintsOldToNewAndAuditsTheDiff() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@daily", script: "true")
    let out = try s.tfs.run([
      "modify", "a", "--title", "Nightly", "--retries", "3", "--env", "K=v", "--rule", "@hourly",
    ])
    #expect(out.status == 0 && out.stderr.isEmpty)
    #expect(
      E2E.lines(out.stdout) == [
        "rule: @daily → @hourly", "title: (none) → Nightly", "retries: 0 → 3", "env: (none) → K=v",
      ])
    let same = try s.tfs.run(["modify", "a", "--title", "Nightly"])
    #expect(same.status == 0 && same.stdout == "task 'a' unchanged\n")
    let store = try E2E.store(s)
    let events = try store.events(EventFilter(task: "a"))
    #expect(events.map(\.type) == ["modified", "added"])
    #expect(events.allSatisfy { $0.actor == E2E.user })
    let details = try E2E.object(events[0].details)
    let changes = try #require(details["changes"] as? [[String: String]])
    #expect(changes.first == ["field": "rule", "old": "@daily", "new": "@hourly"])
    #expect(changes.map { $0["field"] ?? "" } == ["rule", "title", "retries", "env"])
    #expect(try store.task(E2E.name("a"))?.spec.environment == ["K": "v"])
  }

  @Test func enableAndDisable() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@daily", script: "true")
    #expect(try s.tfs.run(["disable", "a"]).stdout == "disabled task 'a'\n")
    let twice = try s.tfs.run(["disable", "a"])
    #expect(twice.status == 0 && twice.stdout == "task 'a' is already disabled\n")
    #expect(try s.tfs.run(["list"]).stdout.contains("disabled"))
    #expect(try s.tfs.run(["show", "a"]).stdout.contains("NEXT RUNS\n- (disabled)\n"))
    #expect(try s.tfs.run(["enable", "a"]).stdout == "enabled task 'a'\n")
    #expect(try s.tfs.run(["enable", "a"]).stdout == "task 'a' is already enabled\n")
    let missing = try s.tfs.run(["enable", "ghost"])
    #expect(missing.status == 1 && missing.stderr == "tfs: no task named 'ghost'; see 'tfs list'\n")
    let events = try E2E.store(s).events(EventFilter(task: "a"))
    #expect(events.map(\.type) == ["enabled", "disabled", "added"])
    #expect(
      events[0].actor == E2E.user && events[0].details.contains(#""field":"enabled","new":"yes","old":"no""#))
  }

  @Test func removeRefusesWhileRunningThenKeepsOrPurgesFiles() throws {
    let s = Scenario()
    defer { s.remove() }
    for task in ["keep", "purge"] {
      try s.addTask(task, rule: "@daily", script: "true")
      s.dir.write("home/tasks/\(task)/logs/202401/05/120000.log", "log\n")
      s.dir.write("home/tasks/\(task)/history/202401/05/120000/out.txt", "out\n")
      s.dir.write("home/tasks/\(task)/publish/now.txt", "pub\n")
    }
    let outside = s.dir.write("outside/precious.txt", "keep me\n")
    try FileManager.default.createSymbolicLink(
      atPath: s.taskDir("purge") + "/history/202401/05/120000/link",
      withDestinationPath: s.dir.file("outside"))
    let store = try E2E.store(s)
    for task in ["keep", "purge"] {
      try store.insertRun(
        Run(
          task: try E2E.name(task), version: "202401/05/120000", trigger: .manual, status: .succeeded,
          queuedAt: 1, startedAt: 1, endedAt: 2, logPath: "logs/202401/05/120000.log"))
    }
    let live = try store.insertRun(
      Run(
        task: try E2E.name("purge"), version: "202401/05/120001", trigger: .manual, status: .running,
        queuedAt: 3))

    let refused = try s.tfs.run(["remove", "purge", "--purge"])
    #expect(refused.status == 1 && refused.stdout.isEmpty)
    #expect(
      refused.stderr
        == "tfs: task 'purge' has a run in progress (run \(live.id)); "
        + "use 'tfs remove purge --kill' to stop it first\n")
    #expect(try store.task(E2E.name("purge")) != nil)
    try store.finishRun(live.id, RunEnd(status: .failed, endedAt: 4))

    let kept = try s.tfs.run(["remove", "keep"])
    #expect(kept.status == 0 && kept.stdout == "removed task 'keep'\n")
    #expect(E2E.exists(s.taskDir("keep") + "/logs/202401/05/120000.log"))
    #expect(try store.runCount(task: E2E.name("keep")) == 1)

    let purged = try s.tfs.run(["remove", "purge", "--purge"])
    #expect(purged.status == 0 && purged.stderr.isEmpty)
    #expect(purged.stdout == "removed task 'purge' with 2 runs, its logs/ and history/\n")
    #expect(!E2E.exists(s.taskDir("purge") + "/logs") && !E2E.exists(s.taskDir("purge") + "/history"))
    #expect(E2E.exists(s.taskDir("purge") + "/run.sh") && E2E.exists(s.taskDir("purge") + "/publish/now.txt"))
    #expect(E2E.exists(outside))
    #expect(try store.runCount(task: E2E.name("purge")) == 0)
    let deleted = try store.events(EventFilter(type: "deleted"))
    #expect(
      deleted.map { $0.task ?? "" } == ["purge", "keep"] && deleted.allSatisfy { $0.actor == E2E.user })
    #expect(try s.tfs.run(["remove", "keep"]).status == 1)
  }

  @Test func removeKillStopsAQueuedRunFirst() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@daily", script: "true")
    let store = try E2E.store(s)
    let queued = try store.insertRun(
      Run(
        task: try E2E.name("a"), version: "202401/05/120000", trigger: .manual, status: .queued, queuedAt: 1))
    let out = try s.tfs.run(["remove", "a", "--kill"])
    #expect(out.status == 0, "\(out)")
    #expect(E2E.lines(out.stdout) == ["killed run \(queued.id) of 'a' (killed)", "removed task 'a'"])
    #expect(try store.run(queued.id)?.status == .killed)
    #expect(try store.task(E2E.name("a")) == nil)
  }

  @Test func configListGetSetUnset() throws {
    let s = Scenario()
    defer { s.remove() }
    #expect(try s.tfs.run(["init"]).status == 0)
    let list = try s.tfs.run(["config"])
    #expect(list.status == 0 && list.stderr.isEmpty)
    let rows = E2E.lines(list.stdout)
    #expect(rows.count == 1 + Setting.allCases.count)
    let cells = rows.map {
      $0.split(separator: "  ", omittingEmptySubsequences: true).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    #expect(cells[0] == ["KEY", "VALUE", "SOURCE"])
    #expect(cells.contains(["retention", "30d", "default"]) && cells.contains(["notify", "-", "default"]))
    #expect(cells.contains(["task-root", s.home + "/tasks", "default"]))

    let set = try s.tfs.run(["config", "set", "retention", "90m"])
    #expect(set.status == 0 && set.stdout == "retention: 30d → 1h30m\n")
    #expect(try s.tfs.run(["config", "get", "retention"]).stdout == "1h30m\n")
    #expect(try s.tfs.run(["config", "set", "retention", "1h30m"]).stdout == "retention unchanged: 1h30m\n")
    let get = try E2E.object(try s.tfs.run(["config", "get", "retention", "--json"]).stdout)
    #expect(
      get["value"] as? String == "1h30m" && get["default"] as? String == "30d" && get["set"] as? Bool == true)
    let all = try #require(try E2E.json(try s.tfs.run(["config", "--json"]).stdout) as? [[String: Any]])
    #expect(all.map { $0["key"] as? String ?? "" } == Setting.allCases.map(\.rawValue))
    #expect(all.allSatisfy { Set($0.keys) == ["key", "value", "default", "set"] })
    #expect(all.first { $0["key"] as? String == "task-root" }?["value"] as? String == s.home + "/tasks")
    #expect(
      try s.tfs.run(["config", "list", "--json"]).stdout == (try s.tfs.run(["config", "--json"])).stdout)

    let unset = try s.tfs.run(["config", "unset", "retention"])
    #expect(unset.stdout == "retention: 1h30m → 30d (default)\n")
    #expect(
      try s.tfs.run(["config", "unset", "retention"]).stdout == "retention is not set (default: 30d)\n")
    let events = try E2E.store(s).events(EventFilter(type: "configured"))
    #expect(events.count == 2 && events.allSatisfy { $0.actor == E2E.user })
    #expect(JSON.stringDictionary(events[1].details) == ["key": "retention", "old": "", "new": "1h30m"])
  }

  @Test func importCrontabWritesRunScriptsAndTasks() throws {
    let s = Scenario()
    defer { s.remove() }
    let crontab = """
      # backups
      MAILTO=ops@example.com
      CRON_TZ=Europe/London
      LANG=C

      */15 * * * * /usr/bin/backup --full >> /tmp/log 2>&1
      @daily mail -s report root%hello%world

      """
    let file = s.dir.write("my.cron", crontab)
    let dry = try s.tfs.run(["import", "crontab", file, "--dry-run"])
    #expect(dry.status == 0 && dry.stderr.isEmpty)
    #expect(dry.stdout.hasSuffix("\n\nwould add 2 tasks; nothing written\n"))
    #expect(
      dry.stdout.contains(
        "crontab/mail    @daily        mail -s report root                      hello\\nworld\n"))
    #expect(!E2E.exists(s.taskDir("crontab")))

    let out = try s.tfs.run(["import", "crontab", file])
    #expect(out.status == 0 && out.stderr.isEmpty)
    #expect(
      E2E.lines(out.stdout) == [
        "added task 'crontab/backup' (*/15 * * * *)", "added task 'crontab/mail' (@daily)",
      ])
    let script = try #require(s.dir.read("home/tasks/crontab/backup/run.sh"))
    #expect(
      script
        == "#!/bin/sh\n# Imported by 'tfs import crontab' from '\(file)', line 6.\n"
        + "/usr/bin/backup --full >> /tmp/log 2>&1\n")
    #expect(E2E.mode(s.taskDir("crontab/backup") + "/run.sh") == 0o755)
    #expect(
      try #require(s.dir.read("home/tasks/crontab/mail/run.sh")).contains(
        "{\nmail -s report root\n} <<'TFS_CRONTAB_STDIN'\nhello\nworld\nTFS_CRONTAB_STDIN\n"))
    let task = try #require(try E2E.store(s).task(E2E.name("crontab/backup")))
    #expect(task.spec.command == "/bin/sh" && task.spec.entry == "run.sh")
    #expect(task.spec.environment == ["LANG": "C"] && task.spec.owners == ["ops@example.com"])
    #expect(task.spec.timeZone == "Europe/London")

    // From stdin with a prefix; a name already taken fails and writes nothing.
    let piped = try s.tfs.run(["import", "crontab", "--prefix", "cron"], stdin: "0 1 * * * echo one\n")
    #expect(piped.stdout == "added task 'cron/echo' (0 1 * * *)\n")
    let taken = try s.tfs.run(["import", "crontab", "-", "--prefix", "cron"], stdin: "0 2 * * * echo two\n")
    #expect(
      taken.status == 1
        && taken.stderr == "tfs: task 'cron/echo' already exists; use 'tfs modify cron/echo'\n")
    #expect(try s.dir.read("home/tasks/cron/echo/run.sh")?.contains("echo one") == true)
  }

  /// A crontab with junk: every bad line named and nothing written; with --skip-invalid the
  /// valid jobs are imported and each skipped line (junk, @reboot) is said on stderr.
  @Test func importReportsEveryBadLineAndSkipInvalidImportsTheRest() throws {
    let s = Scenario()
    defer { s.remove() }
    let crontab =
      "MAILTO=ops@example.com\n@reboot /srv/start\n0 1 * * * echo one\nbogus line\n"
      + "61 * * * * echo bad\n*/5 * * * * echo two\n"
    let refused = try s.tfs.run(["import", "crontab", "--prefix", "cron"], stdin: crontab)
    #expect(refused.status == 64)
    #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    #expect(refused.stderr.contains("crontab line 4: 'bogus line' is not a job"))
    #expect(refused.stderr.contains("crontab line 5: invalid rule '61 * * * *'"))
    #expect(refused.stderr.contains("--skip-invalid imports the other 2 jobs"))
    #expect(try s.tfs.run(["list", "--json"]).stdout.contains("cron/") == false)

    let out = try s.tfs.run(["import", "crontab", "--prefix", "cron", "--skip-invalid"], stdin: crontab)
    #expect(out.status == 0, "\(out)")
    #expect(out.stdout == "added task 'cron/echo' (0 1 * * *)\nadded task 'cron/echo-2' (*/5 * * * *)\n")
    #expect(out.stderr.contains("tfs: warning: skipped crontab line 2: @reboot"))
    #expect(out.stderr.contains("tfs: warning: skipped crontab line 4: "))
    #expect(out.stderr.contains("tfs: warning: skipped crontab line 5: "))
  }

  @Test func importRefusesToOverwriteAScriptAndRollsBack() throws {
    let s = Scenario()
    defer { s.remove() }
    #expect(try s.tfs.run(["init"]).status == 0)
    s.dir.write("home/tasks/crontab/two/run.sh", "# mine\n")
    let out = try s.tfs.run(["import", "crontab"], stdin: "0 1 * * * one\n0 2 * * * two\n")
    #expect(out.status == 1)
    #expect(
      out.stderr == "tfs: '\(s.taskDir("crontab/two"))/run.sh' already exists; remove it or use --prefix\n")
    #expect(!E2E.exists(s.taskDir("crontab/one")))
    #expect(s.dir.read("home/tasks/crontab/two/run.sh") == "# mine\n")
    #expect(try E2E.store(s).taskCount() == 0)
  }

  @Test func pruneDeletesOldRunsWithTheirFiles() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@daily", script: "true")
    let store = try E2E.store(s)
    let day: Int64 = 86_400_000
    // Runs 40, 35, 20, 10 and 1 days old; the 35-day one still running.
    for (i, age) in [40, 35, 20, 10, 1].enumerated() {
      let version = "202401/0\(i + 1)/120000"
      let running = age == 35
      try store.insertRun(
        Run(
          task: try E2E.name("a"), version: version, trigger: .schedule,
          status: running ? .running : .succeeded,
          queuedAt: E2E.nowMs - Int64(age) * day, startedAt: E2E.nowMs - Int64(age) * day,
          endedAt: running ? nil : E2E.nowMs - Int64(age) * day + 1000, logPath: "logs/\(version).log"))
      s.dir.write("home/tasks/a/logs/\(version).log", "log \(i)\n")
      s.dir.write("home/tasks/a/history/\(version)/out.txt", "out \(i)\n")
    }
    let dry = try s.tfs.run(["prune", "--dry-run", "--now", E2E.now])
    #expect(dry.status == 0 && dry.stdout == "would prune 1 run (1 with a log file); nothing deleted\n")
    #expect(E2E.exists(s.taskDir("a") + "/logs/202401/01/120000.log"))

    let out = try s.tfs.run(["prune", "--now", E2E.now])
    #expect(out.status == 0 && out.stderr.isEmpty)
    #expect(out.stdout == "pruned 1 run, 1 log file, 1 history folder\n")
    #expect(!E2E.exists(s.taskDir("a") + "/logs/202401/01"))
    #expect(!E2E.exists(s.taskDir("a") + "/history/202401/01"))
    #expect(E2E.exists(s.taskDir("a") + "/logs/202401/02/120000.log"))

    #expect(
      try s.tfs.run(["prune", "--older-than", "15d", "--now", E2E.now]).stdout
        == "pruned 1 run, 1 log file, 1 history folder\n")
    #expect(
      try s.tfs.run(["prune", "--keep", "1", "--now", E2E.now]).stdout
        == "pruned 1 run, 1 log file, 1 history folder\n")
    #expect(try s.tfs.run(["prune", "--keep", "1", "--now", E2E.now]).stdout == "nothing to prune\n")
    let left = try store.runs(RunFilter(task: "a")).map(\.version)
    #expect(left == ["202401/05/120000", "202401/02/120000"])
    #expect(try store.events(EventFilter(type: "pruned")).count == 3)
    #expect(try store.events(EventFilter(type: "pruned")).allSatisfy { $0.actor == E2E.user })

    #expect(try s.tfs.run(["config", "set", "retention", "12h"]).status == 0)
    #expect(
      try s.tfs.run(["prune", "--now", E2E.now]).stdout == "pruned 1 run, 1 log file, 1 history folder\n")
  }
}
