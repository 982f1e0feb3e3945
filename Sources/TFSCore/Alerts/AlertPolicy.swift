/// A task's alert policy (SPEC §7: `--alert-after`, `--realert`, `--alert-on`).
public struct AlertPolicy: Equatable, Sendable {
  /// The first `failed`/`timeout` alert only after this many consecutive failing runs (≥ 1).
  public var alertAfter: Int
  /// A `still-failing` reminder this often while the task keeps failing (nil = never).
  public var realertMs: Int64?
  /// Only these types leave this task (nil = every type its channels take).
  public var alertOn: [EventType]?

  public init(alertAfter: Int = 1, realertMs: Int64? = nil, alertOn: [EventType]? = nil) {
    self.alertAfter = alertAfter
    self.realertMs = realertMs
    self.alertOn = alertOn
  }
}

/// What the store keeps per task to apply its policy across runs.
public struct AlertState: Equatable, Sendable {
  /// Consecutive failing runs (a retry chain counts once).
  public var streak: Int
  /// When the current failing spell began (the first failing run's end).
  public var failingSince: Int64?
  /// When a failure alert of this spell was raised: `recovered` is due only after one.
  public var alertedAt: Int64?
  /// The last `still-failing` reminder.
  public var realertedAt: Int64?

  public init(streak: Int = 0, failingSince: Int64? = nil, alertedAt: Int64? = nil, realertedAt: Int64? = nil)
  {
    self.streak = streak
    self.failingSince = failingSince
    self.alertedAt = alertedAt
    self.realertedAt = realertedAt
  }
}

/// Whether an alert leaves for the channels.
public enum AlertVerdict: Equatable, Sendable {
  case raise
  /// Recorded, not sent; the reason is kept with the event.
  case suppress(String)
}

/// The per-task alert policy as pure functions: the store applies them inside the transaction
/// that records the cause, so state and alert can never disagree.
public enum AlertRules {
  /// What a run's end does to the task's alerting.
  public struct Decision: Equatable, Sendable {
    public var state: AlertState
    /// The verdict on the failure alert the end produced (`failed`, `entry-missing`, `lost`).
    public var failure: AlertVerdict
    /// Set when a `recovered` alert is due: how long the task was failing (ms).
    public var recoveredAfterMs: Int64?
  }

  /// A run ended with `status` at `at`. `retryFollows`: a retry of the same occurrence comes
  /// next, so the chain is not over (it counts once, and alerts once, when it ends).
  /// `failureType` is the alert the end produced, if any.
  public static func runEnded(
    _ state: AlertState, policy: AlertPolicy, status: RunStatus, failureType: EventType?, retryFollows: Bool,
    at: Int64
  ) -> Decision {
    var next = state
    if status == .succeeded {
      let recovered = state.alertedAt.map { _ in at - (state.failingSince ?? at) }
      return Decision(state: AlertState(), failure: .raise, recoveredAfterMs: recovered)
    }
    guard status.isFailure else { return Decision(state: state, failure: .raise, recoveredAfterMs: nil) }
    if retryFollows {
      return Decision(state: state, failure: .suppress("a retry follows"), recoveredAfterMs: nil)
    }
    next.streak += 1
    next.failingSince = state.failingSince ?? at
    var verdict = AlertVerdict.raise
    if let type = failureType {
      verdict = gate(type, streak: next.streak, policy: policy)
      if verdict == .raise { next.alertedAt = state.alertedAt ?? at }
    }
    return Decision(state: next, failure: verdict, recoveredAfterMs: nil)
  }

  /// A run passed its timeout (the `timeout` alert comes while it still runs).
  public static func timeoutPassed(
    _ state: AlertState, policy: AlertPolicy, retryFollows: Bool, at: Int64
  ) -> (AlertState, AlertVerdict) {
    if retryFollows { return (state, .suppress("a retry follows")) }
    let verdict = gate(.timeout, streak: state.streak + 1, policy: policy)
    guard verdict == .raise else { return (state, verdict) }
    var next = state
    next.alertedAt = state.alertedAt ?? at
    next.failingSince = state.failingSince ?? at
    return (next, verdict)
  }

  /// `--alert-on` and `--alert-after` for an alert of `type` at failing streak `streak`.
  public static func gate(_ type: EventType, streak: Int, policy: AlertPolicy) -> AlertVerdict {
    if let only = policy.alertOn, !only.contains(type) { return .suppress("not in --alert-on") }
    if (type == .failed || type == .timeout) && streak < policy.alertAfter {
      return .suppress("--alert-after \(policy.alertAfter): failing run \(streak) of \(policy.alertAfter)")
    }
    return .raise
  }

  /// Whether a `still-failing` reminder is due now.
  public static func realertDue(_ state: AlertState, policy: AlertPolicy, now: Int64) -> Bool {
    guard let every = policy.realertMs, let alerted = state.alertedAt else { return false }
    return now >= (state.realertedAt ?? alerted) + every
  }

  /// alert-interval dedup: whether an alert of a (channel, task, type) last sent at `lastSentAt`
  /// is sent now (else it is folded into the next one). `started`/`succeeded` feed other
  /// systems and are never folded.
  public static func sendsNow(type: EventType, lastSentAt: Int64?, intervalMs: Int64, now: Int64) -> Bool {
    guard let last = lastSentAt, intervalMs > 0, !type.isOptIn else { return true }
    return now - last >= intervalMs
  }
}

/// Lists of alert types as flags take them: `failed,timeout` (repeatable), `all` for every type.
public enum AlertTypes {
  public static var all: [EventType] { EventType.allCases.filter(\.isAlert) }

  public static func parse(_ values: [String], flag: String) throws(ValidationError) -> [EventType] {
    var out: [EventType] = []
    for value in values {
      for part in value.split(separator: ",") {
        let name = String(part).trimmingWhitespace()
        if name.isEmpty { continue }
        if name == "all" {
          for t in all where !out.contains(t) { out.append(t) }
          continue
        }
        guard let type = EventType(rawValue: name), type.isAlert else {
          let known = all.map(\.rawValue).joined(separator: ",")
          throw ValidationError("invalid \(flag) '\(name)': not an alert type; use all or some of \(known)")
        }
        if !out.contains(type) { out.append(type) }
      }
    }
    guard !out.isEmpty else { throw ValidationError("invalid \(flag) '': name at least one alert type") }
    return out
  }

  /// The stored form: `failed,timeout`.
  public static func text(_ types: [EventType]) -> String { types.map(\.rawValue).joined(separator: ",") }

  /// Reads the stored form back (unknown names are skipped).
  public static func stored(_ text: String) -> [EventType] {
    text.split(separator: ",").compactMap { EventType(rawValue: String($0)) }
  }
}
