import TFSCore

/// A JSON value with ordered object keys, so output is stable for scripts and golden tests.
enum JSONValue: Sendable {
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
    var out: [UInt8] = []
    render(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the UTF-8 rendering to `out`: one growing byte buffer, so 10,000 tasks render in
  /// milliseconds (a string per value cost ~10x more; see scripts/bench-store.sh).
  func render(into out: inout [UInt8]) {
    switch self {
    case .string(let s): JSONValue.quote(s, into: &out)
    case .int(let i): out.append(contentsOf: String(i).utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .null: out.append(contentsOf: "null".utf8)
    case .raw(let text): out.append(contentsOf: text.utf8)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (n, item) in items.enumerated() {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        item.render(into: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let pairs):
      out.append(UInt8(ascii: "{"))
      for (n, (key, value)) in pairs.enumerated() {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        JSONValue.quote(key, into: &out)
        out.append(UInt8(ascii: ":"))
        value.render(into: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  /// `JSON.quote`, with a fast path for the usual string that needs no escaping.
  static func quote(_ s: String, into out: inout [UInt8]) {
    let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    let copied: Bool? = s.utf8.withContiguousStorageIfAvailable { utf8 in
      for byte in utf8 where byte < 0x20 || byte == quote || byte == backslash { return false }
      out.append(quote)
      out.append(contentsOf: utf8)
      out.append(quote)
      return true
    }
    if copied != true { out.append(contentsOf: JSON.quote(s).utf8) }
  }

}
