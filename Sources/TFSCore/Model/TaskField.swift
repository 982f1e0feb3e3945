/// A field of a task definition as people write it: a key of a task file (`tfs apply`), a
/// line of `modify`'s diff, and, behind `flag`, an option of `add`/`modify`. One setter
/// validates each, so a value means the same in a file and on the command line.
public enum TaskField: String, CaseIterable, Sendable {
  case rule, command, entry, title, description, owners, timezone, timeout
  case onTimeout = "on-timeout"
  case overlap
  case catchUp = "catch-up"
  case catchUpWindow = "catch-up-window"
  case retries
  case retryDelay = "retry-delay"
  case jitter, env, workdir, enabled
  case alertAfter = "alert-after"
  case realert
  case alertOn = "alert-on"
  case keep
  case keepFor = "keep-for"
  case user
  case onNode = "on-node"
  case onLabel = "on-label"
  case rerunLost = "rerun-lost"

  /// The option of `add`/`modify` that sets it.
  public var flag: String {
    switch self {
    case .owners: "--owner"
    case .timezone: "--tz"
    case .enabled: "--disabled"
    default: "--" + rawValue
    }
  }
}

extension TaskSpec {
  /// Sets a field from its text as the flag takes it (`"90s"`, `"none"`, `"a@x;b@y"`, `"K=V"`),
  /// naming it `label` in errors. `env` adds one `K=V`; `enabled` takes `yes`/`no`.
  public mutating func set(_ field: TaskField, text: String, label: String) throws(ValidationError) {
    switch field {
    case .rule:
      do { rule = try CronRule(text) } catch { throw error.validation }
    case .command:
      _ = try CommandWords.split(text, as: label)
      command = text
    case .entry: entry = try EntryPath.validate(text)
    case .title:
      guard text.count <= 256 else { throw ValidationError("title is longer than 256 characters") }
      guard !text.contains(where: \.isNewline) else {
        throw ValidationError("invalid title '\(text)': it must be one line")
      }
      title = text
    case .description:
      guard text.count <= 4096 else { throw ValidationError("description is longer than 4096 characters") }
      description = text
    case .owners: owners = try Owners.parse([text])
    case .timezone: timeZone = try Zones.named(text).identifier
    case .timeout: timeoutMs = try Durations.optional(text, label: label)
    case .onTimeout: onTimeout = try TimeoutAction.parse(text, flag: label)
    case .overlap: overlap = try OverlapPolicy.parse(text, flag: label)
    case .catchUp: catchUp = try CatchUpPolicy.parse(text, flag: label)
    case .catchUpWindow: catchUpWindowMs = try Durations.optional(text, label: label)
    case .retries: retries = try TaskSpec.wholeNumber(text, in: 0...100, label: label)
    case .retryDelay: retryDelayMs = try Durations.parse(text)
    case .jitter: jitterMs = try Durations.parse(text)
    case .env:
      let (key, value) = try EnvironmentPairs.parse(text)
      environment[key] = value
    case .workdir:
      guard !text.contains("\0") else { throw ValidationError("invalid \(label): it contains NUL") }
      workdir = text.isEmpty ? nil : text
    case .enabled:
      guard text == "yes" || text == "no" else {
        throw ValidationError("invalid \(label) '\(text)'; use yes|no")
      }
      enabled = text == "yes"
    case .alertAfter: alertPolicy.alertAfter = try TaskSpec.wholeNumber(text, in: 1...1000, label: label)
    case .realert: alertPolicy.realertMs = try Durations.optional(text, label: label)
    case .alertOn:
      let types = try AlertTypes.parse([text], flag: label)
      alertPolicy.alertOn = types == AlertTypes.all ? nil : types
    case .keep:
      keepRuns =
        text == "none" ? nil : try TaskSpec.wholeNumber(text, in: 1...1_000_000, label: label, none: true)
    case .keepFor: keepForMs = try Durations.optional(text, label: label)
    case .user: user = try TaskUser.validate(text)
    case .onNode: onNode = try TaskSpec.nodeName(text, label: label)
    case .onLabel: onLabel = try TaskSpec.nodeName(text, label: label)
    case .rerunLost:
      guard text == "yes" || text == "no" else {
        throw ValidationError("invalid \(label) '\(text)'; use yes|no")
      }
      rerunLost = text == "yes"
    }
  }

  /// A node name or label (`--on-node`, `--on-label`): a host name's characters; '' = none.
  private static func nodeName(_ text: String, label: String) throws(ValidationError) -> String? {
    guard !text.isEmpty else { return nil }
    guard text.utf8.count <= 63, text.first != "-",
      text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
    else {
      throw ValidationError(
        "invalid \(label) '\(text)': use letters, digits, '-', '_' and '.', at most 63 characters")
    }
    return text
  }

  private static func wholeNumber(
    _ text: String, in range: ClosedRange<Int>, label: String, none: Bool = false
  ) throws(ValidationError) -> Int {
    guard let n = Int(text), range.contains(n) else {
      let orNone = none ? " or 'none'" : ""
      throw ValidationError(
        "invalid \(label) '\(text)'; use a whole number \(range.lowerBound)-\(range.upperBound)\(orNone)")
    }
    return n
  }
}

extension Durations {
  /// A duration, or nil for `none`/`0`: the limits a task may leave unset.
  public static func optional(_ text: String, label: String) throws(ValidationError) -> Int64? {
    if text == "none" || text == "0" { return nil }
    let ms = try parse(text)
    return ms == 0 ? nil : ms
  }
}
