import Foundation

/// A parsed cron rule: `sec min hour dom mon dow` (or five fields with `sec = 0`, or a macro).
///
/// Matching is done on bit sets, so finding the next occurrence costs a few dozen integer
/// operations; see `CronRule+Search.swift` for the civil-time walk and `ZoneRules` for how
/// daylight-saving gaps and overlaps are handled (Vixie cron's rules, SPEC §4).
public struct CronRule: Sendable, Hashable, CustomStringConvertible {
  /// The rule as the user wrote it (trimmed).
  public let text: String
  var seconds: UInt64 = 0
  var minutes: UInt64 = 0
  var hours: UInt64 = 0
  /// Bits 1...31.
  var daysOfMonth: UInt64 = 0
  /// Bits 1...12.
  var months: UInt64 = 0
  /// Bits 0...6, Sunday = 0.
  var daysOfWeek: UInt64 = 0
  /// `L` in day-of-month.
  var lastDayOfMonth = false
  /// `nW` in day-of-month: bits 1...31 of the days n.
  var nearestWeekdays: UInt64 = 0
  /// `5L` / `L5` in day-of-week: bits 0...6.
  var lastWeekdays: UInt64 = 0
  /// `n#k`: bit (k - 1) * 7 + n.
  var nthWeekdays: UInt64 = 0
  /// Day-of-month / day-of-week restricted (the field does not start with `*` or `?`).
  var domRestricted = false
  var dowRestricted = false

  /// A fixed-time rule (minute and hour fields do not start with `*`) runs once after a
  /// spring-forward gap and once in a fall-back overlap; a wildcard rule follows the wall clock.
  public private(set) var isFixedTime = false

  public var description: String { text }

  /// Parses `text`; the error's description names the field and the bad token.
  public init(_ text: String) throws(CronRuleError) {
    self = try CronParser.parse(text)
  }

  init(text: String) {
    self.text = text
  }

  mutating func setFixedTime(_ value: Bool) { isFixedTime = value }

  // MARK: Instants

  /// The first occurrence strictly after `date`, in `zone`; nil only past the year 10000.
  public func next(after date: Date, in zone: TimeZone) -> Date? {
    let rules = ZoneRules.forZone(zone)
    let base = Int64(date.timeIntervalSince1970.rounded(.down))
    return next(after: base, in: rules).map { Date(timeIntervalSince1970: TimeInterval($0)) }
  }

  /// The last occurrence strictly before `date`, in `zone`.
  public func previous(before date: Date, in zone: TimeZone) -> Date? {
    let rules = ZoneRules.forZone(zone)
    let base = Int64(date.timeIntervalSince1970.rounded(.up))
    return previous(before: base, in: rules).map { Date(timeIntervalSince1970: TimeInterval($0)) }
  }

  /// The next `count` occurrences strictly after `date`.
  public func occurrences(after date: Date, in zone: TimeZone, count: Int) -> [Date] {
    let rules = ZoneRules.forZone(zone)
    var result: [Date] = []
    var cursor = Int64(date.timeIntervalSince1970.rounded(.down))
    while result.count < count, let t = next(after: cursor, in: rules) {
      result.append(Date(timeIntervalSince1970: TimeInterval(t)))
      cursor = t
    }
    return result
  }
}

/// Why a cron rule was rejected. The description is the user's message.
public struct CronRuleError: Error, Equatable, CustomStringConvertible, Sendable {
  public let rule: String
  /// The field's name (`minute`, `day-of-week`…), nil for whole-rule errors.
  public let field: String?
  public let reason: String

  public var description: String {
    if let field { return "invalid rule '\(rule)': \(field) field: \(reason)" }
    return "invalid rule '\(rule)': \(reason)"
  }
}
