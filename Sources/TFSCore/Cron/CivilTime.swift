/// A wall-clock date and time with no zone, counted in seconds since 1970-01-01T00:00:00.
///
/// Cron rules are matched against civil time; `ZoneRules` maps civil time to instants.
/// The arithmetic is Howard Hinnant's `days_from_civil`, valid for the proleptic Gregorian
/// calendar, so it costs a handful of integer operations and no Foundation calls.
struct CivilTime: Equatable {
  var year: Int
  var month: Int  // 1...12
  var day: Int  // 1...31
  var hour: Int
  var minute: Int
  var second: Int

  init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
    self.year = year
    self.month = month
    self.day = day
    self.hour = hour
    self.minute = minute
    self.second = second
  }

  init(seconds: Int64) {
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let rest = Int(seconds - days * 86_400)
    let (y, m, d) = CivilTime.civil(fromDays: days)
    self.init(year: y, month: m, day: d, hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60)
  }

  var seconds: Int64 {
    CivilTime.days(year: year, month: month, day: day) * 86_400
      + Int64(hour * 3600 + minute * 60 + second)
  }

  static func days(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = Int64(month > 2 ? month - 3 : month + 9)
    let doy = (153 * mp + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
  }

  static func isLeap(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Day of week of the first day of `month`, 0 = Sunday.
  static func weekdayOfFirst(month: Int, year: Int) -> Int {
    let days = CivilTime.days(year: year, month: month, day: 1)
    // 1970-01-01 was a Thursday (4).
    return Int(((days % 7) + 7 + 4) % 7)
  }
}
