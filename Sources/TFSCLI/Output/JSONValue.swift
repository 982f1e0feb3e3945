import TFSCore

/// A JSON value with ordered object keys, so output is stable for scripts and golden tests.
indirect enum JSONValue {
  case string(String)
  case int(Int64)
  case bool(Bool)
  case null
  /// Already-rendered JSON (stored details objects).
  case raw(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  static func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
  static func int<I: BinaryInteger>(_ i: I?) -> JSONValue { i.map { .int(Int64($0)) } ?? .null }

  func render() -> String {
    switch self {
    case .string(let s): return JSON.quote(s)
    case .int(let i): return String(i)
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .raw(let text): return text
    case .array(let items): return "[" + items.map { $0.render() }.joined(separator: ",") + "]"
    case .object(let pairs):
      return "{" + pairs.map { JSON.quote($0.0) + ":" + $0.1.render() }.joined(separator: ",") + "}"
    }
  }
}
