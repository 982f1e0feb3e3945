import Foundation
import TFSCore
import TFSStore

/// The daemon's schedule: each enabled task's next occurrence in a heap. Pure bookkeeping — the
/// daemon's core records what it pops.
struct Scheduler {
  struct Slot {
    var spec: TaskSpec
    var zone: ZoneRules
    var updatedAt: Int64
    var generation: Int
    /// The last occurrence handled (epoch s); the next one is strictly after it.
    var cursor: Int64
  }

  /// Occurrences found past their time (daemon down, sleep, clock jump) for one task.
  struct Missed {
    var spec: TaskSpec
    var zone: ZoneRules
    /// The most recent `maxMissedRecorded` of them, oldest first (catch-up picks from the end).
    var times: [Int64]
    var total: Int
    /// Occurrences already recorded `missed` (by Recovery): counted in the alert and open to
    /// catch-up, but given no new row.
    var recorded: [Int64] = []

    mutating func keep(_ t: Int64) {
      total += 1
      times.append(t)
      if times.count > 2 * Scheduler.maxMissedRecorded {
        times.removeFirst(times.count - Scheduler.maxMissedRecorded)
      }
    }

    /// Trims to the cap once the walk is over.
    mutating func finish() {
      if times.count > Scheduler.maxMissedRecorded {
        times.removeFirst(times.count - Scheduler.maxMissedRecorded)
      }
    }
  }

  /// Occurrences later than this are not fired late but recorded as missed.
  static let lateLimitSeconds: Int64 = 60
  static let maxMissedRecorded = 100

  var settings: EffectiveSettings
  private(set) var slots: [Slot] = []
  private var index: [TaskName: Int] = [:]
  private var heap = OccurrenceHeap()

  init(settings: EffectiveSettings) { self.settings = settings }

  var nextDueMs: Int64? { heap.first.map { $0.at * 1000 } }
  func spec(_ name: TaskName) -> TaskSpec? { index[name].map { slots[$0].spec } }

  /// Occurrence `at` of a task as the task is now: nil when it was disabled or removed since,
  /// or its rule no longer has `at`.
  func current(_ name: TaskName, at: Int64) -> DueOccurrence? {
    guard let i = index[name], slots[i].spec.enabled else { return nil }
    let (spec, zone) = (slots[i].spec, slots[i].zone)
    guard spec.rule.next(after: at - 1, in: zone) == at else { return nil }
    return DueOccurrence(spec: spec, occurrence: Occurrence(task: name, at: at, zone: zone))
  }

  mutating func load(_ records: [TaskRecord], now: Int64) {
    slots = []
    index = [:]
    heap = OccurrenceHeap()
    update(records, now: now)
  }

  /// Re-reads every task's zone (setting `timezone` changed): each is rescheduled from its
  /// last handled occurrence or now, whichever is later, so an occurrence already popped (a run
  /// prepared ahead) is not popped again in the new zone.
  mutating func rezone(now: Int64) {
    heap = OccurrenceHeap()
    for (_, i) in index {
      slots[i].zone = ZoneRules.forZone(settings.zone(for: slots[i].spec))
      slots[i].generation += 1
      slots[i].cursor = max(slots[i].cursor, now / 1000)
      schedule(i)
    }
  }

  /// Applies the store's current tasks: new and changed ones are rescheduled from now,
  /// removed ones dropped. Unchanged tasks keep their place.
  mutating func update(_ records: [TaskRecord], now: Int64) {
    let nowSec = now / 1000
    var seen = Set<TaskName>()
    for record in records {
      let name = record.spec.name
      seen.insert(name)
      if let i = index[name] {
        guard slots[i].updatedAt != record.updatedAt else { continue }
        slots[i].spec = record.spec
        slots[i].zone = ZoneRules.forZone(settings.zone(for: record.spec))
        slots[i].updatedAt = record.updatedAt
        slots[i].generation += 1
        slots[i].cursor = max(slots[i].cursor, nowSec)
        schedule(i)
      } else {
        let zone = ZoneRules.forZone(settings.zone(for: record.spec))
        slots.append(
          Slot(spec: record.spec, zone: zone, updatedAt: record.updatedAt, generation: 0, cursor: nowSec))
        index[name] = slots.count - 1
        schedule(slots.count - 1)
      }
    }
    for (name, i) in index where !seen.contains(name) {
      slots[i].spec.enabled = false
      slots[i].generation += 1
      index[name] = nil
    }
  }

  private mutating func schedule(_ i: Int) {
    guard slots[i].spec.enabled, let next = slots[i].spec.rule.next(after: slots[i].cursor, in: slots[i].zone)
    else { return }
    heap.push(.init(at: next, slot: i, generation: slots[i].generation))
  }

  /// Pops every occurrence due at or before `nowSec`; late ones (past `lateLimitSeconds`) are
  /// returned apart, to be recorded as missed.
  /// `upToSec` (≥ `nowSec`) also pops occurrences a little ahead, for the daemon to prepare.
  mutating func popDue(nowSec: Int64, upToSec: Int64? = nil) -> (due: [DueOccurrence], missed: [Missed]) {
    var due: [DueOccurrence] = []
    var missed: [Missed] = []
    let horizon = max(upToSec ?? nowSec, nowSec)
    while let top = heap.first, top.at <= horizon {
      _ = heap.pop()
      let i = top.slot
      guard slots[i].generation == top.generation, slots[i].spec.enabled else { continue }
      if top.at < nowSec - Scheduler.lateLimitSeconds {
        var m = Missed(spec: slots[i].spec, zone: slots[i].zone, times: [], total: 0)
        var t: Int64? = top.at
        while let at = t, at < nowSec - Scheduler.lateLimitSeconds {
          m.keep(at)
          slots[i].cursor = at
          t = m.total < 100_000 ? slots[i].spec.rule.next(after: at, in: slots[i].zone) : nil
        }
        if t == nil { slots[i].cursor = nowSec - Scheduler.lateLimitSeconds }
        m.finish()
        missed.append(m)
      } else {
        let occurrence = Occurrence(task: slots[i].spec.name, at: top.at, zone: slots[i].zone)
        due.append(DueOccurrence(spec: slots[i].spec, occurrence: occurrence))
        slots[i].cursor = top.at
      }
      schedule(i)
    }
    return (due, missed)
  }

  /// `missed` with the occurrences Recovery recorded missed added to their tasks (one alert per
  /// task counts both); tasks gone or disabled since are left out.
  func adding(_ recorded: [TaskName: [Int64]], to missed: [Missed], tasks: [TaskRecord]) -> [Missed] {
    var result = missed
    for (name, times) in recorded {
      if let i = result.firstIndex(where: { $0.spec.name == name }) {
        result[i].recorded = times
      } else if let record = tasks.first(where: { $0.spec.name == name }), record.spec.enabled {
        let zone = ZoneRules.forZone(settings.zone(for: record.spec))
        result.append(Missed(spec: record.spec, zone: zone, times: [], total: 0, recorded: times))
      }
    }
    return result
  }

  /// Occurrences of enabled tasks in `(fromMs, toMs]` that no run record holds — what passed
  /// while no daemon ran (or the store refused writes). `handled(task)` gives the occurrences
  /// (epoch s) the store has a run of, in that window.
  func collectMissed(
    tasks: [TaskRecord], from fromMs: Int64, to toMs: Int64, handled: (TaskName) -> Set<Int64>
  ) -> [Missed] {
    let cap = 100_000
    var result: [Missed] = []
    for record in tasks where record.spec.enabled {
      let zone = ZoneRules.forZone(settings.zone(for: record.spec))
      let rule = record.spec.rule
      var m = Missed(spec: record.spec, zone: zone, times: [], total: 0)
      // From when it was enabled, not last modified: a `modify` while no daemon ran changes
      // nothing about which occurrences were missed (SPEC §6).
      let start = max(fromMs, record.enabledAt ?? record.updatedAt) / 1000
      let done = handled(record.spec.name)
      var cursor = start
      while m.total < cap, let t = rule.next(after: cursor, in: zone), t <= toMs / 1000 {
        cursor = t
        if !done.contains(t) { m.keep(t) }
      }
      if m.total == cap {
        // Too many to walk: keep the count at the cap and record the latest ones.
        var latest: [Int64] = []
        var t = toMs / 1000 + 1
        while latest.count < Scheduler.maxMissedRecorded, let p = rule.previous(before: t, in: zone),
          p > start
        {
          latest.append(p)
          t = p
        }
        m.times = latest.reversed()
      }
      m.finish()
      if m.total > 0 { result.append(m) }
    }
    return result
  }
}
