import ArgumentParser
import TFSCore

/// The task-definition flags shared by `add` and `modify` (SPEC §3).
struct TaskFlags: ParsableArguments {
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Cron rule: 'sec min hour dom mon dow', 5 fields, or @daily…", valueName: "rule"))
  var rule: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Executor, split like a shell would (never run through one).", valueName: "cmd"))
  var command: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Entry file, relative to the task folder.", valueName: "file")
  )
  var entry: String?
  @Option(parsing: .unconditional, help: "One-line title (≤ 256 characters).")
  var title: String?
  @Option(parsing: .unconditional, help: "Description (≤ 4096 characters).")
  var description: String?
  @Option(
    name: .customLong("owner"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Alert recipient (repeatable; 'a@x;b@y' too).", valueName: "addr"))
  var owners: [String] = []
  @Option(
    name: .customLong("tz"), parsing: .unconditional,
    help: ArgumentHelp("IANA time zone of the rule.", valueName: "zone"))
  var timeZone: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Stop or flag a run after this long (90s, 5m, 1h30m; 'none').", valueName: "dur"))
  var timeout: String?
  @Option(parsing: .unconditional, help: ArgumentHelp("On timeout: kill|alert.", valueName: "action"))
  var onTimeout: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "When still running at the next occurrence: skip|queue|replace|allow.", valueName: "policy"))
  var overlap: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Missed occurrences: none|once|all.", valueName: "policy"))
  var catchUp: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Only catch up occurrences this recent ('none' = no limit).", valueName: "dur"))
  var catchUpWindow: String?
  @Option(parsing: .unconditional, help: "Re-run a failed run up to N times.")
  var retries: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("First retry delay, doubling each time (capped at 1h).", valueName: "dur"))
  var retryDelay: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Start scheduled runs after a random delay in [0, dur).", valueName: "dur"))
  var jitter: String?
  @Option(
    name: .customLong("env"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Environment variable K=V (repeatable).", valueName: "K=V"))
  var env: [String] = []
  @Option(
    name: .customLong("unset-env"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Remove an environment variable (repeatable).", valueName: "K"))
  var unsetEnv: [String] = []
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Working directory (default: the task folder).", valueName: "dir"))
  var workdir: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "First failed/timeout alert only after N failing runs in a row (default 1).", valueName: "n"))
  var alertAfter: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Send still-failing every DUR while the task keeps failing ('none' = off).", valueName: "dur"))
  var realert: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Only these alert types leave this task (comma list; 'all' = every type).", valueName: "types"))
  var alertOn: String?

  /// Applies the given flags to `spec`, validating each.
  func apply(to spec: inout TaskSpec) throws {
    if let rule { spec.rule = try CronRule(rule) }
    if let command {
      _ = try CommandWords.split(command, as: "--command")
      spec.command = command
    }
    if let entry { spec.entry = try EntryPath.validate(entry) }
    if let title {
      guard title.count <= 256 else { throw ValidationError("title is longer than 256 characters") }
      guard !title.contains(where: \.isNewline) else {
        throw ValidationError("invalid title '\(title)': it must be one line")
      }
      spec.title = title
    }
    if let description {
      guard description.count <= 4096 else {
        throw ValidationError("description is longer than 4096 characters")
      }
      spec.description = description
    }
    if !owners.isEmpty { spec.owners = try Owners.parse(owners) }
    if let timeZone { spec.timeZone = try Zones.named(timeZone).identifier }
    if let timeout { spec.timeoutMs = try TaskFlags.optionalDuration(timeout, flag: "--timeout") }
    if let onTimeout { spec.onTimeout = try TimeoutAction.parse(onTimeout, flag: "--on-timeout") }
    if let overlap { spec.overlap = try OverlapPolicy.parse(overlap, flag: "--overlap") }
    if let catchUp { spec.catchUp = try CatchUpPolicy.parse(catchUp, flag: "--catch-up") }
    if let catchUpWindow {
      spec.catchUpWindowMs = try TaskFlags.optionalDuration(catchUpWindow, flag: "--catch-up-window")
    }
    if let retries {
      guard let n = Int(retries), (0...100).contains(n) else {
        throw ValidationError("invalid --retries '\(retries)'; use a whole number 0-100")
      }
      spec.retries = n
    }
    if let retryDelay { spec.retryDelayMs = try Durations.parse(retryDelay) }
    if let jitter { spec.jitterMs = try Durations.parse(jitter) }
    for pair in env {
      let (key, value) = try EnvironmentPairs.parse(pair)
      spec.environment[key] = value
    }
    for key in unsetEnv {
      try EnvironmentPairs.validateKey(key)
      spec.environment[key] = nil
    }
    if let workdir {
      guard !workdir.contains("\0") else { throw ValidationError("invalid --workdir: it contains NUL") }
      spec.workdir = workdir.isEmpty ? nil : workdir
    }
    try applyAlertPolicy(to: &spec)
  }

  private func applyAlertPolicy(to spec: inout TaskSpec) throws {
    if let alertAfter {
      guard let n = Int(alertAfter), (1...1000).contains(n) else {
        throw ValidationError("invalid --alert-after '\(alertAfter)'; use a whole number 1-1000")
      }
      spec.alertPolicy.alertAfter = n
    }
    if let realert { spec.alertPolicy.realertMs = try TaskFlags.optionalDuration(realert, flag: "--realert") }
    if let alertOn {
      let types = try AlertTypes.parse([alertOn], flag: "--alert-on")
      spec.alertPolicy.alertOn = types == AlertTypes.all ? nil : types
    }
  }

  /// A duration, or nil for `none`/`0`.
  static func optionalDuration(_ text: String, flag: String) throws(TFSCore.ValidationError) -> Int64? {
    if text == "none" || text == "0" { return nil }
    let ms = try Durations.parse(text)
    return ms == 0 ? nil : ms
  }
}

typealias ValidationError = TFSCore.ValidationError
