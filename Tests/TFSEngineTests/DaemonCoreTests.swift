import Foundation
import GRDB
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine
@testable import TFSStore

/// Each scheduling policy, driven in-process: the daemon's core with a manual clock and a fake
/// launcher over a real store. Instants are exact, so nothing here depends on timing.
@Suite(.serialized) struct DaemonCoreTests {
  /// 2024-01-05T12:00:00Z, in ms; `s(n)` is n seconds after it.
  static let t0: Int64 = 1_704_456_000_000
  func s(_ n: Int64) -> Int64 { DaemonCoreTests.t0 + n * 1000 }

  @Test func anOccurrenceIsArmedAheadAndSpawnedAtItsSecond() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("tick")
    try h.begin(at: s(0) + 100)
    try h.step(at: s(1) - 300)
    #expect(h.core.table.isEmpty, "more than the lead ahead: nothing yet")
    try h.step(at: s(1) - 200)
    let armed = try #require(try h.runs("tick").first)
    #expect(armed.status == .queued && armed.scheduledAt == s(1))
    #expect(h.core.table.armed.count == 1 && h.launcher.spawned.isEmpty)
    try h.step(at: s(1))
    let pid = try #require(h.launcher.spawned.first)
    #expect(try h.runs("tick").first?.status == .running)
    #expect(try h.runs("tick").first?.startedAt == s(1))
    h.launcher.exit(pid)
    try h.step(at: s(1) + 50)
    #expect(try h.runs("tick").first?.status == .succeeded)
    #expect(h.core.table.live.isEmpty)
  }

  @Test func skipRecordsBusyOccurrencesSkippedWithOneOverlapAlert() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("slow")
    try h.begin(at: s(0))
    try h.steps([s(1) - 200, s(1), s(2) - 200, s(2), s(3) - 200, s(3)])
    let runs = try h.runs("slow")
    #expect(runs.map(\.status) == [.running, .skipped, .skipped])
    #expect(runs.dropFirst().allSatisfy { $0.reason == "previous run still running (overlap skip)" })
    #expect(try h.events(.overlap).count == 1, "one overlap alert per running run")
    #expect(h.launcher.spawned.count == 1)
  }

  @Test func queueKeepsOneRunWaitingAndStartsItWhenTheRunningOneEnds() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("q") { $0.overlap = .queue }
    try h.begin(at: s(0))
    try h.steps([s(1) - 200, s(1), s(2) - 200, s(2), s(3) - 200, s(3)])
    #expect(try h.runs("q").map(\.status) == [.running, .queued, .skipped])
    h.launcher.exit(try #require(h.launcher.spawned.first))
    try h.step(at: s(3) + 500)
    #expect(try h.runs("q").map(\.status) == [.succeeded, .running, .skipped])
    #expect(h.launcher.spawned.count == 2)
  }

  @Test func replaceStopsTheRunningRunAndStartsTheNewOneWhenItEnded() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("r") { $0.overlap = .replace }
    try h.begin(at: s(0))
    try h.steps([s(1) - 200, s(1), s(2)])
    let first = try #require(h.launcher.spawned.first)
    #expect(h.launcher.signals(to: first) == [SIGTERM])
    #expect(try h.runs("r").map(\.status) == [.running, .queued])
    h.launcher.exit(first, signal: SIGTERM)
    try h.step(at: s(2) + 100)
    let runs = try h.runs("r")
    #expect(runs.map(\.status) == [.killed, .running])
    #expect(runs[0].reason == "replaced by run \(runs[1].id)")
  }

  @Test func allowRunsSideBySideUpToMaxParallelThenQueues() throws {
    let h = try CoreHarness(at: s(0), settings: ["max-parallel": "2"])
    defer { h.remove() }
    try h.add("a") { $0.overlap = .allow }
    try h.begin(at: s(0))
    try h.steps([s(1), s(2), s(3)])
    #expect(try h.runs("a").map(\.status) == [.running, .running, .queued])
    h.launcher.exit(try #require(h.launcher.spawned.first))
    try h.step(at: s(3) + 10)
    #expect(try h.runs("a").map(\.status) == [.succeeded, .running, .running])
  }

  @Test func aFailedRunIsRetriedAfterItsDelayDoublingEachAttempt() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("flaky", rule: "0 0 * * * *") {
      $0.retries = 2
      $0.retryDelayMs = 5_000
    }
    try h.begin(at: s(3599))
    try h.step(at: s(3600))
    h.launcher.exit(try #require(h.launcher.spawned.last), code: 1)
    try h.step(at: s(3601))
    try h.step(at: s(3606) - 1)
    #expect(h.launcher.spawned.count == 1, "not before the delay")
    try h.step(at: s(3606))
    #expect(h.launcher.spawned.count == 2)
    h.launcher.exit(try #require(h.launcher.spawned.last), code: 1)
    try h.step(at: s(3607))
    try h.step(at: s(3617) - 1)
    #expect(h.launcher.spawned.count == 2, "the second delay is doubled")
    try h.step(at: s(3617))
    let runs = try h.runs("flaky")
    #expect(runs.map(\.trigger) == [.schedule, .retry, .retry])
    #expect(runs.map(\.attempt) == [0, 1, 2])
    #expect(Set(runs.compactMap(\.scheduledAt)) == [s(3600)], "every attempt belongs to the occurrence")
  }

  @Test func jitterDelaysTheStartByTheInjectedRandomSource() throws {
    let h = try CoreHarness(at: s(0), seed: 42)
    defer { h.remove() }
    try h.add("j") { $0.jitterMs = 800 }
    var random = SeededRandom(state: 42)
    let delay = Int64.random(in: 0..<800, using: &random)
    try h.begin(at: s(0))
    try h.steps([s(1) - 200, s(1), s(1) + delay - 1])
    #expect(h.launcher.spawned.isEmpty)
    try h.step(at: s(1) + delay)
    #expect(h.launcher.spawned.count == 1)
    #expect(try h.runs("j").first?.startedAt == s(1) + delay)
  }

  @Test func aRestartRecordsMissedExactlyWhatHasNoRecordAndCatchesUpTheLatest() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("five", rule: "*/5 * * * * *") { $0.catchUp = .once }
    try h.begin(at: s(0))
    for second in stride(from: Int64(1), through: 21, by: 1) {
      try h.step(at: s(second) - 200)
      try h.step(at: s(second))
      if let pid = h.launcher.spawned.last, h.core.table.id(ofPid: pid) != nil { h.launcher.exit(pid) }
      try h.step(at: s(second) + 100)
    }
    // A crash: no stop recorded. A `modify` while no daemon runs changes nothing about what
    // was missed.
    try h.modify("five", at: s(40)) { $0.title = "changed while down" }
    try h.begin(at: s(61))
    let runs = try h.runs("five")
    let handled = runs.filter { $0.status == .succeeded }.compactMap(\.scheduledAt)
    #expect(handled == [s(5), s(10), s(15), s(20)])
    let missed = runs.filter { $0.status == .missed }.compactMap(\.scheduledAt)
    #expect(missed == stride(from: 25, through: 60, by: 5).map { s($0) })
    let scheduled = runs.filter { $0.trigger == .schedule }.compactMap(\.scheduledAt)
    #expect(Set(scheduled).count == scheduled.count, "one scheduled run per occurrence")
    let alert = try #require(try h.events(.missed).first)
    #expect(alert.title.hasPrefix("8 occurrences"))
    try h.step(at: s(61) + 10)
    let catchUp = try #require(try h.runs("five").first { $0.trigger == .catchUp })
    #expect(catchUp.scheduledAt == s(60) && catchUp.status == .running)
  }

  /// `modify` landing after a run was prepared ahead of its occurrence: the prepared run is
  /// withdrawn and the occurrence runs with the new definition (no second record of it).
  @Test func aModifyAfterArmingRunsTheOccurrenceWithTheNewDefinition() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("tick") { $0.environment = ["GREETING": "v0"] }
    try h.begin(at: s(0))
    try h.step(at: s(1) - 200)
    #expect(h.core.table.armed.count == 1)
    try h.modify("tick", at: s(1) - 150) { $0.environment = ["GREETING": "v1"] }
    try h.step(at: s(1) - 100)
    try h.step(at: s(1))
    let runs = try h.runs("tick")
    #expect(runs.count == 1 && runs[0].scheduledAt == s(1) && runs[0].status == .running)
    let request = try #require(h.launcher.state.withLock { $0.spawned.first?.request })
    #expect(request.environment["GREETING"] == "v1")
  }

  @Test func aRunThatCannotStartIsRecordedAtItsOccurrence() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("broken") { $0.entry = "missing.sh" }
    try h.begin(at: s(0))
    try h.step(at: s(1) - 200)
    #expect(try h.runs("broken").first?.status == .queued)
    try h.step(at: s(1))
    let run = try #require(try h.runs("broken").first)
    #expect(run.status == .failed && run.endedAt == s(1) && run.scheduledAt == s(1))
    #expect(try h.events(.entryMissing).map(\.at) == [s(1)])
    #expect(h.launcher.spawned.isEmpty)
  }

  @Test func aTimeoutAlertsThenStopsTheRunUnderKill() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("slow", rule: "0 0 * * * *") { $0.timeoutMs = 2_000 }
    try h.begin(at: s(3599))
    try h.step(at: s(3600))
    let pid = try #require(h.launcher.spawned.first)
    try h.step(at: s(3602) - 1)
    #expect(try h.events(.timeout).isEmpty && h.launcher.signals(to: pid).isEmpty)
    try h.step(at: s(3602))
    #expect(try h.events(.timeout).count == 1 && h.launcher.signals(to: pid) == [SIGTERM])
    h.launcher.exit(pid, signal: SIGTERM)
    try h.step(at: s(3602) + 10)
    #expect(try h.runs("slow").first?.status == .timedOut)
  }

  /// SIGTERM: armed runs are given up, running ones get the grace, then TERM+KILL; the daemon
  /// records when it stopped firing apart from when it exited.
  @Test func shutdownGivesTheGraceThenKillsAndRecordsWhenFiringStopped() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("tick")
    try h.begin(at: s(0), graceMs: 2_000)
    try h.steps([s(1) - 200, s(1), s(2) - 200])
    let pid = try #require(h.launcher.spawned.first)
    #expect(h.core.table.armed.count == 1)
    try h.core.requestStop()
    #expect(h.core.table.armed.isEmpty && h.launcher.signals(to: pid).isEmpty)
    try h.step(at: s(2) - 200 + 1_999)
    #expect(h.launcher.signals(to: pid).isEmpty)
    try h.step(at: s(2) - 200 + 2_000)
    #expect(h.launcher.signals(to: pid).contains(SIGKILL))
    #expect(!h.core.isDone)
    h.launcher.exit(pid, signal: SIGKILL)
    try h.step(at: s(2) - 200 + 2_010)
    #expect(h.core.isDone)
    try h.core.end()
    let runs = try h.runs("tick")
    #expect(runs.map(\.status) == [.killed] && runs[0].reason == "daemon shutdown")
    let daemon = try #require(try h.store.daemonInfo())
    #expect(daemon.firedUntil == s(2) - 200 && daemon.stoppedAt == s(2) - 200 + 2_010)
  }

  /// `--once` stops firing after its second and waits for what was decided, however long it
  /// takes — a jittered start included; a SIGTERM then gives the runs the grace from then.
  @Test func stopFiringWaitsForWhatWasDecidedUntilAStopIsAsked() throws {
    let h = try CoreHarness(at: s(0), seed: 3)
    defer { h.remove() }
    try h.add("slow", rule: "0 0 * * * *") { $0.jitterMs = 900 }
    var random = SeededRandom(state: 3)
    let delay = Int64.random(in: 0..<900, using: &random)
    try h.begin(at: s(3599), graceMs: 1_000)
    try h.steps([s(3600) - 200, s(3600)])
    try h.core.stopFiring()
    try h.step(at: s(3600) + delay)
    let pid = try #require(h.launcher.spawned.first, "the jittered run still starts")
    try h.steps([s(3610), s(3700)])
    #expect(h.launcher.signals(to: pid).isEmpty && !h.core.isDone)
    try h.core.requestStop()
    try h.step(at: s(3701) - 1)
    #expect(h.launcher.signals(to: pid).isEmpty)
    try h.step(at: s(3701))
    #expect(h.launcher.signals(to: pid) == [SIGTERM, SIGKILL])
    h.launcher.exit(pid, signal: SIGKILL)
    try h.step(at: s(3701) + 10)
    #expect(h.core.isDone)
    #expect(try h.runs("slow").count == 1, "nothing fired after the second")
  }

  /// A run `tfs kill`ed just before its occurrence (recorded killed by the CLI) must not take
  /// the `overlap` alert of another task's skipped occurrence down with it.
  @Test func aKillBeforeStartDoesNotDropAnotherTasksOverlapAlert() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("busy")
    try h.add("other", rule: "*/2 * * * * *")
    try h.begin(at: s(0))
    try h.steps([s(1) - 200, s(1), s(2) - 200])
    let armed = try #require(try h.runs("other").first { $0.status == .queued })
    h.clock.set(s(2) - 150)
    _ = try h.store.requestKill(armed.id, signal: SIGTERM, actor: "tester", now: s(2) - 150)
    // As `tfs kill` of a queued run does: the end is recorded at once.
    let end = RunEnd(status: .killed, endedAt: s(2) - 150, reason: "killed by tester before it started")
    try h.store.finishRuns([(armed.id, end, [])])
    try h.step(at: s(2))
    #expect(try h.runs("other").first?.status == .killed)
    #expect(try h.runs("busy").map(\.status) == [.running, .skipped])
    #expect(try h.events(.overlap).count == 1, "the skipped occurrence's overlap alert")
  }

  // MARK: Commands landing between a run's arming and its occurrence

  @Test func aFixedEntryJustBeforeTheOccurrenceRunsIt() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("fix") { $0.entry = "missing.sh" }
    try h.begin(at: s(0))
    try h.step(at: s(1) - 200)
    #expect(h.core.table.unstartable.count == 1)
    try h.modify("fix", at: s(1) - 150) { $0.entry = "run.sh" }
    try h.steps([s(1) - 100, s(1)])
    let runs = try h.runs("fix")
    #expect(runs.map(\.status) == [.running] && runs[0].scheduledAt == s(1))
    #expect(try h.events(.entryMissing).isEmpty)
  }

  @Test func aTimeZoneChangeJustBeforeTheOccurrenceDoesNotFireItTwice() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("z") {
      $0.overlap = .allow
      $0.timeZone = nil
    }
    try h.begin(at: s(0))
    for (i, zone) in ["Europe/London", "Asia/Tokyo", "America/New_York", "UTC"].enumerated() {
      let second = Int64(i + 1)
      try h.step(at: s(second) - 200)
      h.clock.set(s(second) - 150)
      try h.store.setSetting(.timezone, to: zone, actor: "test", now: s(second) - 150)
      try h.steps([s(second) - 100, s(second)])
    }
    let scheduled = try h.runs("z").filter { $0.trigger == .schedule }.compactMap(\.scheduledAt)
    #expect(scheduled == (1...4).map { s($0) })
  }

  @Test func aRemoveJustBeforeTheOccurrenceStartsNothing() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("gone")
    try h.begin(at: s(0))
    try h.step(at: s(1) - 200)
    h.clock.set(s(1) - 150)
    try h.store.removeTask(taskName("gone"), purge: false, actor: "test", now: s(1) - 150)
    try h.steps([s(1) - 100, s(1), s(2)])
    #expect(h.launcher.spawned.isEmpty)
    #expect(try h.runs("gone").allSatisfy { $0.status.isFinal })
  }

  /// `tfs run` of another task just before an armed occurrence, under max-parallel 1: the armed
  /// run is withdrawn and its occurrence waits for the slot, neither skipped nor started beside.
  @Test func anArmedRunWaitsForASlotTakenJustBeforeItsOccurrence() throws {
    let h = try CoreHarness(at: s(0), settings: ["max-parallel": "1"])
    defer { h.remove() }
    try h.add("a", rule: "*/4 * * * * *")
    try h.add("b", rule: "@yearly")
    try h.begin(at: s(0))
    try h.step(at: s(4) - 200)
    h.clock.set(s(4) - 150)
    let manual = try h.store.insertRun(
      Run(
        task: taskName("b"), version: "202401/05/120003", trigger: .manual, status: .queued,
        queuedAt: s(4) - 150))
    try h.steps([s(4) - 100, s(4)])
    #expect(try h.runs("b").map(\.status) == [.running])
    #expect(try h.runs("a").map(\.status) == [.queued], "waits for the slot")
    h.launcher.exit(try #require(h.pid(of: manual.id)))
    try h.step(at: s(5))
    let a = try h.runs("a")
    #expect(a.map(\.status) == [.running] && a[0].scheduledAt == s(4) && a[0].startedAt == s(5))
  }

  /// Overlap queue: a manual run of the task queued just before its armed occurrence waits for
  /// the occurrence's run to end.
  @Test func aManualRunQueuedJustBeforeAnArmedOccurrenceWaitsForIt() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("a", rule: "*/4 * * * * *") { $0.overlap = .queue }
    try h.begin(at: s(0))
    try h.step(at: s(4) - 200)
    h.clock.set(s(4) - 150)
    _ = try h.store.insertRun(
      Run(
        task: taskName("a"), version: "202401/05/120003", trigger: .manual, status: .queued,
        queuedAt: s(4) - 150))
    try h.steps([s(4) - 100, s(4)])
    let runs = try h.runs("a")
    #expect(runs.count == 2 && h.launcher.spawned.count == 1)
    #expect(runs.filter { $0.status == .running }.count == 1)
    h.launcher.exit(try #require(h.launcher.spawned.first))
    try h.step(at: s(4) + 500)
    #expect(h.launcher.spawned.count == 2)
  }

  /// A store refusing writes (another process holds its write lock past the busy timeout): the
  /// passes fail, and the first that passes records every occurrence of the outage `missed`
  /// with the reason, and one `system-error` alert. No occurrence is lost or recorded twice.
  @Test func aStoreOutageLosesNoOccurrence() throws {
    let h = try CoreHarness(at: s(0))
    defer { h.remove() }
    try h.add("tick")
    try h.begin(at: s(0), busyTimeout: 0.05)
    for second in Int64(1)...2 {
      #expect(h.guardedStep(at: s(second) - 200) && h.guardedStep(at: s(second)))
      h.launcher.exit(try #require(h.launcher.spawned.last))
    }
    var config = Configuration()
    config.allowsUnsafeTransactions = true  // the lock is held across accesses on purpose
    let blocker = try DatabaseQueue(path: h.home.database, configuration: config)
    try blocker.writeWithoutTransaction { try $0.execute(sql: "BEGIN EXCLUSIVE") }
    var failed = 0
    for second in Int64(3)...5 {
      for ms in [s(second) - 200, s(second)] where !h.guardedStep(at: ms) { failed += 1 }
    }
    #expect(failed > 0 && h.core.outage != nil)
    try blocker.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
    for ms in [s(6) - 200, s(6), s(6) + 300] { #expect(h.guardedStep(at: ms)) }
    let runs = try h.runs("tick").filter { $0.trigger == .schedule }
    #expect(runs.compactMap(\.scheduledAt).sorted() == (1...6).map { s($0) }, "one record per occurrence")
    let missed = runs.filter { $0.status == .missed }
    #expect(
      !missed.isEmpty && missed.allSatisfy { $0.reason == "the store was unavailable" },
      "\(runs.map { ($0.scheduledAt ?? 0, $0.status, $0.reason) })")
    #expect(try h.events(.systemError).count == 1)
    #expect(h.core.outage == nil)
  }
}
