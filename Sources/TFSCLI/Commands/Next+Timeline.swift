import Foundation
import TFSCore
import TFSStore

extension Next {
  /// One row of the timeline: a task's next run and its last one.
  struct Upcoming {
    var task: TaskSummary
    /// Epoch seconds; nil when disabled or when the rule has no occurrence left.
    var next: Int64?
  }

  /// Every enabled task's next run, soonest first (`systemctl list-timers`).
  func timeline() throws {
    let n = try limit.map { text in
      guard let n = Int(text), n >= 1 else {
        throw ValidationError("invalid --limit '\(text)'; use a whole number ≥ 1")
      }
      return n
    }
    let display = try timeZone.map { ZoneRules.forZone(try Zones.named($0)) }
    let context = try Context(global, create: false)
    let zone = display ?? context.localZone
    let nowMs = context.now
    let start = try from.map { try Times.parse($0, now: nowMs, zone: zone) } ?? nowMs
    let after = start >= 0 ? start / 1000 : (start - 999) / 1000
    var rows = try Next.upcoming(context: context, after: after, all: all)
    if let n { rows = Array(rows.prefix(n)) }
    if output.json {
      Terminal.out(JSONValue.array(rows.map { json($0, nowMs: start, zone: zone) }).render())
      return
    }
    var table = Table(["NEXT (\(zone.identifier))", "LEFT", "LAST", "PASSED", "TASK", "RESULT"])
    for row in rows {
      let next = row.next.map { $0 * 1000 }
      let last = row.task.lastRunAt
      table.add([
        next.map { Times.short(epochMs: $0, zone: zone) } ?? "-",
        next.map { Durations.format(milliseconds: max(0, $0 - start)) }
          ?? (row.task.enabled ? "-" : "disabled"),
        last.map { Times.short(epochMs: $0, zone: zone) } ?? "-",
        last.map { Render.ago(nowMs - $0) } ?? "-",
        row.task.name.rawValue, row.task.lastStatus?.rawValue ?? "-",
      ])
    }
    table.style = { _, column, text in column == 5 ? Render.statusStyle(text) : nil }
    Terminal.out(bytes: table.renderBytes())
    if rows.isEmpty { Terminal.warn("no enabled task; see 'tfs list'") }
  }

  /// Every enabled task's (with `all`, every task's) next occurrence after `after` (epoch
  /// seconds), soonest first; tasks without one last, by name.
  static func upcoming(context: Context, after: Int64, all: Bool) throws -> [Upcoming] {
    var zones: [String: ZoneRules] = [:]
    var rows: [Upcoming] = []
    for task in try context.store.taskSummaries() where task.enabled || all {
      let id = task.timeZone ?? context.settings.timeZone.identifier
      let rules = zones[id] ?? ZoneRules.forZone(TimeZone(identifier: id) ?? context.settings.timeZone)
      zones[id] = rules
      rows.append(Upcoming(task: task, next: task.enabled ? task.rule.next(after: after, in: rules) : nil))
    }
    rows.sort { a, b in (a.next ?? .max) < (b.next ?? .max) }
    return rows
  }

  private func json(_ row: Upcoming, nowMs: Int64, zone: ZoneRules) -> JSONValue {
    let next = row.next.map { $0 * 1000 }
    let last: JSONValue =
      row.task.lastRunAt.map { at in
        .object([
          ("status", .string(row.task.lastStatus?.rawValue)),
          ("at", .string(Times.iso(epochMs: at, zone: zone))),
        ])
      } ?? .null
    return .object([
      ("task", .string(row.task.name.rawValue)), ("enabled", .bool(row.task.enabled)),
      ("next", next.map { .string(Times.iso(epochMs: $0, zone: zone)) } ?? .null),
      ("left_ms", next.map { .int(Int64(max(0, $0 - nowMs))) } ?? .null), ("last_run", last),
    ])
  }
}
