import Testing

@testable import TFSCore

/// What the parser makes of rule text, shown as the value sets it built (`*` = the whole field),
/// then the extensions, `or` when dom and dow are both restricted, and `fixed` for fixed-time rules.
@Suite("Cron parser")
struct CronParserTests {
  static func values(_ bits: UInt64, _ range: ClosedRange<Int>) -> String {
    let set = range.filter { bits >> UInt64($0) & 1 == 1 }
    if set.count == range.count { return "*" }
    return set.isEmpty ? "-" : set.map(String.init).joined(separator: ",")
  }

  static func shape(_ rule: CronRule) -> String {
    var parts = [
      "sec=" + values(rule.seconds, 0...59), "min=" + values(rule.minutes, 0...59),
      "hour=" + values(rule.hours, 0...23), "dom=" + values(rule.daysOfMonth, 1...31),
      "mon=" + values(rule.months, 1...12), "dow=" + values(rule.daysOfWeek, 0...6),
    ]
    if rule.lastDayOfMonth { parts.append("L") }
    if rule.nearestWeekdays != 0 { parts.append("W=" + values(rule.nearestWeekdays, 1...31)) }
    if rule.lastWeekdays != 0 { parts.append("lastdow=" + values(rule.lastWeekdays, 0...6)) }
    if rule.nthWeekdays != 0 {
      let nth = (0..<35).filter { rule.nthWeekdays >> UInt64($0) & 1 == 1 }.map { "\($0 % 7)#\($0 / 7 + 1)" }
      parts.append("nth=" + nth.joined(separator: ","))
    }
    if rule.domRestricted && rule.dowRestricted { parts.append("or") }
    if rule.isFixedTime { parts.append("fixed") }
    return parts.joined(separator: " ")
  }

  static let valid: [(String, String)] = [
    // `*`, single values, five fields (sec = 0), blanks.
    ("* * * * * *", "sec=* min=* hour=* dom=* mon=* dow=*"),
    ("0 30 2 * * *", "sec=0 min=30 hour=2 dom=* mon=* dow=* fixed"),
    ("30 2 * * *", "sec=0 min=30 hour=2 dom=* mon=* dow=* fixed"),
    ("  0\t30   2 * *\t*  ", "sec=0 min=30 hour=2 dom=* mon=* dow=* fixed"),
    // Steps, ranges, lists.
    ("*/15 0 0 1 1 *", "sec=0,15,30,45 min=0 hour=0 dom=1 mon=1 dow=* fixed"),
    ("*/60 * * * * *", "sec=0 min=* hour=* dom=* mon=* dow=*"),
    ("0 10-20/5 * * * *", "sec=0 min=10,15,20 hour=* dom=* mon=* dow=*"),
    ("0 5/20 1 * * *", "sec=0 min=5,25,45 hour=1 dom=* mon=* dow=* fixed"),
    ("0 1,2,3-5,*/20 0 * * *", "sec=0 min=0,1,2,3,4,5,20,40 hour=0 dom=* mon=* dow=* fixed"),
    ("0 0 */6 * * *", "sec=0 min=0 hour=0,6,12,18 dom=* mon=* dow=*"),
    ("0 0 0-23 * * *", "sec=0 min=0 hour=* dom=* mon=* dow=* fixed"),
    ("0 0 0 */31 * *", "sec=0 min=0 hour=0 dom=1 mon=* dow=* fixed"),
    ("0 0 0 1-1 * *", "sec=0 min=0 hour=0 dom=1 mon=* dow=* fixed"),
    ("0 59-59 23-23 * * *", "sec=0 min=59 hour=23 dom=* mon=* dow=* fixed"),
    // Names, case-insensitive; 0 and 7 are Sunday; SUN ending a range is 7.
    ("0 0 0 * JAN-MAR *", "sec=0 min=0 hour=0 dom=* mon=1,2,3 dow=* fixed"),
    ("0 0 0 * jan,Jun,DEC *", "sec=0 min=0 hour=0 dom=* mon=1,6,12 dow=* fixed"),
    ("0 0 0 * JAN-DEC/3 *", "sec=0 min=0 hour=0 dom=* mon=1,4,7,10 dow=* fixed"),
    ("0 0 0 * * MON-FRI", "sec=0 min=0 hour=0 dom=* mon=* dow=1,2,3,4,5 fixed"),
    ("0 0 0 * * sun", "sec=0 min=0 hour=0 dom=* mon=* dow=0 fixed"),
    ("0 0 0 * * 7", "sec=0 min=0 hour=0 dom=* mon=* dow=0 fixed"),
    ("0 0 0 * * 0,7", "sec=0 min=0 hour=0 dom=* mon=* dow=0 fixed"),
    ("0 0 0 * * 5-7", "sec=0 min=0 hour=0 dom=* mon=* dow=0,5,6 fixed"),
    ("0 0 0 * * FRI-SUN", "sec=0 min=0 hour=0 dom=* mon=* dow=0,5,6 fixed"),
    ("0 0 0 * * */2", "sec=0 min=0 hour=0 dom=* mon=* dow=0,2,4,6 fixed"),
    ("0 0 0 * * 1/2", "sec=0 min=0 hour=0 dom=* mon=* dow=0,1,3,5 fixed"),
    // `?`, and which dom/dow combinations are OR (both restricted) or AND.
    ("0 0 0 ? * MON", "sec=0 min=0 hour=0 dom=* mon=* dow=1 fixed"),
    ("0 0 0 1 * ?", "sec=0 min=0 hour=0 dom=1 mon=* dow=* fixed"),
    ("0 0 0 1 * 1", "sec=0 min=0 hour=0 dom=1 mon=* dow=1 or fixed"),
    ("0 0 0 */2 * 1", "sec=0 min=0 hour=0 dom=1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31 mon=* dow=1 fixed"),
    ("0 0 0 1 * */1", "sec=0 min=0 hour=0 dom=1 mon=* dow=* fixed"),
    ("0 0 0 1-31 * 1", "sec=0 min=0 hour=0 dom=* mon=* dow=1 or fixed"),
    // Extensions.
    ("0 0 12 L * *", "sec=0 min=0 hour=12 dom=- mon=* dow=* L fixed"),
    ("0 0 0 1,l * *", "sec=0 min=0 hour=0 dom=1 mon=* dow=* L fixed"),
    ("0 0 0 15W * *", "sec=0 min=0 hour=0 dom=- mon=* dow=* W=15 fixed"),
    ("0 0 0 1w,31W * *", "sec=0 min=0 hour=0 dom=- mon=* dow=* W=1,31 fixed"),
    ("0 0 0 * * 5L", "sec=0 min=0 hour=0 dom=* mon=* dow=- lastdow=5 fixed"),
    ("0 0 0 * * L5", "sec=0 min=0 hour=0 dom=* mon=* dow=- lastdow=5 fixed"),
    ("0 0 0 * * FRIL", "sec=0 min=0 hour=0 dom=* mon=* dow=- lastdow=5 fixed"),
    ("0 0 0 * * 7L", "sec=0 min=0 hour=0 dom=* mon=* dow=- lastdow=0 fixed"),
    ("0 0 0 * * 1#1,MON#3,5#5", "sec=0 min=0 hour=0 dom=* mon=* dow=- nth=1#1,1#3,5#5 fixed"),
    ("0 0 0 * * 7#2", "sec=0 min=0 hour=0 dom=* mon=* dow=- nth=0#2 fixed"),
    ("0 0 0 L * 5L", "sec=0 min=0 hour=0 dom=- mon=* dow=- L lastdow=5 or fixed"),
    // Macros (case-insensitive) and what they expand to.
    ("@yearly", "sec=0 min=0 hour=0 dom=1 mon=1 dow=* fixed"),
    ("@annually", "sec=0 min=0 hour=0 dom=1 mon=1 dow=* fixed"),
    ("@monthly", "sec=0 min=0 hour=0 dom=1 mon=* dow=* fixed"),
    ("@weekly", "sec=0 min=0 hour=0 dom=* mon=* dow=0 fixed"),
    ("@daily", "sec=0 min=0 hour=0 dom=* mon=* dow=* fixed"),
    ("@midnight", "sec=0 min=0 hour=0 dom=* mon=* dow=* fixed"),
    ("@hourly", "sec=0 min=0 hour=* dom=* mon=* dow=*"),
    ("@HOURLY", "sec=0 min=0 hour=* dom=* mon=* dow=*"),
    // Rare but possible: valid.
    ("0 0 0 29 2 *", "sec=0 min=0 hour=0 dom=29 mon=2 dow=* fixed"),
    ("0 0 0 31 2 1", "sec=0 min=0 hour=0 dom=31 mon=2 dow=1 or fixed"),
    ("0 0 0 * 2 5#5", "sec=0 min=0 hour=0 dom=* mon=2 dow=- nth=5#5 fixed"),
  ]

  @Test("valid rules", arguments: valid)
  func parses(_ text: String, _ expected: String) throws {
    let rule = try CronRule(text)
    #expect(Self.shape(rule) == expected)
    #expect(rule.text == text.trimmingWhitespace())
    #expect(rule.description == rule.text)
  }

  /// Full messages: the user sees exactly these (SPEC §4, STYLE "Errors and output").
  static let invalid: [(String, String?, String)] = [
    ("0 61 * * * *", "minute", "'61' is out of range 0-59"),
    ("61 * * * * *", "second", "'61' is out of range 0-59"),
    ("0 0 24 * * *", "hour", "'24' is out of range 0-23"),
    ("0 0 0 0 * *", "day-of-month", "'0' is out of range 1-31"),
    ("0 0 0 32 * *", "day-of-month", "'32' is out of range 1-31"),
    ("0 0 0 * 13 *", "month", "'13' is out of range 1-12"),
    ("0 0 0 * 0 *", "month", "'0' is out of range 1-12"),
    ("0 0 0 * * 8", "day-of-week", "'8' is out of range 0-7"),
    ("1,2,60 * * * *", "minute", "'60' is out of range 0-59"),
    ("0 5-70 * * * *", "minute", "'70' in '5-70' is out of range 0-59"),
    ("0 55-5 * * * *", "minute", "'55-5' is a reversed range; write '55-59,0-5'"),
    ("0 0 22-2 * * *", "hour", "'22-2' is a reversed range; write '22-23,0-2'"),
    ("0 0 0 * DEC-JAN *", "month", "'DEC-JAN' is a reversed range; write 'DEC-12,1-JAN'"),
    ("*/0 * * * * *", "second", "step '0' in '*/0' is out of range 1-60"),
    ("*/61 * * * * *", "second", "step '61' in '*/61' is out of range 1-60"),
    ("0 0 */25 * * *", "hour", "step '25' in '*/25' is out of range 1-24"),
    ("0 0 0 * * */9", "day-of-week", "step '9' in '*/9' is out of range 1-8"),
    ("0 */x * * * *", "minute", "step 'x' in '*/x' is out of range 1-60"),
    ("0 1-2-3 * * * *", "minute", "'1-2-3' is not a valid range"),
    ("0 1/2/3 * * * *", "minute", "'1/2/3' has more than one '/'"),
    ("0 1,,2 * * * *", "minute", "empty list item in '1,,2'"),
    ("0 1, * * * *", "minute", "empty list item in '1,'"),
    ("0 1- * * * *", "minute", "'1-' is missing a value"),
    ("-5 * * * * *", "second", "'-5' is missing a value"),
    ("0 MON * * * *", "minute", "'MON' is not a number"),
    ("0 0 0 * MON *", "month", "'MON' is not a number or a month name"),
    ("0 0 0 * * JAN", "day-of-week", "'JAN' is not a number or a day name"),
    ("0 0 0 * * MONDAY", "day-of-week", "'MONDAY' is not a number or a day name"),
    ("0 ? * * * *", "minute", "'?' is only allowed in day-of-month and day-of-week"),
    ("0 0 0 1#2 * *", "day-of-month", "'1#2' is not valid here (day-of-month takes L and nW)"),
    ("0 0 0 L3 * *", "day-of-month", "'L3' is not valid here (day-of-month takes L and nW)"),
    ("0 0 0 32W * *", "day-of-month", "'32' in '32W' is out of range 1-31"),
    ("0 0 0 0W * *", "day-of-month", "'0' in '0W' is out of range 1-31"),
    ("0 0 0 W * *", "day-of-month", "'W' is missing a value"),
    ("0 0 0 * * L", "day-of-week", "'L' needs a weekday: write '5L' or 'L5' for the last Friday"),
    ("0 0 0 * * 8L", "day-of-week", "'8' in '8L' is out of range 0-7"),
    ("0 0 0 * * 1#6", "day-of-week", "'6' in '1#6' is out of range 1-5"),
    ("0 0 0 * * 1#0", "day-of-week", "'0' in '1#0' is out of range 1-5"),
    ("0 0 0 * * 8#1", "day-of-week", "'8' in '8#1' is out of range 0-7"),
    ("0 0 0 * * 1#2#3", "day-of-week", "'1#2#3' is not a valid n#k"),
    ("0 0 0 * * 1-5#2", "day-of-week", "'1-5' in '1-5#2' is not a number or a day name"),
    ("@reboot", nil, "unknown macro '@reboot'; use one of @yearly @annually @monthly @weekly @daily @hourly"),
    (
      "@daily 0", nil,
      "unknown macro '@daily 0'; use one of @yearly @annually @monthly @weekly @daily @hourly"
    ),
    ("", nil, "expected 5 or 6 fields (sec min hour dom mon dow), got 0"),
    ("* * * *", nil, "expected 5 or 6 fields (sec min hour dom mon dow), got 4"),
    ("0 0 0 * * * *", nil, "expected 5 or 6 fields (sec min hour dom mon dow), got 7"),
    // Rules that can never match.
    ("0 0 30 2 *", nil, "it can never match"),
    ("0 0 0 31 4,6,9,11 *", nil, "it can never match"),
    ("0 0 0 30-31 FEB ?", nil, "it can never match"),
    ("0 0 0 30W 2 *", nil, "it can never match"),
    ("0 0 0 31W 4 *", nil, "it can never match"),
    ("0 0 0 31/1 4 *", nil, "it can never match"),
  ]

  @Test("invalid rules", arguments: invalid)
  func rejects(_ text: String, _ field: String?, _ reason: String) {
    do {
      let rule = try CronRule(text)
      Issue.record("'\(rule)' was accepted")
    } catch {
      #expect(error.field == field)
      #expect(error.reason == reason)
      let prefix = "invalid rule '\(text.trimmingWhitespace())': "
      #expect(error.description == prefix + (field.map { "\($0) field: " } ?? "") + reason)
      #expect(error.validation.message == error.description)
    }
  }

  @Test("the SPEC's example message")
  func specMessage() {
    #expect(throws: CronRuleError(rule: "0 61 * * * *", field: "minute", reason: "'61' is out of range 0-59"))
    {
      try CronRule("0 61 * * * *")
    }
  }

  /// Only ASCII digits are numbers: `Int("+5")` would accept a sign, Unicode digits are not cron.
  @Test(
    "numbers are ASCII digits only",
    arguments: ["+5 * * * * *", "0 */+5 * * * *", "0 0 0 * * 1#+2", "٣ * * * * *"])
  func asciiDigits(_ text: String) {
    #expect(throws: CronRuleError.self) { try CronRule(text) }
  }

  @Test("equal rules parse equal, different text differs")
  func hashable() throws {
    #expect(try CronRule("0 0 * * * *") == CronRule("0 0 * * * *"))
    #expect(try CronRule(" 0 0 * * * * ") == CronRule("0 0 * * * *"))
    #expect(try CronRule("@hourly") != CronRule("0 0 * * * *"))
  }
}
