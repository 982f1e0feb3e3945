import Foundation
import TFSCore
import TFSStore

/// Model → JSON and model → table cells. Pure: no I/O, so tests compare exact strings.
enum Render {
  static func iso(_ ms: Int64?, _ zone: ZoneRules) -> JSONValue {
    ms.map { .string(Times.iso(epochMs: $0, zone: zone)) } ?? .null
  }

  /// Next occurrence of an enabled task after `nowMs` (epoch ms), nil when disabled.
  static func nextRun(_ record: TaskRecord, nowMs: Int64, zones: inout ZoneCache) -> Int64? {
    guard record.spec.enabled else { return nil }
    return record.spec.rule.next(after: nowMs / 1000, in: zones.rules(record.spec.timeZone)).map { $0 * 1000 }
  }

  /// Zone rules by stored zone name (nil: the home's default), looked up once per listing.
  struct ZoneCache {
    private let settings: EffectiveSettings
    private let defaultRules: ZoneRules
    private var rules: [String: ZoneRules] = [:]

    init(_ settings: EffectiveSettings) {
      self.settings = settings
      defaultRules = ZoneRules.forZone(settings.timeZone)
    }

    mutating func rules(_ id: String?) -> ZoneRules {
      guard let id else { return defaultRules }
      if let hit = rules[id] { return hit }
      let built = ZoneRules.forZone(TimeZone(identifier: id) ?? settings.timeZone)
      rules[id] = built
      return built
    }
  }

  static func task(_ r: TaskRecord, settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules) -> [(
    String, JSONValue
  )] {
    var sink = JSONPairs()
    var zones = ZoneCache(settings)
    taskFields(r, settings: settings, nowMs: nowMs, zone: zone, zones: &zones, into: &sink)
    return sink.pairs
  }

  /// `list --json`: the array of task objects, written without building a tree (the same text
  /// as rendering `JSONValue.array` of `task`s).
  static func tasksJSON(
    _ records: [TaskRecord], settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules
  ) -> [UInt8] {
    var all: [UInt8] = []
    var list = TaskListJSON(settings: settings, nowMs: nowMs, zone: zone) { all += $0 }
    for r in records { list.add(r) }
    list.finish()
    return all
  }

  /// The `list --json` array, fed one task at a time (straight from the database cursor) and
  /// handed to `emit` in chunks of about 64 KiB, so memory stays flat.
  struct TaskListJSON {
    private let settings: EffectiveSettings
    private let nowMs: Int64
    private let zone: ZoneRules
    private let emit: (UnsafeBufferPointer<UInt8>) -> Void
    private var writer = JSONWriter(capacity: 80 * 1024)
    private var zones: ZoneCache

    init(
      settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules,
      emit: @escaping (UnsafeBufferPointer<UInt8>) -> Void
    ) {
      (self.settings, self.nowMs, self.zone, self.emit) = (settings, nowMs, zone, emit)
      zones = ZoneCache(settings)
      writer.beginArray()
    }

    mutating func add(_ r: TaskRecord) {
      writer.element()
      writer.beginObject()
      taskFields(r, settings: settings, nowMs: nowMs, zone: zone, zones: &zones, into: &writer)
      writer.endObject()
      if writer.bytes.count >= 64 * 1024 { writer.flush(emit) }
    }

    mutating func finish() {
      writer.endArray()
      writer.flush(emit)
    }
  }

  /// The fields of a task object (docs/json-tasks.md), in order.
  static func taskFields<Sink: JSONFieldSink>(
    _ r: TaskRecord, settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules, zones: inout ZoneCache,
    into out: inout Sink
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
    out.field("created_at", time: r.createdAt, zone: zone)
    out.field("updated_at", time: r.updatedAt, zone: zone)
    out.field("next_run", time: nextRun(r, nowMs: nowMs, zones: &zones), zone: zone)
    if let id = r.lastRunID {
      out.field("last_run") { last in
        last.field("id", int: id)
        last.field("status", string: r.lastStatus?.rawValue)
        last.field("at", time: r.lastRunAt, zone: zone)
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
