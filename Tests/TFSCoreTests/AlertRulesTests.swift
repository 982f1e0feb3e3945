import TFSCore
import Testing

/// The per-task alert policy (SPEC §7): alert-after, retry chains, recovered, realert, alert-on.
struct AlertRulesTests {
  /// A sequence of run ends and what each one lets out.
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var policy = AlertPolicy()
    /// (status, failure alert type, retry follows)
    var runs: [(RunStatus, EventType?, Bool)]
    /// Per run: the failure verdict raised? (nil: no failure alert) and the recovered duration.
    var expected: [(Bool?, Int64?)]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "every failure alerts by default; success after it recovers",
      runs: [(.failed, .failed, false), (.failed, .failed, false), (.succeeded, nil, false)],
      expected: [(true, nil), (true, nil), (nil, 2000)]),
    Case(
      name: "alert-after 3: the third failing run in a row alerts",
      policy: AlertPolicy(alertAfter: 3),
      runs: [
        (.failed, .failed, false), (.failed, .failed, false), (.failed, .failed, false),
        (.failed, .failed, false),
      ],
      expected: [(false, nil), (false, nil), (true, nil), (true, nil)]),
    Case(
      name: "alert-after 3 with a success between: the streak restarts, no recovered (nothing sent)",
      policy: AlertPolicy(alertAfter: 3),
      runs: [
        (.failed, .failed, false), (.failed, .failed, false), (.succeeded, nil, false),
        (.failed, .failed, false),
      ],
      expected: [(false, nil), (false, nil), (nil, nil), (false, nil)]),
    Case(
      name: "a retry chain alerts once, at its end",
      runs: [(.failed, .failed, true), (.failed, .failed, true), (.failed, .failed, false)],
      expected: [(false, nil), (false, nil), (true, nil)]),
    Case(
      name: "a retry chain counts once for alert-after",
      policy: AlertPolicy(alertAfter: 2),
      runs: [
        (.failed, .failed, true), (.failed, .failed, false), (.failed, .failed, true),
        (.failed, .failed, false),
      ],
      expected: [(false, nil), (false, nil), (false, nil), (true, nil)]),
    Case(
      name: "a retry that succeeds sends nothing at all",
      runs: [(.failed, .failed, true), (.succeeded, nil, false)],
      expected: [(false, nil), (nil, nil)]),
    Case(
      name: "entry-missing and lost ignore alert-after",
      policy: AlertPolicy(alertAfter: 5),
      runs: [(.failed, .entryMissing, false), (.lost, .lost, false), (.succeeded, nil, false)],
      expected: [(true, nil), (true, nil), (nil, 2000)]),
    Case(
      name: "killed neither breaks nor extends a failing spell",
      runs: [(.failed, .failed, false), (.killed, nil, false), (.succeeded, nil, false)],
      expected: [(true, nil), (nil, nil), (nil, 2000)]),
    Case(
      name: "alert-on without failed keeps failures in, but does not send them",
      policy: AlertPolicy(alertOn: [.timeout]),
      runs: [(.failed, .failed, false), (.succeeded, nil, false)],
      expected: [(false, nil), (nil, nil)]),
  ]

  @Test(arguments: cases)
  func runEnds(_ c: Case) {
    var state = AlertState()
    for (i, (status, type, retry)) in c.runs.enumerated() {
      let d = AlertRules.runEnded(
        state, policy: c.policy, status: status, failureType: type, retryFollows: retry, at: Int64(i) * 1000)
      if let raised = c.expected[i].0 {
        #expect((d.failure == .raise) == raised, "run \(i)")
      }
      #expect(d.recoveredAfterMs == c.expected[i].1, "run \(i)")
      state = d.state
    }
  }

  @Test func timeoutFollowsAlertAfterAndRetries() {
    let policy = AlertPolicy(alertAfter: 2)
    var (state, verdict) = AlertRules.timeoutPassed(AlertState(), policy: policy, retryFollows: false, at: 0)
    #expect(verdict != .raise)
    state =
      AlertRules.runEnded(
        state, policy: policy, status: .timedOut, failureType: nil, retryFollows: false, at: 10
      ).state
    #expect(state.streak == 1 && state.alertedAt == nil)
    (state, verdict) = AlertRules.timeoutPassed(state, policy: policy, retryFollows: false, at: 20)
    #expect(verdict == .raise && state.alertedAt == 20)
    (_, verdict) = AlertRules.timeoutPassed(state, policy: policy, retryFollows: true, at: 30)
    #expect(verdict == .suppress("a retry follows"))
    // on-timeout alert: the run goes on and succeeds: recovered, failing since the timeout.
    let d = AlertRules.runEnded(
      state, policy: policy, status: .succeeded, failureType: nil, retryFollows: false, at: 80)
    #expect(d.recoveredAfterMs == 70)
  }

  @Test func realertEveryPeriodAfterTheAlertOnly() {
    let policy = AlertPolicy(realertMs: 1000)
    #expect(!AlertRules.realertDue(AlertState(streak: 3, failingSince: 0), policy: policy, now: 10_000))
    var state = AlertState(streak: 1, failingSince: 0, alertedAt: 500)
    #expect(!AlertRules.realertDue(state, policy: policy, now: 1499))
    #expect(AlertRules.realertDue(state, policy: policy, now: 1500))
    state.realertedAt = 1500
    #expect(!AlertRules.realertDue(state, policy: policy, now: 2499))
    #expect(AlertRules.realertDue(state, policy: policy, now: 2500))
    #expect(!AlertRules.realertDue(state, policy: AlertPolicy(), now: 1_000_000))
  }

  struct Dedup: Sendable {
    var type: EventType
    var last: Int64?
    var interval: Int64
    var now: Int64
    var sends: Bool
  }

  @Test(arguments: [
    Dedup(type: .failed, last: nil, interval: 600_000, now: 0, sends: true),
    Dedup(type: .failed, last: 0, interval: 600_000, now: 599_999, sends: false),
    Dedup(type: .failed, last: 0, interval: 600_000, now: 600_000, sends: true),
    Dedup(type: .failed, last: 0, interval: 0, now: 1, sends: true),
    Dedup(type: .succeeded, last: 0, interval: 600_000, now: 1, sends: true),
    Dedup(type: .started, last: 0, interval: 600_000, now: 1, sends: true),
  ])
  func alertIntervalDedup(_ row: Dedup) {
    #expect(
      AlertRules.sendsNow(type: row.type, lastSentAt: row.last, intervalMs: row.interval, now: row.now)
        == row.sends)
  }

  @Test func digestWhenMoreThanTenAMinute() {
    let now: Int64 = 100_000
    #expect(DeliveryRules.plan(sentAt: [], due: 1, now: now) == .each)
    #expect(DeliveryRules.plan(sentAt: [], due: 10, now: now) == .each)
    #expect(DeliveryRules.plan(sentAt: [], due: 11, now: now) == .digest)
    #expect(DeliveryRules.plan(sentAt: Array(repeating: now - 1000, count: 8), due: 3, now: now) == .digest)
    #expect(DeliveryRules.plan(sentAt: Array(repeating: now - 1000, count: 8), due: 2, now: now) == .each)
    // The minute used up: wait until its oldest message leaves the window.
    let sent = (0..<10).map { now - 50_000 + Int64($0) * 1000 }
    #expect(DeliveryRules.plan(sentAt: sent, due: 1, now: now) == .waitUntil(now - 50_000 + 60_000))
    // Messages older than a minute do not count.
    #expect(DeliveryRules.plan(sentAt: Array(repeating: now - 60_000, count: 30), due: 1, now: now) == .each)
  }

  @Test func retriesBackOffWithJitterForADay() {
    let d1 = DeliveryRules.nextAttempt(attempts: 1, createdAt: 0, now: 0, retryAfterMs: nil, random: 0)
    let d1max = DeliveryRules.nextAttempt(attempts: 1, createdAt: 0, now: 0, retryAfterMs: nil, random: 0.999)
    #expect(d1 == 2500 && (d1max ?? 0) > 4990 && (d1max ?? 0) <= 5000)
    let d4 = DeliveryRules.nextAttempt(attempts: 4, createdAt: 0, now: 0, retryAfterMs: nil, random: 0)
    #expect(d4 == 20_000)
    let capped = DeliveryRules.nextAttempt(attempts: 30, createdAt: 0, now: 0, retryAfterMs: nil, random: 0.5)
    #expect(capped == 2_700_000)
    #expect(
      DeliveryRules.nextAttempt(attempts: 2, createdAt: 0, now: 100, retryAfterMs: 20_000, random: 0.9)
        == 20_100)
    // A Retry-After shorter than the backoff (0 included) does not shorten it.
    #expect(
      DeliveryRules.nextAttempt(attempts: 2, createdAt: 0, now: 100, retryAfterMs: 0, random: 0) == 5100)
    #expect(
      DeliveryRules.nextAttempt(attempts: 40, createdAt: 0, now: 86_000_000, retryAfterMs: nil, random: 0)
        == nil)
  }

  @Test func alertTypeLists() throws {
    #expect(try AlertTypes.parse(["failed,timeout", "failed"], flag: "--on") == [.failed, .timeout])
    #expect(try AlertTypes.parse(["all"], flag: "--on") == AlertTypes.all)
    #expect(throws: ValidationError.self) { try AlertTypes.parse(["enabled"], flag: "--on") }
    #expect(throws: ValidationError.self) { try AlertTypes.parse(["nope"], flag: "--on") }
    #expect(throws: ValidationError.self) { try AlertTypes.parse([""], flag: "--on") }
  }

  @Test func channelFilters() {
    let c = Channel(name: "c", target: .command("true"), on: [.failed], tasks: "crawl/*")
    #expect(c.accepts(type: .failed, task: "crawl/funds"))
    #expect(!c.accepts(type: .failed, task: "report/daily"))
    #expect(!c.accepts(type: .timeout, task: "crawl/funds"))
    #expect(!c.accepts(type: .failed, task: nil))
    let all = Channel(name: "d", target: .command("true"))
    #expect(all.accepts(type: .systemError, task: nil))
    #expect(!all.accepts(type: .succeeded, task: "x"))
  }
}
