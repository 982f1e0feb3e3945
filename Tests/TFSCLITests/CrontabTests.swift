import TFSCore
import Testing

@testable import TFSCLI

@Suite struct CrontabParseTests {
  @Test func jobsCommentsBlanksAndEnvironment() throws {
    let text = """
      # m h dom mon dow command
      \tFOO = "bar baz"

      */15 * * * * /usr/bin/backup --full >> /tmp/log 2>&1
      BAR='x=y'
      @daily   echo  "two  spaces"\r
      """
    let jobs = try Crontab.parse(text)
    #expect(jobs.count == 2)
    #expect(jobs[0].line == 4 && jobs[0].rule.text == "*/15 * * * *")
    #expect(jobs[0].command == "/usr/bin/backup --full >> /tmp/log 2>&1" && jobs[0].stdin == nil)
    #expect(jobs[0].environment == ["FOO": "bar baz"])
    #expect(jobs[1].line == 6 && jobs[1].rule.text == "@daily" && jobs[1].command == "echo  \"two  spaces\"")
    #expect(jobs[1].environment == ["FOO": "bar baz", "BAR": "x=y"])
    #expect(jobs.allSatisfy { $0.shell == "/bin/sh" && $0.timeZone == nil && $0.owners.isEmpty })
  }

  /// A crontab saved on Windows: "\r\n" is one Character in Swift, so splitting at "\n" made the
  /// whole file one job whose command held the other lines.
  @Test func crlfLinesAreSeparateJobs() throws {
    let jobs = try Crontab.parse("0 1 * * * first\r\n# note\r\n0 2 * * * second\r\n")
    #expect(jobs.map(\.command) == ["first", "second"])
    #expect(jobs.map(\.line) == [1, 3])
  }

  @Test func shellZoneAndMailtoApplyToTheJobsBelow() throws {
    let jobs = try Crontab.parse(
      """
      0 1 * * * first
      SHELL=/bin/bash
      CRON_TZ=America/New_York
      MAILTO=ops@example.com,dev@example.com
      0 2 * * * second
      MAILTO=root
      0 3 * * * third
      """)
    #expect(jobs.map(\.shell) == ["/bin/sh", "/bin/bash", "/bin/bash"])
    #expect(jobs.map(\.timeZone) == [nil, "America/New_York", "America/New_York"])
    #expect(jobs[1].owners == ["ops@example.com", "dev@example.com"])
    // A local user is not an address: it stays in the environment, the owners stay as they were.
    #expect(jobs[2].environment["MAILTO"] == "root" && jobs[2].owners == jobs[1].owners)
  }

  @Test(
    arguments: [
      ("mail -s hi root%line one%line two", "mail -s hi root", "line one\nline two"),
      ("echo 50\\% done", "echo 50% done", nil),
      ("date +\\%Y%", "date +%Y", ""),
      ("printf 'a\\\\b'", "printf 'a\\\\b'", nil),
    ] as [(String, String, String?)])
  func percentSigns(line: String, command: String, stdin: String?) throws {
    let job = try #require(try Crontab.parse("* * * * * " + line).first)
    #expect(job.command == command)
    #expect(job.stdin == stdin)
  }

  @Test(arguments: [
    ("0 5 * * 1 ok\n61 * * * * bad", "crontab line 2: invalid rule '61 * * * *': minute field"),
    ("0 5 * * 1 ok\r\n61 * * * * bad\r\n", "crontab line 2: invalid rule '61 * * * *': minute field"),
    ("0 5 * *", "crontab line 1: '0 5 * *' is not a job"),
    ("0 5 * * *   ", "crontab line 1: no command after the schedule"),
    ("1A=2", "crontab line 1: '1A=2' is not a job"),
    ("\n\nSHELL=bash", "crontab line 3: SHELL 'bash' must be an absolute path"),
    ("CRON_TZ=Mars/Olympus", "crontab line 1: unknown time zone 'Mars/Olympus'"),
    ("@every 5m x", "crontab line 1: invalid rule '@every'"),
    ("0 0 30 2 * never", "crontab line 1: invalid rule '0 0 30 2 *'"),
  ])
  func invalidLinesNameTheLine(text: String, message: String) {
    #expect {
      try Crontab.parse(text)
    } throws: { error in
      (error as? ValidationError)?.message.hasPrefix(message) == true
    }
  }

  /// Every invalid line is named, not only the first; the valid ones are read all the same.
  @Test func everyInvalidLineIsReported() throws {
    let file = Crontab.read("garbage\n0 5 * * 1 ok\n61 * * * * bad\nSHELL=sh\n0 6 * * * fine\n")
    #expect(file.jobs.map(\.line) == [2, 5])
    #expect(file.problems.count == 3)
    #expect(
      file.problems.map { $0.split(separator: ":")[0] } == [
        "crontab line 1", "crontab line 3", "crontab line 4",
      ])
    #expect {
      try Crontab.parse("garbage\n61 * * * * bad\n")
    } throws: { error in
      let message = (error as? ValidationError)?.message ?? ""
      return message.hasPrefix("crontab line 1: ") && message.contains("; crontab line 2: invalid rule")
    }
  }

  /// `@reboot` is cron's alone: skipped and said, never fatal.
  @Test func rebootLinesAreSkipped() throws {
    let file = Crontab.read("@reboot /bin/start\n@rebootx y\n0 5 * * 1 job\n")
    #expect(file.jobs.map(\.command) == ["job"])
    #expect(file.skipped == ["crontab line 1: @reboot (tfs runs tasks on time rules only)"])
    #expect(file.problems.count == 1 && file.problems[0].hasPrefix("crontab line 2: "))
  }
}

@Suite struct CrontabScriptTests {
  @Test func plainCommand() throws {
    let job = try #require(try Crontab.parse("SHELL=/bin/bash\n0 5 * * 1 echo hi").first)
    #expect(
      Crontab.script(for: job, source: "'my.cron'") == """
        #!/bin/bash
        # Imported by 'tfs import crontab' from 'my.cron', line 2.
        echo hi

        """)
  }

  @Test func stdinBecomesAHereDocumentWithAnUnusedMarker() throws {
    let job = try #require(try Crontab.parse("0 5 * * 1 cat%TFS_CRONTAB_STDIN%b").first)
    #expect(
      Crontab.script(for: job, source: "stdin") == """
        #!/bin/sh
        # Imported by 'tfs import crontab' from stdin, line 1.
        {
        cat
        } <<'TFS_CRONTAB_STDIN_'
        TFS_CRONTAB_STDIN
        b
        TFS_CRONTAB_STDIN_

        """)
  }
}

@Suite struct ConfigViewTests {
  @Test func defaultsAndStoredValues() {
    let home = Home(path: "/h")
    let root = SettingView(.taskRoot, stored: [:], home: home)
    #expect(root.value == "/h/tasks" && !root.isSet && root.shown == "/h/tasks")
    let retention = SettingView(.retention, stored: ["retention": "7d"], home: home)
    #expect(retention.value == "7d" && retention.defaultValue == "30d" && retention.isSet)
    #expect(
      retention.json.render() == #"{"key":"retention","value":"7d","default":"30d","set":true}"#)
    let notify = SettingView(.notify, stored: [:], home: home)
    #expect(notify.shown == "(none)" && notify.shownDefault == "(none)")
  }

  @Test func plurals() {
    #expect(
      plural(0, "run") == "0 runs" && plural(1, "run") == "1 run" && plural(2, "log file") == "2 log files")
  }
}
