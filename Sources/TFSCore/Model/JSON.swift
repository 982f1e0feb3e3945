import Foundation

/// Small JSON helpers for the flat objects tfs stores and prints (keys sorted, stable output).
public enum JSON {
  /// A JSON string literal.
  public static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// `{"a":"1","b":"2"}` with keys sorted.
  public static func object(_ d: [String: String]) -> String {
    "{" + d.keys.sorted().map { "\(quote($0)):\(quote(d[$0]!))" }.joined(separator: ",") + "}"
  }

  /// `object` (a JSON object as text) with `key: value` added in front (replacing none).
  public static func adding(_ key: String, _ value: String, to object: String) -> String {
    let body = object.trimmingWhitespace()
    guard body.hasPrefix("{"), body.count >= 2 else { return JSON.object([key: value]) }
    let rest = String(body.dropFirst()).trimmingWhitespace()
    return "{\(quote(key)):\(quote(value))" + (rest == "}" ? "}" : "," + rest)
  }

  /// The detail keys whose values are integers: written as strings by older versions (and by
  /// `object`), they are given to readers as numbers.
  public static let integerDetails = [
    "run_id", "attempt", "exit_code", "signal", "failing_ms", "failing_runs", "runs", "runs_deleted", "pid",
    "tasks", "count",
  ]

  /// Stored event details (a JSON object as `object` writes it) with the values of
  /// `integerDetails` that are whole numbers written as JSON numbers: `"run_id":"12"` →
  /// `"run_id":12`. Only top-level members change: a quote inside a string value is escaped,
  /// so `"key":"` never matches there.
  public static func withIntegers(_ details: String) -> String {
    var text = details
    for key in integerDetails {
      let marker = "\"\(key)\":\""
      var searchFrom = text.startIndex
      while let found = text.range(of: marker, range: searchFrom..<text.endIndex) {
        let digits = text[found.upperBound...].prefix { $0 == "-" || $0.isASCII && $0.isNumber }
        let end = text.index(found.upperBound, offsetBy: digits.count)
        guard !digits.isEmpty, digits != "-", end < text.endIndex, text[end] == "\"" else {
          searchFrom = found.upperBound
          continue
        }
        let replacement = "\"\(key)\":" + digits
        text.replaceSubrange(found.lowerBound...end, with: replacement)
        searchFrom = text.index(found.lowerBound, offsetBy: replacement.count)
      }
    }
    return text
  }

  public static func stringDictionary(_ text: String) -> [String: String] {
    guard let data = text.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
    else { return [:] }
    return object
  }
}
