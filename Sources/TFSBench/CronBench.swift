import Foundation
import TFSCore

/// `tfs-bench cron`: next-occurrence computations per second (SPEC §8 P7, target ≥ 1,000,000/s).
///
/// Each measurement chains `t = rule.next(after: t, in: zone)` on the epoch-second fast path
/// with the zone's `ZoneRules` built once, the way the daemon computes a task's next fire. A
/// chain that reaches 2100 restarts at 2024 so every rule is measured on the same calendar
/// span. The reported rate is the median of several runs of about `--seconds` each.
enum CronBench {
  static let defaultRules = [
    "* * * * * *", "*/5 * * * * *", "0 */15 * * * *", "0 30 9 * * 1-5", "0 0 0 * * *", "0 0 12 L * *",
    "@hourly",
  ]
  static let defaultZones = ["UTC", "America/New_York"]
  static let start: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z
  static let horizon: Int64 = 4_102_444_800  // 2100-01-01T00:00:00Z
  static let target = 1_000_000.0

  static let help = """
    usage: tfs-bench cron [--json] [--repetitions N] [--seconds S] [--rule RULE]... [--zone ZONE]...

    Measures chained next-occurrence computations per second for each rule in each zone and
    prints the median of N runs (default 7) of about S seconds each (default 0.2).
      --json          one JSON object: {"benchmark", "unit", "repetitions", "results": [{"rule",
                      "zone", "iterations", "median_per_second", "min_per_second",
                      "max_per_second"}]}
      --rule RULE     measure this rule instead of the default set (repeatable)
      --zone ZONE     measure in this IANA zone instead of UTC and America/New_York (repeatable)

    """

  struct Options {
    var json = false
    var repetitions = 7
    var seconds = 0.2
    var rules: [String] = []
    var zones: [String] = []
  }

  struct Result: Encodable {
    let rule: String
    let zone: String
    let iterations: Int
    let medianPerSecond: Double
    let minPerSecond: Double
    let maxPerSecond: Double
  }

  struct Report: Encodable {
    var benchmark = "cron-next"
    var unit = "next occurrences per second"
    let repetitions: Int
    let results: [Result]
  }

  static func main(_ arguments: [String]) -> Int32 {
    let options: Options
    do {
      guard let parsed = try parse(arguments) else {
        print(help, terminator: "")
        return 0
      }
      options = parsed
    } catch {
      FileHandle.standardError.write(Data("tfs-bench cron: \(error.message)\n\(help)".utf8))
      return 64
    }
    var results: [Result] = []
    for text in options.rules.isEmpty ? defaultRules : options.rules {
      for name in options.zones.isEmpty ? defaultZones : options.zones {
        do {
          results.append(measure(try CronRule(text), in: try Zones.named(name), named: name, options))
        } catch {
          FileHandle.standardError.write(Data("tfs-bench cron: \(error)\n".utf8))
          return 64
        }
      }
    }
    print(
      options.json
        ? json(Report(repetitions: options.repetitions, results: results)) : table(results, options))
    return 0
  }

  struct UsageError: Error { let message: String }

  /// The options, or nil for `--help`.
  static func parse(_ arguments: [String]) throws(UsageError) -> Options? {
    var options = Options()
    var rest = arguments[...]
    func value(_ flag: String) throws(UsageError) -> String {
      guard let next = rest.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
      return next
    }
    while let flag = rest.popFirst() {
      switch flag {
      case "-h", "--help": return nil
      case "--json": options.json = true
      case "--rule": options.rules.append(try value(flag))
      case "--zone": options.zones.append(try value(flag))
      case "--repetitions":
        guard let n = Int(try value(flag)), n > 0 else {
          throw UsageError(message: "--repetitions takes N ≥ 1")
        }
        options.repetitions = n
      case "--seconds":
        guard let s = Double(try value(flag)), s > 0 else {
          throw UsageError(message: "--seconds takes S > 0")
        }
        options.seconds = s
      default: throw UsageError(message: "unknown option '\(flag)'")
      }
    }
    return options
  }

  /// Calibrates the iteration count to about `options.seconds`, then takes the median rate.
  static func measure(_ rule: CronRule, in zone: TimeZone, named name: String, _ options: Options) -> Result {
    let rules = ZoneRules.forZone(zone)
    var count = 1000
    var elapsed = chain(rule, rules, count: count)
    while elapsed < 0.02 {
      count *= 2
      elapsed = chain(rule, rules, count: count)
    }
    count = max(1000, Int(Double(count) * options.seconds / elapsed))
    let rates = (0..<options.repetitions).map { _ in Double(count) / chain(rule, rules, count: count) }
      .sorted()
    let middle = rates.count / 2
    let median = rates.count % 2 == 1 ? rates[middle] : (rates[middle - 1] + rates[middle]) / 2
    return Result(
      // `name`, not `zone.identifier`: Foundation reports UTC as "GMT".
      rule: rule.text, zone: name, iterations: count, medianPerSecond: median.rounded(),
      minPerSecond: (rates.first ?? 0).rounded(), maxPerSecond: (rates.last ?? 0).rounded())
  }

  /// Seconds taken by `count` chained `next(after:in:)` calls.
  @inline(never)
  static func chain(_ rule: CronRule, _ zone: ZoneRules, count: Int) -> Double {
    var t = start
    var checksum: Int64 = 0
    let clock = ContinuousClock()
    let began = clock.now
    for _ in 0..<count {
      if let next = rule.next(after: t, in: zone), next < horizon {
        t = next
        checksum &+= next
      } else {
        t = start
      }
    }
    let took = clock.now - began
    // Keeps the loop observable so the optimiser cannot drop it.
    if checksum == 42 { print("") }
    return Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18
  }

  static func table(_ results: [Result], _ options: Options) -> String {
    let zones = results.reduce(into: [String]()) { if !$0.contains($1.zone) { $0.append($1.zone) } }
    let rules = results.reduce(into: [String]()) { if !$0.contains($1.rule) { $0.append($1.rule) } }
    var rows = [["RULE"] + zones.map { "\($0) /s" }]
    for rule in rules {
      rows.append(
        [rule]
          + zones.map { zone in
            results.first { $0.rule == rule && $0.zone == zone }.map { grouped($0.medianPerSecond) } ?? "-"
          })
    }
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    var lines = rows.map { row in
      row.indices.map { column in
        let cell = row[column]
        let pad = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + pad : pad + cell
      }.joined(separator: "  ")
    }
    let slow = results.filter { $0.medianPerSecond < target }
    lines.insert(
      "cron next(after:) rate: chained, epoch seconds, cached ZoneRules; "
        + "median of \(options.repetitions) runs",
      at: 0)
    lines.append(
      slow.isEmpty
        ? "target ≥ \(grouped(target))/s (P7): met by every rule"
        : "target ≥ \(grouped(target))/s (P7): missed by "
          + slow.map { "'\($0.rule)' \($0.zone)" }.joined(separator: ", "))
    return lines.joined(separator: "\n")
  }

  /// `12,345,678`.
  static func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return out
  }

  static func json(_ report: Report) -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(report) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }
}
