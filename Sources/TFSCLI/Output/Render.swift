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
    var sink = JSONPairs()
    taskFields(r, settings: settings, nowMs: nowMs, zone: zone, into: &sink)
    return sink.pairs
  }

  /// `list --json`: the array of task objects, written without building a tree (the same text
  /// as rendering `JSONValue.array` of `task`s).
  static func tasksJSON(
    _ records: [TaskRecord], settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules
  ) -> [UInt8] {
    var all: [UInt8] = []
    writeTasksJSON(records, settings: settings, nowMs: nowMs, zone: zone) { all += $0 }
    return all
  }

  /// The `list --json` array, handed to `emit` in chunks of about 64 KiB so memory stays flat.
  static func writeTasksJSON(
    _ records: [TaskRecord], settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules,
    emit: ([UInt8]) -> Void
  ) {
    var writer = JSONWriter(capacity: 80 * 1024)
    writer.beginArray()
    for r in records {
      writer.element()
      writer.beginObject()
      taskFields(r, settings: settings, nowMs: nowMs, zone: zone, into: &writer)
      writer.endObject()
      if writer.bytes.count >= 64 * 1024 { emit(writer.take()) }
    }
    writer.endArray()
    emit(writer.take())
  }

  /// The fields of a task object (docs/json-tasks.md), in order.
  static func taskFields<Sink: JSONFieldSink>(
    _ r: TaskRecord, settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules, into out: inout Sink
  ) {
    let s = r.spec
    out.field("name", string: s.name.rawValue)
    out.field("rule", string: s.rule.text)
    out.field("command", string: s.command)
    out.field("entry", string: s.entry)
    out.field("title", string: s.title)
    out.field("description", string: s.description)
    out.field("owners", strings: s.owners)
    out.field("timezone", string: s.timeZone ?? settings.timeZone.identifier)
    out.field("timeout_ms", int: s.timeoutMs)
    out.field("on_timeout", string: s.onTimeout.rawValue)
    out.field("overlap", string: s.overlap.rawValue)
    out.field("catch_up", string: s.catchUp.rawValue)
    out.field("catch_up_window_ms", int: s.catchUpWindowMs)
    out.field("retries", int: Int64(s.retries))
    out.field("retry_delay_ms", int: s.retryDelayMs)
    out.field("jitter_ms", int: s.jitterMs)
    out.field("env", stringMap: s.environment.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    out.field("workdir", string: s.workdir)
    out.field("enabled", bool: s.enabled)
    out.field("folder", string: settings.paths(s.name).folder)
    let created = Times.iso(epochMs: r.createdAt, zone: zone)
    out.field("created_at", string: created)
    let updated = r.updatedAt == r.createdAt ? created : Times.iso(epochMs: r.updatedAt, zone: zone)
    out.field("updated_at", string: updated)
    let next = nextRun(r, settings: settings, nowMs: nowMs)
    out.field("next_run", string: next.map { Times.iso(epochMs: $0, zone: zone) })
    if let id = r.lastRunID {
      out.field("last_run") { last in
        last.field("id", int: id)
        last.field("status", string: r.lastStatus?.rawValue)
        last.field("at", string: r.lastRunAt.map { Times.iso(epochMs: $0, zone: zone) })
      }
    } else {
      out.field("last_run", null: ())
    }
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
    lastRunCell(status: r.lastStatus, at: r.lastRunAt, nowMs: nowMs)
  }

  static func lastRunCell(status: RunStatus?, at: Int64?, nowMs: Int64) -> String {
    guard let status, let at else { return "-" }
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
