/// Durations as users write them: `500ms`, `90s`, `5m`, `1h30m`, `2d`, stored in milliseconds.
public enum Durations {
  static let units: [(String, Int64)] = [
    ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
  ]

  /// Parses `text` into milliseconds; a bare number is not accepted (its unit would be a guess).
  public static func parse(_ text: String) throws(ValidationError) -> Int64 {
    let fail = ValidationError("invalid duration '\(text)'; write e.g. 500ms, 90s, 5m, 1h30m, 2d")
    var total: Int64 = 0
    var rest = Substring(text)
    guard !rest.isEmpty else { throw fail }
    while !rest.isEmpty {
      let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
      guard !digits.isEmpty, digits.count <= 12, let n = Int64(digits) else { throw fail }
      rest = rest.dropFirst(digits.count)
      let unitText = rest.prefix(while: { $0.isASCII && $0.isLetter })
      guard let unit = units.first(where: { $0.0 == unitText })?.1 else { throw fail }
      rest = rest.dropFirst(unitText.count)
      // Checked arithmetic: a huge value is invalid input, not a crash.
      let (part, overflow) = n.multipliedReportingOverflow(by: unit)
      let (sum, overflow2) = total.addingReportingOverflow(part)
      guard !overflow && !overflow2 else { throw fail }
      total = sum
    }
    return total
  }

  /// `1.2s`, `850ms`, `3m04s`, `2h05m`, `3d04h`: short, for tables.
  public static func format(milliseconds ms: Int64) -> String {
    if ms < 1000 { return "\(ms)ms" }
    if ms < 60_000 {
      let tenths = ms / 100
      return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
    }
    let s = ms / 1000
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    if s < 3600 { return "\(s / 60)m\(two(s % 60))s" }
    if s < 86_400 { return "\(s / 3600)h\(two(s / 60 % 60))m" }
    return "\(s / 86_400)d\(two(s / 3600 % 24))h"
  }

  /// The canonical spelling used when storing and showing a flag value: `1h30m`, `90s` → `1m30s`.
  public static func canonical(milliseconds ms: Int64) -> String {
    if ms == 0 { return "0s" }
    var rest = ms
    var out = ""
    for (name, size) in units.reversed() where name != "w" {
      let n = rest / size
      if n > 0 {
        out += "\(n)\(name)"
        rest -= n * size
      }
    }
    return out
  }
}
