import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine
@testable import TFSStore

/// `Scheduler` with fixed clock values: no real time passes in these tests.
struct SchedulerTests {
  /// 2024-01-05T12:00:00Z, on a minute boundary.
  let t0: Int64 = 1_704_456_000

  /// What fired, as (task, occurrence epoch s).
  typealias Fire = (task: String, at: Int64)

  /// Advances `scheduler` to `end` (epoch s) waking at each deadline like the daemon does;
  /// returns what fired and what was reported missed.
  func drive(_ scheduler: inout Scheduler, to end: Int64) -> (fired: [Fire], missed: [Scheduler.Missed]) {
    var fired: [Fire] = []
    var missed: [Scheduler.Missed] = []
    while let next = scheduler.nextDueMs, next / 1000 <= end {
      let now = next / 1000
      let (due, late) = scheduler.popDue(nowSec: now)
      for item in due {
        #expect(item.occurrence.at <= now, "\(item.spec.name) fired early")
        fired.append((item.spec.name.rawValue, item.occurrence.at))
      }
      missed += late
    }
    return (fired, missed)
  }

  /// The rule's occurrences in `(from, to]`, computed directly.
  func occurrences(_ rule: String, zone: String = "UTC", from: Int64, to: Int64) throws -> [Int64] {
    let zoneRules = ZoneRules.forZone(try #require(TimeZone(identifier: zone)))
    let parsed = try CronRule(rule)
    var out: [Int64] = []
    var cursor = from
    while let t = parsed.next(after: cursor, in: zoneRules), t <= to {
      out.append(t)
      cursor = t
    }
    return out
  }

  @Test func nothingIsDueBeforeItsTimeAndTheFirstOccurrenceIsStrictlyAfterLoad() throws {
    var scheduler = Scheduler(settings: pureSettings())
    scheduler.load(
      [makeRecord(try makeSpec("minutely", rule: "0 * * * * *"), updatedAt: t0 * 1000)], now: t0 * 1000)
    #expect(scheduler.nextDueMs == (t0 + 60) * 1000)
    #expect(scheduler.popDue(nowSec: t0).due.isEmpty)
    #expect(scheduler.popDue(nowSec: t0 + 59).due.isEmpty)
    let due = scheduler.popDue(nowSec: t0 + 60).due
    #expect(due.map(\.occurrence.at) == [t0 + 60])
    #expect(scheduler.popDue(nowSec: t0 + 60).due.isEmpty, "popped twice")
    #expect(scheduler.nextDueMs == (t0 + 120) * 1000)
  }

  /// The occurrences Recovery recorded missed join their task's missed alert (or make one),
  /// for enabled tasks only.
  @Test func recoveredMissedOccurrencesJoinTheMissedReport() throws {
    let scheduler = Scheduler(settings: pureSettings())
    let a = makeRecord(try makeSpec("a", rule: "* * * * * *"), updatedAt: 0)
    let b = makeRecord(try makeSpec("b", rule: "* * * * * *"), updatedAt: 0)
    var off = makeRecord(try makeSpec("off", rule: "* * * * * *"), updatedAt: 0)
    off.spec.enabled = false
    let fromScan = [Scheduler.Missed(spec: a.spec, zone: ZoneRules.forZone(.gmt), times: [t0 + 5], total: 1)]
    let merged = scheduler.adding(
      [a.spec.name: [t0 + 1], b.spec.name: [t0 + 2, t0 + 3], off.spec.name: [t0]], to: fromScan,
      tasks: [a, b, off])
    let byName = Dictionary(uniqueKeysWithValues: merged.map { ($0.spec.name.rawValue, $0) })
    #expect(Set(byName.keys) == ["a", "b"])
    #expect(byName["a"]?.times == [t0 + 5] && byName["a"]?.recorded == [t0 + 1])
    #expect(byName["b"]?.times == [] && byName["b"]?.total == 0 && byName["b"]?.recorded == [t0 + 2, t0 + 3])
  }

  @Test(arguments: [UInt64(1), 17, 4242])
  func everyOccurrenceIsReturnedExactlyOnceInOrder(seed: UInt64) throws {
    let rules = [
      "every": "* * * * * *", "seven": "*/7 * * * * *", "minute": "0 * * * * *",
      "twice": "15,45 * * * * *", "even-minutes": "0 */2 * * * *", "ny": "0 * * * * *",
    ]
    let records = try rules.keys.sorted().map { name in
      makeRecord(
        try makeSpec(name, rule: rules[name]!, zone: name == "ny" ? "America/New_York" : "UTC"),
        updatedAt: t0 * 1000)
    }
    var scheduler = Scheduler(settings: pureSettings())
    let start = t0 * 1000 + 400
    scheduler.load(records, now: start)
    // Wake up at irregular times (never more than the late limit apart), as a busy daemon would.
    var random = SplitMix64(seed: seed)
    var now = t0
    let end = t0 + 3_600
    var fired: [Fire] = []
    while now < end {
      now = min(end, now + Int64.random(in: 0...45, using: &random))
      let (due, missed) = scheduler.popDue(nowSec: now)
      #expect(missed.isEmpty)
      for item in due {
        let at = item.occurrence.at
        #expect(at <= now && at >= now - Scheduler.lateLimitSeconds)
        fired.append((item.spec.name.rawValue, at))
      }
    }
    let times = fired.map(\.at)
    #expect(times == times.sorted(), "occurrences came out of order")
    for name in rules.keys {
      let expected = try occurrences(rules[name]!, from: t0, to: end)
      #expect(fired.filter { $0.task == name }.map(\.at) == expected, "\(name)")
    }
  }

  @Test func aModifiedTaskIsRescheduledFromNow() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let spec = try makeSpec("job", rule: "0 * * * * *")
    scheduler.load([makeRecord(spec, updatedAt: t0 * 1000)], now: t0 * 1000)
    var changed = spec
    changed.rule = try CronRule("30 * * * * *")
    scheduler.update([makeRecord(changed, updatedAt: (t0 + 10) * 1000)], now: (t0 + 10) * 1000)
    let (fired, _) = drive(&scheduler, to: t0 + 200)
    #expect(fired.map(\.at) == [t0 + 30, t0 + 90, t0 + 150], "the old rule's 12:01:00 must not fire")
  }

  @Test func aModifiedTaskDoesNotFireAnOccurrenceTwice() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let spec = try makeSpec("tick", rule: "* * * * * *")
    scheduler.load([makeRecord(spec, updatedAt: t0 * 1000)], now: t0 * 1000)
    #expect(scheduler.popDue(nowSec: t0 + 5).due.map(\.occurrence.at) == Array((t0 + 1)...(t0 + 5)))
    var changed = spec
    changed.title = "renamed"
    scheduler.update([makeRecord(changed, updatedAt: t0 * 1000 + 5_500)], now: t0 * 1000 + 5_500)
    #expect(scheduler.popDue(nowSec: t0 + 5).due.isEmpty)
    let next = scheduler.popDue(nowSec: t0 + 6).due
    #expect(next.map(\.occurrence.at) == [t0 + 6])
    #expect(next.first?.spec.title == "renamed")
  }

  @Test func anUnchangedTaskKeepsItsPlaceOnUpdate() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let record = makeRecord(try makeSpec("tick", rule: "*/10 * * * * *"), updatedAt: t0 * 1000)
    scheduler.load([record], now: t0 * 1000)
    #expect(scheduler.popDue(nowSec: t0 + 10).due.map(\.occurrence.at) == [t0 + 10])
    // The same record seen again (another task changed): no re-fire, no lost occurrence.
    scheduler.update([record], now: (t0 + 15) * 1000)
    let (fired, _) = drive(&scheduler, to: t0 + 40)
    #expect(fired.map(\.at) == [t0 + 20, t0 + 30, t0 + 40])
  }

  @Test func aRemovedTaskStops() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let keep = makeRecord(try makeSpec("keep", rule: "*/5 * * * * *"), updatedAt: t0 * 1000)
    let gone = makeRecord(try makeSpec("gone", rule: "* * * * * *"), updatedAt: t0 * 1000)
    scheduler.load([gone, keep], now: t0 * 1000)
    #expect(scheduler.popDue(nowSec: t0 + 2).due.map { $0.spec.name.rawValue } == ["gone", "gone"])
    scheduler.update([keep], now: (t0 + 2) * 1000 + 500)
    #expect(scheduler.spec(gone.spec.name) == nil)
    let (fired, missed) = drive(&scheduler, to: t0 + 60)
    #expect(missed.isEmpty)
    #expect(Set(fired.map(\.task)) == ["keep"])
    #expect(fired.map(\.at) == Array(stride(from: t0 + 5, through: t0 + 60, by: 5)))
    // Added again under the same name: scheduled from then on.
    let again = makeRecord(gone.spec, updatedAt: (t0 + 61) * 1000)
    scheduler.update([keep, again], now: (t0 + 61) * 1000)
    #expect(scheduler.popDue(nowSec: t0 + 62).due.map { $0.spec.name.rawValue } == ["gone"])
  }

  @Test func aDisabledTaskIsNeverDueUntilEnabled() throws {
    var scheduler = Scheduler(settings: pureSettings())
    var spec = try makeSpec("off", rule: "* * * * * *", enabled: false)
    scheduler.load([makeRecord(spec, updatedAt: t0 * 1000)], now: t0 * 1000)
    #expect(scheduler.nextDueMs == nil)
    #expect(scheduler.popDue(nowSec: t0 + 3_600).due.isEmpty)
    #expect(scheduler.popDue(nowSec: t0 + 3_600).missed.isEmpty, "a disabled task has no missed runs")
    #expect(scheduler.spec(spec.name) != nil, "manual runs of a disabled task need its spec")
    spec.enabled = true
    scheduler.update([makeRecord(spec, updatedAt: (t0 + 3_600) * 1000)], now: (t0 + 3_600) * 1000)
    #expect(scheduler.popDue(nowSec: t0 + 3_601).due.map(\.occurrence.at) == [t0 + 3_601])
    spec.enabled = false
    scheduler.update([makeRecord(spec, updatedAt: (t0 + 3_601) * 1000 + 1)], now: (t0 + 3_601) * 1000 + 1)
    #expect(scheduler.popDue(nowSec: t0 + 4_000).due.isEmpty)
  }

  @Test func lateOccurrencesComeBackAsMissedWithTheirCount() throws {
    var scheduler = Scheduler(settings: pureSettings())
    scheduler.load(
      [makeRecord(try makeSpec("tick", rule: "* * * * * *"), updatedAt: t0 * 1000)], now: t0 * 1000)
    // The daemon wakes 200 s late (machine asleep, clock jump): older than 60 s → missed.
    let (due, missed) = scheduler.popDue(nowSec: t0 + 200)
    let m = try #require(missed.first)
    #expect(missed.count == 1)
    #expect(m.spec.name.rawValue == "tick")
    #expect(m.total == 139)
    #expect(m.times.count == Scheduler.maxMissedRecorded)
    #expect(m.times == Array((t0 + 40)...(t0 + 139)), "the latest 100 are kept (catch-up picks from them)")
    #expect(due.map(\.occurrence.at) == Array((t0 + 140)...(t0 + 200)), "the last minute still fires")
    #expect(scheduler.popDue(nowSec: t0 + 200).due.isEmpty && scheduler.nextDueMs == (t0 + 201) * 1000)
  }

  @Test func lateSparseOccurrencesAreCountedOnce() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let hourly = makeRecord(try makeSpec("minutely", rule: "0 * * * * *"), updatedAt: t0 * 1000)
    let daily = makeRecord(try makeSpec("daily", rule: "0 0 0 * * *"), updatedAt: t0 * 1000)
    scheduler.load([hourly, daily], now: t0 * 1000)
    let now = t0 + 3 * 3_600 + 30  // 15:00:30
    let (due, missed) = scheduler.popDue(nowSec: now)
    #expect(missed.map(\.spec.name.rawValue) == ["minutely"])
    #expect(missed.first?.total == 179)  // 12:01 … 14:59
    #expect(missed.first?.times.first == t0 + 60 * 80, "the latest 100 of 179 (13:20 … 14:59)")
    #expect(missed.first?.times.last == t0 + 3 * 3_600 - 60)
    #expect(due.map(\.occurrence.at) == [t0 + 3 * 3_600])  // 15:00, 30 s late
    #expect(drive(&scheduler, to: now + 60).missed.isEmpty)
  }

  @Test func collectMissedCountsOccurrencesBetweenTwoDaemons() throws {
    let scheduler = Scheduler(settings: pureSettings())
    let tick = makeRecord(try makeSpec("tick", rule: "* * * * * *"), updatedAt: (t0 - 1_000) * 1000)
    let minute = makeRecord(try makeSpec("minute", rule: "0 * * * * *"), updatedAt: (t0 - 1_000) * 1000)
    let off = makeRecord(try makeSpec("off", rule: "* * * * * *", enabled: false), updatedAt: 0)
    let fresh = makeRecord(try makeSpec("fresh", rule: "* * * * * *"), updatedAt: (t0 + 5) * 1000 + 300)
    let all = [tick, minute, off, fresh]

    // (from, to]: the occurrence at `to` counts, the one at `from` does not.
    let short = scheduler.collectMissed(tasks: all, from: t0 * 1000, to: (t0 + 10) * 1000) { _ in [] }
    let byName = Dictionary(uniqueKeysWithValues: short.map { ($0.spec.name.rawValue, $0) })
    #expect(Set(byName.keys) == ["tick", "fresh"], "no occurrence of 'minute'; 'off' is disabled")
    #expect(byName["tick"]?.total == 10)
    #expect(byName["tick"]?.times == Array((t0 + 1)...(t0 + 10)))
    #expect(byName["fresh"]?.times == Array((t0 + 6)...(t0 + 10)), "counted from its last change")

    let long = scheduler.collectMissed(
      tasks: [tick, minute], from: t0 * 1000 + 500, to: (t0 + 3 * 3_600) * 1000
    ) { _ in [] }
    let tickMissed = try #require(long.first { $0.spec.name.rawValue == "tick" })
    #expect(tickMissed.total == 3 * 3_600)
    #expect(tickMissed.times.count == Scheduler.maxMissedRecorded)
    #expect(tickMissed.times.last == t0 + 3 * 3_600, "the latest occurrences are kept")
    #expect(long.first { $0.spec.name.rawValue == "minute" }?.total == 180)

    #expect(scheduler.collectMissed(tasks: all, from: t0 * 1000, to: t0 * 1000) { _ in [] }.isEmpty)

    // After a crash, occurrences that already ran after the last heartbeat are not missed.
    let ran = scheduler.collectMissed(tasks: [tick], from: t0 * 1000, to: (t0 + 10) * 1000) { _ in
      [t0 + 1, t0 + 2]
    }
    #expect(ran.first?.times == Array((t0 + 3)...(t0 + 10)))
  }

  @Test func aFixedTimeRuleInTheSpringForwardGapFiresOnceAtThreeEDT() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let spec = try makeSpec("nightly", rule: "0 30 2 * * *", zone: "America/New_York")
    let start = epoch("2024-03-09T12:00:00Z")
    scheduler.load([makeRecord(spec, updatedAt: start * 1000)], now: start * 1000)
    let (fired, missed) = drive(&scheduler, to: epoch("2024-03-12T12:00:00Z"))
    #expect(missed.isEmpty)
    #expect(
      fired.map(\.at) == [
        epoch("2024-03-10T03:00:00-04:00"),  // 02:30 EST does not exist: first instant after the gap
        epoch("2024-03-11T02:30:00-04:00"),
        epoch("2024-03-12T02:30:00-04:00"),
      ])
    let zone = ZoneRules.forZone(try #require(TimeZone(identifier: "America/New_York")))
    #expect(Times.version(epochSeconds: fired[0].at, zone: zone) == "202403/10/030000")
  }

  @Test func aFixedTimeRuleInTheFallBackOverlapFiresOnce() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let spec = try makeSpec("nightly", rule: "0 30 1 * * *", zone: "America/New_York")
    let start = epoch("2024-11-02T12:00:00Z")
    scheduler.load([makeRecord(spec, updatedAt: start * 1000)], now: start * 1000)
    let (fired, _) = drive(&scheduler, to: epoch("2024-11-04T12:00:00Z"))
    #expect(fired.map(\.at) == [epoch("2024-11-03T01:30:00-04:00"), epoch("2024-11-04T01:30:00-05:00")])
  }

  @Test func aWildcardRuleFollowsTheWallClockAcrossDST() throws {
    var scheduler = Scheduler(settings: pureSettings())
    let spec = try makeSpec("half-past", rule: "0 30 * * * *", zone: "America/New_York")
    let start = epoch("2024-03-10T05:00:00Z")
    scheduler.load([makeRecord(spec, updatedAt: start * 1000)], now: start * 1000)
    let spring = drive(&scheduler, to: epoch("2024-03-10T09:00:00Z")).fired.map(\.at)
    #expect(
      spring == [
        epoch("2024-03-10T00:30:00-05:00"), epoch("2024-03-10T01:30:00-05:00"),
        epoch("2024-03-10T03:30:00-04:00"), epoch("2024-03-10T04:30:00-04:00"),
      ], "02:30 does not exist that night")
    let fall = epoch("2024-11-03T04:00:00Z")
    scheduler.load([makeRecord(spec, updatedAt: fall * 1000)], now: fall * 1000)
    let autumn = drive(&scheduler, to: epoch("2024-11-03T08:00:00Z")).fired.map(\.at)
    #expect(
      autumn == [
        epoch("2024-11-03T00:30:00-04:00"), epoch("2024-11-03T01:30:00-04:00"),
        epoch("2024-11-03T01:30:00-05:00"), epoch("2024-11-03T02:30:00-05:00"),
      ], "01:30 happens twice that night")
  }

  @Test func theSettingTimeZoneAppliesWhenTheTaskHasNone() throws {
    var scheduler = Scheduler(settings: pureSettings(["timezone": "Asia/Tokyo"]))
    let spec = try makeSpec("morning", rule: "0 0 9 * * *", zone: nil)
    scheduler.load([makeRecord(spec, updatedAt: t0 * 1000)], now: t0 * 1000)
    #expect(scheduler.nextDueMs == epoch("2024-01-06T09:00:00+09:00") * 1000)
  }

  @Test func aTimeZoneChangeDoesNotPopAnOccurrenceAgain() throws {
    var scheduler = Scheduler(settings: pureSettings(["timezone": "UTC"]))
    let spec = try makeSpec("tick", rule: "* * * * * *", zone: nil)
    scheduler.load([makeRecord(spec, updatedAt: t0 * 1000)], now: t0 * 1000)
    // Popped 250 ms ahead (a run prepared for t0 + 1), then the zone setting changes.
    let ahead = scheduler.popDue(nowSec: t0, upToSec: t0 + 1).due.map(\.occurrence.at)
    #expect(ahead == [t0 + 1])
    scheduler.settings = pureSettings(["timezone": "Asia/Tokyo"])
    scheduler.rezone(now: t0 * 1000 + 800)
    #expect(scheduler.popDue(nowSec: t0 + 1, upToSec: t0 + 2).due.map(\.occurrence.at) == [t0 + 2])
  }
}
