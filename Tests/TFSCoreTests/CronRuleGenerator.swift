import Foundation
import TFSTestSupport

/// Random cron rules for the property tests, built field by field: the rule text and, beside
/// it, the `CronModel` the text should mean (so the parser is tested too, not trusted).
struct CronRuleGenerator {
  var rng: SplitMix64

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
  mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

  static let monthNames = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
  ]
  static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

  /// A number or, sometimes, its name (`first` is the value of `names[0]`), in random case.
  mutating func spell(_ v: Int, names: [String], first: Int) -> String {
    guard !names.isEmpty, (first..<(first + names.count)).contains(v), chance(0.3) else { return String(v) }
    let name = names[v - first]
    return chance(0.5) ? name : name.lowercased()
  }

  /// One list item of a plain field: `v`, `a-b`, `*/n`, `a-b/n` or `a/n`.
  mutating func item(_ bounds: ClosedRange<Int>, names: [String] = [], first: Int = 0) -> (String, Set<Int>) {
    let (lo, hi) = (bounds.lowerBound, bounds.upperBound)
    let step = chance(0.8) ? int(1...min(bounds.count, 15)) : int(1...bounds.count)
    switch int(0...5) {
    case 1:
      let a = int(lo...hi)
      let b = int(a...hi)
      return ("\(spell(a, names: names, first: first))-\(b)", Set(a...b))
    case 2:
      return ("*/\(step)", Set(stride(from: lo, through: hi, by: step)))
    case 3:
      let a = int(lo...hi)
      let b = int(a...hi)
      return ("\(a)-\(b)/\(step)", Set(stride(from: a, through: b, by: step)))
    case 4:
      let a = int(lo...hi)
      return ("\(a)/\(step)", Set(stride(from: a, through: hi, by: step)))
    default:
      let v = int(lo...hi)
      return (spell(v, names: names, first: first), [v])
    }
  }

  /// A whole plain field: `*` with probability `star`, else a list of one to three items.
  mutating func field(_ bounds: ClosedRange<Int>, star: Double, names: [String] = [], first: Int = 0)
    -> (String, Set<Int>)
  {
    if chance(star) { return ("*", Set(bounds)) }
    var texts: [String] = []
    var values = Set<Int>()
    for _ in 0..<(chance(0.3) ? int(2...3) : 1) {
      let (text, set) = item(bounds, names: names, first: first)
      texts.append(text)
      values.formUnion(set)
    }
    return (texts.joined(separator: ","), values)
  }

  mutating func dayOfMonth(_ model: inout CronModel) -> String {
    if chance(0.1) {
      model.daysOfMonth = Set(1...31)
      return "?"
    }
    if chance(0.5) {
      model.daysOfMonth = Set(1...31)
      return "*"
    }
    var texts: [String] = []
    for _ in 0..<(chance(0.3) ? 2 : 1) {
      if chance(0.15) {
        model.lastDay = true
        texts.append(chance(0.5) ? "L" : "l")
      } else if chance(0.15) {
        let n = int(1...31)
        model.nearestWeekdays.insert(n)
        texts.append("\(n)W")
      } else {
        let (text, set) = item(1...31)
        model.daysOfMonth.formUnion(set)
        texts.append(text)
      }
    }
    return texts.joined(separator: ",")
  }

  mutating func dayOfWeek(_ model: inout CronModel) -> String {
    if chance(0.1) {
      model.daysOfWeek = Set(0...6)
      return "?"
    }
    if chance(0.5) {
      model.daysOfWeek = Set(0...6)
      return "*"
    }
    var texts: [String] = []
    for _ in 0..<(chance(0.3) ? 2 : 1) {
      let v = int(0...7)
      let day = spell(v, names: Self.dayNames, first: 0)
      if chance(0.15) {
        model.lastWeekdays.insert(v % 7)
        texts.append(chance(0.5) ? "\(day)L" : "L\(day)")
      } else if chance(0.15) {
        let k = int(1...5)
        model.nthWeekdays.insert(v % 7 * 10 + k)
        texts.append("\(day)#\(k)")
      } else {
        let (text, set) = item(0...7, names: Self.dayNames, first: 0)
        model.daysOfWeek.formUnion(set.map { $0 % 7 })
        texts.append(text)
      }
    }
    return texts.joined(separator: ",")
  }

  static let macros: [(String, CronModel)] = [
    ("@yearly", daily(dom: [1], months: [1])), ("@annually", daily(dom: [1], months: [1])),
    ("@monthly", daily(dom: [1])), ("@weekly", daily(dow: [0])), ("@daily", daily()),
    ("@midnight", daily()),
    (
      "@hourly",
      CronModel(
        text: "@hourly", seconds: [0], minutes: [0], hours: Set(0...23), daysOfMonth: Set(1...31),
        months: Set(1...12), daysOfWeek: Set(0...6))
    ),
  ]

  /// A rule firing at 00:00:00 on the given days (nil = `*`).
  static func daily(dom: Set<Int>? = nil, months: Set<Int>? = nil, dow: Set<Int>? = nil) -> CronModel {
    CronModel(
      seconds: [0], minutes: [0], hours: [0], daysOfMonth: dom ?? Set(1...31), months: months ?? Set(1...12),
      daysOfWeek: dow ?? Set(0...6), domRestricted: dom != nil, dowRestricted: dow != nil, fixedTime: true)
  }

  mutating func rule() -> CronModel {
    if chance(0.04) {
      var (text, model) = Self.macros[int(0...(Self.macros.count - 1))]
      model.text = text
      return model
    }
    var model = CronModel()
    let fiveFields = chance(0.1)
    var seconds = "0"
    if !fiveFields && chance(0.6) {
      (seconds, model.seconds) = field(0...59, star: 0.3)
    }
    let minute = chance(0.3) ? ("0", Set([0])) : field(0...59, star: 0.2)
    let hour = field(0...23, star: 0.3)
    (model.minutes, model.hours) = (minute.1, hour.1)
    let dom = dayOfMonth(&model)
    let (month, months) = field(1...12, star: 0.6, names: Self.monthNames, first: 1)
    model.months = months
    let dow = dayOfWeek(&model)
    model.domRestricted = !dom.hasPrefix("*") && !dom.hasPrefix("?")
    model.dowRestricted = !dow.hasPrefix("*") && !dow.hasPrefix("?")
    model.fixedTime = !minute.0.hasPrefix("*") && !hour.0.hasPrefix("*")
    model.text = ((fiveFields ? [] : [seconds]) + [minute.0, hour.0, dom, month, dow]).joined(separator: " ")
    return model
  }
}
