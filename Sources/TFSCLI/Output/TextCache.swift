/// Values worked out from text once and then looked up by its UTF-8 bytes, such as a database
/// column read in place: a hit makes no `String` and no copy of the bytes.
struct TextCache<Value> {
  /// Stored keys own their bytes; a lookup borrows the caller's for the call only.
  private enum Key: Hashable {
    case owned([UInt8])
    case borrowed(UnsafeBufferPointer<UInt8>)

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
      switch self {
      case .owned(let bytes): bytes.withUnsafeBufferPointer(body)
      case .borrowed(let bytes): body(bytes)
      }
    }

    static func == (a: Key, b: Key) -> Bool {
      a.withBytes { a in b.withBytes { b in a.elementsEqual(b) } }
    }

    func hash(into hasher: inout Hasher) {
      withBytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
  }

  private var values: [Key: Value] = [:]

  /// How many values are stored.
  var count: Int { values.count }

  /// The value for `text`, made from it (decoded as `String(decoding:as:)`) on first use.
  mutating func value(_ text: UnsafeBufferPointer<UInt8>, make: (String) throws -> Value) rethrows -> Value {
    if let hit = values[.borrowed(text)] { return hit }
    let value = try make(String(decoding: text, as: UTF8.self))
    values[.owned(Array(text))] = value
    return value
  }
}
