@testable import TFSCore

extension ParserProperties {
  /// `now` is now and an age is that long before it; an ISO-8601 time formats back (as
  /// `Times.iso` writes it, in the zone) to text that parses to the same second, in years
  /// 1-9999 and whole-minute offsets; a local time
  /// (no offset) is the first instant showing that wall-clock time, or in a gap the instant
  /// the wall clock shows it moved on by the gap's length.
  static func time(_ bytes: [UInt8]) -> String? {
    let input = Input(bytes)
    let text = input.text
    let zone = input.pick(zones, 0)
    let now = instant(input, 1) * 1000 + Int64(input.number(2) % 1000)
    guard let t = try? Times.parse(text, now: now, zone: zone) else { return nil }
    let context = "'\(text)' in \(zone.identifier) at \(now)"
    if text == "now" { return t == now ? nil : "\(context): now is \(t)" }
    if let age = try? Durations.parse(text) {
      return t == now - age ? nil : "\(context): \(age) ms ago is \(t)"
    }
    let seconds = Times.seconds(t)
    let civil = CivilTime(seconds: seconds + zone.offset(at: seconds))
    // `Times.iso` writes the offset to the minute: before about 1920 some zones' offsets have
    // seconds (Dublin's -00:25:21), and there the text is that many seconds off.
    if (1...9999).contains(civil.year) && zone.offset(at: seconds) % 60 == 0 {
      let iso = Times.iso(epochSeconds: seconds, zone: zone)
      guard (try? Times.parse(iso, now: now, zone: zone)) == seconds * 1000 else {
        return "\(context): \(t) is written '\(iso)', which does not parse back to it"
      }
    }
    let written = Array(text.utf8)
    guard !written.dropFirst(10).contains(where: { [43, 45, 90, 122].contains($0) }) else { return nil }
    let wall = wallClock(written)
    guard let expected = localInstant(wall, zone), expected == seconds else {
      return
        "\(context): local time \(wall) is \(seconds), not \(localInstant(wall, zone).map { "\($0)" } ?? "none")"
    }
    return nil
  }

  /// The wall-clock seconds of an ISO-8601 text that parsed, read from its fixed positions.
  static func wallClock(_ b: [UInt8]) -> Int64 {
    func n(_ from: Int, _ length: Int) -> Int {
      from + length <= b.count ? b[from..<(from + length)].reduce(0) { $0 * 10 + Int($1) - 48 } : 0
    }
    let date = CivilTime(year: n(0, 4), month: n(5, 2), day: n(8, 2), hour: n(11, 2), minute: n(14, 2))
    return date.seconds + Int64(b.count > 16 && b[16] == 58 ? n(17, 2) : 0)
  }

  /// Slowly, from the zone's segments: the first instant whose wall clock shows `wall`, or in a
  /// gap the wall time read with the offset from before the gap.
  static func localInstant(_ wall: Int64, _ zone: ZoneRules) -> Int64? {
    let range = zone.segment(of: wall - 30 * 3600)...zone.segment(of: wall + 30 * 3600)
    let instants = range.map { wall - zone.offsets[$0] }.enumerated().filter {
      zone.segment(of: $0.element) == range.lowerBound + $0.offset
    }
    if let first = instants.map(\.element).min() { return first }
    for i in range where i > 0 {
      let change = zone.transitions[i - 1]
      if change + zone.offsets[i - 1] <= wall && wall < change + zone.offsets[i] {
        return wall - zone.offsets[i - 1]
      }
    }
    return nil
  }
}
