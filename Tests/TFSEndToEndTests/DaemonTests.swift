import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// The daemon through the built binary: real children, real signals, a real SQLite file.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DaemonTests {
  func runs(_ s: Scenario, _ task: String) throws -> [Run] {
    try Store.open(path: s.database).runs(RunFilter(task: task, limit: 1000)).reversed()
  }

  func events(_ s: Scenario, type: String) throws -> [Event] {
    try Store.open(path: s.database).events(EventFilter(type: type, limit: 1000))
  }

  @Test func everySecondTaskFiresOncePerSecondNeverEarly() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("tick", rule: "* * * * * *", script: "echo \"$TFS_SCHEDULED_AT $(date +%s.%N)\"")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 15) { ((try? runs(s, "tick")) ?? []).filter { $0.status == .succeeded }.count >= 4 })
    daemon.stop()
    let done = try runs(s, "tick").filter { $0.status == .succeeded }
    let scheduled = done.compactMap(\.scheduledAt)
    #expect(Set(scheduled).count == scheduled.count, "an occurrence ran twice")
    for (a, b) in zip(scheduled, scheduled.dropFirst()) {
      #expect(b - a == 1000, "occurrences not consecutive")
    }
    for run in done {
      let log = try #require(s.dir.read("home/tasks/tick/\(run.logPath ?? "")"))
      let started = Double(log.split(separator: " ")[1].trimmingCharacters(in: .whitespacesAndNewlines))!
      #expect(started * 1000 >= Double(run.scheduledAt!), "run \(run.id) started early")
    }
  }

  @Test func twoTasksDueInTheSameSecondBothRun() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "*/2 * * * * *", script: "echo a")
    try s.addTask("b", rule: "*/2 * * * * *", script: "echo b")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 15) {
        ((try? runs(s, "a")) ?? []).count >= 2 && ((try? runs(s, "b")) ?? []).count >= 2
      })
    daemon.stop()
    let a = Set(try runs(s, "a").compactMap(\.scheduledAt))
    let b = Set(try runs(s, "b").compactMap(\.scheduledAt))
    #expect(!a.intersection(b).isEmpty)
  }

  @Test func killStopsATaskThatTrapsTermAndItsGrandchild() throws {
    let s = Scenario()
    defer { s.remove() }
    let token = "tfs-grandchild-\(getpid())"
    try s.addTask(
      "stubborn", rule: "@yearly",
      script: """
        trap 'echo ignoring TERM' TERM
        sh -c 'sleep 300; true \(token)' &
        echo started
        while true; do sleep 0.1; done
        """)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "stubborn"]).status == 0)
    #expect(waitUntil(timeout: 10) { !processes(containing: token).isEmpty })
    let out = try s.tfs.run(["kill", "stubborn", "--grace", "1s"])
    #expect(out.status == 0, "\(out)")
    #expect(out.stdout.contains("killed run"))
    let run = try #require(try runs(s, "stubborn").last)
    #expect(run.status == .killed)
    #expect(run.signal == SIGKILL)
    #expect(waitUntil(timeout: 5) { processes(containing: token).isEmpty }, "grandchild survived")
    #expect(try events(s, type: "killed").count == 1)
    let again = try s.tfs.run(["kill", "stubborn"])
    #expect(again.status == 1)
    #expect(again.stderr.contains("no run of 'stubborn' is running"))
  }

  @Test func overlapSkipRecordsSkippedRunsAndOneAlert() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("long", rule: "* * * * * *", script: "echo started; sleep 3", flags: ["--overlap", "skip"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 15) { ((try? runs(s, "long")) ?? []).filter { $0.status == .skipped }.count >= 2 })
    daemon.stop()
    let all = try runs(s, "long")
    #expect(all.filter { $0.status == .running }.isEmpty)
    let alerts = try events(s, type: "overlap")
    let firstRun = try #require(all.first { $0.status != .skipped })
    #expect(alerts.filter { $0.runID == firstRun.id }.count == 1, "one overlap alert per running run")
    // Skipped occurrences were prepared ahead and decided at their second: no log left behind.
    let skipped = all.filter { $0.status == .skipped }
    #expect(
      skipped.allSatisfy { $0.reason == "previous run still running (overlap skip)" && $0.logPath == nil })
    let logs =
      FileManager.default.enumerator(atPath: s.taskDir("long") + "/logs")?.allObjects as? [String] ?? []
    #expect(logs.filter { $0.hasSuffix(".log") }.count == all.count - skipped.count, "\(logs)")
  }

  @Test func timeoutKillsTheRun() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("slow", rule: "@yearly", script: "sleep 30", flags: ["--timeout", "1s"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let out = try s.tfs.run(["run", "slow", "--wait"])
    #expect(out.status == 128 + SIGTERM, "\(out)")
    let run = try #require(try runs(s, "slow").last)
    #expect(run.status == .timedOut)
    #expect((run.durationMs ?? 0) < 10_000)
    #expect(try events(s, type: "timeout").count == 1)
  }

  @Test func restartAfterSigkillResolvesRunsAndKillsTheirProcesses() throws {
    let s = Scenario()
    defer { s.remove() }
    defer { s.killRuns() }  // when the second daemon did not resolve them
    let token = "tfs-orphan-\(getpid())"
    try s.addTask("orphan", rule: "@yearly", script: "sh -c 'sleep 300; true \(token)'")
    let first = try s.tfs.startDaemon()
    #expect(try s.tfs.run(["run", "orphan"]).status == 0)
    #expect(waitUntil(timeout: 10) { ((try? runs(s, "orphan")) ?? []).first?.status == .running })
    #expect(waitUntil(timeout: 5) { !processes(containing: token).isEmpty })
    first.killHard()
    #expect(!processes(containing: token).isEmpty, "the child should outlive a SIGKILLed daemon")
    let second = try s.tfs.startDaemon()
    defer { second.stop() }
    #expect(waitUntil(timeout: 10) { ((try? runs(s, "orphan")) ?? []).first?.status == .lost })
    #expect(waitUntil(timeout: 5) { processes(containing: token).isEmpty })
    #expect(try Store.open(path: s.database).integrityCheck() == "ok")
    let status = try s.tfs.run(["status", "--check"])
    #expect(status.status == 1, "a lost run makes the task failing")
  }

  @Test func aSecondDaemonExitsWithTheHolderPid() throws {
    let s = Scenario()
    defer { s.remove() }
    _ = try s.tfs.run(["init"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 10) { daemon.log.contains("daemon started") })
    // The daemon spawns with the shared-table clone (Linux 5.9+, and unless TFS_SPAWN=posix_spawn):
    // the descriptors this test process leaves open to it do not push its reserved slots past 64.
    var name = utsname()
    uname(&name)
    let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let version = release.split(separator: ".").prefix(2).compactMap { Int($0) }
    let forced = ProcessInfo.processInfo.environment["TFS_SPAWN"] == "posix_spawn"
    if version.count == 2 && (version[0], version[1]) >= (5, 9) && !forced {
      #expect(daemon.log.contains("spawn=clone"), "\(daemon.log)")
    }
    let second = try s.tfs.run(["daemon"])
    #expect(second.status == 1)
    #expect(second.stderr.contains("a daemon is already running for \(s.home) (pid \(daemon.pid))"))
  }

  @Test func aRunWriting100MBIsLoggedCompletely() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("big", rule: "@yearly", script: "head -c 100000000 /dev/zero")
    let out = try s.tfs.run(["run", "big", "--here"], timeout: 120)
    #expect(out.status == 0)
    let run = try #require(try runs(s, "big").last)
    #expect(run.status == .succeeded)
    #expect(run.logBytes == 100_000_000)
  }

  @Test func invalidUTF8AndAOneMegabyteLineArePreserved() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask(
      "bytes", rule: "@yearly",
      script: "printf 'a\\377\\376b\\n'; head -c 1048576 /dev/zero | tr '\\0' x >&2; printf '\\nend\\n' >&2")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "bytes", "--wait"]).status == 0)
    let run = try #require(try runs(s, "bytes").last)
    let data = try #require(FileManager.default.contents(atPath: s.taskDir("bytes") + "/" + run.logPath!))
    #expect(data.count == 5 + 1_048_576 + 5)
    #expect(Array(data.prefix(5)) == [97, 0xFF, 0xFE, 98, 10])
    #expect(run.stderrHead.utf8.count <= 64 * 1024)
    #expect(run.stderrHead.hasPrefix("xxxx"))
  }

  @Test func aMissingExecutorOrFolderFailsTheRunWithAnAlert() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("noexec", rule: "@yearly", script: "true", flags: ["--command", "no-such-executor-xyz"])
    try s.addTask("gone", rule: "@yearly", script: "true")
    try FileManager.default.removeItem(atPath: s.taskDir("gone"))
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "noexec", "--wait"]).status != 0)
    #expect(try s.tfs.run(["run", "gone", "--wait"]).status != 0)
    let noexec = try #require(try runs(s, "noexec").last)
    #expect(noexec.status == .failed)
    #expect(noexec.reason.contains("no-such-executor-xyz"))
    let gone = try #require(try runs(s, "gone").last)
    #expect(gone.status == .failed)
    #expect(gone.reason.contains("does not exist"))
    #expect(try events(s, type: "entry-missing").count == 2)
    #expect(waitUntil(timeout: 5) { daemon.process.isRunning })
  }

  /// A scheduled run whose entry is missing is prepared ahead of its occurrence but recorded at
  /// it: it never ends (nor alerts) before it was due.
  @Test func aRunThatCannotStartIsRecordedAtItsOccurrence() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("gone", rule: "* * * * * *", script: "true")
    try FileManager.default.removeItem(atPath: s.taskDir("gone") + "/run.sh")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 10) { ((try? runs(s, "gone")) ?? []).filter { $0.status == .failed }.count >= 2 })
    for run in try runs(s, "gone") where run.status == .failed {
      let scheduled = try #require(run.scheduledAt)
      #expect(try #require(run.endedAt) >= scheduled, "run \(run.id) ended before its occurrence")
    }
    for event in try events(s, type: "entry-missing") {
      let run = try #require(try runs(s, "gone").first { $0.id == event.runID })
      #expect(event.at >= (run.scheduledAt ?? 0))
    }
  }

  @Test func runNeedsADaemonUnlessHere() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("job", rule: "@yearly", script: "echo out; exit 7")
    let noDaemon = try s.tfs.run(["run", "job"])
    #expect(noDaemon.status == 69)
    #expect(noDaemon.stderr.contains("tfs run job --here"))
    let here = try s.tfs.run(["run", "job", "--here"])
    #expect(here.status == 7)
    #expect(here.stdout == "out\n")
    let run = try #require(try runs(s, "job").last)
    #expect(run.status == .failed && run.exitCode == 7 && run.trigger == .manual)
  }

  @Test func modifyTakesEffectWithoutRestart() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("later", rule: "@yearly", script: "echo hi")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 10) { daemon.log.contains("daemon started") })
    #expect(try s.tfs.run(["modify", "later", "--rule", "* * * * * *"]).status == 0)
    #expect(waitUntil(timeout: 5) { !((try? runs(s, "later")) ?? []).isEmpty })
  }

  @Test func aRunHereWhoseTerminalClosesIsStoppedAndRecorded() throws {
    let s = Scenario()
    defer { s.remove() }
    let token = "tfs-here-hup-\(getpid())"
    try s.addTask("h", rule: "@yearly", script: "echo started; exec sh -c 'sleep 300' \(token)")
    let here = try s.tfs.start(["run", "h", "--here"])
    defer { here.stop() }
    #expect(waitUntil(timeout: 10) { ((try? runs(s, "h")) ?? []).first?.status == .running })
    kill(here.process.processIdentifier, SIGHUP)
    #expect(here.wait(timeout: 15) != nil, "the CLI did not end")
    let run = try #require(try runs(s, "h").first)
    #expect(run.status == .killed)
    #expect(waitUntil(timeout: 5) { processes(containing: token).isEmpty }, "the run's process survived")
  }

  /// With the daemon dead and the run's leader gone, `tfs kill` still ends what the run left.
  @Test func killWithTheDaemonDownEndsTheGrandchildrenOfAnExitedLeader() throws {
    let s = Scenario()
    defer { s.remove() }
    let token = "tfs-orphan-k-\(getpid())"
    try s.addTask("k", rule: "@yearly", script: "sh -c 'sleep 300' \(token) &\nsleep 1")
    let daemon = try s.tfs.startDaemon()
    defer {
      daemon.stop()
      s.killRuns()  // when `tfs kill` did not: the token's shell and its `sleep 300`
    }
    #expect(try s.tfs.run(["run", "k"]).status == 0)
    #expect(waitUntil(timeout: 10) { ((try? runs(s, "k")) ?? []).first?.status == .running })
    kill(daemon.pid, SIGKILL)
    let leader = try #require(try runs(s, "k").first?.pid)
    // The leader exits after 1 s and, with its parent gone, is reaped: only the grandchild stays.
    #expect(waitUntil(timeout: 10) { !FileManager.default.fileExists(atPath: "/proc/\(leader)") })
    #expect(!processes(containing: token).isEmpty)
    #expect(try s.tfs.run(["kill", "k", "--grace", "200ms"]).status == 0)
    #expect(processes(containing: token).isEmpty, "a grandchild of the killed run survived")
  }

  @Test func runWaitExitsWhenTheDaemonDies() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("w", rule: "@yearly", script: "exec sh -c 'sleep 300'")
    let daemon = try s.tfs.startDaemon()
    defer {
      daemon.stop()
      // The daemon is SIGKILLed below, so nothing else stops the run. Found by its environment,
      // not its command line: a shell that execs its -c command leaves a `sleep 300` whose
      // argv names nothing of the test.
      s.killRuns()
      #expect(waitUntil(timeout: 5) { processes(withTaskDirUnder: s.dir.path + "/").isEmpty })
    }
    let wait = try s.tfs.start(["run", "w", "--wait"])
    defer { wait.stop() }
    #expect(waitUntil(timeout: 10) { ((try? runs(s, "w")) ?? []).first?.status == .running })
    kill(daemon.pid, SIGKILL)
    let out = wait.wait(timeout: 15)
    #expect(out?.status == 69, "\(String(describing: out))")
  }

  @Test func sigtermKillsRunsAfterTheGraceAndRecordsThem() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("busy", rule: "@yearly", script: "trap '' TERM; sleep 300 & wait; sleep 300")
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "500ms"])
    #expect(try s.tfs.run(["run", "busy"]).status == 0)
    #expect(waitUntil(timeout: 10) { ((try? runs(s, "busy")) ?? []).first?.status == .running })
    let sent = Date()
    kill(daemon.pid, SIGTERM)
    #expect(waitUntil(timeout: 10) { !daemon.process.isRunning })
    // The grace, not the grace plus another kill grace (it was 2.5 s).
    let took = Date().timeIntervalSince(sent)
    #expect(took >= 0.5 && took < 1.8, "shutdown took \(took) s")
    #expect(daemon.process.terminationStatus == 0)
    // Its stop time is when it exited, after the grace; firing stopped at SIGTERM.
    let info = try #require(try Store.open(path: s.database).daemonInfo())
    let stopped = try #require(info.stoppedAt)
    let firedUntil = try #require(info.firedUntil)
    #expect(stopped - firedUntil >= 450, "stopped \(stopped), fired until \(firedUntil)")
    let run = try #require(try runs(s, "busy").last)
    #expect(run.status == .killed)
    #expect(run.reason == "daemon shutdown")
  }

  /// `tfs daemon --once`: start-up, the next second with occurrences due, then it waits for
  /// the runs it started (no shutdown grace) and exits 0, every run recorded as ended.
  @Test func onceRunsOneSecondOfOccurrencesThenExits() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("tick", rule: "* * * * * *", script: "sleep 0.3; echo tick")
    try s.addTask("other", rule: "*/1 * * * * *", script: "echo other")
    let out = try s.tfs.run(["daemon", "--once", "--shutdown-grace", "0s"], timeout: 20)
    #expect(out.status == 0, "\(out)")
    let ticks = try runs(s, "tick")
    #expect(ticks.count == 1 && ticks[0].status == .succeeded, "\(ticks.map(\.status))")
    #expect(try runs(s, "other").map(\.scheduledAt) == ticks.map(\.scheduledAt), "the same second")
    #expect(try s.tfs.run(["status"]).stdout.contains("stopped"))
  }
}
