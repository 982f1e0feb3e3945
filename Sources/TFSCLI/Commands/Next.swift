import ArgumentParser
import Foundation
import TFSCore
import TFSStore

struct Next: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "next",
    abstract:
      "Print the next occurrences of a rule or task, or of every task (validates a rule: exit 64 when invalid).",
    discussion: """
      With a rule or a task name: its next N occurrences, one ISO-8601 time per line. Without: \
      one timeline of every enabled task's next run, soonest first, like 'systemctl list-timers': \
      NEXT, LEFT, LAST, PASSED, TASK and the last run's RESULT (--all adds disabled tasks).
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(
    help: "A cron rule ('0 30 9 * * 1-5') or a task name (default: every task).",
    completion: Completions.taskNames) var ruleOrName: String?
  @Option(name: [.customShort("n"), .long], parsing: .unconditional, help: "How many occurrences.")
  var count = "5"
  @Option(
    name: .customLong("tz"), parsing: .unconditional,
    help: ArgumentHelp("IANA time zone (default: the task's, else the system's).", valueName: "zone"),
    completion: Completions.zones)
  var timeZone: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Start after this time (default: now).", valueName: "time"))
  var from: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Without a rule: at most N tasks.", valueName: "n"))
  var limit: String?
  @Flag(help: "Without a rule: also list disabled tasks (they have no next run).") var all = false
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      guard let ruleOrName else {
        try timeline()
        return
      }
      guard limit == nil && !all else {
        throw ValidationError("--limit and --all list every task; drop the rule or name '\(ruleOrName)'")
      }
      guard let count = Int(count), (1...100_000).contains(count) else {
        throw ValidationError("invalid -n '\(self.count)'; use 1-100000")
      }
      var zone = try timeZone.map { try Zones.named($0) }
      let rule: CronRule
      if looksLikeRule(ruleOrName) {
        rule = try CronRule(ruleOrName)
      } else {
        let name = try taskName(ruleOrName)
        let context = try Context(global, create: false)
        let record = try context.task(name)
        rule = record.spec.rule
        if zone == nil { zone = context.settings.zone(for: record.spec) }
      }
      let tz = zone ?? TimeZone.current
      let rules = ZoneRules.forZone(tz)
      let nowMs = try global.clock().nowMs()
      let start = try from.map { try Times.parse($0, now: nowMs, zone: rules) } ?? nowMs
      var cursor = start >= 0 ? start / 1000 : (start - 999) / 1000
      var lines: [String] = []
      while lines.count < count, let t = rule.next(after: cursor, in: rules) {
        lines.append(Times.iso(epochSeconds: t, zone: rules))
        cursor = t
      }
      if output.json {
        Terminal.out(
          JSONValue.object([
            ("rule", .string(rule.text)), ("timezone", .string(tz.identifier)),
            ("occurrences", .array(lines.map { .string($0) })),
          ]).render())
      } else if !lines.isEmpty {
        Terminal.out(lines.joined(separator: "\n"))
      }
    }
  }

  /// Rules contain a blank or start with '@'; task names never do.
  private func looksLikeRule(_ text: String) -> Bool {
    text.hasPrefix("@") || text.contains(" ") || text.contains("\t") || text.contains("*")
  }
}
