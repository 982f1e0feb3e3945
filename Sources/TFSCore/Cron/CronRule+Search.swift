/// Occurrence search: first in civil (wall-clock) time, then mapped to instants per zone segment.
extension CronRule {
  /// Civil searches stop after this many years: every valid rule matches within one 400-year
  /// Gregorian cycle (weekdays repeat with it), so nothing can loop for ever.
  static let searchYears = 401

  /// The days of `month` in `year` that match, as bits 1...31.
  func dayMask(year: Int, month: Int) -> UInt64 {
    let length = CivilTime.daysIn(month: month, year: year)
    let valid: UInt64 = ((1 << UInt64(length)) - 1) << 1
    let first = CivilTime.weekdayOfFirst(month: month, year: year)

    var dom = daysOfMonth
    if lastDayOfMonth { dom |= 1 << UInt64(length) }
    if nearestWeekdays != 0 { dom |= nearestWeekdayDays(length: length, first: first) }
    dom &= valid

    var dow: UInt64 = 0
    // Day d has weekday (first + d - 1) % 7; days 1, 8, 15, 22, 29 share a weekday.
    let everySeventh: UInt64 = 1 << 1 | 1 << 8 | 1 << 15 | 1 << 22 | 1 << 29
    var weekdays = daysOfWeek
    while weekdays != 0 {
      let w = weekdays.trailingZeroBitCount
      weekdays &= weekdays - 1
      dow |= everySeventh << UInt64((w - first + 7) % 7)
    }
    if lastWeekdays != 0 || nthWeekdays != 0 {
      dow |= specialWeekdayDays(length: length, first: first)
    }
    dow &= valid

    if domRestricted && dowRestricted { return dom | dow }
    return dom & dow
  }

  private func nearestWeekdayDays(length: Int, first: Int) -> UInt64 {
    var result: UInt64 = 0
    var days = nearestWeekdays
    while days != 0 {
      let n = days.trailingZeroBitCount
      days &= days - 1
      guard n <= length else { continue }
      let weekday = (first + n - 1) % 7
      var day = n
      if weekday == 6 { day = n > 1 ? n - 1 : n + 2 }
      if weekday == 0 { day = n < length ? n + 1 : n - 2 }
      result |= 1 << UInt64(day)
    }
    return result
  }

  private func specialWeekdayDays(length: Int, first: Int) -> UInt64 {
    var result: UInt64 = 0
    for w in 0..<7 {
      let firstDay = 1 + (w - first + 7) % 7
      if lastWeekdays >> UInt64(w) & 1 == 1 {
        result |= 1 << UInt64(firstDay + (length - firstDay) / 7 * 7)
      }
      for k in 0..<5 where nthWeekdays >> UInt64(k * 7 + w) & 1 == 1 {
        let day = firstDay + 7 * k
        if day <= length { result |= 1 << UInt64(day) }
      }
    }
    return result
  }

  /// True when the rule matches at least once in a 400-year cycle.
  func canMatch() -> Bool {
    let start = CivilTime(year: 2000, month: 1, day: 1).seconds - 1
    return nextCivil(after: start, before: Int64.max) != nil
  }

  /// The first matching civil time `c` with `after < c < before`.
  func nextCivil(after: Int64, before: Int64) -> Int64? {
    let t = CivilTime(seconds: after + 1)
    var (y, mo, d, h, mi, s) = (t.year, t.month, t.day, t.hour, t.minute, t.second)
    let lastYear = y + CronRule.searchYears
    var mask: UInt64 = 0
    var maskKey = -1
    while y <= lastYear {
      guard let m2 = months.nextBit(from: mo) else {
        (y, mo, d, h, mi, s) = (y + 1, 1, 1, 0, 0, 0)
        continue
      }
      if m2 != mo { (mo, d, h, mi, s) = (m2, 1, 0, 0, 0) }
      if maskKey != y * 16 + mo {
        mask = dayMask(year: y, month: mo)
        maskKey = y * 16 + mo
      }
      guard let d2 = mask.nextBit(from: d) else {
        (mo, d, h, mi, s) = (mo + 1, 1, 0, 0, 0)
        if mo > 12 { (y, mo) = (y + 1, 1) }
        continue
      }
      if d2 != d { (d, h, mi, s) = (d2, 0, 0, 0) }
      if CivilTime.days(year: y, month: mo, day: d) * 86_400 >= before { return nil }
      guard let h2 = hours.nextBit(from: h) else {
        (d, h, mi, s) = (d + 1, 0, 0, 0)
        continue
      }
      if h2 != h { (h, mi, s) = (h2, 0, 0) }
      guard let m3 = minutes.nextBit(from: mi) else {
        (h, mi, s) = (h + 1, 0, 0)
        continue
      }
      if m3 != mi { (mi, s) = (m3, 0) }
      guard let s2 = seconds.nextBit(from: s) else {
        (mi, s) = (mi + 1, 0)
        continue
      }
      let result = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s2).seconds
      return result < before ? result : nil
    }
    return nil
  }

  /// The last matching civil time `c` with `notBefore <= c < before`.
  func previousCivil(before: Int64, notBefore: Int64) -> Int64? {
    let t = CivilTime(seconds: before - 1)
    var (y, mo, d, h, mi, s) = (t.year, t.month, t.day, t.hour, t.minute, t.second)
    let firstYear = y - CronRule.searchYears
    var mask: UInt64 = 0
    var maskKey = -1
    while y >= firstYear {
      guard let m2 = months.previousBit(from: mo) else {
        (y, mo, d, h, mi, s) = (y - 1, 12, 31, 23, 59, 59)
        continue
      }
      if m2 != mo { (mo, d, h, mi, s) = (m2, 31, 23, 59, 59) }
      if maskKey != y * 16 + mo {
        mask = dayMask(year: y, month: mo)
        maskKey = y * 16 + mo
      }
      guard let d2 = mask.previousBit(from: d) else {
        (mo, d, h, mi, s) = (mo - 1, 31, 23, 59, 59)
        if mo < 1 { (y, mo) = (y - 1, 12) }
        continue
      }
      if d2 != d { (d, h, mi, s) = (d2, 23, 59, 59) }
      if (CivilTime.days(year: y, month: mo, day: d) + 1) * 86_400 <= notBefore { return nil }
      guard let h2 = hours.previousBit(from: h) else {
        (d, h, mi, s) = (d - 1, 23, 59, 59)
        continue
      }
      if h2 != h { (h, mi, s) = (h2, 59, 59) }
      guard let m3 = minutes.previousBit(from: mi) else {
        (h, mi, s) = (h - 1, 59, 59)
        continue
      }
      if m3 != mi { (mi, s) = (m3, 59) }
      guard let s2 = seconds.previousBit(from: s) else {
        (mi, s) = (mi - 1, 59)
        continue
      }
      let result = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s2).seconds
      return result >= notBefore ? result : nil
    }
    return nil
  }

  func matchesCivil(in range: Range<Int64>) -> Bool {
    !range.isEmpty && nextCivil(after: range.lowerBound - 1, before: range.upperBound) != nil
  }
}

extension UInt64 {
  /// The lowest set bit at index `i` or above.
  @inline(__always) func nextBit(from i: Int) -> Int? {
    guard i < 64 else { return nil }
    let m = self & (~0 << UInt64(Swift.max(i, 0)))
    return m == 0 ? nil : m.trailingZeroBitCount
  }

  /// The highest set bit at index `i` or below.
  @inline(__always) func previousBit(from i: Int) -> Int? {
    guard i >= 0 else { return nil }
    let m = i >= 63 ? self : self & ((1 << UInt64(i + 1)) - 1)
    return m == 0 ? nil : 63 - m.leadingZeroBitCount
  }
}
