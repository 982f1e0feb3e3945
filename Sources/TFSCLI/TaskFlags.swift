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
    help: ArgumentHelp("IANA time zone of the rule.", valueName: "zone"), completion: Completions.zones)
  var timeZone: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Stop or flag a run after this long (90s, 5m, 1h30m; 'none').", valueName: "dur"))
  var timeout: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("On timeout: kill|alert.", valueName: "action"),
    completion: Completions.onTimeout)
  var onTimeout: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "When still running at the next occurrence: skip|queue|replace|allow.", valueName: "policy"),
    completion: Completions.overlap)
  var overlap: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Missed occurrences: none|once|all.", valueName: "policy"),
    completion: Completions.catchUp)
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
      "Only these alert types leave this task (comma list; 'all' = every type).", valueName: "types"),
    completion: Completions.alertTypes)
  var alertOn: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Keep only the newest N runs ('none' = no count limit).", valueName: "n"))
  var keep: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Keep runs this recent; with --keep, both limits apply ('none' = off).", valueName: "dur"))
  var keepFor: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Account the task runs as; the daemon must run as it or as root ('' = the daemon's).", valueName: "name"
    ))
  var user: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("On a cluster: run only on the node of this name ('' = any node).", valueName: "name"))
  var onNode: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("On a cluster: run only on nodes with this label ('' = any node).", valueName: "label")
  )
  var onLabel: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "On a cluster: run again a run lost with its node (idempotent tasks only): yes|no.", valueName: "yes|no"
    ))
  var rerunLost: String?

  /// Applies the given flags to `spec`, validating each (in the order of `TaskField`).
  func apply(to spec: inout TaskSpec) throws {
    let single: [(TaskField, String?)] = [
      (.rule, rule), (.command, command), (.entry, entry), (.title, title), (.description, description),
      (.timezone, timeZone), (.timeout, timeout), (.onTimeout, onTimeout), (.overlap, overlap),
      (.catchUp, catchUp), (.catchUpWindow, catchUpWindow), (.retries, retries), (.retryDelay, retryDelay),
      (.jitter, jitter), (.workdir, workdir), (.alertAfter, alertAfter), (.realert, realert),
      (.alertOn, alertOn), (.keep, keep), (.keepFor, keepFor), (.user, user), (.onNode, onNode),
      (.onLabel, onLabel), (.rerunLost, rerunLost),
    ]
    if !owners.isEmpty { spec.owners = try Owners.parse(owners) }
    for (field, value) in single {
      if let value { try spec.set(field, text: value, label: field.flag) }
    }
    for pair in env { try spec.set(.env, text: pair, label: "--env") }
    for key in unsetEnv {
      try EnvironmentPairs.validateKey(key)
      spec.environment[key] = nil
    }
  }
}

typealias ValidationError = TFSCore.ValidationError
