import Foundation
import Testing

@testable import TFSCore

/// Reference rows generated from other implementations (see `Fixtures/README.md`), one test case
/// per row. Expected instants are compared both as instants and as the text `tfs next` prints;
/// `Z` in a fixture is read as `+00:00`, the spelling `Times.iso` uses for UTC.
@Suite("Cron fixtures")
struct CronFixtureTests {
  /// One row of `cron_cases.tsv`: `rule zone from direction expected note`.
  struct Case: Sendable, CustomTestStringConvertible {
    let line: Int
    let rule: String
    let zone: String
    let from: String
    let direction: String
    let expected: [String]
    let note: String

    var testDescription: String {
      "line \(line): '\(rule)' \(zone) \(direction) from \(from)" + (note.isEmpty ? "" : " (\(note))")
    }
  }

  /// One row of `cron_invalid.tsv`: `rule field token`.
  struct Invalid: Sendable, CustomTestStringConvertible {
    let line: Int
    let rule: String
    let field: String?
    let token: String?

    var testDescription: String { "line \(line): '\(rule)'" }
  }

  static let casesFile = "cron_cases.tsv"
  /// A row lists at most this many occurrences, fewer only when no more exist within
  /// `horizonDays` of `from` (the generator's "50 years").
  static let rowLength = 5
  static let horizonDays: Int64 = 50 * 365 + 12
  static let invalidFile = "cron_invalid.tsv"

  static func fixtureURL(_ name: String) -> URL? {
    Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.appendingPathComponent(name)
  }

  static let casesHeader = ["rule", "zone", "from", "direction", "expected", "note"]
  static let invalidHeader = ["rule", "field", "token"]

  /// The lines of a fixture split into columns, with their 1-based line numbers; nil when the
  /// file is missing (`fixturesArePresent` reports that).
  static func lines(_ name: String) -> [(Int, [String])]? {
    guard let url = fixtureURL(name), let text = try? String(contentsOf: url, encoding: .utf8) else {
      return nil
    }
    return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap {
      index, raw in
      // Only a truly empty line is skipped: the empty rule is a row of two tabs.
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      if line.isEmpty { return nil }
      return (index + 1, line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
    }
  }

  /// The data rows: the header line dropped, short rows padded with empty columns.
  static func rows(_ name: String, header: [String]) -> [(Int, [String])] {
    guard var all = lines(name) else { return [] }
    if all.first?.1 == header { all.removeFirst() }
    return all.map { line, columns in
      (line, columns + Array(repeating: "", count: max(0, header.count - columns.count)))
    }
  }

  static let cases: [Case] = rows(casesFile, header: casesHeader).map { line, c in
    Case(
      line: line, rule: c[0], zone: c[1], from: c[2], direction: c[3],
      expected: c[4].split(separator: " ").map(String.init), note: c[5])
  }

  static let invalid: [Invalid] = rows(invalidFile, header: invalidHeader).map { line, c in
    Invalid(line: line, rule: c[0], field: c[1].isEmpty ? nil : c[1], token: c[2].isEmpty ? nil : c[2])
  }

  @Test("the fixture files exist, start with their header and have rows")
  func fixturesArePresent() {
    for (name, header) in [(Self.casesFile, Self.casesHeader), (Self.invalidFile, Self.invalidHeader)] {
      let all = Self.lines(name)
      #expect(all != nil, "missing fixture \(name)")
      #expect(all?.first?.1 == header, "\(name) must start with the header \(header)")
      #expect((all?.count ?? 0) > 1, "no rows in \(name)")
      #expect(all?.allSatisfy { $0.1.count == header.count } == true, "\(name) has rows of the wrong width")
    }
  }

  @Test("cron_cases.tsv", arguments: cases)
  func occurrences(_ row: Case) throws {
    let rule = try CronRule(row.rule)
    let zone = CronTest.zone(row.zone)
    let from = try #require(
      Self.instant(row.from, zone: zone), "'\(row.from)' is not an ISO-8601 time")
    let expected = row.expected.map { CronTest.normalised($0) }
    let expectedInstants = expected.map { CronTest.require($0) }
    // Ask for one more than a short row lists: the fixture stops at its 50-year horizon, the
    // engine searches further, so an extra answer must lie beyond that horizon.
    let wanted = expected.count < Self.rowLength ? expected.count + 1 : expected.count
    var actual: [Int64]
    switch row.direction {
    case "next": actual = CronTest.nexts(rule, after: from, in: zone, count: wanted)
    case "prev": actual = CronTest.previouses(rule, before: from, in: zone, count: wanted)
    default:
      Issue.record("unknown direction '\(row.direction)'")
      return
    }
    if actual.count > expected.count {
      let extra = actual.removeLast()
      #expect(abs(extra - from) > Self.horizonDays * 86_400, "unexpected \(CronTest.iso(extra, zone))")
    }
    #expect(actual == expectedInstants)
    #expect(actual.map { CronTest.iso($0, zone) } == expected)
    // The Date API must agree with the epoch-second path it wraps.
    let date = Date(timeIntervalSince1970: TimeInterval(from))
    if row.direction == "next" {
      let dates = rule.occurrences(after: date, in: zone, count: expected.count)
      #expect(dates.map { Int64($0.timeIntervalSince1970) } == actual)
    } else if let first = actual.first {
      #expect(rule.previous(before: date, in: zone) == Date(timeIntervalSince1970: TimeInterval(first)))
    }
  }

  @Test("cron_invalid.tsv", arguments: invalid)
  func rejects(_ row: Invalid) {
    do {
      let rule = try CronRule(row.rule)
      Issue.record("'\(rule)' was accepted")
    } catch {
      #expect(error.field == row.field, "\(error)")
      #expect(error.description.hasPrefix("invalid rule '\(row.rule.trimmingWhitespace())'"))
      if let token = row.token {
        #expect(error.description.contains("'\(token)'"), "\(error)")
      }
    }
  }

  /// `from` with an offset is an instant; without one it is a local time in the row's zone.
  static func instant(_ text: String, zone: TimeZone) -> Int64? {
    if let t = CronTest.instant(CronTest.normalised(text)) { return t }
    return try? Times.parse(text, now: 0, zone: ZoneRules.forZone(zone)) / 1000
  }
}
