import TFSCore

/// Where `Render` puts the fields of an object: a `JSONValue` tree (`JSONPairs`) or bytes
/// written as they come (`JSONWriter`). One field list feeds both, so the fast path of big
/// outputs (`list --json` of 10,000 tasks) cannot drift from the tree `show --json` extends.
protocol JSONFieldSink {
  mutating func field(_ key: String, string: String?)
  mutating func field(_ key: String, int: Int64?)
  mutating func field(_ key: String, bool: Bool)
  mutating func field(_ key: String, strings: [String])
  mutating func field(_ key: String, stringMap: [(String, String)])
  /// A nested object whose fields `build` adds.
  mutating func field(_ key: String, object build: (inout Self) -> Void)
  mutating func field(_ key: String, null: Void)
}

/// Collects fields as `(key, JSONValue)` pairs.
struct JSONPairs: JSONFieldSink {
  var pairs: [(String, JSONValue)] = []

  mutating func field(_ key: String, string: String?) { pairs.append((key, .string(string))) }
  mutating func field(_ key: String, int: Int64?) { pairs.append((key, .int(int))) }
  mutating func field(_ key: String, bool: Bool) { pairs.append((key, .bool(bool))) }
  mutating func field(_ key: String, strings: [String]) {
    pairs.append((key, .array(strings.map { .string($0) })))
  }
  mutating func field(_ key: String, stringMap: [(String, String)]) {
    pairs.append((key, .object(stringMap.map { ($0.0, .string($0.1)) })))
  }
  mutating func field(_ key: String, object build: (inout JSONPairs) -> Void) {
    var nested = JSONPairs()
    build(&nested)
    pairs.append((key, .object(nested.pairs)))
  }
  mutating func field(_ key: String, null: Void) { pairs.append((key, .null)) }
}

/// Writes JSON text straight into a byte buffer, byte-identical to rendering the tree.
struct JSONWriter: JSONFieldSink {
  private(set) var bytes: [UInt8] = []
  /// Whether the innermost open object or array has no member yet.
  private var empty: [Bool] = []

  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// Hands out what is written so far and starts an empty buffer (for streaming big outputs).
  mutating func take() -> [UInt8] {
    defer { bytes.removeAll(keepingCapacity: true) }
    return bytes
  }

  mutating func beginArray() { open(UInt8(ascii: "[")) }
  mutating func endArray() { close(UInt8(ascii: "]")) }
  mutating func beginObject() { open(UInt8(ascii: "{")) }
  mutating func endObject() { close(UInt8(ascii: "}")) }

  /// Separates array elements: call before each one.
  mutating func element() { comma() }

  mutating func field(_ key: String, string: String?) {
    self.key(key)
    if let string { JSONValue.quote(string, into: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
  }
  mutating func field(_ key: String, int: Int64?) {
    self.key(key)
    bytes.append(contentsOf: (int.map(String.init) ?? "null").utf8)
  }
  mutating func field(_ key: String, bool: Bool) {
    self.key(key)
    bytes.append(contentsOf: (bool ? "true" : "false").utf8)
  }
  mutating func field(_ key: String, strings: [String]) {
    self.key(key)
    beginArray()
    for s in strings {
      comma()
      JSONValue.quote(s, into: &bytes)
    }
    endArray()
  }
  mutating func field(_ key: String, stringMap: [(String, String)]) {
    self.key(key)
    beginObject()
    for (k, v) in stringMap { field(k, string: v) }
    endObject()
  }
  mutating func field(_ key: String, object build: (inout JSONWriter) -> Void) {
    self.key(key)
    beginObject()
    build(&self)
    endObject()
  }
  mutating func field(_ key: String, null: Void) {
    self.key(key)
    bytes.append(contentsOf: "null".utf8)
  }

  /// Keys are this program's snake_case literals: nothing to escape.
  private mutating func key(_ key: String) {
    comma()
    bytes.append(UInt8(ascii: "\""))
    bytes.append(contentsOf: key.utf8)
    bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
  }

  private mutating func comma() {
    guard let last = empty.indices.last else { return }
    if empty[last] { empty[last] = false } else { bytes.append(UInt8(ascii: ",")) }
  }

  private mutating func open(_ byte: UInt8) {
    bytes.append(byte)
    empty.append(true)
  }

  private mutating func close(_ byte: UInt8) {
    bytes.append(byte)
    empty.removeLast()
  }
}
