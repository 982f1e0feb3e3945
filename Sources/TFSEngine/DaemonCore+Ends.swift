import Foundation
import Logging
import TFSCore
import TFSStore

/// Ended runs and missed occurrences into records (and the retries and catch-ups they bring).
extension DaemonCore {
  /// Records ended runs (with those a failed write left unrecorded), or keeps them for the next
  /// step when the store refuses: a run that started always gets a record that ends.
  func finish(_ finished: [Supervisor.Finished]) throws {
    let all = unrecorded + finished
    unrecorded = []
    guard !all.isEmpty else { return }
    do {
      try recordEnds(all)
    } catch {
      unrecorded = all
      throw error
    }
  }

  /// Records ended runs and the retries that follow them (one transaction), logs them and
  /// queues the retries.
  private func recordEnds(_ finished: [Supervisor.Finished]) throws {
    let now = clock.nowMs()
    // Whether a retry follows is decided first: the alert policy counts a retry chain once.
    var ends: [(RunID, RunEnd, [Event])] = []
    var retries: [(Run, TaskSpec, Int64)] = []
    for f in finished {
      let spec = scheduler.spec(f.live.spec.name) ?? f.live.spec
      let run = f.live.run
      var end = f.end
      let input = RunInput.ended(
        spec, status: end.status, attempt: run.attempt, stopping: stopping || draining)
      if case .retry(let at) = RunRules.decide(input, load: TaskLoad(), now: now, random: &random) {
        end.retryFollows = true
        let zone = ZoneRules.forZone(settings.zone(for: spec))
        let retry = Run(
          task: spec.name, version: Times.version(epochSeconds: at / 1000, zone: zone), trigger: .retry,
          status: .queued, scheduledAt: run.scheduledAt, queuedAt: now, attempt: run.attempt + 1)
        retries.append((retry, spec, at))
      }
      ends.append((run.id, end, f.events))
    }
    let inserted = try store.finishRuns(ends, retries: retries.map(\.0))
    for (i, run) in inserted.enumerated() {
      table.insert(run, retries[i].1, .waiting(notBeforeMs: retries[i].2, force: false))
    }
    for (f, end) in zip(finished, ends.map(\.1)) {
      overlapAlerted.remove(f.live.run.id)
      var meta: Logger.Metadata = [
        "task": "\(f.live.spec.name)", "run": .int(f.live.run.id), "status": "\(end.status.rawValue)",
      ]
      if let code = end.exitCode { meta["exit"] = .int(code) }
      if let signal = end.signal { meta["signal"] = .int(signal) }
      if !end.reason.isEmpty { meta["reason"] = "\(end.reason)" }
      let trouble = end.status == .failed || end.status == .timedOut || end.status == .lost
      log.log(level: trouble ? .warning : .info, "ended", metadata: meta)
    }
  }

  /// Missed occurrences: `missed` run rows (up to a cap), one alert per task, then catch-up.
  func record(_ missed: [Scheduler.Missed], reason: String = "no daemon was running or the clock jumped")
    throws
  {
    guard !missed.isEmpty else { return }
    let now = clock.nowMs()
    var rows: [Run] = []
    var alerts: [Event] = []
    var catchUps: [(Run, TaskSpec)] = []
    for m in missed where m.total + m.recorded.count > 0 {
      for t in m.times {
        rows.append(
          Run(
            task: m.spec.name, version: Times.version(epochSeconds: t, zone: m.zone), trigger: .schedule,
            status: .missed,
            scheduledAt: t * 1000, queuedAt: now, reason: reason))
      }
      let all = (m.recorded + m.times).sorted()
      let count = m.total + m.recorded.count
      let first = Times.iso(epochSeconds: all.first ?? 0, zone: m.zone)
      alerts.append(
        Event(
          at: now, type: EventType.missed.rawValue, task: m.spec.name.rawValue, actor: "tfs",
          title: "\(count) occurrence\(count == 1 ? "" : "s") of '\(m.spec.name)' missed since \(first)",
          details: JSON.object([
            "count": String(count), "first": first, "catch_up": m.spec.catchUp.rawValue,
          ]),
          delivery: "pending"))
      let decision = RunRules.decide(.missed(m.spec, times: all), load: TaskLoad(), now: now, random: &random)
      // A task pinned to other nodes is caught up by them, not here.
      guard case .catchUp(let picked) = decision, placement?.runs(m.spec) ?? true else { continue }
      for t in picked {
        let run = Run(
          task: m.spec.name, version: Times.version(epochSeconds: now / 1000, zone: m.zone),
          trigger: .catchUp,
          status: .queued, scheduledAt: t * 1000, queuedAt: now)
        catchUps.append((run, m.spec))
      }
      log.notice(
        "missed", metadata: ["task": "\(m.spec.name)", "count": .int(count), "catch_up": .int(picked.count)])
    }
    try store.insertRuns(rows, events: alerts)
    let inserted = try store.insertRunsReturning(catchUps.map(\.0), executorPid: nil)
    for (i, run) in inserted.enumerated() {
      guard let run else { continue }
      table.insert(run, catchUps[i].1, .waiting(notBeforeMs: now, force: false))
    }
  }
}
