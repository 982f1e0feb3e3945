import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

@Suite(.timeLimit(.minutes(3)))
struct EditTests {
  /// `tfs edit` with an editor that runs `steps` in turn, one per opening of the file ($1).
  static func editor(_ s: Scenario, _ steps: [String]) -> TFSBinary {
    let cases = steps.enumerated().map { "\($0.offset + 1)) \($0.element) ;;" }.joined(separator: "\n")
    let script = s.dir.write(
      "editor.sh",
      """
      #!/bin/sh
      n=$(cat "$0.count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$0.count"
      case $n in
      \(cases)
      esac
      """, executable: true)
    unlink(script + ".count")
    // Edited files kept after a failure go to the scenario's folder, removed with it.
    return TFSBinary(home: s.home, environment: ["VISUAL": "", "EDITOR": script, "TMPDIR": s.dir.path])
  }

  /// Editing a group: a changed field is applied, a deleted table removes its task, tasks
  /// outside the group stay.
  @Test func editAppliesChangesAndRemovalsWithinItsGroup() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("grp/a", rule: "@daily", script: "true")
    try s.addTask("grp/b", rule: "@daily", script: "true")
    try s.addTask("other", rule: "@daily", script: "true")
    let tfs = Self.editor(
      s, [#"sed -i -e 's/@daily/@hourly/' -e '/name = "grp\/b"/,$d' "$1" && sed -i '$d' "$1""#])
    let out = try tfs.run(["edit", "grp"])
    #expect(out.status == 0, "\(out)")
    #expect(
      E2E.lines(out.stdout) == [
        "~ grp/a", "    rule: @daily → @hourly", "- grp/b",
        "plan: 0 to add, 1 to change, 1 to remove, 0 unchanged",
        "applied: 0 added, 1 changed, 1 removed",
      ])
    #expect(
      try E2E.store(s).tasks().map { "\($0.spec.name) \($0.spec.rule.text)" } == [
        "grp/a @hourly", "other @daily",
      ])
    let unchanged = try Self.editor(s, ["true"]).run(["edit"])
    #expect(unchanged.status == 0 && unchanged.stdout == "no changes\n")
  }

  /// An invalid file is reported line by line and offered again: "y" edits again and the fixed
  /// file is applied; "n" (or no answer) applies nothing and exits 64.
  @Test func anInvalidFileIsOfferedAgain() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("grp/a", rule: "@daily", script: "true")
    let breakIt = #"sed -i 's/@daily/0 61 * * * */' "$1""#
    let fixIt = #"sed -i 's/0 61/0 30/' "$1""#
    let again = try Self.editor(s, [breakIt, fixIt]).run(["edit"], stdin: "y\n")
    #expect(again.status == 0, "\(again)")
    #expect(
      again.stderr.contains("line 6: task 'grp/a': invalid rule '0 61 * * * *': minute field"), "\(again)")
    #expect(again.stderr.contains("edit again? [Y/n] "))
    #expect(try E2E.store(s).task(E2E.name("grp/a"))?.spec.rule.text == "0 30 * * * *")

    let snapshot = try E2E.snapshot(s)
    for answer in ["n\n", ""] {
      let refused = try Self.editor(s, [#"sed -i 's/0 30/0 99/' "$1""#]).run(["edit"], stdin: answer)
      #expect(refused.status == 64, "\(refused)")
      #expect(E2E.lines(refused.stderr).last == "tfs: the file has 1 problem; nothing was applied")
      #expect(try E2E.snapshot(s) == snapshot)
    }
    let failing = try Self.editor(s, ["exit 3"]).run(["edit"])
    #expect(
      failing.status == 1 && failing.stderr.contains("exited with status 3; nothing was applied"),
      "\(failing)")
    let kept = try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter {
      $0.hasPrefix("tfs-edit-")
    }
    #expect(kept.count == 1, "\(kept)")
    #expect(failing.stderr.contains("your edits are kept in '\(s.dir.path)/\(kept.first ?? "")'"))
  }
}

@Suite(.timeLimit(.minutes(3)))
struct CrontabMigrationTests {
  /// A crontab as people have them: environment lines, MAILTO, CRON_TZ, `%`, macros, @reboot,
  /// repeated commands, junk and a bad rule.
  static let realistic = """
    # m h dom mon dow command
    SHELL=/bin/bash
    PATH=/usr/local/bin:/usr/bin:/bin
    MAILTO=ops@example.com,dev@example.com
    CRON_TZ=Asia/Shanghai

    @reboot /srv/bin/warm-cache.sh
    */5 * * * * /srv/crawler/sync-funds.sh >> /var/log/sync.log 2>&1
    0 * * * * cd /srv/crawler && node index.js --mode=hourly
    15 2 * * * python3 /opt/reports/daily.py --mail
    30 2 * * 1-5 /usr/bin/flock -n /tmp/backup.lock /srv/bin/backup-db.sh
    @hourly curl -fsS https://hc.example.com/ping/abc > /dev/null
    0 9 * * 1 mail -s "weekly report" team@example.com%Hello team,%the report is attached.%
    0 0 1 * * /srv/bin/rotate.sh
    */10 * * * * /srv/crawler/sync-funds.sh --full
    0 61 * * * /srv/bin/broken.sh
    this is junk
    0 3 * * * date +\\%Y-\\%m-\\%d > /tmp/today
    MAILTO=""
    @daily run-parts /etc/cron.daily
    @weekly timeout 600 /srv/bin/weekly-cleanup.sh
    0 4 * * 0 nice -n 10 php /var/www/artisan schedule:run
    */15 9-17 * * mon-fri /srv/bin/poll.sh

    """

  @Test func aRealCrontabImportsWithNamesFromItsCommands() throws {
    let s = Scenario()
    defer { s.remove() }
    let file = s.dir.write("user.cron", Self.realistic)
    let refused = try s.tfs.run(["import", "crontab", file])
    #expect(refused.status == 64 && E2E.lines(refused.stderr).count == 1, "\(refused)")
    #expect(refused.stderr.contains("crontab line 16: invalid rule '0 61 * * *'"))
    #expect(refused.stderr.contains("crontab line 17: 'this is junk' is not a job"))

    let dry = try s.tfs.run(["import", "crontab", file, "--skip-invalid", "--dry-run"])
    #expect(dry.status == 0, "\(dry)")
    let mailLine = try #require(E2E.lines(dry.stdout).first { $0.hasPrefix("crontab/mail ") })
    #expect(mailLine.contains("mail -s \"weekly report\" team@example.com "), "\(mailLine)")
    #expect(mailLine.hasSuffix(" Hello team,\\nthe report is attached.\\n"), "\(mailLine)")
    #expect(!E2E.exists(s.taskDir("crontab")))

    let out = try s.tfs.run(["import", "crontab", file, "--skip-invalid", "--prefix", "legacy"])
    #expect(out.status == 0, "\(out)")
    let names = [
      "sync-funds", "crawler", "daily", "backup-db", "curl", "mail", "rotate", "sync-funds-2", "date",
      "cron.daily", "weekly-cleanup", "artisan", "poll",
    ]
    let added = E2E.lines(out.stdout).map { String($0.split(separator: "'")[1]) }
    #expect(added == names.map { "legacy/" + $0 }, "\(out)")
    #expect(out.stderr.contains("skipped crontab line 7: @reboot"))
    let store = try E2E.store(s)
    let mail = try #require(try store.task(E2E.name("legacy/mail")))
    #expect(
      mail.spec.owners == ["ops@example.com", "dev@example.com"] && mail.spec.timeZone == "Asia/Shanghai")
    #expect(
      mail.spec.command == "/bin/bash" && mail.spec.environment["PATH"] == "/usr/local/bin:/usr/bin:/bin")
    #expect(try store.task(E2E.name("legacy/poll"))?.spec.owners == [])
    let script = try #require(s.dir.read("home/tasks/legacy/date/run.sh"))
    #expect(script.hasSuffix("date +%Y-%m-%d > /tmp/today\n"))
  }

  /// /etc/crontab's format: the user column is taken off the command and kept in the task;
  /// a run of another user than the daemon's fails with the reason instead of running as it.
  @Test func aSystemCrontabKeepsItsUsers() throws {
    let s = Scenario()
    defer { s.remove() }
    let me = String(cString: getpwuid(geteuid())!.pointee.pw_name)
    let other = me == "root" ? "nobody" : "root"
    let crontab = """
      SHELL=/bin/sh
      17 *\t* * *\t\(me)    cd / && echo hourly > "$TFS_PUBLISH_DIR/out"
      25 6\t* * *\t\(other)\ttest -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )

      """
    let detected = try s.tfs.run(["import", "crontab", "--dry-run"], stdin: crontab)
    #expect(detected.stdout.hasPrefix("read stdin as a system crontab (a user column after the schedule)\n"))
    #expect(detected.stdout.contains("crontab/cron.daily  25 6 * * *  \(other)"), "\(detected)")
    let out = try s.tfs.run(["import", "crontab", "--system"], stdin: crontab)
    #expect(out.status == 0, "\(out)")
    #expect(
      out.stdout.contains("users kept: 1 task as '\(me)', 1 task as '\(other)'")
        || out.stdout.contains("users kept: 1 task as '\(other)', 1 task as '\(me)'"))
    #expect(out.stderr.contains("a task of another user fails with the reason"))
    let mine = try #require(try E2E.store(s).tasks().first { $0.spec.user == me })
    #expect(try s.tfs.run(["run", "--here", mine.spec.name.rawValue]).status == 0)
    let theirs = try s.tfs.run(["run", "--here", "crontab/cron.daily"])
    #expect(theirs.status == 1)
    #expect(theirs.stderr.contains("task runs as '\(other)' but the daemon runs as '\(me)'"), "\(theirs)")
    // Without the user column a user crontab's first word stays the command.
    let user = try s.tfs.run(
      ["import", "crontab", "--prefix", "u", "--dry-run"], stdin: "0 1 * * * backup.sh --all\n")
    #expect(!user.stdout.contains("system crontab") && user.stdout.contains("u/backup"), "\(user)")
    // Also when that word is an account's name too (Debian has a user 'sync'); --no-system says
    // it is a user crontab whatever it looks like.
    let sync = try s.tfs.run(
      ["import", "crontab", "--prefix", "u", "--dry-run"], stdin: "0 1 * * * sync now\n")
    #expect(!sync.stdout.contains("system crontab"), "\(sync)")
    let forced = try s.tfs.run(
      ["import", "crontab", "--prefix", "u", "--dry-run", "--no-system"], stdin: crontab)
    #expect(!forced.stdout.contains("system crontab") && forced.stdout.contains("u/\(me)"), "\(forced)")
  }
}
