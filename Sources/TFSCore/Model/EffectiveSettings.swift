import Foundation

/// Settings with their defaults applied, as the CLI and the daemon use them.
public struct EffectiveSettings: Sendable {
  public var taskRoot: String
  public var defaultCommand: String
  public var defaultEntry: String
  /// Setting `timezone`, else the system zone.
  public var timeZone: TimeZone
  public var notify: [String]
  public var mailFrom: String?
  public var alertIntervalMs: Int64
  public var retentionMs: Int64
  public var maxParallel: Int
  public var logMax: Int64

  public init(stored: [String: String], home: Home) {
    func value(_ s: Setting) -> String? { stored[s.rawValue].flatMap { $0.isEmpty ? nil : $0 } }
    taskRoot = value(.taskRoot) ?? home.defaultTaskRoot
    defaultCommand = value(.defaultCommand) ?? "sh"
    defaultEntry = value(.defaultEntry) ?? "run.sh"
    timeZone = value(.timezone).flatMap(TimeZone.init(identifier:)) ?? TimeZone.current
    notify = (try? Owners.parse([value(.notify) ?? ""])) ?? []
    mailFrom = value(.mailFrom)
    alertIntervalMs = value(.alertInterval).flatMap { try? Durations.parse($0) } ?? 600_000
    retentionMs = value(.retention).flatMap { try? Durations.parse($0) } ?? 30 * 86_400_000
    maxParallel = value(.maxParallel).flatMap { Int($0) } ?? 0
    logMax = value(.logMax).flatMap { try? ByteSizes.parse($0) } ?? 100 << 20
  }

  /// The zone a task's rule is evaluated in.
  public func zone(for spec: TaskSpec) -> TimeZone {
    spec.timeZone.flatMap(TimeZone.init(identifier:)) ?? timeZone
  }

  public func paths(_ name: TaskName) -> TaskPaths { TaskPaths(root: taskRoot, name: name) }
}
