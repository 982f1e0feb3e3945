import GRDB

/// The first brick of the store seam (docs/CLUSTER.md, "The store seam"): what the store's logic
/// needs from a connection inside a transaction, the same for SQLite (through GRDB) and
/// PostgreSQL (through libpq), so that one implementation of each operation serves both. SQL is
/// written once with `?` placeholders; PostgreSQL gets `$1`, `$2`… (`SQLPlaceholders`). Where the
/// two dialects differ, the caller asks `dialect`.
protocol SQLDatabase {
  var dialect: SQLDialect { get }
  func execute(_ sql: String, _ arguments: [SQLValue]) throws
  func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
}

enum SQLDialect: Sendable {
  case sqlite, postgres
}

extension SQLDatabase {
  func row(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLRow? {
    try rows(sql, arguments).first
  }

  /// The first column of the first row as an integer (nil when there is no row or it is NULL).
  func int(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64? {
    try row(sql, arguments)?.int(0)
  }

  func text(_ sql: String, _ arguments: [SQLValue] = []) throws -> String? {
    try row(sql, arguments)?.text(0)
  }
}

/// A value bound to a statement or read from a row. SQLite's 0/1 booleans are integers here
/// too, and the PostgreSQL schema keeps them as INTEGER columns.
enum SQLValue: Equatable, Sendable {
  case null
  case int(Int64)
  case text(String)

  init(_ value: Int64?) { self = value.map { .int($0) } ?? .null }
  init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
  init(_ value: String?) { self = value.map { .text($0) } ?? .null }
  init(_ value: Bool) { self = .int(value ? 1 : 0) }
}

/// A row of either engine, read by position or by column name.
struct SQLRow {
  let columns: [String]
  let values: [SQLValue]

  func value(_ column: String) -> SQLValue {
    guard let index = columns.firstIndex(of: column) else { return .null }
    return values[index]
  }

  func int(_ column: String) -> Int64? { Self.int(value(column)) }
  func text(_ column: String) -> String? { Self.text(value(column)) }
  func int(_ index: Int) -> Int64? { index < values.count ? Self.int(values[index]) : nil }
  func text(_ index: Int) -> String? { index < values.count ? Self.text(values[index]) : nil }

  /// PostgreSQL sends every value as text: an integer column reads as one from its digits.
  private static func int(_ value: SQLValue) -> Int64? {
    switch value {
    case .null: nil
    case .int(let n): n
    case .text(let text): Int64(text)
    }
  }

  private static func text(_ value: SQLValue) -> String? {
    switch value {
    case .null: nil
    case .int(let n): String(n)
    case .text(let text): text
    }
  }
}

/// A GRDB connection inside one of the store's transactions.
struct SQLiteDatabase: SQLDatabase {
  let db: Database
  var dialect: SQLDialect { .sqlite }

  // Statements are prepared once per connection and SQL text (GRDB's statement cache), as the
  // store's hot paths did before the seam.
  func execute(_ sql: String, _ arguments: [SQLValue]) throws {
    try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments.map(Self.bind)))
  }

  func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
    let statement = try db.cachedStatement(sql: sql)
    let columns = statement.columnNames
    return try Row.fetchAll(statement, arguments: StatementArguments(arguments.map(Self.bind))).map { row in
      SQLRow(
        columns: columns,
        values: row.databaseValues.map { value in
          switch value.storage {
          case .null: .null
          case .int64(let n): .int(n)
          case .double(let d): .text(String(d))
          case .string(let s): .text(s)
          case .blob(let data): .text(String(decoding: data, as: UTF8.self))
          }
        })
    }
  }

  private static func bind(_ value: SQLValue) -> (any DatabaseValueConvertible)? {
    switch value {
    case .null: nil
    case .int(let n): n
    case .text(let s): s
    }
  }
}

extension PGConnection: SQLDatabase {
  var dialect: SQLDialect { .postgres }

  func execute(_ sql: String, _ arguments: [SQLValue]) throws {
    try query(SQLPlaceholders.numbered(sql), arguments.map(Self.bind))
  }

  func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
    let result = try query(SQLPlaceholders.numbered(sql), arguments.map(Self.bind))
    return result.rows.map {
      SQLRow(columns: result.columns, values: $0.map { $0.map(SQLValue.text) ?? .null })
    }
  }

  private static func bind(_ value: SQLValue) -> String? {
    switch value {
    case .null: nil
    case .int(let n): String(n)
    case .text(let s): s
    }
  }
}

/// SQLite's `?` placeholders as PostgreSQL's `$1`, `$2`…, leaving string literals, quoted
/// identifiers and comments alone.
enum SQLPlaceholders {
  static func numbered(_ sql: String) -> String {
    var out = ""
    out.reserveCapacity(sql.utf8.count + 16)
    var count = 0
    var quote: Character?
    var lineComment = false
    var previous: Character = " "
    for char in sql {
      if lineComment {
        if char == "\n" { lineComment = false }
      } else if let open = quote {
        if char == open { quote = nil }
      } else if char == "'" || char == "\"" {
        quote = char
      } else if char == "-" && previous == "-" {
        lineComment = true
      } else if char == "?" {
        count += 1
        out += "$\(count)"
        previous = char
        continue
      }
      out.append(char)
      previous = char
    }
    return out
  }
}
