import TFSCore

/// Where `Render` puts the fields of an object: a `JSONValue` tree (`JSONPairs`) or bytes
/// written as they come (`JSONWriter`). One field list feeds both, so the fast path of big
/// outputs (`list --json` of 10,000 tasks) cannot drift from the tree `show --json` extends.
/// Keys are `StaticString`s, this program's snake_case literals: written with no copy and no
/// escape check.
protocol JSONFieldSink {
  mutating func field(_ key: StaticString, string: String?)
  /// Text given as UTF-8 bytes (nil: null), such as a database column read in place; invalid
  /// UTF-8 is repaired as `String(decoding:as:)` does.
  mutating func field(_ key: StaticString, utf8: UnsafeBufferPointer<UInt8>?)
  mutating func field(_ key: StaticString, int: Int64?)
  /// An instant as `Times.iso` text in `zone`, or null.
  mutating func field(_ key: StaticString, time ms: Int64?, zone: ZoneRules)
  mutating func field(_ key: StaticString, bool: Bool)
  mutating func field(_ key: StaticString, strings: [String])
  mutating func field(_ key: StaticString, stringMap: [(String, String)])
  /// A nested object whose fields `build` adds.
  mutating func field(_ key: StaticString, object build: (inout Self) -> Void)
  mutating func field(_ key: StaticString, null: Void)
}

/// Collects fields as `(key, JSONValue)` pairs.
struct JSONPairs: JSONFieldSink {
  var pairs: [(String, JSONValue)] = []

  mutating func field(_ key: StaticString, string: String?) {
    pairs.append((key.description, .string(string)))
  }
  mutating func field(_ key: StaticString, utf8: UnsafeBufferPointer<UInt8>?) {
    field(key, string: utf8.map { String(decoding: $0, as: UTF8.self) })
  }
  mutating func field(_ key: StaticString, int: Int64?) { pairs.append((key.description, .int(int))) }
  mutating func field(_ key: StaticString, time ms: Int64?, zone: ZoneRules) {
    pairs.append((key.description, .string(ms.map { Times.iso(epochMs: $0, zone: zone) })))
  }
  mutating func field(_ key: StaticString, bool: Bool) { pairs.append((key.description, .bool(bool))) }
  mutating func field(_ key: StaticString, strings: [String]) {
    pairs.append((key.description, .array(strings.map { .string($0) })))
  }
  mutating func field(_ key: StaticString, stringMap: [(String, String)]) {
    pairs.append((key.description, .object(stringMap.map { ($0.0, .string($0.1)) })))
  }
  mutating func field(_ key: StaticString, object build: (inout JSONPairs) -> Void) {
    var nested = JSONPairs()
    build(&nested)
    pairs.append((key.description, .object(nested.pairs)))
  }
  mutating func field(_ key: StaticString, null: Void) { pairs.append((key.description, .null)) }
}

/// Writes JSON text straight into a byte buffer, byte-identical to rendering the tree.
struct JSONWriter: JSONFieldSink {
  private(set) var bytes: [UInt8] = []
  /// Whether the innermost open object or array has no member yet.
  private var empty: [Bool] = []

  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  /// Hands what is written so far to `body` and empties the buffer, keeping its memory (for
  /// streaming big outputs without a copy per chunk).
  mutating func flush(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
    bytes.withUnsafeBufferPointer(body)
    bytes.removeAll(keepingCapacity: true)
  }

  mutating func beginArray() { open(UInt8(ascii: "[")) }
  mutating func endArray() { close(UInt8(ascii: "]")) }
  mutating func beginObject() { open(UInt8(ascii: "{")) }
  mutating func endObject() { close(UInt8(ascii: "}")) }

  /// Separates array elements: call before each one.
  mutating func element() { comma() }

  mutating func field(_ key: StaticString, string: String?) {
    self.key(key)
    if let string { JSONValue.quote(string, into: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
  }
  mutating func field(_ key: StaticString, utf8: UnsafeBufferPointer<UInt8>?) {
    self.key(key)
    guard let utf8 else { return bytes.append(contentsOf: "null".utf8) }
    // Printable ASCII other than `"` and `\` is its own JSON text; anything else (escapes,
    // multi-byte or invalid UTF-8) goes the way of a `String`.
    for byte in utf8
    where byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
      return JSONValue.quote(String(decoding: utf8, as: UTF8.self), into: &bytes)
    }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(contentsOf: utf8)
    bytes.append(UInt8(ascii: "\""))
  }
  mutating func field(_ key: StaticString, int: Int64?) {
    self.key(key)
    guard let int else { return bytes.append(contentsOf: "null".utf8) }
    append(int)
  }
  mutating func field(_ key: StaticString, time ms: Int64?, zone: ZoneRules) {
    self.key(key)
    guard let ms else { return bytes.append(contentsOf: "null".utf8) }
    bytes.append(UInt8(ascii: "\""))
    Times.appendISO(epochMs: ms, zone: zone, to: &bytes)
    bytes.append(UInt8(ascii: "\""))
  }
  mutating func field(_ key: StaticString, bool: Bool) {
    self.key(key)
    bytes.append(contentsOf: (bool ? "true" : "false").utf8)
  }
  mutating func field(_ key: StaticString, strings: [String]) {
    self.key(key)
    beginArray()
    for s in strings {
      comma()
      JSONValue.quote(s, into: &bytes)
    }
    endArray()
  }
  mutating func field(_ key: StaticString, stringMap: [(String, String)]) {
    self.key(key)
    beginObject()
    for (k, v) in stringMap {
      comma()
      JSONValue.quote(k, into: &bytes)
      bytes.append(UInt8(ascii: ":"))
      JSONValue.quote(v, into: &bytes)
    }
    endObject()
  }
  mutating func field(_ key: StaticString, object build: (inout JSONWriter) -> Void) {
    self.key(key)
    beginObject()
    build(&self)
    endObject()
  }
  mutating func field(_ key: StaticString, null: Void) {
    self.key(key)
    bytes.append(contentsOf: "null".utf8)
  }

  private mutating func key(_ key: StaticString) {
    comma()
    bytes.append(UInt8(ascii: "\""))
    key.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: ":"))
  }

  /// Decimal digits of `value`, without the `String` that `String(value)` would allocate.
  private mutating func append(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 20 digits fit in 32 bytes
    withUnsafeMutableBytes(of: &digits) { buffer in
      var at = buffer.count
      repeat {
        at -= 1
        buffer[at] = UInt8(48 + magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
      bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[at...]))
    }
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
