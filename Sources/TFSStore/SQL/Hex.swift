/// Bytes as hexadecimal text: how a log travels to and from PostgreSQL's `bytea` through
/// libpq's text parameters (`decode(?, 'hex')`, `encode(…, 'hex')`).
enum Hex {
  private static let digits = Array("0123456789abcdef".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out = [UInt8](repeating: 0, count: bytes.count * 2)
    for (i, byte) in bytes.enumerated() {
      out[2 * i] = digits[Int(byte >> 4)]
      out[2 * i + 1] = digits[Int(byte & 0x0F)]
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// nil when `text` is not an even run of hexadecimal digits.
  static func decode(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 2 == 0 else { return nil }
    var out = [UInt8](repeating: 0, count: chars.count / 2)
    for i in 0..<out.count {
      guard let high = value(chars[2 * i]), let low = value(chars[2 * i + 1]) else { return nil }
      out[i] = high << 4 | low
    }
    return out
  }

  private static func value(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
