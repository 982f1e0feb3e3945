import Foundation
import Testing

@testable import TFSCore

/// Helpers shared by the cron tests. Instants are parsed with Foundation's ISO-8601 parser, not
/// with `Times.parse`, so a bug in the code under test cannot hide in the expectations.
enum CronTest {
  /// The named zone; records an issue (and falls back to UTC) when the name is unknown.
  static func zone(_ name: String) -> TimeZone {
    if let zone = TimeZone(identifier: name) { return zone }
    Issue.record("unknown time zone '\(name)'")
    return TimeZone(identifier: "UTC") ?? .current
  }

  /// Epoch seconds of `2024-03-10T03:00:00-04:00` (or `…Z`); nil when it has no offset.
  static func instant(_ text: String) -> Int64? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { return nil }
    return Int64(date.timeIntervalSince1970)
  }

  /// Like `instant(_:)` but records an issue for a malformed expectation.
  static func require(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Int64 {
    guard let t = instant(text) else {
      Issue.record("'\(text)' is not an ISO-8601 instant with an offset", sourceLocation: sourceLocation)
      return 0
    }
    return t
  }

  /// `Times.iso` prints `+00:00` for UTC; fixtures may say `Z`.
  static func normalised(_ text: String) -> String {
    text.hasSuffix("Z") ? String(text.dropLast()) + "+00:00" : text
  }

  static func iso(_ t: Int64, _ zone: TimeZone) -> String {
    Times.iso(epochSeconds: t, zone: ZoneRules.forZone(zone))
  }

  /// The next `count` occurrences after `from` (epoch-second path), chained.
  static func nexts(_ rule: CronRule, after from: Int64, in zone: TimeZone, count: Int) -> [Int64] {
    let rules = ZoneRules.forZone(zone)
    var out: [Int64] = []
    var cursor = from
    while out.count < count, let t = rule.next(after: cursor, in: rules) {
      out.append(t)
      cursor = t
    }
    return out
  }

  /// The previous `count` occurrences before `from`, nearest first.
  static func previouses(_ rule: CronRule, before from: Int64, in zone: TimeZone, count: Int) -> [Int64] {
    let rules = ZoneRules.forZone(zone)
    var out: [Int64] = []
    var cursor = from
    while out.count < count, let t = rule.previous(before: cursor, in: rules) {
      out.append(t)
      cursor = t
    }
    return out
  }
}
