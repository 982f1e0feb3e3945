/// One occurrence of a task's rule: the task, the instant and the zone its rule was read in.
/// The zone names the run's version (`YYYYMM/DD/HHmmss` in that zone); the instant is what the
/// store keeps unique per task (one scheduled run per occurrence).
public struct Occurrence: Hashable, Sendable, CustomStringConvertible {
  public let task: TaskName
  /// Epoch seconds.
  public let at: Int64
  public let zone: ZoneRules

  public init(task: TaskName, at: Int64, zone: ZoneRules) {
    self.task = task
    self.at = at
    self.zone = zone
  }

  public var atMs: Int64 { at * 1000 }
  /// The run version this occurrence names.
  public var version: String { Times.version(epochSeconds: at, zone: zone) }

  public static func == (a: Occurrence, b: Occurrence) -> Bool {
    a.task == b.task && a.at == b.at && a.zone.identifier == b.zone.identifier
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(task)
    hasher.combine(at)
    hasher.combine(zone.identifier)
  }

  public var description: String { "\(task)@\(Times.iso(epochSeconds: at, zone: zone))" }
}
