/// Turns rule text into a `CronRule`, rejecting anything SPEC §4 does not define.
enum CronParser {
  enum Field: Int, CaseIterable {
    case second, minute, hour, dayOfMonth, month, dayOfWeek

    var name: String {
      switch self {
      case .second: "second"
      case .minute: "minute"
      case .hour: "hour"
      case .dayOfMonth: "day-of-month"
      case .month: "month"
      case .dayOfWeek: "day-of-week"
      }
    }

    var bounds: ClosedRange<Int> {
      switch self {
      case .second, .minute: 0...59
      case .hour: 0...23
      case .dayOfMonth: 1...31
      case .month: 1...12
      case .dayOfWeek: 0...7
      }
    }

    var names: [String] {
      switch self {
      case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
      case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
      default: []
      }
    }
  }

  static let macros: [String: String] = [
    "@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
  ]

  static func parse(_ raw: String) throws(CronRuleError) -> CronRule {
    let text = raw.trimmingWhitespace()
    func fail(_ reason: String, _ field: Field? = nil) -> CronRuleError {
      CronRuleError(rule: text, field: field?.name, reason: reason)
    }
    var expanded = text
    if text.hasPrefix("@") {
      guard let body = macros[text.lowercased()] else {
        throw fail("unknown macro '\(text)'; use one of @yearly @annually @monthly @weekly @daily @hourly")
      }
      expanded = body
    }
    var words = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard words.count == 5 || words.count == 6 else {
      throw fail("expected 5 or 6 fields (sec min hour dom mon dow), got \(words.count)")
    }
    if words.count == 5 { words.insert("0", at: 0) }

    var rule = CronRule(text: text)
    for field in Field.allCases {
      let word = words[field.rawValue]
      do {
        try parseField(word, field, into: &rule)
      } catch let reason {
        throw fail(reason.message, field)
      }
    }
    rule.domRestricted = !(words[3].hasPrefix("*") || words[3].hasPrefix("?"))
    rule.dowRestricted = !(words[5].hasPrefix("*") || words[5].hasPrefix("?"))
    rule.setFixedTime(!words[1].hasPrefix("*") && !words[2].hasPrefix("*"))
    guard rule.canMatch() else { throw fail("it can never match") }
    return rule
  }

  struct Reason: Error { let message: String }

  private static func parseField(_ word: String, _ field: Field, into rule: inout CronRule) throws(Reason) {
    if word == "?" {
      guard field == .dayOfMonth || field == .dayOfWeek else {
        throw Reason(message: "'?' is only allowed in day-of-month and day-of-week")
      }
      setAll(field, &rule)
      return
    }
    for item in word.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
      guard !item.isEmpty else { throw Reason(message: "empty list item in '\(word)'") }
      if try parseSpecial(item, field, into: &rule) { continue }
      let bits = try parseItem(item, field)
      add(bits, field, &rule)
    }
  }

  private static func setAll(_ field: Field, _ rule: inout CronRule) {
    var bits: UInt64 = 0
    for v in field.bounds { bits |= 1 << UInt64(v) }
    add(bits, field, &rule)
  }

  private static func add(_ bits: UInt64, _ field: Field, _ rule: inout CronRule) {
    switch field {
    case .second: rule.seconds |= bits
    case .minute: rule.minutes |= bits
    case .hour: rule.hours |= bits
    case .dayOfMonth: rule.daysOfMonth |= bits
    case .month: rule.months |= bits
    case .dayOfWeek:
      // 7 is Sunday too.
      rule.daysOfWeek |= (bits & 0x7F) | (bits >> 7 & 1)
    }
  }

  /// `L`, `nW` (day-of-month) and `nL`, `Ln`, `n#k` (day-of-week). Returns false for plain items.
  private static func parseSpecial(_ item: String, _ field: Field, into rule: inout CronRule) throws(Reason)
    -> Bool
  {
    guard field == .dayOfMonth || field == .dayOfWeek else { return false }
    let upper = item.uppercased()
    let special =
      upper.contains("#") || upper.contains("L")
      || (field == .dayOfMonth && upper.hasSuffix("W"))
    guard special else { return false }
    switch field {
    case .dayOfMonth:
      if upper == "L" {
        rule.lastDayOfMonth = true
        return true
      }
      if upper.hasSuffix("W") {
        let day = try value(String(upper.dropLast()), field, item: item)
        rule.nearestWeekdays |= 1 << UInt64(day)
        return true
      }
      throw Reason(message: "'\(item)' is not valid here (day-of-month takes L and nW)")
    case .dayOfWeek:
      if upper.hasSuffix("L") || upper.hasPrefix("L") {
        let digits = upper.hasSuffix("L") ? String(upper.dropLast()) : String(upper.dropFirst())
        guard !digits.isEmpty else {
          throw Reason(message: "'\(item)' needs a weekday: write '5L' or 'L5' for the last Friday")
        }
        let day = try value(digits, field, item: item) % 7
        rule.lastWeekdays |= 1 << UInt64(day)
        return true
      }
      let parts = upper.split(separator: "#", omittingEmptySubsequences: false).map(String.init)
      guard parts.count == 2 else { throw Reason(message: "'\(item)' is not a valid n#k") }
      let day = try value(parts[0], field, item: item) % 7
      guard let k = digits(parts[1]), (1...5).contains(k) else {
        throw Reason(message: "'\(parts[1])' in '\(item)' is out of range 1-5")
      }
      rule.nthWeekdays |= 1 << UInt64((k - 1) * 7 + day)
      return true
    default:
      return false
    }
  }

  /// `*`, `a`, `a-b`, with an optional `/n` step.
  private static func parseItem(_ item: String, _ field: Field) throws(Reason) -> UInt64 {
    let slash = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard slash.count <= 2 else { throw Reason(message: "'\(item)' has more than one '/'") }
    let rangeText = slash[0]
    var low: Int
    var high: Int
    if rangeText == "*" {
      (low, high) = (field.bounds.lowerBound, field.bounds.upperBound)
    } else {
      let ends = rangeText.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
      guard ends.count <= 2 else { throw Reason(message: "'\(item)' is not a valid range") }
      low = try value(ends[0], field, item: item)
      if ends.count == 2 {
        high = try value(ends[1], field, item: item, rangeEnd: true)
        guard low <= high else {
          let (lo, hi) = (field.bounds.lowerBound, field.bounds.upperBound)
          throw Reason(
            message: "'\(rangeText)' is a reversed range; write '\(ends[0])-\(hi),\(lo)-\(ends[1])'")
        }
      } else {
        high = slash.count == 2 ? field.bounds.upperBound : low
      }
    }
    var step = 1
    if slash.count == 2 {
      let span = field.bounds.count
      guard let n = digits(slash[1]), (1...span).contains(n) else {
        throw Reason(message: "step '\(slash[1])' in '\(item)' is out of range 1-\(span)")
      }
      step = n
    }
    var bits: UInt64 = 0
    for v in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(v) }
    return bits
  }

  /// The value of a run of ASCII digits; nil for anything else (`Int` alone would take `+5`).
  private static func digits(_ token: String) -> Int? {
    guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    return Int(token)
  }

  /// A number or (month, day-of-week) a name. `SUN` ending a range is 7, so `FRI-SUN` works.
  private static func value(_ token: String, _ field: Field, item: String, rangeEnd: Bool = false)
    throws(Reason) -> Int
  {
    let bounds = field.bounds
    let context = token == item ? "" : " in '\(item)'"
    if let n = digits(token) {
      guard bounds.contains(n) else {
        throw Reason(
          message: "'\(token)'\(context) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
      }
      return n
    }
    if let index = field.names.firstIndex(of: token.uppercased()) {
      let n = field == .month ? index + 1 : index
      return field == .dayOfWeek && rangeEnd && n == 0 ? 7 : n
    }
    if token.isEmpty { throw Reason(message: "'\(item)' is missing a value") }
    let kind = field.names.isEmpty ? "a number" : "a number or a \(field == .month ? "month" : "day") name"
    throw Reason(message: "'\(token)'\(context) is not \(kind)")
  }
}

extension String {
  /// The string without leading and trailing whitespace.
  public func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let c = s.first, c.isWhitespace { s.removeFirst() }
    while let c = s.last, c.isWhitespace { s.removeLast() }
    return String(s)
  }
}
