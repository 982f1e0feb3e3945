/// When a node renews its lease and when it must consider itself fenced, on its own monotonic
/// clock (ms): pure, so it is tested with tables.
///
/// The database sets a lease to end `leaseMs` after it *received* a renewal, which is after the
/// node *sent* it; so a node that measures from the send of its last confirmed renewal never
/// believes in a lease the database has already ended. It renews every `renewEveryMs` and
/// fences itself `marginMs` before the lease can end: it stops claiming and stops its runs,
/// before its peers may declare them lost (at the lease's end plus one reaping period).
public struct LeaseKeeper: Equatable, Sendable {
  public var leaseMs: Int64
  public var renewEveryMs: Int64
  public var marginMs: Int64
  /// How soon a renewal that got no answer is tried again.
  public var retryMs: Int64
  /// When the last renewal the database confirmed was sent; nil before joining.
  public private(set) var confirmedSentAt: Int64?
  private var attemptedAt: Int64?

  public init(
    leaseMs: Int64 = 10_000, renewEveryMs: Int64 = 2_000, marginMs: Int64 = 2_000, retryMs: Int64 = 500
  ) {
    self.leaseMs = leaseMs
    self.renewEveryMs = renewEveryMs
    self.marginMs = marginMs
    self.retryMs = retryMs
  }

  /// A renewal is being sent at `now` (its answer may never come).
  public mutating func attempted(at now: Int64) {
    attemptedAt = now
  }

  public enum State: Equatable, Sendable {
    /// Not joined (or fenced and not rejoined): no claim, no write.
    case out
    /// The lease holds; renew at `renewAt`. `fenceAt` is when the node fences itself without one.
    case live(renewAt: Int64, fenceAt: Int64)
    /// No renewal confirmed in time: stop claiming, stop the runs, rejoin under a new epoch.
    case fenced
  }

  /// A join or renewal sent at `sentAt` was confirmed.
  public mutating func confirmed(sentAt: Int64) {
    confirmedSentAt = max(confirmedSentAt ?? sentAt, sentAt)
  }

  /// The database refused a renewal (another epoch holds the name, or the lease had ended).
  public mutating func refused() {
    confirmedSentAt = nil
    attemptedAt = nil
  }

  public func state(at now: Int64) -> State {
    guard let sent = confirmedSentAt else { return .out }
    let fenceAt = sent + leaseMs - marginMs
    if now >= fenceAt { return .fenced }
    var renewAt = sent + renewEveryMs
    if let attempt = attemptedAt, attempt >= sent, attempt + retryMs > renewAt { renewAt = attempt + retryMs }
    return .live(renewAt: min(renewAt, fenceAt), fenceAt: fenceAt)
  }
}
