/// TOML strings (the four kinds) and integers, read into their values.
extension TOMLReader {
  func matches(_ word: String) -> Bool {
    let w = Array(word.utf8)
    guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else { return false }
    return at + w.count == bytes.count || !isBareKey(bytes[at + w.count])
  }

  mutating func number() throws(TOMLError) -> TOMLValue {
    let start = at
    while let c = current,
      isBareKey(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    {
      at += 1
    }
    let text = String(decoding: bytes[start..<at], as: UTF8.self)
    guard !text.isEmpty else { throw fail("invalid value '\(describe(bytes[start]))'; quote text") }
    let digits = text.filter { $0 != "_" }
    if let n = Int64(digits), !text.hasPrefix("_"), !text.hasSuffix("_"), !text.contains("__"),
      !(digits.count > 1 && digits.hasPrefix("0")), !digits.hasPrefix("+0") || digits == "+0"
    {
      return .integer(n)
    }
    if text.contains(":") || text.filter({ $0 == "-" }).count >= 2 {
      throw fail("date and time values are not used in task files; write times as strings")
    }
    let numeric = text.first.map { $0.isNumber || $0 == "+" || $0 == "-" } ?? false
    let special = ["inf", "nan"].contains(String(text.drop(while: { $0 == "+" || $0 == "-" })))
    if special || (numeric && (text.contains(".") || text.lowercased().contains("e"))) {
      throw fail("invalid value '\(text)': floats are not used in task files; quote text")
    }
    throw fail("invalid value '\(text)'; quote text (\"\(text)\")")
  }

  mutating func literalString() throws(TOMLError) -> String {
    at += 1
    let start = at
    while let c = current, c != UInt8(ascii: "'") {
      if c == 0x0A || (c < 0x20 && c != 0x09) || c == 0x7F {
        throw fail(c == 0x0A ? "unterminated string: expected '" : "control character in a string")
      }
      at += 1
    }
    guard current != nil else { throw fail("unterminated string: expected '") }
    defer { at += 1 }
    return String(decoding: bytes[start..<at], as: UTF8.self)
  }

  mutating func basicString() throws(TOMLError) -> String {
    at += 1
    var out: [UInt8] = []
    while let c = current, c != UInt8(ascii: "\"") {
      if c == 0x0A || (c < 0x20 && c != 0x09) || c == 0x7F {
        throw fail(
          c == 0x0A ? "unterminated string: expected '\"'" : "control character in a string; escape it")
      }
      if c == UInt8(ascii: "\\") {
        try escape(into: &out)
      } else {
        out.append(c)
        at += 1
      }
    }
    guard current != nil else { throw fail("unterminated string: expected '\"'") }
    at += 1
    return String(decoding: out, as: UTF8.self)
  }

  mutating func multilineBasic() throws(TOMLError) -> String {
    at += 3
    try trimFirstNewline()
    var out: [UInt8] = []
    while let c = current {
      if c == UInt8(ascii: "\""), peek(1) == c, peek(2) == c {
        at += 3
        // Up to two quotes may sit right before the closing three.
        for _ in 0..<2 where current == c {
          out.append(c)
          at += 1
        }
        return String(decoding: out, as: UTF8.self)
      }
      if c == UInt8(ascii: "\\") {
        if try lineEndingBackslash() { continue }
        try escape(into: &out)
        continue
      }
      try appendRaw(c, into: &out)
    }
    throw fail("unterminated multi-line string: expected '\"\"\"'")
  }

  mutating func multilineLiteral() throws(TOMLError) -> String {
    at += 3
    try trimFirstNewline()
    var out: [UInt8] = []
    while let c = current {
      if c == UInt8(ascii: "'"), peek(1) == c, peek(2) == c {
        at += 3
        for _ in 0..<2 where current == c {
          out.append(c)
          at += 1
        }
        return String(decoding: out, as: UTF8.self)
      }
      try appendRaw(c, into: &out)
    }
    throw fail("unterminated multi-line string: expected \"'''\"")
  }

  private mutating func trimFirstNewline() throws(TOMLError) {
    if current == 0x0D && peek(1) == 0x0A { at += 1 }
    if current == 0x0A {
      at += 1
      line += 1
    }
  }

  private mutating func appendRaw(_ c: UInt8, into out: inout [UInt8]) throws(TOMLError) {
    if c == 0x0D && peek(1) == 0x0A {
      at += 1
      return
    }
    if (c < 0x20 && c != 0x09 && c != 0x0A) || c == 0x7F {
      throw fail("control character in a string; escape it")
    }
    if c == 0x0A { line += 1 }
    out.append(c)
    at += 1
  }

  /// A `\` ending a line in a multi-line basic string: it and the whitespace after go.
  private mutating func lineEndingBackslash() throws(TOMLError) -> Bool {
    var probe = at + 1
    while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
    if probe < bytes.count, bytes[probe] == 0x0D { probe += 1 }
    guard probe < bytes.count, bytes[probe] == 0x0A else { return false }
    at = probe
    while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
      if c == 0x0A { line += 1 }
      at += 1
    }
    return true
  }

  private mutating func escape(into out: inout [UInt8]) throws(TOMLError) {
    at += 1
    guard let c = current else { throw fail("unterminated string") }
    at += 1
    let simple: [UInt8: UInt8] = [
      UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "f"): 0x0C,
      UInt8(ascii: "r"): 0x0D, UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C,
    ]
    if let byte = simple[c] {
      out.append(byte)
      return
    }
    guard c == UInt8(ascii: "u") || c == UInt8(ascii: "U") else {
      throw fail("invalid escape '\\\(describe(c))' in a string; write '\\\\' for a backslash")
    }
    let count = c == UInt8(ascii: "u") ? 4 : 8
    guard at + count <= bytes.count,
      let value = UInt32(String(decoding: bytes[at..<at + count], as: UTF8.self), radix: 16),
      let scalar = Unicode.Scalar(value)
    else { throw fail("invalid \\\(describe(c)) escape: \(count) hex digits of a Unicode scalar expected") }
    at += count
    out.append(contentsOf: Array(String(Character(scalar)).utf8))
  }
}
