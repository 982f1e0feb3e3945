/// A TOML value (toml.io v1.0) of the kinds task files use. Floats and date-times are not
/// among them: the reader names them as unsupported rather than guessing.
public enum TOMLValue: Sendable {
  case string(String)
  case integer(Int64)
  case bool(Bool)
  case array([TOMLValue])
  case table(TOMLTable)
  /// An array of tables (`[[task]]`).
  case tables([TOMLTable])

  /// What a message calls it: `a string`, `an array`…
  public var kind: String {
    switch self {
    case .string: "a string"
    case .integer: "an integer"
    case .bool: "a boolean"
    case .array: "an array"
    case .table: "a table"
    case .tables: "an array of tables"
    }
  }
}

/// A TOML table: its keys in the order written, each with the line that set it.
public final class TOMLTable: @unchecked Sendable {
  public struct Entry: Sendable {
    public let key: String
    public fileprivate(set) var value: TOMLValue
    public let line: Int
  }

  public private(set) var entries: [Entry] = []
  private var positions: [String: Int] = [:]
  /// The line of its header, or of the key that made it.
  public let line: Int
  /// Made by a `[header]`: a second header for it is an error.
  var hasHeader = false
  /// An inline table (`{ … }`): complete as written.
  var isInline = false

  init(line: Int) { self.line = line }

  public subscript(key: String) -> Entry? { positions[key].map { entries[$0] } }

  /// Adds `key`, or fails naming the line that set it first.
  func add(_ key: String, _ value: TOMLValue, line: Int) throws(TOMLError) {
    if let existing = self[key] {
      throw TOMLError(line: line, message: "duplicate key '\(key)' (first set on line \(existing.line))")
    }
    positions[key] = entries.count
    entries.append(Entry(key: key, value: value, line: line))
  }

  func replace(_ key: String, with value: TOMLValue) {
    if let at = positions[key] { entries[at].value = value }
  }
}

/// A problem in a TOML text, with its 1-based line.
public struct TOMLError: Error, Equatable, Sendable {
  public let line: Int
  public let message: String
}

/// Writes TOML values so that `TOMLReader` reads them back exactly.
public enum TOMLWriter {
  /// A key: bare when it can be, else a quoted string.
  public static func key(_ key: String) -> String {
    let bare =
      !key.isEmpty
      && key.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
          || $0 == "-"
      }
    return bare ? key : string(key)
  }

  /// A basic string on one line, every control character escaped.
  public static func string(_ text: String) -> String { "\"" + escaped(text, keepNewlines: false) + "\"" }

  /// A multi-line basic string when `text` has line breaks (a description), else `string`.
  public static func text(_ text: String) -> String {
    guard text.contains("\n") else { return string(text) }
    return "\"\"\"\n" + escaped(text, keepNewlines: true) + "\"\"\""
  }

  public static func array(_ items: [String]) -> String {
    "[" + items.map(string).joined(separator: ", ") + "]"
  }

  private static func escaped(_ text: String, keepNewlines: Bool) -> String {
    var out = ""
    let scalars = Array(text.unicodeScalars)
    for (i, scalar) in scalars.enumerated() {
      switch scalar {
      // In a multi-line string only a quote that could run into the closing `"""` is escaped.
      case "\"" where keepNewlines && i + 1 < scalars.count && scalars[i + 1] != "\"": out += "\""
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += keepNewlines ? "\n" : "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
