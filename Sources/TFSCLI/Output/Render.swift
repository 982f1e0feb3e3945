import Foundation
import TFSCore
import TFSStore

/// Model → JSON and model → table cells. Pure: no I/O, so tests compare exact strings.
enum Render {
  static func iso(_ ms: Int64?, _ zone: ZoneRules) -> JSONValue {
    ms.map { .string(Times.iso(epochMs: $0, zone: zone)) } ?? .null
  }

  /// Next occurrence of an enabled task after `nowMs` (epoch ms), nil when disabled.
  static func nextRun(_ record: TaskRecord, settings: EffectiveSettings, nowMs: Int64) -> Int64? {
    guard record.spec.enabled else { return nil }
    let zone = ZoneRules.forZone(settings.zone(for: record.spec))
    return record.spec.rule.next(after: nowMs / 1000, in: zone).map { $0 * 1000 }
  }

  static func task(_ r: TaskRecord, settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules) -> [(
    String, JSONValue
  )] {
    let s = r.spec
    let lastRun: JSONValue =
      r.lastRunID.map { id in
        .object([
          ("id", .int(id)), ("status", .string(r.lastStatus?.rawValue)), ("at", iso(r.lastRunAt, zone)),
        ])
      } ?? .null
    return [
      ("name", .string(s.name.rawValue)), ("rule", .string(s.rule.text)), ("command", .string(s.command)),
      ("entry", .string(s.entry)), ("title", .string(s.title)), ("description", .string(s.description)),
      ("owners", .array(s.owners.map { .string($0) })),
      ("timezone", .string(s.timeZone ?? settings.timeZone.identifier)),
      ("timeout_ms", .int(s.timeoutMs)), ("on_timeout", .string(s.onTimeout.rawValue)),
      ("overlap", .string(s.overlap.rawValue)), ("catch_up", .string(s.catchUp.rawValue)),
      ("catch_up_window_ms", .int(s.catchUpWindowMs)), ("retries", .int(s.retries)),
      ("retry_delay_ms", .int(s.retryDelayMs)), ("jitter_ms", .int(s.jitterMs)),
      ("env", .object(s.environment.keys.sorted().map { ($0, .string(s.environment[$0]!)) })),
      ("workdir", .string(s.workdir)), ("enabled", .bool(s.enabled)),
      ("folder", .string(settings.paths(s.name).folder)),
      ("created_at", iso(r.createdAt, zone)), ("updated_at", iso(r.updatedAt, zone)),
      ("next_run", iso(nextRun(r, settings: settings, nowMs: nowMs), zone)), ("last_run", lastRun),
    ]
  }

  static func run(_ r: Run, zone: ZoneRules) -> JSONValue {
    .object([
      ("id", .int(r.id)), ("task", .string(r.task.rawValue)), ("version", .string(r.version)),
      ("trigger", .string(r.trigger.rawValue)), ("status", .string(r.status.rawValue)),
      ("scheduled_at", iso(r.scheduledAt, zone)), ("queued_at", iso(r.queuedAt, zone)),
      ("started_at", iso(r.startedAt, zone)), ("ended_at", iso(r.endedAt, zone)),
      ("duration_ms", .int(r.durationMs)), ("exit_code", .int(r.exitCode)), ("signal", .int(r.signal)),
      ("pid", .int(r.pid)), ("attempt", .int(r.attempt)), ("reason", .string(r.reason)),
      ("actor", .string(r.actor)), ("log_path", .string(r.logPath)), ("log_bytes", .int(r.logBytes)),
      ("stderr_head", .string(r.stderrHead)),
    ])
  }

  static func event(_ e: Event, zone: ZoneRules) -> JSONValue {
    let details = (try? JSONSerialization.jsonObject(with: Data(e.details.utf8))) != nil ? e.details : "{}"
    return .object([
      ("id", .int(e.id)), ("at", iso(e.at, zone)), ("type", .string(e.type)), ("task", .string(e.task)),
      ("run_id", .int(e.runID)), ("actor", .string(e.actor)), ("title", .string(e.title)),
      ("details", .raw(details)), ("delivery", .string(e.delivery)),
    ])
  }

  /// `succeeded 2m ago`-style cell for the last run.
  static func lastRunCell(_ r: TaskRecord, nowMs: Int64) -> String {
    guard let status = r.lastStatus, let at = r.lastRunAt else { return "-" }
    return "\(status.rawValue) \(ago(nowMs - at))"
  }

  static func ago(_ ms: Int64) -> String {
    ms < 0 ? "in \(Durations.format(milliseconds: -ms))" : "\(Durations.format(milliseconds: ms)) ago"
  }

  static func statusStyle(_ text: String) -> Terminal.Style? {
    if text.hasPrefix("succeeded") || text == "up" || text == "enabled" { return .green }
    if text.hasPrefix("failed") || text.hasPrefix("timed-out") || text.hasPrefix("lost") || text == "down" {
      return .red
    }
    if text.hasPrefix("killed") || text.hasPrefix("running") || text == "disabled" { return .yellow }
    return nil
  }
}
