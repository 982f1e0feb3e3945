/// Reads a TOML document (toml.io v1.0): comments, `[table]` and `[[array]]` headers, bare,
/// quoted and dotted keys, the four kinds of strings, integers, booleans, arrays and inline
/// tables. Floats and date-times are refused by name. A bad line is reported and reading goes
/// on at the next line, so one pass names every problem.
public struct TOMLReader {
  let bytes: [UInt8]
  var at = 0
  var line = 1
  public private(set) var problems: [TOMLError] = []

  /// Reads `text`; `problems` lists what could not be read (the root holds the rest).
  public static func read(_ text: String) -> (root: TOMLTable, problems: [TOMLError]) {
    var reader = TOMLReader(bytes: Array(text.utf8))
    let root = reader.document()
    return (root, reader.problems)
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  var current: UInt8? { at < bytes.count ? bytes[at] : nil }
  func peek(_ offset: Int) -> UInt8? { at + offset < bytes.count ? bytes[at + offset] : nil }

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

  func fail(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }

  func describe(_ c: UInt8) -> String {
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
    let parent = try walk(root, path.dropLast())
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
  /// missing.
  private func walk(_ table: TOMLTable, _ path: ArraySlice<String>) throws(TOMLError)
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
    let owner = try walk(table, path.dropLast())
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

  func isBareKey(_ c: UInt8) -> Bool {
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
