import Foundation
import TFSCore
import TFSStore

/// Model → JSON and model → table cells. Pure: no I/O, so tests compare exact strings.
enum Render {
  static func iso(_ ms: Int64?, _ zone: ZoneRules) -> JSONValue {
    ms.map { .string(Times.iso(epochMs: $0, zone: zone)) } ?? .null
  }

  /// Zone rules by stored zone name (nil: the home's default), looked up once per listing.
  struct ZoneCache {
    private let settings: EffectiveSettings
    private let defaultRules: ZoneRules
    private var rules = TextCache<ZoneRules>()

    init(_ settings: EffectiveSettings) {
      self.settings = settings
      defaultRules = ZoneRules.forZone(settings.timeZone)
    }

    mutating func rules(_ id: UnsafeBufferPointer<UInt8>?) -> ZoneRules {
      guard let id else { return defaultRules }
      return rules.value(id) { ZoneRules.forZone(TimeZone(identifier: $0) ?? settings.timeZone) }
    }
  }

  /// What a listing works out once for all its tasks: zones, parsed rules and their next
  /// occurrence per zone (most tasks share a few rules), owners and sorted environments.
  struct TaskCache {
    var zones: ZoneCache
    private var rules = TextCache<(rule: CronRule, index: Int)>()
    private var nextRuns: [NextRunKey: Int64?] = [:]
    private var owners = TextCache<[String]>()
    private var environments = TextCache<[(String, String)]>()
    /// `<task root>/`, then the name of the task being written.
    private var folder: [UInt8]
    private let folderPrefix: Int

    private struct NextRunKey: Hashable {
      let rule: Int
      let zone: ObjectIdentifier
    }

    init(_ settings: EffectiveSettings) {
      zones = ZoneCache(settings)
      folder = Array(settings.taskRoot.utf8) + [UInt8(ascii: "/")]
      folderPrefix = folder.count
    }

    /// Calls `body` with the UTF-8 of the task's folder (`TaskPaths.folder`).
    mutating func withFolder(_ row: TaskRow, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
      folder.removeSubrange(folderPrefix...)
      row.withText(.name) { folder.append(contentsOf: $0 ?? UnsafeBufferPointer(start: nil, count: 0)) }
      folder.withUnsafeBufferPointer(body)
    }

    /// Next occurrence (epoch ms) of an enabled task after `nowMs`, nil when disabled.
    mutating func nextRun(_ row: TaskRow, nowMs: Int64) throws -> Int64? {
      let count = rules.count
      let entry = try row.withText(.rule) { text in
        try rules.value(text ?? UnsafeBufferPointer(start: nil, count: 0)) { text throws in
          (try TaskRow.rule(text, task: row.string(.name) ?? ""), count)
        }
      }
      guard row.enabled else { return nil }
      let zone = row.withText(.timeZone) { zones.rules($0) }
      let key = NextRunKey(rule: entry.index, zone: ObjectIdentifier(zone))
      if let hit = nextRuns[key] { return hit }
      let next = entry.rule.next(after: nowMs / 1000, in: zone).map { $0 * 1000 }
      nextRuns[key] = next
      return next
    }

    mutating func owners(_ row: TaskRow) -> [String] {
      row.withText(.owners) { text in
        guard let text, !text.isEmpty else { return [] }
        return owners.value(text) { TaskRow.owners($0) }
      }
    }

    mutating func environment(_ row: TaskRow) -> [(String, String)] {
      row.withText(.environment) { text in
        environments.value(text ?? UnsafeBufferPointer(start: nil, count: 0)) {
          TaskRow.environment($0).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
      }
    }
  }

  /// `show --json`'s task object.
  static func task(_ row: TaskRow, settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules) throws -> [(
    String, JSONValue
  )] {
    var sink = JSONPairs()
    var cache = TaskCache(settings)
    try taskFields(row, settings: settings, nowMs: nowMs, zone: zone, cache: &cache, into: &sink)
    return sink.pairs
  }

  /// `list --json`: the array of every task object in `store`, written without building a tree
  /// (the same text as rendering `JSONValue.array` of `task`s).
  static func tasksJSON(_ store: Store, settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules) throws
    -> [UInt8]
  {
    var all: [UInt8] = []
    var list = TaskListJSON(settings: settings, nowMs: nowMs, zone: zone) { all += $0 }
    try store.forEachTaskRow { try list.add($0) }
    list.finish()
    return all
  }

  /// The `list --json` array, fed one task row at a time (straight from the database cursor)
  /// and handed to `emit` in chunks of about 64 KiB, so memory stays flat.
  struct TaskListJSON {
    private let settings: EffectiveSettings
    private let nowMs: Int64
    private let zone: ZoneRules
    private let emit: (UnsafeBufferPointer<UInt8>) -> Void
    private var writer = JSONWriter(capacity: 80 * 1024)
    private var cache: TaskCache

    init(
      settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules,
      emit: @escaping (UnsafeBufferPointer<UInt8>) -> Void
    ) {
      (self.settings, self.nowMs, self.zone, self.emit) = (settings, nowMs, zone, emit)
      cache = TaskCache(settings)
      writer.beginArray()
    }

    mutating func add(_ row: TaskRow) throws {
      writer.element()
      writer.beginObject()
      try taskFields(row, settings: settings, nowMs: nowMs, zone: zone, cache: &cache, into: &writer)
      writer.endObject()
      if writer.bytes.count >= 64 * 1024 { writer.flush(emit) }
    }

    mutating func finish() {
      writer.endArray()
      writer.flush(emit)
    }
  }

  /// The fields of a task object (docs/json-tasks.md), in order, read from the task's row in
  /// place: its text goes from SQLite's buffer to the output with no `String` in between. The
  /// values are those of the decoded `TaskRecord` (`TaskRow` documents the decoding).
  static func taskFields<Sink: JSONFieldSink>(
    _ row: TaskRow, settings: EffectiveSettings, nowMs: Int64, zone: ZoneRules, cache: inout TaskCache,
    into out: inout Sink
  ) throws {
    func text(_ key: StaticString, _ column: TaskRow.Column) {
      row.withText(column) { out.field(key, utf8: $0) }
    }
    text("name", .name)
    text("rule", .rule)
    text("command", .command)
    text("entry", .entry)
    text("title", .title)
    text("description", .description)
    out.field("owners", strings: cache.owners(row))
    row.withText(.timeZone) { zoneID in
      if let zoneID {
        out.field("timezone", utf8: zoneID)
      } else {
        out.field("timezone", string: settings.timeZone.identifier)
      }
    }
    out.field("timeout_ms", int: row.int(.timeoutMs))
    out.field("on_timeout", string: row.onTimeout.rawValue)
    out.field("overlap", string: row.overlap.rawValue)
    out.field("catch_up", string: row.catchUp.rawValue)
    out.field("catch_up_window_ms", int: row.int(.catchUpWindowMs))
    out.field("retries", int: row.int(.retries))
    out.field("retry_delay_ms", int: row.int(.retryDelayMs))
    out.field("jitter_ms", int: row.int(.jitterMs))
    out.field("env", stringMap: cache.environment(row))
    text("workdir", .workdir)
    out.field("enabled", bool: row.enabled)
    out.field("alert_after", int: row.int(.alertAfter))
    out.field("realert_ms", int: row.int(.realertMs))
    if let types = row.string(.alertOn) {
      out.field("alert_on", strings: AlertTypes.stored(types).map(\.rawValue))
    } else {
      out.field("alert_on", null: ())
    }
    out.field("keep", int: row.int(.keepRuns))
    out.field("keep_for_ms", int: row.int(.keepForMs))
    text("user", .user)
    text("on_node", .onNode)
    text("on_label", .onLabel)
    out.field("rerun_lost", bool: row.int(.rerunLost) == 1)
    cache.withFolder(row) { out.field("folder", utf8: $0) }
    out.field("created_at", time: row.int(.createdAt), zone: zone)
    out.field("updated_at", time: row.int(.updatedAt), zone: zone)
    out.field("next_run", time: try cache.nextRun(row, nowMs: nowMs), zone: zone)
    if let id = row.int(.lastRunID) {
      out.field("last_run") { last in
        last.field("id", int: id)
        last.field("status", string: row.lastStatus?.rawValue)
        last.field("at", time: row.int(.lastRunAt), zone: zone)
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

  static func event(_ e: Event, zone: ZoneRules, deliveries: [DeliveryInfo] = []) -> JSONValue {
    let details =
      (try? JSONSerialization.jsonObject(with: Data(e.details.utf8))) != nil
      ? JSON.withIntegers(e.details) : "{}"
    return .object([
      ("id", .int(e.id)), ("at", iso(e.at, zone)), ("type", .string(e.type)), ("task", .string(e.task)),
      ("run_id", .int(e.runID)), ("actor", .string(e.actor)), ("title", .string(e.title)),
      ("details", .raw(details)), ("delivery", .string(e.delivery)),
      ("deliveries", .array(deliveries.map { delivery($0, zone: zone) })),
    ])
  }

  /// One channel's delivery of an alert (docs/json-runs.md, events).
  static func delivery(_ d: DeliveryInfo, zone: ZoneRules) -> JSONValue {
    .object([
      ("channel", .string(d.channel)), ("state", .string(d.state)), ("attempts", .int(d.attempts)),
      ("last_error", .string(d.lastError.isEmpty ? nil : d.lastError)),
      ("next_attempt_at", iso(d.nextAttemptAt, zone)), ("delivered_at", iso(d.deliveredAt, zone)),
      ("folded", .int(d.folded)),
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
