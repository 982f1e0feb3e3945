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
public enum EventType: String, CaseIterable, Codable, Sendable {
  case entryMissing = "entry-missing"
  case overlap, failed, timeout, missed, lost, killed, added, modified, deleted, recovered
  case stillFailing = "still-failing"
  case systemError = "system-error"
  case daemonStarted = "daemon-started"
  case started, succeeded
  case daemonStopped = "daemon-stopped"
  case enabled, disabled, configured, pruned
  case channelAdded = "channel-added"
  case channelRemoved = "channel-removed"

  /// Whether this type is an alert a channel can receive (SPEC §7); the others are audit
  /// entries only, recorded with delivery `none`.
  public var isAlert: Bool {
    switch self {
    case .daemonStopped, .enabled, .disabled, .configured, .pruned, .channelAdded, .channelRemoved: false
    default: true
    }
  }

  /// Types a channel receives only when its `--on` names them (never in the default set).
  public var isOptIn: Bool { self == .started || self == .succeeded }
}
