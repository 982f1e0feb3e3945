import Foundation
import Logging
import TFSCore
import TFSStore

/// A stretch of failing steps (SPEC §6: the store refusing writes — a full disk, an I/O error, a
/// lock held too long): what already runs is supervised, nothing starts that could not be
/// recorded, and once writes pass again the occurrences in between are recorded.
struct Outage {
  /// The end of the last step that succeeded: occurrences after it may have no record.
  var sinceMs: Int64
  var error: String
}

extension DaemonCore {
  /// Records, once the store accepts writes again, every occurrence of the outage that has no
  /// record as `missed` (reason: the store was unavailable), then one `system-error` alert.
  func recordOutage(_ outage: Outage) throws {
    let now = clock.nowMs()
    let tasks = try store.tasks()
    let handled = try store.occurrencesByTask(fromMs: outage.sinceMs, toMs: now)
    let missed = scheduler.collectMissed(tasks: tasks, from: outage.sinceMs, to: now) { handled[$0] ?? [] }
    try record(missed, reason: "the store was unavailable")
    let count = missed.map(\.total).reduce(0, +)
    let lasted = Durations.format(milliseconds: now - outage.sinceMs)
    try store.record(
      Event(
        at: now, type: EventType.systemError.rawValue, actor: "tfs",
        title: "the daemon could not write to its store for \(lasted) (\(outage.error)); "
          + "\(count) occurrence\(count == 1 ? "" : "s") recorded missed",
        details: JSON.object([
          "error": outage.error, "missed": String(count), "lasted_ms": String(now - outage.sinceMs),
        ])))
    log.notice(
      "store writable again", metadata: ["missed": .int(count), "lasted_ms": .int(now - outage.sinceMs)])
  }
}
