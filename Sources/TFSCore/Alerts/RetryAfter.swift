import Foundation

/// The HTTP `Retry-After` header (RFC 9110 §10.2.3): a webhook's own word on when to try again.
public enum RetryAfter {
  /// Milliseconds from `nowMs` that `value` asks to wait: delay-seconds, or an IMF-fixdate
  /// (`Sun, 06 Nov 1994 08:49:37 GMT`); nil when it is neither. Capped at one day: the outbox
  /// gives up after 24 h anyway.
  public static func milliseconds(_ value: String, nowMs: Int64) -> Int64? {
    let text = value.trimmingCharacters(in: .whitespaces)
    let day: Int64 = 86_400_000
    if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
      return text.count > 9 ? day : min((Int64(text) ?? 0) * 1000, day)
    }
    guard let epoch = imfDate(text) else { return nil }
    return min(max(0, epoch * 1000 - nowMs), day)
  }

  /// Epoch seconds of `Sun, 06 Nov 1994 08:49:37 GMT`, or nil.
  static func imfDate(_ text: String) -> Int64? {
    let parts = text.split(separator: " ")
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
      let month = months.firstIndex(of: String(parts[2])).map({ $0 + 1 })
    else { return nil }
    let clock = parts[4].split(separator: ":").compactMap { Int($0) }
    guard clock.count == 3, (1...CivilTime.daysIn(month: month, year: year)).contains(day),
      (0..<24).contains(clock[0]), (0..<60).contains(clock[1]), (0...60).contains(clock[2])
    else { return nil }
    let civil = CivilTime(
      year: year, month: month, day: day, hour: clock[0], minute: clock[1], second: clock[2])
    return civil.seconds
  }
}
