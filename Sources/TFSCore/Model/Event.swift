/// An alert or audit entry (SPEC §7). `details` is a JSON object as text.
public struct Event: Equatable, Sendable {
  public var id: Int64
  public var at: Int64
  public var type: String
  public var task: String?
  public var runID: RunID?
  public var actor: String
  public var title: String
  public var details: String
  public var delivery: String

  public init(
    id: Int64 = 0, at: Int64, type: String, task: String? = nil, runID: RunID? = nil,
    actor: String, title: String, details: String = "{}", delivery: String = "pending"
  ) {
    self.id = id
    self.at = at
    self.type = type
    self.task = task
    self.runID = runID
    self.actor = actor
    self.title = title
    self.details = details
    self.delivery = delivery
  }
}

/// The alert and audit event types of SPEC §7.
public enum EventType: String, CaseIterable, Sendable {
  case entryMissing = "entry-missing"
  case overlap, failed, timeout, missed, killed, added, modified, deleted, recovered
  case systemError = "system-error"
  case daemonStarted = "daemon-started"
  case daemonStopped = "daemon-stopped"
  case enabled, disabled, configured, pruned
}
