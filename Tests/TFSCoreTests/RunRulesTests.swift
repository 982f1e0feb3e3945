import Foundation
import TFSCore
import Testing

/// `RunRules`: every decision the daemon applies, as tables (SPEC §3, §6).
struct RunRulesTests {
  static let now: Int64 = 1_704_456_000_500
  static let zone = ZoneRules.forZone(TimeZone(secondsFromGMT: 0) ?? .current)
  static let name = (try? TaskName("t")) ?? { preconditionFailure("a valid test name") }()
  static let rule = (try? CronRule("* * * * * *")) ?? { preconditionFailure("a valid test rule") }()

  static func spec(
    _ overlap: OverlapPolicy = .skip, jitterMs: Int64 = 0, enabled: Bool = true, retries: Int = 0,
    catchUp: CatchUpPolicy = .none, windowMs: Int64? = nil
  ) -> TaskSpec {
    TaskSpec(
      name: name, rule: rule, command: "sh", entry: "run.sh",
      overlap: overlap, catchUp: catchUp, catchUpWindowMs: windowMs, retries: retries, retryDelayMs: 1_000,
      jitterMs: jitterMs, enabled: enabled)
  }

  static let next = Occurrence(task: name, at: now / 1000 + 1, zone: zone)

  struct Row: CustomTestStringConvertible, Sendable {
    var input: RunInput
    var load = TaskLoad()
    var expected: RunDecision
    var note: String
    var testDescription: String { note }
  }

  static let skipped = "previous run still running (overlap skip)"

  static let rows: [Row] = [
    // Ahead of the occurrence (within the lead).
    Row(input: .ahead(spec(), next), expected: .arm, note: "idle: armed"),
    Row(
      input: .ahead(spec(), next), load: TaskLoad(running: 1), expected: .arm, note: "busy under skip: armed"),
    Row(
      input: .ahead(spec(.allow), next), load: TaskLoad(running: 1), expected: .arm, note: "busy under allow"),
    Row(
      input: .ahead(spec(.queue), next), load: TaskLoad(running: 1), expected: .hold, note: "busy under queue"
    ),
    Row(
      input: .ahead(spec(.replace), next), load: TaskLoad(running: 1), expected: .hold, note: "busy, replace"),
    Row(
      input: .ahead(spec(), next), load: TaskLoad(waiting: 1), expected: .hold, note: "a run already waits"),
    Row(input: .ahead(spec(), next), load: TaskLoad(slotFree: false), expected: .hold, note: "no slot"),
    Row(
      input: .ahead(spec(jitterMs: 500), next), load: TaskLoad(running: 1), expected: .hold,
      note: "busy with jitter"),
    // Due.
    Row(input: .due(spec(), next), expected: .start(atMs: now), note: "idle: start"),
    Row(
      input: .due(spec(), next), load: TaskLoad(running: 1), expected: .skip(reason: skipped, alert: true),
      note: "skip with alert"),
    Row(
      input: .due(spec(), next), load: TaskLoad(running: 1, alerted: true),
      expected: .skip(reason: skipped, alert: false), note: "skip, alerted already"),
    Row(
      input: .due(spec(), next), load: TaskLoad(waiting: 1),
      expected: .skip(reason: "a run is already waiting to start", alert: false), note: "one waits already"),
    Row(
      input: .due(spec(.queue), next), load: TaskLoad(running: 1), expected: .queue(alert: true),
      note: "queue"),
    Row(
      input: .due(spec(.queue), next), load: TaskLoad(running: 1, waiting: 1),
      expected: .skip(reason: skipped, alert: true), note: "queue holds one"),
    Row(
      input: .due(spec(.replace), next), load: TaskLoad(running: 1), expected: .replace(alert: true),
      note: "replace"),
    Row(
      input: .due(spec(.allow), next), load: TaskLoad(running: 3), expected: .start(atMs: now), note: "allow"),
    Row(
      input: .due(spec(), next), load: TaskLoad(slotFree: false), expected: .queue(alert: false),
      note: "no slot"),
    // An armed run at its occurrence.
    Row(
      input: .armedDue(prepared: spec(), current: spec()), expected: .start(atMs: now), note: "armed: start"),
    Row(
      input: .armedDue(prepared: spec(), current: spec(.queue)), expected: .withdraw,
      note: "armed: task changed"),
    Row(input: .armedDue(prepared: spec(), current: nil), expected: .withdraw, note: "armed: task removed"),
    Row(
      input: .armedDue(prepared: spec(enabled: false), current: spec(enabled: false)), expected: .withdraw,
      note: "armed: task disabled"),
    Row(
      input: .armedDue(prepared: spec(), current: spec()), load: TaskLoad(running: 1),
      expected: .skip(reason: skipped, alert: true), note: "armed, still busy under skip"),
    Row(
      input: .armedDue(prepared: spec(), current: spec()), load: TaskLoad(slotFree: false),
      expected: .withdraw,
      note: "armed, slot taken meanwhile"),
    Row(
      input: .unstartableDue(prepared: spec(), current: spec()), expected: .end,
      note: "unstartable: its failure"),
    Row(
      input: .unstartableDue(prepared: spec(), current: spec(.allow)), expected: .withdraw,
      note: "unstartable, fixed meanwhile"),
    // Waiting runs.
    Row(
      input: .waiting(spec(), trigger: .manual, force: false, notBeforeMs: now), expected: .start(atMs: now),
      note: "waiting: start"),
    Row(
      input: .waiting(spec(), trigger: .retry, force: false, notBeforeMs: now + 1), expected: .wait,
      note: "waiting for its delay"),
    Row(
      input: .waiting(spec(), trigger: .manual, force: false, notBeforeMs: now), load: TaskLoad(running: 1),
      expected: .wait, note: "behind its task"),
    Row(
      input: .waiting(spec(), trigger: .manual, force: true, notBeforeMs: now), load: TaskLoad(running: 1),
      expected: .start(atMs: now), note: "forced"),
    Row(
      input: .waiting(spec(.replace), trigger: .manual, force: false, notBeforeMs: now),
      load: TaskLoad(running: 1), expected: .replace(alert: false), note: "manual under replace"),
    Row(
      input: .waiting(spec(enabled: false), trigger: .schedule, force: false, notBeforeMs: now),
      expected: .skip(reason: "the task was disabled", alert: false), note: "scheduled, task disabled"),
    Row(
      input: .waiting(spec(enabled: false), trigger: .manual, force: false, notBeforeMs: now),
      expected: .start(atMs: now), note: "manual, task disabled: still runs"),
    Row(
      input: .waiting(spec(), trigger: .manual, force: false, notBeforeMs: now),
      load: TaskLoad(slotFree: false),
      expected: .wait, note: "no slot"),
    // Ended runs.
    Row(
      input: .ended(spec(retries: 2), status: .failed, attempt: 0, stopping: false),
      expected: .retry(atMs: now + 1_000), note: "retry 1"),
    Row(
      input: .ended(spec(retries: 2), status: .timedOut, attempt: 1, stopping: false),
      expected: .retry(atMs: now + 2_000), note: "retry 2 doubles"),
    Row(
      input: .ended(spec(retries: 2), status: .failed, attempt: 2, stopping: false), expected: .end,
      note: "last attempt"),
    Row(
      input: .ended(spec(retries: 2), status: .failed, attempt: 0, stopping: true), expected: .end,
      note: "stopping"),
    Row(
      input: .ended(spec(retries: 2), status: .killed, attempt: 0, stopping: false), expected: .end,
      note: "killed: no retry"),
    Row(
      input: .ended(spec(retries: 2), status: .succeeded, attempt: 0, stopping: false), expected: .end,
      note: "success"),
    // Missed occurrences.
    Row(input: .missed(spec(), times: [1, 2, 3]), expected: .catchUp([]), note: "catch-up none"),
    Row(
      input: .missed(spec(catchUp: .once), times: [1, 2, 3]), expected: .catchUp([3]), note: "catch-up once"),
    Row(
      input: .missed(spec(catchUp: .all), times: [1, 2, 3]), expected: .catchUp([1, 2, 3]),
      note: "catch-up all"),
    Row(
      input: .missed(spec(catchUp: .all, windowMs: 60_000), times: [now / 1000 - 120, now / 1000 - 30]),
      expected: .catchUp([now / 1000 - 30]), note: "catch-up window"),
  ]

  @Test(arguments: rows)
  func decides(row: Row) {
    var random = SystemRandomNumberGenerator()
    #expect(
      RunRules.decide(row.input, load: row.load, now: RunRulesTests.now, random: &random) == row.expected)
  }

  /// Jitter comes from the injected source: the same seed, the same delays, within the bound.
  @Test func jitterIsDrawnFromTheInjectedSourceWithinItsBound() {
    struct Counter: RandomNumberGenerator {
      var n: UInt64 = 0
      mutating func next() -> UInt64 {
        n &+= 0x9E37_79B9_7F4A_7C15
        return n
      }
    }
    var a = Counter()
    var b = Counter()
    let spec = RunRulesTests.spec(jitterMs: 700)
    for _ in 0..<200 {
      let due = RunRules.decide(
        .due(spec, RunRulesTests.next), load: TaskLoad(), now: RunRulesTests.now, random: &a)
      let again = RunRules.decide(
        .due(spec, RunRulesTests.next), load: TaskLoad(), now: RunRulesTests.now, random: &b)
      #expect(due == again)
      guard case .start(let at) = due else {
        Issue.record("\(due)")
        return
      }
      #expect((RunRulesTests.now..<RunRulesTests.now + 700).contains(at))
      let ahead = RunRules.decide(.ahead(spec, RunRulesTests.next), load: TaskLoad(), now: 0, random: &a)
      guard case .start(let from) = ahead else {
        Issue.record("\(ahead)")
        return
      }
      _ = RunRules.decide(.ahead(spec, RunRulesTests.next), load: TaskLoad(), now: 0, random: &b)
      #expect((RunRulesTests.next.atMs..<RunRulesTests.next.atMs + 700).contains(from), "from its occurrence")
    }
  }
}
