import Foundation

/// An independent, slow model of a cron rule for the property tests: plain value sets built by
/// the test's own generator (not by `CronParser`), matched against civil dates whose month
/// lengths and weekdays come from Foundation's Calendar.
struct CronModel: CustomStringConvertible {
  var text = ""
  var seconds: Set<Int> = [0]
  var minutes: Set<Int> = []
  var hours: Set<Int> = []
  var daysOfMonth: Set<Int> = []
  var months: Set<Int> = []
  /// Sunday = 0.
  var daysOfWeek: Set<Int> = []
  var lastDay = false
  var nearestWeekdays: Set<Int> = []
  var lastWeekdays: Set<Int> = []
  /// weekday * 10 + k for `weekday#k`.
  var nthWeekdays: Set<Int> = []
  var domRestricted = false
  var dowRestricted = false
  var fixedTime = false

  var description: String { text }

  /// Does day `day` of a month with `facts` match the date fields?
  func dayMatches(_ facts: MonthFacts, _ day: Int) -> Bool {
    guard months.contains(facts.month), day <= facts.length else { return false }
    let weekday = (facts.firstWeekday + day - 1) % 7
    let dom =
      daysOfMonth.contains(day) || (lastDay && day == facts.length)
      || nearestWeekdays.contains { nearestWeekday(to: $0, facts) == day }
    let dow =
      daysOfWeek.contains(weekday) || (lastWeekdays.contains(weekday) && day + 7 > facts.length)
      || nthWeekdays.contains(weekday * 10 + (day - 1) / 7 + 1)
    return domRestricted && dowRestricted ? dom || dow : dom && dow
  }

  /// Quartz `nW`: Saturday → Friday (Monday the 3rd for 1W), Sunday → Monday (Friday before on
  /// the month's last day); nothing in a month without day n.
  func nearestWeekday(to n: Int, _ facts: MonthFacts) -> Int? {
    guard n <= facts.length else { return nil }
    switch (facts.firstWeekday + n - 1) % 7 {
    case 6: return n > 1 ? n - 1 : n + 2
    case 0: return n < facts.length ? n + 1 : n - 2
    default: return n
    }
  }

  func timeMatches(_ h: Int, _ m: Int, _ s: Int) -> Bool {
    hours.contains(h) && minutes.contains(m) && seconds.contains(s)
  }
}

/// Month length and weekday of the 1st, from Foundation's Gregorian calendar.
struct MonthFacts {
  let year: Int
  let month: Int
  let length: Int
  let firstWeekday: Int
  /// Civil seconds (seconds since 1970-01-01T00:00 on the wall clock) of the 1st at 00:00.
  let start: Int64
}

/// Civil-time and zone facts from Foundation, cached per month; not shared between tasks.
final class FoundationCalendar {
  private var utc = Calendar(identifier: .gregorian)
  private var facts: [Int: MonthFacts] = [:]

  init() { utc.timeZone = TimeZone(identifier: "UTC") ?? .current }

  func month(_ year: Int, _ month: Int) -> MonthFacts {
    if let hit = facts[year * 12 + month - 1] { return hit }
    let first = utc.date(from: DateComponents(year: year, month: month, day: 1)) ?? Date()
    let made = MonthFacts(
      year: year, month: month, length: utc.range(of: .day, in: .month, for: first)?.count ?? 0,
      firstWeekday: utc.component(.weekday, from: first) - 1, start: Int64(first.timeIntervalSince1970))
    facts[year * 12 + month - 1] = made
    return made
  }

  /// The month holding civil second `c`.
  func month(containing c: Int64) -> MonthFacts {
    let parts = utc.dateComponents([.year, .month], from: Date(timeIntervalSince1970: TimeInterval(c)))
    return month(parts.year ?? 1970, parts.month ?? 1)
  }

  func next(_ m: MonthFacts) -> MonthFacts {
    m.month == 12 ? month(m.year + 1, 1) : month(m.year, m.month + 1)
  }

  /// Matching civil seconds in `low...high`, ascending; nil once more than `limit` are found.
  func matches(_ model: CronModel, _ low: Int64, _ high: Int64, limit: Int = 20_000) -> [Int64]? {
    var out: [Int64] = []
    let hours = model.hours.sorted()
    let minutes = model.minutes.sorted()
    let seconds = model.seconds.sorted()
    var m = month(containing: low)
    while m.start <= high {
      for day in 1...m.length where model.dayMatches(m, day) {
        let dayStart = m.start + Int64(day - 1) * 86_400
        guard dayStart <= high, dayStart + 86_399 >= low else { continue }
        for h in hours {
          let hourStart = dayStart + Int64(h * 3600)
          guard hourStart <= high, hourStart + 3599 >= low else { continue }
          for mi in minutes {
            let minuteStart = hourStart + Int64(mi * 60)
            guard minuteStart <= high, minuteStart + 59 >= low else { continue }
            for s in seconds where (low...high).contains(minuteStart + Int64(s)) {
              out.append(minuteStart + Int64(s))
              if out.count > limit { return nil }
            }
          }
        }
      }
      m = next(m)
    }
    return out
  }
}

/// A zone seen only through Foundation (`secondsFromGMT`, `nextDaylightSavingTimeTransition`).
struct ZoneOracle {
  let zone: TimeZone

  func offset(_ t: Int64) -> Int64 {
    Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
  }

  /// Instants in `low...high` where the offset changes (the first instant of the new offset).
  func transitions(_ low: Int64, _ high: Int64) -> [Int64] {
    var out: [Int64] = []
    var cursor = Date(timeIntervalSince1970: TimeInterval(low - 1))
    while let t = zone.nextDaylightSavingTimeTransition(after: cursor),
      t.timeIntervalSince1970 <= Double(high)
    {
      let s = Int64(t.timeIntervalSince1970.rounded())
      if offset(s) != offset(s - 1) { out.append(s) }
      cursor = t
    }
    return out
  }

  /// Is `t` the end of a spring-forward gap in which some wall time matches?
  func matchesInGap(_ model: CronModel, before t: Int64, _ cal: FoundationCalendar) -> Bool {
    let (before, after) = (offset(t - 1), offset(t))
    return after > before && cal.matches(model, t + before, t + after - 1, limit: 0) == nil
  }

  /// Is `t` the second (or later) instant showing its wall time, after a fall-back?
  func isRepeat(_ t: Int64) -> Bool {
    let civil = t + offset(t)
    let earlier = transitions(t - 2 * 86_400, t).flatMap { [offset($0 - 1), offset($0)] }
    return earlier.contains { $0 > offset(t) && offset(civil - $0) == $0 && civil - $0 < t }
  }

  /// Why `t` cannot be an occurrence (the wall time from Foundation's Calendar in the zone does
  /// not match, or a fixed-time rule ran it already); nil when it can.
  func problem(with t: Int64, _ model: CronModel, _ cal: FoundationCalendar) -> String? {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let date = Date(timeIntervalSince1970: TimeInterval(t))
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    let facts = cal.month(c.year ?? 0, c.month ?? 0)
    let day = c.day ?? 0
    guard (facts.firstWeekday + day - 1) % 7 == (c.weekday ?? 0) - 1 else { return "weekday mismatch" }
    if model.dayMatches(facts, day) && model.timeMatches(c.hour ?? -1, c.minute ?? -1, c.second ?? -1) {
      return model.fixedTime && isRepeat(t) ? "a fixed-time rule ran this wall time already" : nil
    }
    if model.fixedTime && matchesInGap(model, before: t, cal) { return nil }
    return
      "wall time \(c.hour ?? -1):\(c.minute ?? -1):\(c.second ?? -1) on "
      + "\(facts.year)-\(facts.month)-\(day) does not match"
  }

  /// Every occurrence `t` with `low < t <= high` under SPEC §4's DST rules, ascending; nil when
  /// the window holds too many candidates to check.
  func occurrences(_ model: CronModel, after low: Int64, through high: Int64, _ cal: FoundationCalendar)
    -> [Int64]?
  {
    let changes = transitions(low - 2 * 86_400, high + 2 * 86_400)
    let offsets = Set(
      [offset(low - 2 * 86_400), offset(low + 1)] + changes.flatMap { [offset($0 - 1), offset($0)] })
    let inWindow = Set(changes.map(offset) + [offset(low + 1)])
    guard let civil = cal.matches(model, low + 1 + (inWindow.min() ?? 0), high + (inWindow.max() ?? 0)) else {
      return nil
    }
    var found = Set<Int64>()
    for c in civil {
      let instants = offsets.filter { offset(c - $0) == $0 }.map { c - $0 }.sorted()
      // A fixed-time rule runs a repeated wall time once, at its first instant.
      for t in model.fixedTime ? Array(instants.prefix(1)) : instants where t > low && t <= high {
        found.insert(t)
      }
    }
    if model.fixedTime {
      // The first instant after a spring-forward gap stands in for matches inside the gap.
      for t in changes where t > low && t <= high && matchesInGap(model, before: t, cal) {
        found.insert(t)
      }
    }
    return found.sorted()
  }
}
