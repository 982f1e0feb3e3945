import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// Scheduling policies through the built binary and a real daemon (SPEC §3, §6, §7, §9):
/// missed runs and catch-up, retries, max-parallel, overlap, jitter, the daemon's log, its
/// permission check, SIGHUP, and manual runs against those policies.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PolicyTests {
  /// A scenario with its store opened once.
  struct Fixture {
    let s: Scenario
    let store: Store

    init(_ s: Scenario) throws {
      self.s = s
      if !FileManager.default.fileExists(atPath: s.database) {
        let out = try s.tfs.run(["init"])
        guard out.status == 0 else { throw ScenarioError.command("init", out) }
      }
      store = try Store.open(path: s.database)
    }

    /// The task's runs, oldest first (empty when the read fails, so polls keep polling).
    func runs(_ task: String) -> [Run] {
      ((try? store.runs(RunFilter(task: task, limit: 10_000))) ?? []).reversed()
    }

    func events(_ type: String, task: String? = nil) -> [Event] {
      ((try? store.events(EventFilter(task: task, type: type, limit: 10_000))) ?? []).reversed()
    }

    func run(_ id: RunID) -> Run? { try? store.run(id) }
  }

  /// An event's details as a dictionary.
  func details(_ event: Event) -> [String: Any] {
    ((try? JSONSerialization.jsonObject(with: Data(event.details.utf8))) as? [String: Any]) ?? [:]
  }

  // MARK: Missed occurrences and catch-up

  @Test func occurrencesMissedWhileDownAreRecordedAlertedOnceAndCaughtUp() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("once", rule: "* * * * * *", script: "true", flags: ["--catch-up", "once"])
    try s.addTask("none", rule: "* * * * * *", script: "true", flags: ["--catch-up", "none"])
    try s.addTask("all", rule: "* * * * * *", script: "true", flags: ["--catch-up", "all"])
    let h = try Fixture(s)
    let first = try s.tfs.startDaemon(["--shutdown-grace", "1s"])
    defer { first.stop() }
    #expect(waitUntil(timeout: 10) { h.runs("once").contains { $0.status == .succeeded } })
    #expect(first.terminate() == 0)
    // Occurrences after the daemon stopped firing (SIGTERM) are the next daemon's to record.
    let stoppedAt = try #require(try h.store.daemonInfo()?.firedUntil)
    waitUntilWallClock(stoppedAt + 3_500)

    let second = try s.tfs.startDaemon(["--shutdown-grace", "1s"])
    defer { second.stop() }
    #expect(
      waitUntil(timeout: 10) { h.runs("once").contains { $0.trigger == .catchUp && $0.status.isFinal } })
    #expect(
      waitUntil(timeout: 10) {
        let runs = h.runs("all")
        let catchUps = runs.filter { $0.trigger == .catchUp }
        return catchUps.count >= 3 && catchUps.count == runs.filter { $0.status == .missed }.count
          && catchUps.allSatisfy(\.status.isFinal)
      }, "--catch-up all runs every missed occurrence")
    // Let a few ordinary occurrences fire after the catch-up.
    let started = wallClockMs()
    #expect(waitUntil(timeout: 10) { h.runs("none").contains { ($0.scheduledAt ?? 0) > started + 1_000 } })
    #expect(second.terminate() == 0)

    for task in ["once", "none", "all"] {
      let runs = h.runs(task)
      let missed = runs.filter { $0.status == .missed }
      #expect(missed.count >= 3, "\(task): \(missed.count) missed runs for 3.5 s of downtime")
      #expect(missed.allSatisfy { ($0.scheduledAt ?? 0) > stoppedAt && $0.trigger == .schedule })
      let alerts = h.events("missed", task: task)
      #expect(alerts.count == 1, "\(task): one missed alert per task, not one per occurrence")
      #expect(
        details(alerts.first ?? Event(at: 0, type: "", actor: "", title: ""))["count"] as? String
          == "\(missed.count)")
      let scheduled = runs.filter { $0.trigger == .schedule }.compactMap(\.scheduledAt)
      #expect(Set(scheduled).count == scheduled.count, "\(task): an occurrence was recorded twice")
    }
    let catchUps = h.runs("once").filter { $0.trigger == .catchUp }
    #expect(catchUps.count == 1, "--catch-up once starts exactly one run")
    #expect(catchUps.first?.status == .succeeded)
    #expect(catchUps.first?.scheduledAt == h.runs("once").filter { $0.status == .missed }.last?.scheduledAt)
    #expect(h.runs("none").filter { $0.trigger == .catchUp }.isEmpty, "--catch-up none starts none")
    let all = h.runs("all")
    #expect(
      all.filter { $0.trigger == .catchUp }.compactMap(\.scheduledAt)
        == all.filter { $0.status == .missed }.compactMap(\.scheduledAt))
  }

  /// More than 100 missed occurrences (the number recorded as rows): catch-up still takes the
  /// latest one, and the window counts from now. The downtime is faked in the store: a previous
  /// daemon that stopped 200 s ago, tasks added before that.
  @Test
  func catchUpTakesTheLatestOccurrenceAfterALongDowntime() throws {
    let s = Scenario()
    defer { s.remove() }
    let h = try Fixture(s)
    let now = wallClockMs()
    for (name, window) in [("latest", nil), ("recent", Int64(10_000)), ("every", Int64(3_000))]
      as [(String, Int64?)]
    {
      s.dir.write("home/tasks/\(name)/run.sh", "#!/bin/sh\ntrue\n", executable: true)
      let spec = TaskSpec(
        name: try TaskName(name), rule: try CronRule("* * * * * *"), command: "sh", entry: "run.sh",
        catchUp: name == "every" ? .all : .once, catchUpWindowMs: window)
      try h.store.addTask(spec, actor: "test", now: now - 300_000)
    }
    try h.store.daemonStarted(pid: 999_999, version: "0", now: now - 250_000, taskCount: 3)
    try h.store.daemonStopped(pid: 999_999, now: now - 200_000)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let started = wallClockMs()
    #expect(
      waitUntil(timeout: 10) { h.runs("latest").contains { $0.trigger == .catchUp && $0.status.isFinal } })
    _ = waitUntil(timeout: 3) {
      ["recent", "every"].allSatisfy { t in h.runs(t).contains { $0.trigger == .catchUp } }
    }
    for task in ["latest", "recent", "every"] {
      let alert = try #require(h.events("missed", task: task).first)
      let count = Int(details(alert)["count"] as? String ?? "") ?? 0
      #expect(count >= 199 && count <= 205, "\(task): \(count) occurrences missed in 200 s")
    }
    let latest = h.runs("latest").filter { $0.trigger == .catchUp }
    #expect(latest.count == 1)
    #expect(
      (latest.first?.scheduledAt ?? 0) >= started - 2_000, "caught up an old occurrence, not the latest")
    let recent = h.runs("recent").filter { $0.trigger == .catchUp }
    #expect(recent.count == 1, "an occurrence in the last 10 s was missed, none caught up")
    let every = h.runs("every").filter { $0.trigger == .catchUp }
    #expect((2...5).contains(every.count), "--catch-up all with a 3 s window: \(every.count) runs")
  }

  /// A daemon killed between a fire and its next heartbeat: the occurrence it fired must not be
  /// recorded again as missed by the next daemon (faked in the store: a run for occurrence T, the
  /// previous daemon's last heartbeat at T - 0.5 s, no clean stop).
  @Test
  func anOccurrenceFiredBeforeACrashIsNotAlsoMissed() throws {
    let s = Scenario()
    defer { s.remove() }
    let h = try Fixture(s)
    let now = wallClockMs()
    s.dir.write("home/tasks/tick/run.sh", "#!/bin/sh\ntrue\n", executable: true)
    let spec = TaskSpec(
      name: try TaskName("tick"), rule: try CronRule("* * * * * *"), command: "sh", entry: "run.sh")
    try h.store.addTask(spec, actor: "test", now: now - 60_000)
    let fired = (now / 1000 - 5) * 1000
    try h.store.daemonStarted(pid: 999_999, version: "0", now: fired - 10_000, taskCount: 1)
    try h.store.heartbeat(pid: 999_999, now: fired - 500)
    try h.store.insertRun(
      Run(
        task: spec.name, version: "fired", trigger: .schedule, status: .succeeded, scheduledAt: fired,
        queuedAt: fired, startedAt: fired + 1, endedAt: fired + 20, exitCode: 0))
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 10) { !h.events("missed", task: "tick").isEmpty })
    let runs = h.runs("tick")
    #expect(
      runs.contains { $0.status == .missed && $0.scheduledAt == fired + 1000 }, "the real miss is recorded")
    let twice = runs.filter { $0.scheduledAt == fired }.map { "\($0.id) \($0.status.rawValue)" }
    #expect(twice.count == 1, "occurrence recorded twice: \(twice)")
  }

  @Test
  func occurrencesWhileShuttingDownAreRecordedAsMissed() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("tick", rule: "* * * * * *", script: "true")
    try s.addTask("hold", rule: "@yearly", script: "sleep 2.5")
    let h = try Fixture(s)
    let first = try s.tfs.startDaemon(["--shutdown-grace", "10s"])
    defer { first.stop() }
    #expect(waitUntil(timeout: 10) { h.runs("tick").contains { $0.status == .succeeded } })
    #expect(try s.tfs.run(["run", "hold"]).status == 0)
    #expect(waitUntil(timeout: 10) { h.runs("hold").first?.status == .running })
    // SIGTERM: the daemon stops starting runs but waits for 'hold' to end by itself.
    #expect(first.terminate() == 0)
    #expect(h.runs("hold").first?.status == .succeeded)
    let second = try s.tfs.startDaemon()
    defer { second.stop() }
    let restarted = wallClockMs()
    #expect(waitUntil(timeout: 10) { h.runs("tick").contains { ($0.scheduledAt ?? 0) > restarted + 1_000 } })
    second.stop()
    let scheduled = h.runs("tick").compactMap(\.scheduledAt).sorted()
    let gaps = zip(scheduled, scheduled.dropFirst()).filter { $1 - $0 != 1000 }.map { "\($0)→\($1)" }
    #expect(gaps.isEmpty, "occurrences neither run nor recorded as missed: \(gaps)")
  }

  // MARK: Retries

  @Test func aFailingRunIsRetriedWithDoublingDelaysThenStops() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask(
      "flaky", rule: "@yearly", script: "echo attempt $TFS_ATTEMPT; exit 1",
      flags: ["--retries", "2", "--retry-delay", "200ms"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "1s"])
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "flaky"]).status == 0)
    #expect(waitUntil(timeout: 10) { h.runs("flaky").filter { $0.status.isFinal }.count >= 3 })
    #expect(!waitUntil(timeout: 1.5) { h.runs("flaky").count > 3 }, "a third retry was started")
    let runs = h.runs("flaky")
    #expect(runs.count == 3)
    #expect(runs.map(\.attempt) == [0, 1, 2])
    #expect(runs.map(\.trigger) == [.manual, .retry, .retry])
    #expect(runs.allSatisfy { $0.status == .failed && $0.exitCode == 1 })
    guard runs.count == 3 else { return }
    let firstGap = (runs[1].startedAt ?? 0) - (runs[0].endedAt ?? 0)
    let secondGap = (runs[2].startedAt ?? 0) - (runs[1].endedAt ?? 0)
    #expect(firstGap >= 200 && firstGap < 2_000, "first retry after \(firstGap) ms")
    #expect(secondGap >= 400 && secondGap < 2_500, "second retry after \(secondGap) ms (doubled)")
    #expect(h.events("failed", task: "flaky").count == 3)
  }

  @Test func aRunHereCountsForTheOverlapPolicy() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "*/5 * * * * *", script: "sleep 2")
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "1s"])
    defer { daemon.stop() }
    // Start a run here 1 s before an occurrence (a multiple of 5 s), well after the last one ended.
    var boundary = (Date().timeIntervalSince1970 / 5).rounded(.up) * 5
    if boundary - Date().timeIntervalSince1970 < 3.5 { boundary += 5 }
    Thread.sleep(until: Date(timeIntervalSince1970: boundary - 1))
    let here = try s.tfs.start(["run", "a", "--here"])
    defer { here.stop() }
    #expect(here.wait(timeout: 30)?.status == 0)
    let at = Int64(boundary) * 1000
    #expect(waitUntil(timeout: 10) { h.runs("a").contains { $0.scheduledAt == at && $0.status.isFinal } })
    let scheduled = try #require(h.runs("a").first { $0.scheduledAt == at })
    #expect(scheduled.status == .skipped, "ran beside the --here run: \(scheduled.status)")
    #expect(h.events("overlap", task: "a").count == 1)
  }

  @Test func aPendingRetryDoesNotHoldBackTheNextOccurrences() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask(
      "flaky", rule: "* * * * * *", script: "exit 1", flags: ["--retries", "1", "--retry-delay", "1h"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "1s"])
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 15) {
        h.runs("flaky").filter { $0.trigger == .schedule && $0.status.isFinal }.count >= 4
      })
    daemon.stop()
    let scheduled = h.runs("flaky").filter { $0.trigger == .schedule && $0.status.isFinal }
    // Every occurrence ran (and failed); none was skipped because a retry was waiting its hour.
    #expect(scheduled.allSatisfy { $0.status == .failed }, "\(scheduled.map(\.reason))")
  }

  @Test func aRetryOfATaskDisabledMeanwhileIsSkipped() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask(
      "flaky", rule: "@yearly", script: "echo ran $TFS_TRIGGER >> ../ran; exit 1",
      flags: ["--retries", "1", "--retry-delay", "1500ms"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "1s"])
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "flaky"]).status == 0)
    #expect(waitUntil(timeout: 10) { h.runs("flaky").contains { $0.trigger == .retry } })
    #expect(try s.tfs.run(["disable", "flaky"]).status == 0)
    #expect(waitUntil(timeout: 10) { h.runs("flaky").allSatisfy { $0.status.isFinal } })
    let retry = try #require(h.runs("flaky").first { $0.trigger == .retry })
    #expect(retry.status == .skipped && retry.reason == "the task was disabled")
    #expect(s.dir.read("home/tasks/ran") == "ran manual\n")
  }

  // MARK: max-parallel

  @Test func maxParallelQueuesTheSecondRunUntilTheFirstEnds() throws {
    let s = Scenario()
    defer { s.remove() }
    let h = try Fixture(s)
    let set = try s.tfs.run(["config", "set", "max-parallel", "1"])
    if set.status != 0 {
      try h.store.setSetting(.maxParallel, to: "1", actor: "test", now: wallClockMs())
    }
    // Both tasks exist before the daemon starts and fire well after it has (robust under load).
    let (rule, at) = ruleFiring(inSeconds: 6)
    try s.addTask("p1", rule: rule, script: "sleep 1.5")
    try s.addTask("p2", rule: rule, script: "sleep 1.5")
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "1s"])
    defer { daemon.stop() }
    var sawQueued = false
    #expect(
      waitUntil(timeout: 20) {
        let all = h.runs("p1") + h.runs("p2")
        if all.contains(where: { $0.status == .running }) && all.contains(where: { $0.status == .queued }) {
          sawQueued = true
        }
        return all.filter { $0.status == .succeeded }.count == 2
      })
    #expect(sawQueued, "the second run was never seen queued while the first ran")
    let both = (h.runs("p1") + h.runs("p2")).sorted { ($0.startedAt ?? 0) < ($1.startedAt ?? 0) }
    try #require(both.count == 2)
    #expect(both.allSatisfy { $0.scheduledAt == at && $0.trigger == .schedule })
    #expect((both[1].startedAt ?? 0) >= (both[0].endedAt ?? .max), "both ran at once")
    #expect((both[1].startedAt ?? 0) - (both[1].queuedAt) >= 1_000, "the second did not wait")
  }

  // MARK: Overlap

  @Test func overlapQueueKeepsAtMostOneQueuedRun() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("q", rule: "* * * * * *", script: "sleep 2.5", flags: ["--overlap", "queue"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "500ms"])
    defer { daemon.stop() }
    var mostQueued = 0
    #expect(
      waitUntil(timeout: 15) {
        let runs = h.runs("q")
        mostQueued = max(mostQueued, runs.filter { $0.status == .queued }.count)
        return runs.filter { $0.status == .succeeded }.count >= 2
      })
    #expect(daemon.terminate() == 0)
    let runs = h.runs("q")
    #expect(mostQueued == 1)
    #expect(runs.filter { $0.status == .skipped }.count >= 2)
    let done = runs.filter { $0.status == .succeeded }
    try #require(done.count >= 2)
    #expect((done[1].startedAt ?? 0) >= (done[0].endedAt ?? .max))
    #expect(done[1].scheduledAt == (done[0].scheduledAt ?? 0) + 1000, "the next occurrence was queued")
    #expect(!h.events("overlap", task: "q").isEmpty)
  }

  @Test func overlapReplaceKillsTheRunningRunAndStartsTheNewOne() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("r", rule: "* * * * * *", script: "sleep 30", flags: ["--overlap", "replace"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "500ms"])
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 15) {
        let runs = h.runs("r")
        return runs.first?.status == .killed && runs.dropFirst().contains { $0.status == .running }
      })
    let runs = h.runs("r")
    let old = try #require(runs.first)
    #expect(old.status == .killed)
    #expect(old.signal == SIGTERM)
    #expect(old.reason.contains("replaced"), "reason: \(old.reason)")
    let replacement = try #require(runs.first { old.reason.hasSuffix("run \($0.id)") })
    #expect((replacement.startedAt ?? 0) >= (old.endedAt ?? .max))
    #expect(replacement.scheduledAt == (old.scheduledAt ?? 0) + 1000)
    #expect(h.events("failed", task: "r").isEmpty, "a replaced run is not a failure")
  }

  @Test
  func queueAndReplaceRaiseAnOverlapAlert() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("r", rule: "* * * * * *", script: "sleep 30", flags: ["--overlap", "replace"])
    try s.addTask("q", rule: "*/3 * * * * *", script: "sleep 4", flags: ["--overlap", "queue"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "500ms"])
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 15) { h.runs("r").first?.status == .killed })
    // (A scheduled run shows as queued up to 250 ms before its occurrence: wait for the one
    // queued behind a running run.)
    #expect(
      waitUntil(timeout: 15) {
        let q = h.runs("q")
        return q.contains { $0.status == .queued } && q.contains { $0.status == .running }
      })
    let replaced = try #require(h.runs("r").first)
    #expect(h.events("overlap", task: "r").contains { $0.runID == replaced.id }, "replace: no overlap alert")
    let running = try #require(h.runs("q").first { $0.status == .running })
    #expect(h.events("overlap", task: "q").contains { $0.runID == running.id }, "queue: no overlap alert")
  }

  // MARK: Jitter

  @Test func jitterStartsRunsAfterTheirOccurrenceWithinTheJitter() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("j", rule: "*/5 * * * * *", script: "true", flags: ["--jitter", "2s"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 16) { h.runs("j").filter { $0.status == .succeeded }.count >= 2 })
    for run in h.runs("j") where run.status == .succeeded {
      let scheduled = try #require(run.scheduledAt)
      let started = try #require(run.startedAt)
      #expect(scheduled % 5_000 == 0)
      #expect(started >= scheduled, "run \(run.id) started \(scheduled - started) ms early")
      #expect(started < scheduled + 2_000 + 500, "run \(run.id) started \(started - scheduled) ms late")
      #expect(run.trigger == .schedule)
    }
  }

  // MARK: The daemon itself

  @Test func jsonLogLinesAreObjectsWithAtLevelAndMessage() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("hello", rule: "@yearly", script: "echo hi")
    let daemon = try s.tfs.startDaemon(["--log-format", "json"])
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "hello", "--wait"]).status == 0)
    #expect(daemon.terminate() == 0)
    let lines = jsonObjectLines(daemon.log)
    #expect(lines.count >= 4, "\(daemon.log)")
    var messages: [String] = []
    for (i, line) in lines.enumerated() {
      let object = try #require(line, "line \(i + 1) is not a JSON object: \(daemon.log)")
      let at = try #require(object["at"] as? String)
      #expect(at.hasSuffix("Z") && at.count == "2024-03-10T03:00:00.000Z".count, "at: \(at)")
      #expect(
        ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(
          object["level"] as? String))
      messages.append(try #require(object["message"] as? String))
    }
    #expect(messages.first == "daemon started")
    #expect(messages.contains("started") && messages.contains("ended"))
    #expect(messages.last == "daemon stopped")
    let ended = try #require(lines.compactMap { $0 }.first { $0["message"] as? String == "ended" })
    #expect(ended["task"] as? String == "hello" && ended["status"] as? String == "succeeded")
  }

  @Test func daemonStartedEventCarriesTheTaskCount() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@yearly", script: "true")
    try s.addTask("b", rule: "@yearly", script: "true", flags: ["--disabled"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let started = h.events("daemon-started")
    #expect(started.count == 1)
    let event = try #require(started.first)
    #expect(details(event)["tasks"] as? String == "2")
    #expect(details(event)["pid"] as? String == "\(daemon.pid)")
    #expect(event.title.contains("2 tasks"))
  }

  @Test func theDaemonRefusesAWritableTaskRootOrDatabase() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "@yearly", script: "true")
    let tasks = s.home + "/tasks"
    #expect(chmod(tasks, 0o777) == 0)
    let out = try s.tfs.run(["daemon"], timeout: 20)
    #expect(out.status == 1, "\(out)")
    #expect(out.stderr.contains("'\(tasks)'") && out.stderr.contains("chmod"), "\(out.stderr)")
    #expect(chmod(tasks, 0o775) == 0)
    let group = try s.tfs.run(["daemon"], timeout: 20)
    #expect(group.status == 1 && group.stderr.contains("chmod"), "group-writable: \(group)")
    #expect(chmod(tasks, 0o700) == 0)
    #expect(chmod(s.database, 0o666) == 0)
    let db = try s.tfs.run(["daemon"], timeout: 20)
    #expect(db.status == 1 && db.stderr.contains("'\(s.database)'") && db.stderr.contains("chmod"), "\(db)")
    #expect(try Store.open(path: s.database).daemonInfo() == nil, "a refused daemon never claimed the home")
  }

  @Test func sighupReloadsTheSettings() throws {
    let s = Scenario()
    defer { s.remove() }
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(!daemon.log.contains("settings reloaded"))
    try h.store.setSetting(.maxParallel, to: "3", actor: "test", now: wallClockMs())
    kill(daemon.pid, SIGHUP)
    #expect(waitUntil(timeout: 5) { daemon.log.contains("settings reloaded") }, "\(daemon.log)")
    #expect(daemon.process.isRunning, "SIGHUP must not stop the daemon")
    #expect(daemon.terminate() == 0)
  }

  // MARK: Manual runs against the policies

  @Test func aDisabledTaskCanBeRunByHand() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("off", rule: "* * * * * *", script: "echo by hand", flags: ["--disabled"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    let out = try s.tfs.run(["run", "off", "--wait"])
    #expect(out.status == 0, "\(out)")
    let runs = h.runs("off")
    #expect(runs.count == 1, "a disabled task is never scheduled")
    #expect(runs.first?.trigger == .manual && runs.first?.status == .succeeded)
    let log = s.dir.read("home/tasks/off/" + (runs.first?.logPath ?? "?"))
    #expect(log == "by hand\n")
  }

  @Test func runWhileRunningObeysSkipUnlessForced() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("busy", rule: "@yearly", script: "sleep 30")
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "500ms"])
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "busy"]).status == 0)
    #expect(waitUntil(timeout: 10) { h.runs("busy").first?.status == .running })
    let again = try s.tfs.run(["run", "busy"])
    #expect(again.status == 1, "\(again)")
    #expect(again.stderr.contains("already running") && again.stderr.contains("--force"), "\(again.stderr)")
    #expect(h.runs("busy").count == 1, "nothing recorded for the refused run")
    let forced = try s.tfs.run(["run", "busy", "--force"])
    #expect(forced.status == 0, "\(forced)")
    #expect(waitUntil(timeout: 10) { h.runs("busy").filter { $0.status == .running }.count == 2 })
    let kill = try s.tfs.run(["kill", "busy", "--grace", "1s"])
    #expect(kill.status == 0, "\(kill)")
    #expect(h.runs("busy").allSatisfy { $0.status == .killed })
  }

  @Test func removeRefusesATaskWithAnActiveRun() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("rm", rule: "@yearly", script: "sleep 30")
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "rm"]).status == 0)
    #expect(waitUntil(timeout: 10) { h.runs("rm").first?.status == .running })
    let out = try s.tfs.run(["remove", "rm"])
    #expect(out.status == 1, "\(out)")
    #expect(out.stderr.contains("in progress") && out.stderr.contains("--kill"), "\(out.stderr)")
    #expect(try h.store.task(TaskName("rm")) != nil, "the task must survive a refused remove")
    #expect(h.runs("rm").first?.status == .running)
    let forced = try s.tfs.run(["remove", "rm", "--kill"])
    #expect(forced.status == 0, "\(forced)")
    #expect(h.runs("rm").first?.status == .killed)
    #expect(try h.store.task(TaskName("rm")) == nil)
  }

  @Test func killOfAQueuedRunEndsItBeforeItStarts() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("qk", rule: "@yearly", script: "sleep 30", flags: ["--overlap", "queue"])
    let h = try Fixture(s)
    let daemon = try s.tfs.startDaemon(["--shutdown-grace", "500ms"])
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "qk"]).status == 0)
    #expect(waitUntil(timeout: 10) { h.runs("qk").first?.status == .running })
    #expect(try s.tfs.run(["run", "qk"]).status == 0)
    let runs = h.runs("qk")
    try #require(runs.count == 2)
    let (running, queued) = (runs[0], runs[1])
    #expect(queued.status == .queued)
    let out = try s.tfs.run(["kill", "qk", "--run", "\(queued.id)"])
    #expect(out.status == 0, "\(out)")
    #expect(out.stdout.contains("killed run \(queued.id) of 'qk' (killed)"))
    let killed = try #require(h.run(queued.id))
    #expect(killed.status == .killed && killed.startedAt == nil && killed.pid == nil)
    #expect(killed.reason.contains("before it started"), "reason: \(killed.reason)")
    #expect(h.run(running.id)?.status == .running, "only the queued run was killed")
    #expect(h.events("killed", task: "qk").map(\.runID) == [queued.id])
    // The running one ends: the killed queued run must not start in its place.
    #expect(try s.tfs.run(["kill", "qk", "--run", "\(running.id)", "--grace", "1s"]).status == 0)
    #expect(!waitUntil(timeout: 1.5) { h.run(queued.id)?.status != .killed || h.runs("qk").count > 2 })
  }
}
