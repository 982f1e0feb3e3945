import Foundation
import TFSTestSupport
import Testing

@testable import TFSCore

/// Random rules at random instants in random zones, checked against `CronModel` and
/// `ZoneOracle` (Foundation only). The seed is printed; rerun one with `TFS_CRON_SEED=<seed>`.
@Suite("Cron properties")
struct CronPropertyTests {
  static let zones = [
    "UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Shanghai", "Asia/Kolkata",
    "America/St_Johns", "Pacific/Chatham", "Europe/Dublin", "Africa/Casablanca", "America/Sao_Paulo",
    "Europe/Moscow", "Pacific/Apia", "Antarctica/Troll", "Asia/Kathmandu", "Australia/Adelaide",
    "America/Santiago",
  ]
  static let seed: UInt64 =
    ProcessInfo.processInfo.environment["TFS_CRON_SEED"].flatMap { UInt64($0) } ?? 20_240_310
  static let rules = 700
  static let instantsPerRule = 3
  /// A chain stops after this many answers or once it spans this many days.
  static let chainLength = 5
  static let chainDays: Int64 = 400
  static let year2100: Int64 = 4_102_444_800

  /// What one run of the property did, for the summary line.
  struct Tally {
    var calls = 0
    var results = 0
    var exhaustive = 0
    var tooMany = 0
    /// Enumerated windows holding a UTC offset change (DST or otherwise).
    var acrossChanges = 0
    var neverMatch = 0
    var failures = 0
  }

  /// An instant in 1970-2100, half the time within hours of one of the zone's offset changes.
  static func instant(_ gen: inout CronRuleGenerator, _ zone: ZoneOracle) -> Int64 {
    let t = Int64(gen.int(0...Int(year2100 - 1)))
    guard gen.chance(0.5), let change = zone.transitions(t, year2100 - 3 * 86_400).first else { return t }
    return change + Int64(gen.chance(0.7) ? gen.int(-7200...7200) : gen.int(-144_000...144_000))
  }

  @Test("next and previous agree with a slow matcher and with each other")
  func randomRules() throws {
    print("CronPropertyTests seed \(Self.seed) (set TFS_CRON_SEED to rerun)")
    var gen = CronRuleGenerator(seed: Self.seed)
    let cal = FoundationCalendar()
    var tally = Tally()
    for _ in 0..<Self.rules where tally.failures < 20 {
      let model = gen.rule()
      let rule: CronRule
      do {
        rule = try CronRule(model.text)
      } catch {
        if error.reason == "it can never match" && !Self.matchesSomeDay(model, cal) {
          tally.neverMatch += 1
        } else {
          Self.fail(&tally, "seed \(Self.seed): '\(model.text)' rejected: \(error)")
        }
        continue
      }
      let zone = ZoneOracle(zone: CronTest.zone(Self.zones[gen.int(0...(Self.zones.count - 1))]))
      for _ in 0..<Self.instantsPerRule {
        let t = Self.instant(&gen, zone)
        let context =
          "seed \(Self.seed): '\(model.text)' in \(zone.zone.identifier) from \(CronTest.iso(t, zone.zone))"
        Self.checkForward(rule, model, zone, t, cal, &tally, context)
        Self.checkBackward(rule, model, zone, t, cal, &tally, context)
      }
    }
    print(
      "CronPropertyTests: \(tally.calls) calls, \(tally.results) results checked, "
        + "\(tally.exhaustive) windows "
        + "enumerated (\(tally.acrossChanges) across an offset change, \(tally.tooMany) too dense), "
        + "\(tally.neverMatch) never-matching rules rejected")
    #expect(tally.failures == 0)
    #expect(tally.results > 5000)
    #expect(tally.exhaustive > 2000)
    #expect(tally.acrossChanges > 200)
  }

  static func fail(_ tally: inout Tally, _ message: String) {
    tally.failures += 1
    Issue.record(Comment(rawValue: message))
  }

  static func checkForward(
    _ rule: CronRule, _ model: CronModel, _ zone: ZoneOracle, _ t: Int64, _ cal: FoundationCalendar,
    _ tally: inout Tally, _ context: String
  ) {
    let rules = ZoneRules.forZone(zone.zone)
    var chain: [Int64] = []
    var cursor = t
    while chain.count < chainLength, chain.isEmpty || chain[chain.count - 1] - t < chainDays * 86_400 {
      tally.calls += 1
      guard let n = rule.next(after: cursor, in: rules) else { break }
      guard n > cursor else { return fail(&tally, "\(context): next \(n) is not after \(cursor)") }
      chain.append(n)
      cursor = n
    }
    guard let last = chain.last else { return fail(&tally, "\(context): no next occurrence") }
    tally.results += chain.count
    for r in chain {
      if let problem = zone.problem(with: r, model, cal) {
        return fail(&tally, "\(context): next \(CronTest.iso(r, zone.zone)): \(problem)")
      }
    }
    // Inverse: the occurrence before the first answer is at or before `t`, and so on.
    tally.calls += chain.count
    if let p = rule.previous(before: chain[0], in: rules), p > t {
      return fail(&tally, "\(context): previous(before: next) is \(CronTest.iso(p, zone.zone))")
    }
    for k in 1..<chain.count where rule.previous(before: chain[k], in: rules) != chain[k - 1] {
      return fail(
        &tally, "\(context): previous(before: \(CronTest.iso(chain[k], zone.zone))) is not the one before")
    }
    guard let expected = zone.occurrences(model, after: t, through: last, cal) else {
      tally.tooMany += 1
      return
    }
    tally.exhaustive += 1
    if !zone.transitions(t, last).isEmpty { tally.acrossChanges += 1 }
    if expected != chain {
      let show = { (list: [Int64]) in list.map { CronTest.iso($0, zone.zone) }.joined(separator: " ") }
      fail(&tally, "\(context): next gave \(show(chain)), expected \(show(expected))")
    }
  }

  static func checkBackward(
    _ rule: CronRule, _ model: CronModel, _ zone: ZoneOracle, _ t: Int64, _ cal: FoundationCalendar,
    _ tally: inout Tally, _ context: String
  ) {
    let rules = ZoneRules.forZone(zone.zone)
    var chain: [Int64] = []
    var cursor = t
    while chain.count < chainLength, chain.isEmpty || t - chain[chain.count - 1] < chainDays * 86_400 {
      tally.calls += 1
      guard let p = rule.previous(before: cursor, in: rules) else { break }
      guard p < cursor else { return fail(&tally, "\(context): previous \(p) is not before \(cursor)") }
      chain.append(p)
      cursor = p
    }
    // Before 1970 a sparse rule may have nothing left in the search window; that is allowed.
    guard let last = chain.last else { return }
    tally.results += chain.count
    for r in chain {
      if let problem = zone.problem(with: r, model, cal) {
        return fail(&tally, "\(context): previous \(CronTest.iso(r, zone.zone)): \(problem)")
      }
    }
    tally.calls += chain.count
    if let n = rule.next(after: chain[0], in: rules), n < t {
      return fail(&tally, "\(context): next(after: previous) is \(CronTest.iso(n, zone.zone))")
    }
    for k in 1..<chain.count where rule.next(after: chain[k], in: rules) != chain[k - 1] {
      return fail(
        &tally, "\(context): next(after: \(CronTest.iso(chain[k], zone.zone))) is not the one after")
    }
    guard let expected = zone.occurrences(model, after: last - 1, through: t - 1, cal) else {
      tally.tooMany += 1
      return
    }
    tally.exhaustive += 1
    if !zone.transitions(last, t).isEmpty { tally.acrossChanges += 1 }
    if expected != chain.reversed() {
      let show = { (list: [Int64]) in list.map { CronTest.iso($0, zone.zone) }.joined(separator: " ") }
      fail(&tally, "\(context): previous gave \(show(chain)), expected \(show(expected.reversed()))")
    }
  }

  /// Sparse rules (the text and what it means): they must still answer, and within the longest
  /// gap between matching days that `longestGapInDays` counts, in both directions.
  static let sparse: [(String, CronModel)] = {
    typealias G = CronRuleGenerator
    var firstOfFeb = G.daily(dom: [1, 30], months: [2], dow: [1])
    firstOfFeb.domRestricted = false
    var leapSunday = G.daily(dom: [29], months: [2], dow: [0])
    leapSunday.dowRestricted = false
    var fifthFriday = G.daily(months: [2])
    (fifthFriday.daysOfWeek, fifthFriday.nthWeekdays, fifthFriday.dowRestricted) = ([], [55], true)
    var nearLeapDay = G.daily(months: [2])
    (nearLeapDay.daysOfMonth, nearLeapDay.nearestWeekdays, nearLeapDay.domRestricted) = ([], [29], true)
    var lastDayOrSunday = G.daily(months: [2])
    (lastDayOrSunday.daysOfWeek, lastDayOrSunday.lastWeekdays) = ([], [0])
    (lastDayOrSunday.lastDay, lastDayOrSunday.daysOfMonth) = (true, [])
    (lastDayOrSunday.domRestricted, lastDayOrSunday.dowRestricted) = (true, true)
    return [
      ("0 0 0 29 2 1", G.daily(dom: [29], months: [2], dow: [1])), ("0 0 0 */29 2 1", firstOfFeb),
      ("0 0 0 29 2 */7", leapSunday), ("0 0 0 * 2 5#5", fifthFriday), ("0 0 0 29W 2 *", nearLeapDay),
      ("0 0 0 L 2 0L", lastDayOrSunday), ("0 0 0 29 2 *", G.daily(dom: [29], months: [2])),
    ]
  }()

  @Test("sparse rules answer within the longest gap counted over 400 years", arguments: 0..<sparse.count)
  func sparseRules(_ index: Int) throws {
    let (text, model) = Self.sparse[index]
    let rule = try CronRule(text)
    let gap = try #require(Self.longestGapInDays(model, FoundationCalendar()), "'\(text)' never matches")
    // One day more than the gap between matching days, plus a DST shift.
    let bound = Int64(gap + 1) * 86_400 + 7200
    for name in ["UTC", "America/New_York", "Pacific/Apia"] {
      let rules = ZoneRules.forZone(CronTest.zone(name))
      var (cursor, calls) = (Int64(0), 0)
      while cursor < Self.year2100 {
        calls += 1
        let n = try #require(
          rule.next(after: cursor, in: rules), "'\(text)' \(name): nothing after \(cursor)")
        #expect(n - cursor <= bound, "'\(text)' \(name): \(CronTest.iso(n, CronTest.zone(name))) is too far")
        #expect(rule.previous(before: n, in: rules) ?? 0 <= cursor)
        cursor = n
      }
      while cursor > 0 {
        calls += 1
        let p = try #require(rule.previous(before: cursor, in: rules), "'\(text)' \(name): nothing before")
        #expect(cursor - p <= bound, "'\(text)' \(name): \(CronTest.iso(p, CronTest.zone(name))) is too far")
        cursor = p
      }
      #expect(calls < 2 * (Int(Self.year2100) / (86_400 * 28) + 2), "'\(text)': too many answers")
    }
  }

  @Test("ZoneRules has Foundation's offsets", arguments: zones)
  func zoneOffsets(_ name: String) {
    let zone = ZoneOracle(zone: CronTest.zone(name))
    let rules = ZoneRules.forZone(zone.zone)
    var rng = SplitMix64(seed: Self.seed)
    for _ in 0..<300 {
      let t = Int64.random(in: -2_208_988_800..<7_258_118_400, using: &rng)  // 1900-2200
      #expect(rules.offset(at: t) == zone.offset(t), "\(name) at \(t)")
    }
    for t in zone.transitions(-2_208_988_800, 7_258_118_400) {
      #expect(rules.offset(at: t - 1) == zone.offset(t - 1), "\(name) before \(t)")
      #expect(rules.offset(at: t) == zone.offset(t), "\(name) at \(t)")
    }
  }

  /// Does the model match any day of a 400-year Gregorian cycle (the calendar repeats after it)?
  static func matchesSomeDay(_ model: CronModel, _ cal: FoundationCalendar) -> Bool {
    longestGapInDays(model, cal) != nil
  }

  /// The longest run of days between two matching days over a whole 400-year cycle (wrapping
  /// around), counted day by day with the model; nil when no day matches.
  static func longestGapInDays(_ model: CronModel, _ cal: FoundationCalendar) -> Int? {
    var first: Int?
    var previous: Int?
    var longest = 0
    var index = 0
    for year in 2000..<2400 {
      for month in 1...12 {
        let facts = cal.month(year, month)
        for day in 1...facts.length {
          if model.dayMatches(facts, day) {
            if let previous { longest = max(longest, index - previous) }
            first = first ?? index
            previous = index
          }
          index += 1
        }
      }
    }
    guard let first, let previous else { return nil }
    return max(longest, index - previous + first)
  }
}
