import Foundation

/// A task definition (SPEC §3). Optional fields left nil fall back to settings at run time.
public struct TaskSpec: Equatable, Sendable {
  public var name: TaskName
  public var rule: CronRule
  /// The executor as written (`node --max-old-space-size=512`); split by `CommandLine.words`.
  public var command: String
  /// Path of the entry file relative to the task folder.
  public var entry: String
  public var title: String
  public var description: String
  public var owners: [String]
  /// IANA zone name; nil = setting `timezone`, else the system zone.
  public var timeZone: String?
  public var timeoutMs: Int64?
  public var onTimeout: TimeoutAction
  public var overlap: OverlapPolicy
  public var catchUp: CatchUpPolicy
  public var catchUpWindowMs: Int64?
  public var retries: Int
  public var retryDelayMs: Int64
  public var jitterMs: Int64
  /// Sorted by key.
  public var environment: [String: String]
  public var workdir: String?
  public var enabled: Bool
  /// `--alert-after`, `--realert`, `--alert-on` (SPEC §7).
  public var alertPolicy: AlertPolicy
  /// `--keep N`: keep the newest N runs (nil: no count limit).
  public var keepRuns: Int?
  /// `--keep-for DUR`: keep runs queued within this long. With neither limit set, the setting
  /// `retention` applies; with either, only the task's own limits do.
  public var keepForMs: Int64?
  /// `--user`: the account the task runs as (a system crontab's user column). nil: the daemon's.
  public var user: String?
  /// `--on-node`, `--on-label` (a cluster, SPEC §10): only the node of that name, or the nodes
  /// with that label, run the task; nil: any node.
  public var onNode: String?
  public var onLabel: String?
  /// `--rerun-lost` (a cluster): a run recorded lost when its node died is run again by a
  /// peer. For idempotent tasks only: the lost run may have done part of its work, or all of it.
  public var rerunLost: Bool

  public init(
    name: TaskName, rule: CronRule, command: String, entry: String, title: String = "",
    description: String = "", owners: [String] = [], timeZone: String? = nil,
    timeoutMs: Int64? = nil, onTimeout: TimeoutAction = .kill, overlap: OverlapPolicy = .skip,
    catchUp: CatchUpPolicy = .none, catchUpWindowMs: Int64? = nil, retries: Int = 0,
    retryDelayMs: Int64 = 10_000, jitterMs: Int64 = 0, environment: [String: String] = [:],
    workdir: String? = nil, enabled: Bool = true, alertPolicy: AlertPolicy = AlertPolicy(),
    keepRuns: Int? = nil, keepForMs: Int64? = nil, user: String? = nil, onNode: String? = nil,
    onLabel: String? = nil, rerunLost: Bool = false
  ) {
    self.name = name
    self.rule = rule
    self.command = command
    self.entry = entry
    self.title = title
    self.description = description
    self.owners = owners
    self.timeZone = timeZone
    self.timeoutMs = timeoutMs
    self.onTimeout = onTimeout
    self.overlap = overlap
    self.catchUp = catchUp
    self.catchUpWindowMs = catchUpWindowMs
    self.retries = retries
    self.retryDelayMs = retryDelayMs
    self.jitterMs = jitterMs
    self.environment = environment
    self.workdir = workdir
    self.enabled = enabled
    self.alertPolicy = alertPolicy
    self.keepRuns = keepRuns
    self.keepForMs = keepForMs
    self.user = user
    self.onNode = onNode
    self.onLabel = onLabel
    self.rerunLost = rerunLost
  }

  /// Field name → display value, in a stable order; `modify` diffs two of these.
  public var fields: [(String, String)] {
    [
      ("rule", rule.text), ("command", command), ("entry", entry), ("title", title),
      ("description", description), ("owners", owners.joined(separator: ";")),
      ("timezone", timeZone ?? ""),
      ("timeout", timeoutMs.map { Durations.canonical(milliseconds: $0) } ?? ""),
      ("on-timeout", onTimeout.rawValue), ("overlap", overlap.rawValue),
      ("catch-up", catchUp.rawValue),
      ("catch-up-window", catchUpWindowMs.map { Durations.canonical(milliseconds: $0) } ?? ""),
      ("retries", String(retries)), ("retry-delay", Durations.canonical(milliseconds: retryDelayMs)),
      ("jitter", Durations.canonical(milliseconds: jitterMs)),
      ("env", environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }.joined(separator: " ")),
      ("workdir", workdir ?? ""), ("enabled", enabled ? "yes" : "no"),
      ("alert-after", String(alertPolicy.alertAfter)),
      ("realert", alertPolicy.realertMs.map { Durations.canonical(milliseconds: $0) } ?? ""),
      ("alert-on", alertPolicy.alertOn.map { $0.map(\.rawValue).joined(separator: ",") } ?? ""),
      ("keep", keepRuns.map(String.init) ?? ""),
      ("keep-for", keepForMs.map { Durations.canonical(milliseconds: $0) } ?? ""),
      ("user", user ?? ""), ("on-node", onNode ?? ""), ("on-label", onLabel ?? ""),
      ("rerun-lost", rerunLost ? "yes" : "no"),
    ]
  }

  /// The fields that differ, as (field, old, new).
  public func diff(to other: TaskSpec) -> [(field: String, old: String, new: String)] {
    zip(fields, other.fields).compactMap { a, b in a.1 == b.1 ? nil : (a.0, a.1, b.1) }
  }

  public static func == (a: TaskSpec, b: TaskSpec) -> Bool {
    a.name == b.name && a.fields.elementsEqual(b.fields, by: { $0 == $1 })
  }
}
