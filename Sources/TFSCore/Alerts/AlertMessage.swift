/// One alert as a channel receives it (SPEC §7), built from its event at delivery time.
public struct AlertPayload: Equatable, Sendable {
  /// The event id.
  public var id: Int64
  public var type: EventType
  /// When it was recorded (epoch ms).
  public var at: Int64
  public var task: String?
  public var runID: RunID?
  public var title: String
  /// The event's details: a JSON object as text (run version, exit code, stderr head, count…).
  public var details: String
  /// Alerts of the same (task, type) not sent since the previous one (alert-interval dedup).
  public var folded: Int

  public init(
    id: Int64, type: EventType, at: Int64, task: String? = nil, runID: RunID? = nil, title: String,
    details: String = "{}", folded: Int = 0
  ) {
    self.id = id
    self.type = type
    self.at = at
    self.task = task
    self.runID = runID
    self.title = title
    self.details = details
    self.folded = folded
  }
}

/// What one delivery attempt sends: one alert, or a digest of several (more than 10 a minute
/// to one channel are merged, SPEC §7).
public struct AlertMessage: Equatable, Sendable {
  public var alerts: [AlertPayload]
  public var channel: String
  /// The host the daemon runs on (named in every message: several hosts may alert one channel).
  public var host: String
  /// Mail only: the channel's addresses plus the task owners plus setting `notify`, deduplicated.
  public var recipients: [String]
  /// Mail only: setting `mail-from` (default `tfs@<host>`).
  public var mailFrom: String
  /// Digest only: alerts delivered with this message but not listed in it (a digest lists at
  /// most `AlertMessage.digestListed`; the rest are counted, and are in `tfs events`).
  public var omitted = 0

  public static let digestListed = 200

  public init(
    alerts: [AlertPayload], channel: String, host: String, recipients: [String] = [], mailFrom: String = ""
  ) {
    self.alerts = alerts
    self.channel = channel
    self.host = host
    self.recipients = recipients
    self.mailFrom = mailFrom
  }

  public var isDigest: Bool { alerts.count + omitted > 1 }
  /// How many alerts this message delivers.
  public var count: Int { alerts.count + omitted }
}
