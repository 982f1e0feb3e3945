@testable import TFSCore

extension ParserProperties {
  /// A rule that parses parses again from its text to the same rule; in any zone, from any
  /// instant in 1800-2400, it has a next occurrence, later than the instant and matching the
  /// rule, and the last occurrence before that one is not after the instant.
  static func cron(_ bytes: [UInt8]) -> String? {
    let input = Input(bytes)
    guard let rule = try? CronRule(input.text) else { return nil }
    guard (try? CronRule(rule.text)) == rule else { return "'\(rule.text)' does not parse again to itself" }
    let zone = input.pick(zones, 0)
    var t = instant(input, 1)
    if input.number(2) % 2 == 0 && !zone.transitions.isEmpty {
      // Within two hours of an offset change, where the DST rules apply.
      let change = zone.transitions[min(zone.segment(of: t), zone.transitions.count - 1)]
      t = change + Int64(input.number(3) % 14_400) - 7_200
    }
    let context = "'\(rule.text)' in \(zone.identifier) from \(t)"
    guard let next = rule.next(after: t, in: zone) else { return "\(context): no next occurrence" }
    guard next > t else { return "\(context): next occurrence \(next) is not later" }
    guard occurs(rule, at: next, in: zone) else {
      return "\(context): next occurrence \(next) does not match"
    }
    guard let previous = rule.previous(before: next, in: zone) else {
      return "\(context): no occurrence before \(next)"
    }
    guard previous <= t, occurs(rule, at: previous, in: zone) else {
      return "\(context): the occurrence before \(next) is \(previous)"
    }
    return nil
  }

  /// Whether instant `t` is an occurrence of `rule` in `zone`: its wall-clock time matches, or
  /// (fixed-time rules) it ends a spring-forward gap that skipped a matching time.
  static func occurs(_ rule: CronRule, at t: Int64, in zone: ZoneRules) -> Bool {
    let i = zone.segment(of: t)
    if matches(rule, CivilTime(seconds: t + zone.offsets[i])) { return true }
    guard rule.isFixedTime, i > 0, zone.transitions[i - 1] == t, zone.offsets[i] > zone.offsets[i - 1] else {
      return false
    }
    return (zone.offsets[i - 1]..<zone.offsets[i]).contains { matches(rule, CivilTime(seconds: t + $0)) }
  }

  /// The rule's fields against one wall-clock time, bit by bit (no search).
  static func matches(_ rule: CronRule, _ c: CivilTime) -> Bool {
    func has(_ bits: UInt64, _ v: Int) -> Bool { bits >> UInt64(v) & 1 == 1 }
    return has(rule.seconds, c.second) && has(rule.minutes, c.minute) && has(rule.hours, c.hour)
      && has(rule.months, c.month) && has(rule.dayMask(year: c.year, month: c.month), c.day)
  }
}
