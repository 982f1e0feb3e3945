/// What the daemon knows of a task when it decides one of its occurrences or runs.
public struct TaskLoad: Equatable, Sendable {
  /// Its runs in progress: the daemon's own, those `tfs run --here` started elsewhere, and those
  /// starting in the same pass.
  public var running: Int
  /// Its runs recorded and waiting to start (armed, queued behind it or a slot, jittered);
  /// retries excluded: a retry belongs to an earlier occurrence.
  public var waiting: Int
  /// An `overlap` alert was already recorded for its current run.
  public var alerted: Bool
  /// `max-parallel` leaves room for one more run.
  public var slotFree: Bool

  public init(running: Int = 0, waiting: Int = 0, alerted: Bool = false, slotFree: Bool = true) {
    self.running = running
    self.waiting = waiting
    self.alerted = alerted
    self.slotFree = slotFree
  }
}

/// What the daemon is deciding about.
public enum RunInput: Equatable, Sendable {
  /// An occurrence just ahead of its time (within the daemon's lead): prepare its run now?
  case ahead(TaskSpec, Occurrence)
  /// An occurrence that came (or one decided again after its prepared run was withdrawn).
  case due(TaskSpec, Occurrence)
  /// A run recorded and prepared ahead whose occurrence came: the task as it was prepared, and
  /// as it is now (nil when removed).
  case armedDue(prepared: TaskSpec, current: TaskSpec?)
  /// A run that could not be prepared (entry missing…) whose occurrence came.
  case unstartableDue(prepared: TaskSpec, current: TaskSpec?)
  /// A recorded run waiting to start, with its task as it is now.
  case waiting(TaskSpec, trigger: Trigger, force: Bool, notBeforeMs: Int64)
  /// A run that ended, with its task as it is now; `stopping`: the daemon is shutting down.
  case ended(TaskSpec, status: RunStatus, attempt: Int, stopping: Bool)
  /// Occurrences of a task that passed without a run (oldest first).
  case missed(TaskSpec, times: [Int64])
}

/// What to do about it. The daemon applies it: records, spawns, signals.
public enum RunDecision: Equatable, Sendable {
  /// Ahead of the occurrence: record and prepare the run now, spawn it at the occurrence.
  case arm
  /// Ahead of the occurrence: decide it when it comes.
  case hold
  /// Start at `atMs` (now, or later by the task's jitter).
  case start(atMs: Int64)
  /// Record it queued: it starts when its task or a `max-parallel` slot frees (`alert`: an
  /// `overlap` alert names the run it waits for).
  case queue(alert: Bool)
  /// Stop the task's running runs; this one starts once they ended.
  case replace(alert: Bool)
  /// Record it skipped, with the reason (and an `overlap` alert when `alert`).
  case skip(reason: String, alert: Bool)
  /// Give up the prepared or recorded run (its task changed); its occurrence is decided again
  /// with the task as it is now, if the task still has it.
  case withdraw
  /// A waiting run keeps waiting.
  case wait
  /// A failed run: its next attempt starts at `atMs`.
  case retry(atMs: Int64)
  /// Record it ended as it is: nothing follows.
  case end
  /// Missed occurrences: the ones to run now (catch-up), oldest first.
  case catchUp([Int64])
}

/// The daemon's decisions, pure: given an occurrence or a run and its task's load, what to do
/// (SPEC §3 overlap, retries, jitter, catch-up; §6 max-parallel). Tested with tables.
public enum RunRules {
  static let overlapSkipped = "previous run still running (overlap skip)"

  public static func decide(
    _ input: RunInput, load: TaskLoad, now: Int64, random: inout some RandomNumberGenerator
  ) -> RunDecision {
    switch input {
    case .ahead(let spec, let occurrence): ahead(spec, occurrence, load, &random)
    case .due(let spec, _): due(spec, load, now, &random)
    case .armedDue(let prepared, let current): armedDue(prepared, current, load, now)
    case .unstartableDue(let prepared, let current): isCurrent(prepared, current) ? .end : .withdraw
    case .waiting(let spec, let trigger, let force, let notBeforeMs):
      waiting(spec, trigger, force, notBeforeMs, load, now)
    case .ended(let spec, let status, let attempt, let stopping):
      ended(spec, status, attempt, stopping, now)
    case .missed(let spec, let times): .catchUp(catchUp(spec, times, now))
    }
  }

  /// A run prepared ahead is spawned as prepared at its occurrence, where `skip` and `allow`
  /// decide from the prepared run (start it, or record it skipped); so it is armed when its task
  /// is idle, or busy under those policies without jitter. Under `queue` and `replace`, with a
  /// jitter on a busy task, or with a run already waiting, the occurrence is decided when due.
  private static func ahead(
    _ spec: TaskSpec, _ occurrence: Occurrence, _ load: TaskLoad, _ random: inout some RandomNumberGenerator
  ) -> RunDecision {
    guard load.waiting == 0, load.slotFree else { return .hold }
    let decidedAtLaunch = spec.overlap == .skip || spec.overlap == .allow
    guard load.running == 0 || (spec.jitterMs == 0 && decidedAtLaunch) else { return .hold }
    if spec.jitterMs > 0 {
      return .start(atMs: occurrence.atMs + Int64.random(in: 0..<spec.jitterMs, using: &random))
    }
    return .arm
  }

  private static func due(
    _ spec: TaskSpec, _ load: TaskLoad, _ now: Int64, _ random: inout some RandomNumberGenerator
  ) -> RunDecision {
    let alert = load.running > 0 && !load.alerted
    switch OverlapRules.decide(
      policy: spec.overlap, running: load.running, queued: load.waiting, force: false,
      slotFree: load.slotFree,
      alreadyAlerted: load.alerted)
    {
    case .start:
      let delay = spec.jitterMs > 0 ? Int64.random(in: 0..<spec.jitterMs, using: &random) : 0
      return .start(atMs: now + delay)
    case .queue: return .queue(alert: alert)
    case .replace: return .replace(alert: alert)
    case .skip(let alert):
      return .skip(
        reason: load.running == 0 ? "a run is already waiting to start" : overlapSkipped, alert: alert)
    }
  }

  private static func armedDue(_ prepared: TaskSpec, _ current: TaskSpec?, _ load: TaskLoad, _ now: Int64)
    -> RunDecision
  {
    // Changed after the run was prepared (`modify` or `disable` in the last moments), or busy
    // under `queue`/`replace` or beyond max-parallel (a run started meanwhile): withdrawn.
    guard isCurrent(prepared, current) else { return .withdraw }
    if load.running == 0 || prepared.overlap == .allow {
      return load.slotFree ? .start(atMs: now) : .withdraw
    }
    return prepared.overlap == .skip ? .skip(reason: overlapSkipped, alert: !load.alerted) : .withdraw
  }

  /// A run prepared with `prepared` may start as prepared: its task is unchanged and enabled.
  private static func isCurrent(_ prepared: TaskSpec, _ current: TaskSpec?) -> Bool {
    prepared.enabled && current == prepared
  }

  /// Queued, jittered, retried or `tfs run` runs: they start in the order they were queued once
  /// their time came and a slot is free, behind their task's running run unless forced or under
  /// `allow`; a manual run under `replace` stops the running one. Scheduled runs of a task
  /// disabled meanwhile are skipped (a manual run was asked for: it still runs).
  private static func waiting(
    _ spec: TaskSpec, _ trigger: Trigger, _ force: Bool, _ notBeforeMs: Int64, _ load: TaskLoad, _ now: Int64
  ) -> RunDecision {
    if !spec.enabled && trigger != .manual { return .skip(reason: "the task was disabled", alert: false) }
    guard notBeforeMs <= now && load.slotFree else { return .wait }
    if load.running == 0 || force || spec.overlap == .allow { return .start(atMs: now) }
    return spec.overlap == .replace && trigger == .manual ? .replace(alert: false) : .wait
  }

  /// A failed or timed-out attempt is retried after `retry-delay × 2^attempt` (capped at 1 h),
  /// unless it was the last or the daemon is stopping.
  private static func ended(
    _ spec: TaskSpec, _ status: RunStatus, _ attempt: Int, _ stopping: Bool, _ now: Int64
  )
    -> RunDecision
  {
    let retryable = status == .failed || status == .timedOut
    guard retryable && attempt < spec.retries && !stopping else { return .end }
    return .retry(atMs: now + OverlapRules.retryDelay(baseMs: spec.retryDelayMs, attempt: attempt))
  }

  /// `catch-up`: none, the latest, or all of the missed occurrences within `catch-up-window`.
  private static func catchUp(_ spec: TaskSpec, _ times: [Int64], _ now: Int64) -> [Int64] {
    let window = spec.catchUpWindowMs.map { now - $0 } ?? Int64.min
    let eligible = times.filter { $0 * 1000 >= window }
    switch spec.catchUp {
    case .none: return []
    case .once: return eligible.last.map { [$0] } ?? []
    case .all: return eligible
    }
  }
}
