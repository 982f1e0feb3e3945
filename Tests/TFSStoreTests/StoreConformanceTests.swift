import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSStore

/// The store seam's conformance suite: the operations already on `SQLDatabase` give the same
/// answers on SQLite and on PostgreSQL (docs/CLUSTER.md, "The store seam"). Each test runs once
/// per engine.
@Suite(.timeLimit(.minutes(2)))
struct StoreConformanceTests {
  enum Engine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
  }

  /// A store on a fresh database of `engine`.
  func withEngine(_ engine: Engine, _ body: (Store) throws -> Void) throws {
    switch engine {
    case .sqlite:
      try withStore { store, _ in try body(store) }
    case .postgres:
      let server = try PostgresServer()
      defer { server.stop() }
      try body(try Store.open(postgres: server.url()))
    }
  }

  static let full =
    (try? TaskSpec(
      name: TaskName("crawl/funds"), rule: CronRule("*/5 * * * * *"), command: "node", entry: "index.js",
      title: "Funds", description: "it's \"quoted\"", owners: ["ann", "bob"], timeZone: "Europe/Paris",
      timeoutMs: 60_000, onTimeout: .alert, overlap: .queue, catchUp: .once, catchUpWindowMs: 3_600_000,
      retries: 2, retryDelayMs: 5_000, jitterMs: 250, environment: ["A": "1", "B": "two words"],
      workdir: "/srv",
      enabled: false, alertPolicy: AlertPolicy(alertAfter: 3, realertMs: 600_000, alertOn: nil), keepRuns: 5,
      keepForMs: 86_400_000, user: "svc")) ?? { preconditionFailure("a valid spec") }()

  @Test(arguments: Engine.allCases) func tasksRoundTripEveryField(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTasks([Self.full, try spec("a")], actor: "test", now: t0)
      #expect(try store.task(Self.full.name)?.spec == Self.full)
      #expect(try store.task(name("missing")) == nil)
      let all = try store.tasks()
      #expect(all.map(\.spec.name.rawValue) == ["a", "crawl/funds"])
      #expect(all.map(\.createdAt) == [t0, t0])
      #expect(all.map(\.enabledAt) == [t0, nil])
      #expect(try store.tasks(enabledOnly: true).map(\.spec.name.rawValue) == ["a"])
      #expect(try store.taskCount() == 2)
      #expect(
        try store.existingTasks([name("zz"), name("a"), Self.full.name]) == [name("a"), Self.full.name])
      #expect(throws: StoreError.taskExists("a")) { try store.addTask(try spec("a"), actor: "test", now: t0) }
      var rows: [String] = []
      try store.forEachTaskRow {
        rows.append("\($0.string(.name) ?? "") \($0.int(.timeoutMs).map(String.init) ?? "-")")
      }
      #expect(rows == ["a -", "crawl/funds 60000"])
    }
  }

  @Test(arguments: Engine.allCases) func updatesAndRemovalsAreAudited(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTask(Self.full, actor: "ann", now: t0)
      let diff = try store.updateTask(Self.full.name, actor: "bob", now: t0 + 1_000) {
        $0.enabled = true
        $0.retries = 4
      }
      #expect(diff.map(\.field) == ["retries", "enabled"] || diff.map(\.field) == ["enabled", "retries"])
      let updated = try store.task(Self.full.name)
      #expect(updated?.spec.retries == 4)
      #expect(updated?.enabledAt == t0 + 1_000)
      #expect(updated?.updatedAt == t0 + 1_000)
      #expect(try store.updateTask(Self.full.name, actor: "bob", now: t0 + 2_000) { $0.retries = 4 }.isEmpty)
      #expect(
        try store.removeIdleTask(Self.full.name, purge: true, actor: "cy", now: t0 + 3_000)
          == .removed(purgedRuns: 0))
      #expect(try store.task(Self.full.name) == nil)
      let events = try store.events(EventFilter(limit: 10))
      #expect(events.map(\.type) == ["deleted", "modified", "added"])
      #expect(events.map(\.actor) == ["cy", "bob", "ann"])
      #expect(events.allSatisfy { $0.task == "crawl/funds" && $0.delivery == "none" })
      #expect(try store.events(EventFilter(type: "modified", limit: 10)).count == 1)
      #expect(
        try store.events(EventFilter(sinceMs: t0 + 500, limit: 10)).map(\.type) == ["deleted", "modified"])
      let first = events.last?.id ?? 0
      #expect(
        try store.events(EventFilter(afterID: first, limit: 10)).map(\.type) == ["modified", "deleted"])
      #expect(try store.lastEventID() == events.first?.id)
      #expect(throws: StoreError.noSuchTask("crawl/funds")) {
        try store.removeTask(Self.full.name, purge: false, actor: "cy", now: t0)
      }
    }
  }

  @Test(arguments: Engine.allCases) func applyWritesAPlanInOneTransaction(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTasks([try spec("keep"), try spec("old")], actor: "test", now: t0)
      var changed = try spec("keep")
      changed.title = "kept"
      let plan = TaskPlan(
        current: [try spec("keep"), try spec("old")], wanted: [changed, try spec("new")],
        removing: { _ in true })
      #expect(try store.apply(plan, actor: "apply", now: t0 + 1) == nil)
      #expect(try store.tasks().map { "\($0.spec.name) \($0.spec.title)" } == ["keep kept", "new "])
      // The same plan again is stale: "new" exists now.
      #expect(try store.apply(plan, actor: "apply", now: t0 + 2) == .stale(name("new")))
    }
  }

  @Test(arguments: Engine.allCases) func settingsAreStoredAndAudited(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.setSetting(.timezone, to: "Asia/Shanghai", actor: "ann", now: t0)
      try store.setSetting(.notify, to: "ops@example.com", actor: "ann", now: t0)
      try store.setSetting(.timezone, to: "UTC", actor: "bob", now: t0 + 1)
      try store.setSetting(.notify, to: nil, actor: "bob", now: t0 + 2)
      #expect(try store.settings() == ["timezone": "UTC"])
      #expect(try store.setting(.timezone) == "UTC")
      #expect(try store.setting(.notify) == nil)
      let events = try store.events(EventFilter(type: "configured", limit: 10))
      #expect(
        events.map(\.title) == [
          "setting notify unset", "setting timezone set", "setting notify set", "setting timezone set",
        ])
      #expect(events[1].details == JSON.object(["key": "timezone", "old": "Asia/Shanghai", "new": "UTC"]))
    }
  }

  /// An alert is recorded with its deliveries: one per channel that takes it, folded within
  /// `alert-interval`; removing the channel fails what still waits.
  @Test(arguments: Engine.allCases) func alertsPlanTheirDeliveries(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTask(try spec("a"), actor: "test", now: t0)
      try store.addChannel(Channel(name: "ops", target: .command("true")), actor: "test", now: t0)
      try store.addChannel(
        Channel(name: "other", target: .command("true"), tasks: "b*"), actor: "test", now: t0)
      #expect(throws: StoreError.channelExists("ops")) {
        try store.addChannel(Channel(name: "ops", target: .command("true")), actor: "test", now: t0)
      }
      let failed = Event(
        at: t0 + 1_000, type: EventType.failed.rawValue, task: "a", actor: "daemon", title: "a failed")
      let first = try store.record(failed)
      var again = failed
      again.at += 1_000
      let second = try store.record(again)
      let events = try store.events(EventFilter(task: "a", type: "failed", limit: 10))
      #expect(events.map(\.id) == [second, first])
      #expect(events.map(\.delivery) == ["suppressed", "pending"])
      #expect(try store.channels().map { "\($0.channel.name) \($0.pending)" } == ["ops 1", "other 0"])
      try store.removeChannel("ops", actor: "test", now: t0 + 3_000)
      #expect(
        try store.events(EventFilter(task: "a", type: "failed", limit: 1)).first?.delivery == "suppressed")
      #expect(
        try store.events(EventFilter(type: "failed", afterID: first - 1, limit: 1)).first?.delivery
          == "failed")
      #expect(throws: StoreError.noSuchChannel("ops")) {
        try store.removeChannel("ops", actor: "test", now: t0)
      }
      #expect(try store.channels().map(\.channel.name) == ["other"])
    }
  }

  @Test(arguments: Engine.allCases) func statusReadsAnswerTheSame(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTasks([Self.full, try spec("a", rule: "0 0 * * * *")], actor: "test", now: t0)
      let summaries = try store.taskSummaries()
      #expect(
        summaries.map { "\($0.name) \($0.rule.text) \($0.timeZone ?? "-") \($0.enabled)" } == [
          "a 0 0 * * * * - true", "crawl/funds */5 * * * * * Europe/Paris false",
        ])
      try store.record(
        Event(at: t0 + 1, type: EventType.failed.rawValue, task: "a", actor: "daemon", title: "failed"))
      try store.record(
        Event(at: t0 + 2, type: EventType.daemonStarted.rawValue, actor: "daemon", title: "started"))
      #expect(try store.recentAlerts(limit: 5).map(\.title) == ["failed"])
      #expect(try store.failingTasks() == [])
      #expect(try store.hasRuns(task: name("a")) == false)
    }
  }

  @Test(arguments: Engine.allCases) func runsAreRecordedAndFound(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTask(try spec("a"), actor: "test", now: t0)
      let first = try store.insertRun(
        run("a", status: .queued, trigger: .schedule, queuedAt: t0, scheduledAt: t0))
      // Same version: the second gets "-2"; the same occurrence again is refused.
      let second = try store.insertRun(run("a", status: .queued, trigger: .manual, queuedAt: t0 + 10))
      #expect(second.version == "202401/05/120000-2")
      #expect(throws: StoreError.self) {
        try store.insertRun(
          run("a", "other", status: .queued, trigger: .schedule, queuedAt: t0, scheduledAt: t0))
      }
      try store.insertRuns([run("a", "202401/05/120500", status: .missed, queuedAt: t0 + 20)])
      try store.markStarted(
        first.id, startedAt: t0 + 5, pid: 4242, processStart: 99, logPath: "/l", executorPid: 7)
      let started = try store.run(first.id)
      #expect(started?.status == .running)
      #expect(started?.pid == 4242)
      #expect(started?.logPath == "/l")
      #expect(try store.executor(of: first.id).pid == 7)
      #expect(try store.liveRuns().map(\.id) == [first.id, second.id])
      #expect(try store.liveRuns(task: name("a"), dueBy: t0).count == 2)
      #expect(try store.run(task: name("a"), reference: String(second.id))?.id == second.id)
      #expect(try store.run(task: name("a"), reference: "202401/05/120000")?.id == first.id)
      #expect(try store.run(task: name("a"), reference: nil)?.id == first.id)
      #expect(try store.requestKill(first.id, signal: 15, actor: "ann", now: t0 + 30))
      #expect(try store.killRequest(first.id) == KillRequest(at: t0 + 30, signal: 15, actor: "ann"))
      #expect(try store.runs(RunFilter(task: "a")).map(\.status) == [.missed, .queued, .running])
      #expect(try store.runs(RunFilter(status: .missed)).count == 1)
      #expect(try store.runs(RunFilter(sinceMs: t0 + 15)).map(\.status) == [.missed])
      #expect(try store.runCount(task: name("a")) == 3)
      #expect(try store.hasRuns(task: name("a")))
      #expect(try store.publishedFiles(first.id) == [])
    }
  }

  /// A run's end updates the task and records its alerts by the task's policy: a failure
  /// alerts (and marks the task failing), the next success records `recovered`.
  @Test(arguments: Engine.allCases) func aRunsEndAppliesTheAlertPolicy(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTask(try spec("a"), actor: "test", now: t0)
      try store.addChannel(Channel(name: "ops", target: .command("true")), actor: "test", now: t0)
      let bad = try store.insertRun(run("a", "v1", status: .running, trigger: .manual, queuedAt: t0))
      let failed = Event(
        at: t0 + 1_000, type: EventType.failed.rawValue, task: "a", runID: bad.id, actor: "tfs",
        title: "a failed")
      try store.finishRun(bad.id, RunEnd(status: .failed, endedAt: t0 + 1_000, exitCode: 3), events: [failed])
      #expect(
        try store.failingTasks().map { "\($0.name) \($0.status.rawValue) \($0.runID ?? 0)" } == [
          "a failed \(bad.id)"
        ])
      #expect(try store.run(bad.id)?.exitCode == 3)
      // Ending it again writes nothing.
      try store.finishRun(bad.id, RunEnd(status: .succeeded, endedAt: t0 + 2_000, exitCode: 0))
      #expect(try store.run(bad.id)?.status == .failed)
      let good = try store.insertRun(run("a", "v2", status: .running, trigger: .manual, queuedAt: t0 + 5_000))
      try store.finishRun(good.id, RunEnd(status: .succeeded, endedAt: t0 + 9_000, exitCode: 0))
      #expect(try store.failingTasks() == [])
      #expect(try store.task(name("a"))?.lastStatus == .succeeded)
      let alerts = try store.events(EventFilter(task: "a", limit: 10)).filter { $0.type != "added" }
      #expect(alerts.map { "\($0.type) \($0.delivery)" } == ["recovered pending", "failed pending"])
      let queued = try store.insertRun(
        run("a", "v3", status: .queued, trigger: .manual, queuedAt: t0 + 10_000))
      #expect(try store.finishQueuedRun(queued.id, RunEnd(status: .killed, endedAt: t0 + 10_500)))
      #expect(try store.finishQueuedRun(queued.id, RunEnd(status: .killed, endedAt: t0 + 10_600)) == false)
    }
  }

  /// The daemon's batched writes and reads: a pass's runs, their starts, kills, ends and
  /// retries, the record of handled occurrences, and withdrawal at shutdown.
  @Test(arguments: Engine.allCases) func theDaemonsBatchesAnswerTheSame(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTask(try spec("a"), actor: "test", now: t0)
      let pass = [
        run("a", "v1", status: .queued, trigger: .schedule, queuedAt: t0, scheduledAt: t0),
        run("a", "v2", status: .queued, trigger: .schedule, queuedAt: t0, scheduledAt: t0),
        run("a", "v3", status: .queued, trigger: .schedule, queuedAt: t0, scheduledAt: t0 + 1_000),
      ]
      let inserted = try store.insertRunsReturning(pass, executorPid: 11)
      #expect(inserted.map { $0 == nil } == [false, true, false])
      let ids = inserted.compactMap { $0?.id }
      #expect(try store.requestKill(ids[1], signal: 9, actor: "ann", now: t0 + 1))
      let starts = ids.map {
        RunStart(id: $0, version: "v\($0)", startedAt: t0 + 5, pid: 500, processStart: nil, logPath: "/l")
      }
      #expect(try store.markStartedBatch(starts, executorPid: 11) == [ids[1]])
      #expect(try store.killRequests(ids) == [ids[1]: KillRequest(at: t0 + 1, signal: 9, actor: "ann")])
      #expect(try store.runsElsewhere(than: 11).isEmpty)
      #expect(try store.runsElsewhere(than: 12).map(\.executor) == [11, 11])
      #expect(try store.liveRunsWithExecutor().map { $0.1 } == [11, 11])
      #expect(
        try store.occurrencesByTask(fromMs: t0, toMs: t0 + 1_000) == [name("a"): [t0 / 1000, t0 / 1000 + 1]])
      let manual = try store.insertRun(run("a", "m", status: .queued, trigger: .manual, queuedAt: t0 + 2))
      #expect(try store.queuedRuns().map(\.0.id) == [manual.id])
      try store.withdrawQueuedRuns([manual.id])
      #expect(try store.queuedRuns().isEmpty)
      let retry = run("a", "r", status: .queued, trigger: .retry, queuedAt: t0 + 3_000)
      let retried = try store.finishRuns(
        [(ids[0], RunEnd(status: .failed, endedAt: t0 + 2_000, exitCode: 1), [])], retries: [retry])
      #expect(retried.map(\.version) == ["r"])
      try store.finishRuns([(ids[1], RunEnd(status: .killed, endedAt: t0 + 2_000, signal: 9), [])])
      #expect(try store.runs(RunFilter(task: "a")).map(\.status) == [.queued, .killed, .failed])
      // Retention: the newest run of the task (the retry, live anyway) is kept; both ended runs go.
      #expect(try store.prunable(beforeMs: nil, keepPerTask: 1).map(\.id) == ids)
      #expect(try store.prunable(beforeMs: t0 + 1, keepPerTask: nil).map(\.id) == ids)
      #expect(try store.prunableByPolicy(now: t0 + 10_000, retentionMs: 5_000).map(\.id) == ids)
      try store.deleteRuns([ids[0]], actor: "prune", now: t0 + 10_000)
      #expect(try store.runCount(task: name("a")) == 2)
      #expect(try store.events(EventFilter(type: "pruned", limit: 1)).first?.title == "pruned 1 runs")
    }
  }

  /// The outbox: an alert's delivery is claimed by one worker, attempted, retried, delivered;
  /// the event's summary and the channel's health follow.
  @Test(arguments: Engine.allCases) func theOutboxDeliversOnce(engine: Engine) throws {
    try withEngine(engine) { store in
      try store.addTask(
        TaskSpec(
          name: name("a"), rule: try CronRule("* * * * * *"), command: "sh", entry: "x", owners: ["ann"]),
        actor: "test", now: t0)
      try store.addChannel(Channel(name: "ops", target: .command("true")), actor: "test", now: t0)
      let id = try store.record(
        Event(at: t0 + 1_000, type: EventType.failed.rawValue, task: "a", actor: "tfs", title: "failed"))
      #expect(try store.nextDeliveryDue(now: t0 + 1_000) == t0 + 1_000)
      #expect(try store.nextDeliveryDue(now: t0 + 1_000, skipping: ["ops"]) == nil)
      let claimed = try store.claimDeliveries(now: t0 + 1_000, claimant: "w1", leaseMs: 30_000, skipping: [])
      #expect(claimed.map { "\($0.channel) \($0.event.id) \($0.attempts)" } == ["ops \(id) 0"])
      // Claimed: another worker gets nothing until the claim is released or runs out.
      #expect(
        try store.claimDeliveries(now: t0 + 1_001, claimant: "w2", leaseMs: 30_000, skipping: []).isEmpty)
      #expect(
        try store.recordAttempt(
          [(claimed[0].id, .retry(at: t0 + 5_000))], channel: "ops", error: "boom", at: t0 + 1_100) == (0, 1))
      #expect(try store.channels().first?.lastError == "boom")
      let again = try store.claimDeliveries(now: t0 + 5_000, claimant: "w2", leaseMs: 30_000, skipping: [])
      #expect(again.map(\.attempts) == [1])
      try store.recordAttempt(
        [(again[0].id, .delivered(digest: nil))], channel: "ops", error: "", at: t0 + 5_100)
      #expect(try store.events(EventFilter(type: "failed", limit: 1)).first?.delivery == "delivered")
      #expect(
        try store.deliveries(of: [id])[id]?.map { "\($0.channel) \($0.state) \($0.attempts)" } == [
          "ops delivered 2"
        ])
      #expect(try store.messagesSent(channel: "ops", since: t0) == [t0 + 5_100])
      #expect(try store.channels().first?.failures == 0)
      #expect(try store.owners(of: "a") == ["ann"])
      try store.releaseDeliveryClaims()
      try store.releaseDeliveryClaims(of: "w2")
      try store.recordChannelWorks("ops", at: t0 + 6_000)
      #expect(try store.channels().first?.lastSuccessAt == t0 + 6_000)
    }
  }

  /// `--realert`: a task still failing gets a `still-failing` reminder once per period.
  @Test(arguments: Engine.allCases) func stillFailingRemindsOncePerPeriod(engine: Engine) throws {
    try withEngine(engine) { store in
      var task = try spec("a")
      task.alertPolicy = AlertPolicy(alertAfter: 1, realertMs: 60_000, alertOn: nil)
      try store.addTask(task, actor: "test", now: t0)
      let bad = try store.insertRun(run("a", "v1", status: .running, trigger: .manual, queuedAt: t0))
      let failed = Event(
        at: t0 + 1_000, type: EventType.failed.rawValue, task: "a", runID: bad.id, actor: "tfs",
        title: "failed")
      try store.finishRun(bad.id, RunEnd(status: .failed, endedAt: t0 + 1_000, exitCode: 1), events: [failed])
      #expect(try store.raiseStillFailing(now: t0 + 30_000) == 0)
      #expect(try store.raiseStillFailing(now: t0 + 61_000) == 1)
      #expect(try store.raiseStillFailing(now: t0 + 62_000) == 0)
      #expect(try store.events(EventFilter(type: "still-failing", limit: 5)).map(\.task) == ["a"])
    }
  }

  /// What is not on the seam yet says so on PostgreSQL, in one line, instead of failing oddly.
  @Test func operationsNotYetMovedSaySoOnPostgres() throws {
    try withEngine(.postgres) { store in
      do {
        _ = try store.integrityCheck()
        Issue.record("integrityCheck() answered on PostgreSQL")
      } catch {
        #expect(
          "\(error)".hasPrefix("this operation does not work on PostgreSQL ('postgres://tfs@127.0.0.1:"))
      }
    }
  }
}
