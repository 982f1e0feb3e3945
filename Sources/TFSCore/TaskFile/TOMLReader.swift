/// Reads a TOML document (toml.io v1.0): comments, `[table]` and `[[array]]` headers, bare,
/// quoted and dotted keys, the four kinds of strings, integers, booleans, arrays and inline
/// tables. Floats and date-times are refused by name. A bad line is reported and reading goes
/// on at the next line, so one pass names every problem.
public struct TOMLReader {
  private let bytes: [UInt8]
  private var at = 0
  private var line = 1
  public private(set) var problems: [TOMLError] = []

  /// Reads `text`; `problems` lists what could not be read (the root holds the rest).
  public static func read(_ text: String) -> (root: TOMLTable, problems: [TOMLError]) {
    var reader = TOMLReader(bytes: Array(text.utf8))
    let root = reader.document()
    return (root, reader.problems)
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private var current: UInt8? { at < bytes.count ? bytes[at] : nil }
  private func peek(_ offset: Int) -> UInt8? { at + offset < bytes.count ? bytes[at + offset] : nil }

  private mutating func document() -> TOMLTable {
    let root = TOMLTable(line: 1)
    var table = root
    while current != nil {
      skipSpaces()
      let isHeader = current == UInt8(ascii: "[")
      do {
        if isHeader {
          table = try header(root)
        } else if !atLineEnd {
          try keyValue(into: table)
        }
        try endOfLine()
      } catch {
        problems.append(error)
        skipLine()
        if isHeader { table = TOMLTable(line: error.line) }  // the keys under a bad header go nowhere
      }
    }
    return root
  }

  // MARK: lines

  private var atLineEnd: Bool {
    guard let c = current else { return true }
    return c == 0x0A || c == 0x23 || (c == 0x0D && peek(1) == 0x0A)
  }

  private mutating func skipSpaces() {
    while let c = current, c == 0x20 || c == 0x09 { at += 1 }
  }

  private mutating func skipLine() {
    while let c = current {
      at += 1
      if c == 0x0A {
        line += 1
        return
      }
    }
  }

  /// Spaces, an optional comment, then the line's end.
  private mutating func endOfLine() throws(TOMLError) {
    skipSpaces()
    if current == 0x23 { try comment() }
    if current == 0x0D && peek(1) == 0x0A { at += 1 }
    guard let c = current else { return }
    guard c == 0x0A else {
      throw fail("unexpected '\(describe(c))' after the value; one key = value per line")
    }
    at += 1
    line += 1
  }

  private mutating func comment() throws(TOMLError) {
    while let c = current, c != 0x0A {
      if c == 0x0D && peek(1) == 0x0A { return }
      if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("control character in a comment") }
      at += 1
    }
  }

  /// Blank lines, comments and line breaks inside an array.
  private mutating func skipBlank() throws(TOMLError) {
    while true {
      skipSpaces()
      if current == 0x23 { try comment() }
      if current == 0x0D && peek(1) == 0x0A { at += 1 }
      guard current == 0x0A else { return }
      at += 1
      line += 1
    }
  }

  private func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }

  private func describe(_ c: UInt8) -> String {
    c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
  }

  // MARK: tables

  private mutating func header(_ root: TOMLTable) throws(TOMLError) -> TOMLTable {
    at += 1
    let isArray = current == UInt8(ascii: "[")
    if isArray { at += 1 }
    let path = try dottedKey()
    skipSpaces()
    let close = isArray ? "]]" : "]"
    for c in close.utf8 {
      guard current == c else {
        throw fail("invalid header: expected '\(close)' after [\(path.joined(separator: "."))")
      }
      at += 1
    }
    let parent = try walk(root, path.dropLast(), creating: true)
    let name = path.last!
    if isArray {
      let table = TOMLTable(line: line)
      switch parent[name]?.value {
      case nil: try parent.add(name, .tables([table]), line: line)
      case .tables(let list): parent.replace(name, with: .tables(list + [table]))
      case let other?:
        throw fail("invalid header [[\(path.joined(separator: "."))]]: '\(name)' is already \(other.kind)")
      }
      return table
    }
    switch parent[name]?.value {
    case nil:
      let table = TOMLTable(line: line)
      table.hasHeader = true
      try parent.add(name, .table(table), line: line)
      return table
    case .table(let table) where !table.hasHeader && !table.isInline:
      table.hasHeader = true
      return table
    case let other?:
      let first = parent[name]!.line
      throw fail(
        "invalid header [\(path.joined(separator: "."))]: '\(name)' is already \(other.kind) (line \(first))")
    }
  }

  /// The table at `path` under `table` (the last table of an array of tables), made when
  /// missing if `creating`.
  private func walk(_ table: TOMLTable, _ path: ArraySlice<String>, creating: Bool) throws(TOMLError)
    -> TOMLTable
  {
    var table = table
    for key in path {
      switch table[key]?.value {
      case nil:
        let next = TOMLTable(line: line)
        try table.add(key, .table(next), line: line)
        table = next
      case .table(let next) where !next.isInline: table = next
      case .tables(let list): table = list[list.count - 1]
      case let other?: throw fail("'\(key)' is \(other.kind) (line \(table[key]!.line)), not a table")
      }
    }
    return table
  }

  private mutating func keyValue(into table: TOMLTable) throws(TOMLError) {
    let path = try dottedKey()
    skipSpaces()
    guard current == UInt8(ascii: "=") else {
      throw fail("expected '=' after the key '\(path.joined(separator: "."))'")
    }
    at += 1
    skipSpaces()
    let keyLine = line
    let value = try value()
    let owner = try walk(table, path.dropLast(), creating: true)
    do {
      try owner.add(path.last!, value, line: keyLine)
    } catch {
      throw TOMLError(line: keyLine, message: error.message)
    }
  }

  // MARK: keys

  private mutating func dottedKey() throws(TOMLError) -> [String] {
    var parts: [String] = []
    while true {
      skipSpaces()
      parts.append(try simpleKey())
      skipSpaces()
      guard current == UInt8(ascii: ".") else { return parts }
      at += 1
    }
  }

  private mutating func simpleKey() throws(TOMLError) -> String {
    if current == UInt8(ascii: "\"") { return try basicString() }
    if current == UInt8(ascii: "'") { return try literalString() }
    let start = at
    while let c = current, isBareKey(c) { at += 1 }
    guard at > start else {
      throw fail(current.map { "expected a key, found '\(describe($0))'" } ?? "expected a key")
    }
    return String(decoding: bytes[start..<at], as: UTF8.self)
  }

  private func isBareKey(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
  }

  // MARK: values

  private mutating func value() throws(TOMLError) -> TOMLValue {
    guard let c = current, c != 0x0A, c != 0x23 else { throw fail("missing value after '='") }
    switch c {
    case UInt8(ascii: "\""):
      return .string(peek(1) == c && peek(2) == c ? try multilineBasic() : try basicString())
    case UInt8(ascii: "'"):
      return .string(peek(1) == c && peek(2) == c ? try multilineLiteral() : try literalString())
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "{"): return try inlineTable()
    case UInt8(ascii: "t"), UInt8(ascii: "f"):
      for word in ["true", "false"] where matches(word) {
        at += word.utf8.count
        return .bool(word == "true")
      }
      throw fail("invalid value: write true or false, or quote text")
    default: return try number()
    }
  }

  private func matches(_ word: String) -> Bool {
    let w = Array(word.utf8)
    guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else { return false }
    return at + w.count == bytes.count || !isBareKey(bytes[at + w.count])
  }

  private mutating func number() throws(TOMLError) -> TOMLValue {
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

  private mutating func array() throws(TOMLError) -> TOMLValue {
    at += 1
    var items: [TOMLValue] = []
    while true {
      try skipBlank()
      if current == UInt8(ascii: "]") {
        at += 1
        return .array(items)
      }
      guard current != nil else { throw fail("unterminated array: expected ']'") }
      items.append(try value())
      try skipBlank()
      if current == UInt8(ascii: ",") {
        at += 1
      } else if current != UInt8(ascii: "]") {
        throw fail("expected ',' or ']' in the array")
      }
    }
  }

  private mutating func inlineTable() throws(TOMLError) -> TOMLValue {
    at += 1
    let table = TOMLTable(line: line)
    table.isInline = true
    skipSpaces()
    if current == UInt8(ascii: "}") {
      at += 1
      return .table(table)
    }
    while true {
      try keyValue(into: table)
      skipSpaces()
      if current == UInt8(ascii: "}") {
        at += 1
        return .table(table)
      }
      guard current == UInt8(ascii: ",") else {
        throw fail("expected ',' or '}' in the inline table (it must stay on one line)")
      }
      at += 1
    }
  }
}

// MARK: strings

extension TOMLReader {
  private mutating func literalString() throws(TOMLError) -> String {
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

  private mutating func basicString() throws(TOMLError) -> String {
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

  private mutating func multilineBasic() throws(TOMLError) -> String {
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

  private mutating func multilineLiteral() throws(TOMLError) -> String {
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
