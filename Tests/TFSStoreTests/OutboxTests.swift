import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSStore

/// The outbox (SPEC §7): alerts recorded with their cause, one delivery per channel, the task's
/// policy applied in the same transaction, dedup, claims and channel health.
struct OutboxTests {
  let hook = Channel(
    name: "hook", target: .webhook(url: "http://127.0.0.1:9/x", preset: .generic, headers: []))

  func failedRun(_ store: Store, _ task: String, at: Int64, attempt: Int = 0, retryFollows: Bool = false)
    throws
    -> RunID
  {
    var r = run(task, Times.version(epochSeconds: at / 1000, zone: ZoneRules.forZone(.gmt)), status: .running)
    r.attempt = attempt
    let inserted = try store.insertRun(r)
    var end = RunEnd(status: .failed, endedAt: at, exitCode: 1)
    end.retryFollows = retryFollows
    let event = Event(
      at: at, type: EventType.failed.rawValue, task: task, runID: inserted.id, actor: "tfs",
      title: "run \(inserted.id) failed")
    try store.finishRun(inserted.id, end, events: [event])
    return inserted.id
  }

  func succeededRun(_ store: Store, _ task: String, at: Int64) throws {
    let r = try store.insertRun(
      run(task, Times.version(epochSeconds: at / 1000, zone: ZoneRules.forZone(.gmt)), status: .running))
    try store.finishRun(r.id, RunEnd(status: .succeeded, endedAt: at, exitCode: 0))
  }

  func alerts(_ store: Store, _ type: EventType) throws -> [Event] {
    try store.events(EventFilter(type: type.rawValue)).reversed()
  }

  @Test func noChannelMeansDeliveryNoneAndAuditIsNone() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "me", now: t0)
      _ = try failedRun(store, "a", at: t0 + 1000)
      #expect(try alerts(store, .failed).map(\.delivery) == ["none"])
      try store.setSetting(.retention, to: "7d", actor: "me", now: t0)
      #expect(try alerts(store, .configured).map(\.delivery) == ["none"])
    }
  }

  @Test func anAlertIsQueuedPerChannelThatTakesIt() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      try store.addChannel(
        Channel(name: "crawl-only", target: .command("true"), on: [.failed], tasks: "crawl/*"), actor: "me",
        now: t0)
      try store.addChannel(
        Channel(name: "mods", target: .command("true"), on: [.modified]), actor: "me", now: t0)
      try store.addTask(try spec("crawl/funds"), actor: "me", now: t0)
      try store.addTask(try spec("report"), actor: "me", now: t0)
      _ = try failedRun(store, "crawl/funds", at: t0 + 1000)
      _ = try failedRun(store, "report", at: t0 + 2000)
      let failed = try alerts(store, .failed)
      let deliveries = try store.deliveries(of: failed.map(\.id))
      #expect(deliveries[failed[0].id]?.map(\.channel) == ["crawl-only", "hook"])
      #expect(deliveries[failed[1].id]?.map(\.channel) == ["hook"])
      #expect(failed.map(\.delivery) == ["pending", "pending"])
      // `added` is not in the default set: no delivery.
      #expect(try alerts(store, .added).allSatisfy { $0.delivery == "none" })
    }
  }

  @Test func sameTaskAndTypeIsFoldedWithinTheAlertInterval() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      try store.addTask(try spec("a"), actor: "me", now: t0)
      try store.setSetting(.alertInterval, to: "10m", actor: "me", now: t0)
      _ = try failedRun(store, "a", at: t0)
      _ = try failedRun(store, "a", at: t0 + 60_000)
      _ = try failedRun(store, "a", at: t0 + 120_000)
      _ = try failedRun(store, "a", at: t0 + 600_000)
      let failed = try alerts(store, .failed)
      let d = try store.deliveries(of: failed.map(\.id))
      #expect(failed.map { d[$0.id]?.first?.state } == ["pending", "suppressed", "suppressed", "pending"])
      #expect(d[failed[3].id]?.first?.folded == 2)
      #expect(failed.map(\.delivery) == ["pending", "suppressed", "suppressed", "pending"])
    }
  }

  @Test func alertAfterRetryChainsAndRecoveredInTheCauseTransaction() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      var s = try spec("a")
      s.alertPolicy = AlertPolicy(alertAfter: 2)
      s.retries = 1
      try store.addTask(s, actor: "me", now: t0)
      try store.setSetting(.alertInterval, to: "0s", actor: "me", now: t0)
      _ = try failedRun(store, "a", at: t0 + 1000, attempt: 0, retryFollows: true)
      _ = try failedRun(store, "a", at: t0 + 2000, attempt: 1)
      _ = try failedRun(store, "a", at: t0 + 3000, attempt: 0, retryFollows: true)
      _ = try failedRun(store, "a", at: t0 + 4000, attempt: 1)
      #expect(
        try alerts(store, .failed).map(\.delivery) == ["suppressed", "suppressed", "suppressed", "pending"])
      #expect(try alerts(store, .failed)[0].details.contains("a retry follows"))
      #expect(try alerts(store, .recovered).isEmpty)
      try succeededRun(store, "a", at: t0 + 10_000)
      let recovered = try alerts(store, .recovered)
      #expect(recovered.count == 1 && recovered[0].delivery == "pending")
      #expect(recovered[0].title.contains("after failing for 8s"))
      try succeededRun(store, "a", at: t0 + 11_000)
      #expect(try alerts(store, .recovered).count == 1)
    }
  }

  @Test func stillFailingEveryRealertPeriod() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      var s = try spec("a")
      s.alertPolicy = AlertPolicy(realertMs: 60_000)
      try store.addTask(s, actor: "me", now: t0)
      #expect(try store.raiseStillFailing(now: t0 + 120_000) == 0)
      _ = try failedRun(store, "a", at: t0)
      #expect(try store.raiseStillFailing(now: t0 + 59_999) == 0)
      #expect(try store.raiseStillFailing(now: t0 + 60_000) == 1)
      #expect(try store.raiseStillFailing(now: t0 + 60_500) == 0)
      #expect(try store.raiseStillFailing(now: t0 + 120_000) == 1)
      try succeededRun(store, "a", at: t0 + 130_000)
      #expect(try store.raiseStillFailing(now: t0 + 999_000) == 0)
      // The second reminder came within alert-interval (10m): folded.
      #expect(try alerts(store, .stillFailing).map(\.delivery) == ["pending", "suppressed"])
    }
  }

  @Test func claimsHoldUntilReleasedAndAttemptsAreRecorded() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      try store.addTask(try spec("a"), actor: "me", now: t0)
      _ = try failedRun(store, "a", at: t0)
      let first = try store.claimDeliveries(now: t0 + 1, claimant: "n1", leaseMs: 60_000, skipping: [])
      #expect(first.count == 1 && first[0].channel == "hook" && first[0].event.type == "failed")
      #expect(try store.claimDeliveries(now: t0 + 2, claimant: "n2", leaseMs: 60_000, skipping: []).isEmpty)
      // A claim that expired (its holder died) is taken by another worker.
      #expect(
        try store.claimDeliveries(now: t0 + 60_002, claimant: "n2", leaseMs: 60_000, skipping: []).count == 1)
      try store.releaseDeliveryClaims()
      #expect(
        try store.claimDeliveries(now: t0 + 3, claimant: "n1", leaseMs: 60_000, skipping: ["hook"]).isEmpty)
      let again = try store.claimDeliveries(now: t0 + 3, claimant: "n1", leaseMs: 60_000, skipping: [])
      for n in 1...3 {
        let (_, failures) = try store.recordAttempt(
          [(again[0].id, .retry(at: t0 + Int64(n) * 10_000))], channel: "hook", error: "HTTP 500", at: t0 + 4)
        #expect(failures == n)
      }
      #expect(try store.channel("hook")?.isFailing == true)
      #expect(
        try store.claimDeliveries(now: t0 + 29_999, claimant: "n1", leaseMs: 60_000, skipping: []).isEmpty)
      let due = try store.claimDeliveries(now: t0 + 30_000, claimant: "n1", leaseMs: 60_000, skipping: [])
      #expect(due.first?.attempts == 3)
      try store.recordAttempt(
        [(due[0].id, .delivered(digest: nil))], channel: "hook", error: "", at: t0 + 30_001)
      let record = try #require(try store.channel("hook"))
      #expect(!record.isFailing && record.failures == 0 && record.lastSuccessAt == t0 + 30_001)
      #expect(try alerts(store, .failed).map(\.delivery) == ["delivered"])
      #expect(try store.messagesSent(channel: "hook", since: t0) == [t0 + 30_001])
    }
  }

  @Test func removingAChannelFailsWhatWaitsForIt() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      #expect(throws: StoreError.channelExists("hook")) { try store.addChannel(hook, actor: "me", now: t0) }
      try store.addTask(try spec("a"), actor: "me", now: t0)
      _ = try failedRun(store, "a", at: t0)
      try store.removeChannel("hook", actor: "me", now: t0 + 1)
      #expect(try alerts(store, .failed).map(\.delivery) == ["failed"])
      #expect(throws: StoreError.noSuchChannel("hook")) {
        try store.removeChannel("hook", actor: "me", now: t0)
      }
      #expect(try alerts(store, .channelRemoved).map(\.delivery) == ["none"])
    }
  }

  @Test func oldAlertSettingsBecomeChannels() throws {
    let dir = TempDir("tfs-store")
    defer { dir.remove() }
    let path = dir.file("v1.db")
    try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("v1.db").path, toPath: path)
    try sqlite(
      path,
      """
      INSERT INTO setting VALUES ('notify-command', '/usr/local/bin/page --team data');
      INSERT INTO setting VALUES ('webhook-url', 'https://hooks.example.com/T000/B000/XXXX');
      INSERT INTO setting VALUES ('mail-command', 'sendmail -t');
      """)
    let store = try Store.open(path: path)
    let channels = try store.channels().map(\.channel)
    #expect(channels.map(\.name) == ["mail", "notify-command", "webhook"])
    #expect(channels[0].target == .email(addresses: [], via: .sendmail("sendmail -t")))
    #expect(channels[1].target == .command("/usr/local/bin/page --team data"))
    #expect(
      channels[2].target
        == .webhook(url: "https://hooks.example.com/T000/B000/XXXX", preset: .generic, headers: []))
    #expect(channels.allSatisfy { $0.on == Channel.defaultTypes })
    #expect(try store.settings()["webhook-url"] == nil)
  }

  @Test func aFailureAfterARecoveryIsNeverFolded() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      try store.addTask(try spec("a"), actor: "me", now: t0)
      _ = try failedRun(store, "a", at: t0)
      _ = try failedRun(store, "a", at: t0 + 1000)  // same spell, within alert-interval: folded
      try succeededRun(store, "a", at: t0 + 2000)
      _ = try failedRun(store, "a", at: t0 + 3000)  // a new spell: sent at once
      #expect(try alerts(store, .failed).map(\.delivery) == ["pending", "suppressed", "pending"])
    }
  }

  @Test func aRetryThatNeverRunsEndsTheChainWithItsAlert() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      var s = try spec("a")
      s.retries = 2
      try store.addTask(s, actor: "me", now: t0)
      let first = try store.insertRun(run("a", "202401/05/120000", status: .running))
      var end = RunEnd(status: .failed, endedAt: t0 + 1000, exitCode: 1)
      end.retryFollows = true
      let failed = Event(
        at: t0 + 1000, type: "failed", task: "a", runID: first.id, actor: "tfs", title: "attempt 1")
      var retry = run("a", "202401/05/120010", status: .queued, trigger: .retry)
      retry.attempt = 1
      let retries = try store.finishRuns([(first.id, end, [failed])], retries: [retry])
      #expect(retries.count == 1 && retries[0].trigger == .retry)
      #expect(try alerts(store, .failed).map(\.delivery) == ["suppressed"])
      // The daemon stops before the retry's time: the retry is missed, the chain alerts now.
      try store.finishRuns([
        (retries[0].id, RunEnd(status: .missed, endedAt: t0 + 2000, reason: "the daemon stopped"), [])
      ])
      let all = try alerts(store, .failed)
      #expect(all.map(\.delivery) == ["suppressed", "pending"])
      #expect(all[1].title.contains("did not run: the daemon stopped"), "\(all[1].title)")
    }
  }

  @Test func aTimeoutHeldForARetryThatDoesNotComeIsSentAtTheEnd() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      var s = try spec("a")
      s.retries = 1
      try store.addTask(s, actor: "me", now: t0)
      let r = try store.insertRun(run("a", "202401/05/120000", status: .running))
      try store.record(
        Event(at: t0 + 500, type: "timeout", task: "a", runID: r.id, actor: "tfs", title: "timeout"))
      #expect(try alerts(store, .timeout).map(\.delivery) == ["suppressed"])
      try store.finishRun(r.id, RunEnd(status: .timedOut, endedAt: t0 + 600, signal: 15))
      #expect(try alerts(store, .timeout).map(\.delivery) == ["suppressed", "pending"])
    }
  }

  @Test func aBusyChannelsBacklogNeverHoldsUpAnother() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      try store.addChannel(
        Channel(name: "other", target: .command("true"), on: [.modified]), actor: "me", now: t0)
      try store.addTask(try spec("a"), actor: "me", now: t0)
      try store.setSetting(.alertInterval, to: "0s", actor: "me", now: t0)
      for i in 0..<30 { _ = try failedRun(store, "a", at: t0 + Int64(i)) }
      _ = try store.updateTask(name("a"), actor: "me", now: t0 + 100) { $0.title = "x" }
      let claimed = try store.claimDeliveries(
        now: t0 + 200, claimant: "w", leaseMs: 60_000, skipping: ["hook"], perChannel: 10)
      #expect(claimed.map(\.channel) == ["other"])
      // What is due for busy or claimed channels does not count: nothing left to wake for.
      #expect(try store.nextDeliveryDue(now: t0 + 200, skipping: ["hook"]) == nil)
      #expect(try store.nextDeliveryDue(now: t0 + 200) == t0)
      let hooks = try store.claimDeliveries(
        now: t0 + 200, claimant: "w", leaseMs: 60_000, skipping: [], perChannel: 10)
      #expect(hooks.count == 10 && Set(hooks.map(\.channel)) == ["hook"])
    }
  }

  @Test func anUnreadableChannelIsSkippedNotFatal() throws {
    try withStore { store, _ in
      try store.addChannel(hook, actor: "me", now: t0)
      try store.addTask(try spec("a"), actor: "me", now: t0)
      try sqlite(
        store.path,
        "INSERT INTO channel (name, kind, target, on_types, created_at) VALUES ('future', 'webhook', '{\"pigeon\":{}}', 'failed', 0)"
      )
      _ = try failedRun(store, "a", at: t0)
      let failed = try alerts(store, .failed)
      #expect(try store.deliveries(of: failed.map(\.id))[failed[0].id]?.map(\.channel) == ["hook"])
      #expect(try store.channels().map(\.channel.name) == ["hook"])
    }
  }
}
