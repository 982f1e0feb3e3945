/// What a due occurrence (or a queued run) does, given what is running: the pure part of the
/// scheduler, tested with tables.
public enum FireDecision: Equatable, Sendable {
  /// Start now.
  case start
  /// Record as queued; start when the task's current run ends or a slot frees.
  case queue
  /// Record as skipped (an `overlap` alert when `alert`).
  case skip(alert: Bool)
  /// Stop the running runs, then start this one.
  case replace
}

public enum OverlapRules {
  /// - Parameters:
  ///   - running: how many runs of the task are running.
  ///   - queued: how many runs of the task are already waiting to start (queue keeps at most one;
  ///     a waiting run also makes `skip` and `replace` skip).
  ///   - slotFree: whether max-parallel leaves room.
  ///   - alreadyAlerted: an `overlap` alert was already sent for the current running run.
  public static func decide(
    policy: OverlapPolicy, running: Int, queued: Int, force: Bool, slotFree: Bool, alreadyAlerted: Bool
  ) -> FireDecision {
    if force || policy == .allow || (running == 0 && queued == 0) { return slotFree ? .start : .queue }
    // Already one waiting (for a slot or behind the running run): this occurrence adds nothing.
    if running == 0 { return .skip(alert: false) }
    switch policy {
    case .skip, .allow: return .skip(alert: !alreadyAlerted)
    case .queue: return queued == 0 ? .queue : .skip(alert: !alreadyAlerted)
    case .replace: return queued == 0 ? .replace : .skip(alert: !alreadyAlerted)
    }
  }

  /// Retry delay for attempt `n` (0-based): `delay * 2^n`, capped at one hour.
  public static func retryDelay(baseMs: Int64, attempt: Int) -> Int64 {
    let cap: Int64 = 3_600_000
    var delay = max(baseMs, 0)
    for _ in 0..<min(attempt, 40) {
      delay *= 2
      if delay >= cap { return cap }
    }
    return min(delay, cap)
  }
}
