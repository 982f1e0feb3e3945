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

  public static func stringDictionary(_ text: String) -> [String: String] {
    guard let data = text.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
    else { return [:] }
    return object
  }
}
