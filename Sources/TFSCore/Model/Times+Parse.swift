extension Times {
  /// Parses a time flag into epoch milliseconds: ISO-8601 with or without offset (without = in
  /// `zone`), `YYYY-MM-DD` (midnight in `zone`), `now`, or a duration meaning that long ago.
  public static func parse(_ text: String, now: Int64, zone: ZoneRules) throws(ValidationError) -> Int64 {
    if text == "now" { return now }
    if let ago = try? Durations.parse(text) {
      // Checked: an age of nearly 300 million years before a `--now` ahead of 1970 overflows.
      let (t, overflow) = now.subtractingReportingOverflow(ago)
      guard !overflow else { throw invalidTime(text) }
      return t
    }
    var iso = ISOTimeText(Array(text.utf8))
    guard let date = iso.date(), let clock = iso.clock() else { throw invalidTime(text) }
    let civil = CivilTime(
      year: date.year, month: date.month, day: date.day, hour: clock.hour, minute: clock.minute,
      second: clock.second
    ).seconds
    guard let offset = iso.offset(of: civil, zone: zone) else { throw invalidTime(text) }
    return (civil - offset) * 1000 + Int64(clock.milliseconds)
  }

  private static func invalidTime(_ text: String) -> ValidationError {
    ValidationError(
      "invalid time '\(text)'; use ISO-8601 (2024-03-10T02:30:00-05:00), a date (2024-03-10) or an age (2h, 3d)"
    )
  }
}

/// The bytes of an ISO-8601 time flag, read in order: the date, the time of day (optional),
/// then the offset (optional). Each reader returns nil when its part is malformed.
private struct ISOTimeText {
  let bytes: [UInt8]
  /// Where the offset starts, once `clock()` has read the time of day.
  private var offsetStart = 10

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// The `length` decimal digits at `from` as a number; nil when any is missing or not a digit.
  private func number(_ from: Int, _ length: Int) -> Int? {
    guard from + length <= bytes.count else { return nil }
    var v = 0
    for b in bytes[from..<(from + length)] {
      guard b >= 48 && b <= 57 else { return nil }
      v = v * 10 + Int(b - 48)
    }
    return v
  }

  /// `YYYY-MM-DD` at the start: a date that exists in the calendar.
  func date() -> (year: Int, month: Int, day: Int)? {
    guard bytes.count >= 10, let y = number(0, 4), bytes[4] == 45, let mo = number(5, 2), bytes[7] == 45,
      let d = number(8, 2), (1...12).contains(mo), (1...CivilTime.daysIn(month: mo, year: y)).contains(d)
    else { return nil }
    return (y, mo, d)
  }

  /// The time of day after the date: `THH:MM` (or a space for `T`), then optionally `:SS` and a
  /// fraction after `.` or `,` (milliseconds, further digits ignored). Midnight when the text is
  /// only a date.
  mutating func clock() -> (hour: Int, minute: Int, second: Int, milliseconds: Int)? {
    guard bytes.count > 10 else { return (0, 0, 0, 0) }
    guard bytes[10] == 84 || bytes[10] == 32, let hh = number(11, 2), bytes.count > 13, bytes[13] == 58,
      let mm = number(14, 2), hh < 24, mm < 60
    else { return nil }
    offsetStart = 16
    guard bytes.count > 16 && bytes[16] == 58 else { return (hh, mm, 0, 0) }
    guard let ss = number(17, 2), ss < 60 else { return nil }
    offsetStart = 19
    var fraction = 0
    if bytes.count > 19 && (bytes[19] == 46 || bytes[19] == 44) {
      var j = 20
      var scale = 100
      while j < bytes.count, bytes[j] >= 48 && bytes[j] <= 57 {
        fraction += Int(bytes[j] - 48) * scale
        scale /= 10
        j += 1
      }
      offsetStart = j
    }
    return (hh, mm, ss, fraction)
  }

  /// The offset from UTC (seconds) of the local time `civil`: the one written after the time
  /// (`Z`, `+HH:MM` or `+HHMM`), or when none is written the one in force in `zone`.
  func offset(of civil: Int64, zone: ZoneRules) -> Int64? {
    let rest = Array(bytes[offsetStart...])
    if rest.isEmpty {
      // Local time: the first instant showing it in an overlap (the larger offset); in a gap, the
      // offset from before the gap, so the wall clock reads it moved on by the gap's length. The
      // offsets a day either side bracket any change near `civil` (offsets stay within ±14 h).
      let before = zone.offset(at: civil - 86_400)
      let after = zone.offset(at: civil + 86_400)
      let shown = [before, after].filter { zone.offset(at: civil - $0) == $0 }
      return shown.max() ?? before
    }
    if rest == [90] || rest == [122] { return 0 }
    guard rest.count == 6 || rest.count == 5, rest[0] == 43 || rest[0] == 45 else { return nil }
    let body = rest.count == 6 ? [rest[1], rest[2], rest[4], rest[5]] : Array(rest[1...4])
    guard rest.count == 5 || rest[3] == 58, body.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    let hh = Int64(body[0] - 48) * 10 + Int64(body[1] - 48)
    let mm = Int64(body[2] - 48) * 10 + Int64(body[3] - 48)
    guard hh <= 23, mm <= 59 else { return nil }  // RFC 3339's time-numoffset
    return (hh * 3600 + mm * 60) * (rest[0] == 45 ? -1 : 1)
  }
}
