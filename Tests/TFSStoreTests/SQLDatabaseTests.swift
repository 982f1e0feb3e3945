import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSStore

/// The store seam's first brick: the same SQL, written once with `?`, gives the same rows on
/// SQLite and on PostgreSQL.
struct SQLDatabaseTests {
  /// Statements and what they must give on both engines.
  static func exercise(_ db: any SQLDatabase) throws -> [String] {
    try db.execute("CREATE TABLE probe (id BIGINT PRIMARY KEY, name TEXT NOT NULL, note TEXT, n INTEGER)", [])
    try db.execute(
      "INSERT INTO probe (id, name, note, n) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
      [.int(1), .text("it's \"quoted\" ?"), .null, SQLValue(true), .int(2), .text("b"), .text("x"), .int(-7)])
    // A '?' inside a literal and a comment is not a placeholder.
    let rows = try db.rows(
      """
      SELECT id, name, note, n, 'a?b' AS literal -- why? nothing
      FROM probe WHERE id >= ? ORDER BY id
      """, [.int(1)])
    let inserted = try db.row(
      "INSERT INTO probe (id, name) VALUES (?, ?) RETURNING id", [.int(3), .text("c")])
    return rows.map { row in
      [
        row.int("id").map(String.init) ?? "nil", row.text("name") ?? "nil", row.text("note") ?? "nil",
        row.int("n").map(String.init) ?? "nil", row.text("literal") ?? "nil",
      ].joined(separator: "|")
    } + ["returning \(inserted?.int("id") ?? -1)", "count \(try db.int("SELECT count(*) FROM probe") ?? -1)"]
  }

  static let expected = [
    #"1|it's "quoted" ?|nil|1|a?b"#, "2|b|x|-7|a?b", "returning 3", "count 3",
  ]

  @Test func theSameStatementsGiveTheSameRowsOnBothEngines() throws {
    try withStore { store, _ in
      let lite = try store.write { db in try Self.exercise(SQLiteDatabase(db: db)) }
      #expect(lite == Self.expected)
    }
    let server = try PostgresServer()
    defer { server.stop() }
    let pg = try PGConnection(url: server.url())
    #expect(try pg.transaction { try Self.exercise($0) } == Self.expected)
  }

  @Test(arguments: [
    ("SELECT ?", "SELECT $1"),
    ("a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"),
    ("x = '?' AND y = ?", "x = '?' AND y = $1"),
    ("x = 'it''s ?' AND y = ?", "x = 'it''s ?' AND y = $1"),
    (#"SELECT "odd?name" FROM t WHERE z = ?"#, #"SELECT "odd?name" FROM t WHERE z = $1"#),
    ("a = ? -- b = ?\nAND c = ?", "a = $1 -- b = ?\nAND c = $2"),
  ])
  func placeholdersAreNumberedOutsideLiterals(sql: String, expected: String) {
    #expect(SQLPlaceholders.numbered(sql) == expected)
  }
}
