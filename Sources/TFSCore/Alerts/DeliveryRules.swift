/// How the delivery worker paces a channel (SPEC §7): a digest instead of an alert storm, and
/// retries with exponential backoff and jitter for up to a day.
public enum DeliveryRules {
  /// At most this many messages a minute to one channel; beyond it, alerts wait for one digest.
  public static let perMinute = 10
  public static let windowMs: Int64 = 60_000
  /// A delivery still failing this long after its alert is given up (`failed`).
  public static let giveUpAfterMs: Int64 = 86_400_000
  public static let firstRetryMs: Int64 = 5_000
  public static let maxRetryMs: Int64 = 3_600_000

  public enum Plan: Equatable, Sendable {
    /// Send each due alert as its own message.
    case each
    /// Send every due alert in one digest message.
    case digest
    /// The channel has used its minute: send nothing before this instant (then one digest).
    case waitUntil(Int64)
  }

  /// `sentAt`: when this channel's messages of the last minute went out; `due`: alerts waiting.
  public static func plan(sentAt: [Int64], due: Int, now: Int64) -> Plan {
    let recent = sentAt.filter { $0 > now - windowMs }.sorted()
    let budget = perMinute - recent.count
    if budget <= 0 { return .waitUntil(recent[recent.count - perMinute] + windowMs) }
    return due <= budget ? .each : .digest
  }

  /// When to try again after `attempts` failed attempts of an alert recorded at `createdAt`;
  /// nil when the day is over. The delay is 5 s doubling up to 1 h, with jitter in [½, 1] of it
  /// (`random` in [0, 1)), and never shorter than a `Retry-After` answer (`Retry-After: 0` does
  /// not make a tight loop).
  public static func nextAttempt(
    attempts: Int, createdAt: Int64, now: Int64, retryAfterMs: Int64?, random: Double,
    firstRetryMs: Int64 = firstRetryMs
  ) -> Int64? {
    let exponent = min(max(attempts - 1, 0), 20)
    let delay = min(firstRetryMs << Int64(exponent), maxRetryMs)
    let backoff = delay / 2 + Int64(Double(delay / 2) * min(max(random, 0), 1))
    let next = now + max(backoff, retryAfterMs ?? 0)
    return next - createdAt > giveUpAfterMs ? nil : next
  }

  /// A channel is *failing* (status, `status --check`) after this many failed attempts in a row.
  public static let failingAfter = 3
}
