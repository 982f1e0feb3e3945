/// What a due occurrence does while the previous run of the task is still running.
public enum OverlapPolicy: String, CaseIterable, Codable, Sendable {
  case skip, queue, replace, allow
}

/// What happens to occurrences missed while the daemon was down.
public enum CatchUpPolicy: String, CaseIterable, Codable, Sendable {
  case none, once, all
}

/// What a run that passes its timeout gets.
public enum TimeoutAction: String, CaseIterable, Codable, Sendable {
  case kill, alert
}

/// Why a run started.
public enum Trigger: String, CaseIterable, Codable, Sendable {
  case schedule, manual, retry
  case catchUp = "catch-up"
}

/// A run's state. `queued` and `running` are live; the rest are final.
public enum RunStatus: String, CaseIterable, Codable, Sendable {
  case queued, running, succeeded, failed, killed
  case timedOut = "timed-out"
  case lost, skipped, missed

  public var isFinal: Bool { self != .queued && self != .running }
  /// The states that make a task *failing* (SPEC §5) when they are its last finished run.
  public var isFailure: Bool { self == .failed || self == .timedOut || self == .lost }
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
  /// Parses a flag value, naming the allowed values on failure.
  public static func parse(_ text: String, flag: String) throws(ValidationError) -> Self {
    if let value = allCases.first(where: { $0.rawValue == text }) { return value }
    let allowed = allCases.map(\.rawValue).joined(separator: "|")
    throw ValidationError("invalid \(flag) '\(text)'; use \(allowed)")
  }
}
