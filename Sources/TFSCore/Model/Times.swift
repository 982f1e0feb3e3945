import Foundation

/// ISO-8601 rendering and the time forms flags accept (SPEC §5).
public enum Times {
  /// `2024-03-10T03:00:00-04:00` (or `Z` in UTC zones is avoided: offsets are always numeric
  /// except for UTC itself, which prints `+00:00` so columns line up).
  public static func iso(epochSeconds t: Int64, zone: ZoneRules) -> String {
    var b: [UInt8] = []
    b.reserveCapacity(25)
    appendISO(epochSeconds: t, zone: zone, to: &b)
    return String(decoding: b, as: UTF8.self)
  }

  public static func iso(epochMs ms: Int64, zone: ZoneRules) -> String {
    iso(epochSeconds: seconds(ms), zone: zone)
  }

  /// Appends the 25 bytes of `iso(epochMs:zone:)` to `out`, with no `String` in between:
  /// `tfs list --json` writes 30,000 of these for 10,000 tasks.
  public static func appendISO(epochMs ms: Int64, zone: ZoneRules, to out: inout [UInt8]) {
    appendISO(epochSeconds: seconds(ms), zone: zone, to: &out)
  }

  static func appendISO(epochSeconds t: Int64, zone: ZoneRules, to out: inout [UInt8]) {
    let offset = zone.offset(at: t)
    let c = CivilTime(seconds: t + offset)
    let a = Int(abs(offset))
    func put(_ v: Int, _ width: Int = 2) {
      var divisor = width == 4 ? 1000 : 10
      while divisor > 0 {
        out.append(UInt8(48 + v / divisor % 10))
        divisor /= 10
      }
    }
    put(c.year, 4)
    out.append(UInt8(ascii: "-"))
    put(c.month)
    out.append(UInt8(ascii: "-"))
    put(c.day)
    out.append(UInt8(ascii: "T"))
    put(c.hour)
    out.append(UInt8(ascii: ":"))
    put(c.minute)
    out.append(UInt8(ascii: ":"))
    put(c.second)
    out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
    put(a / 3600)
    out.append(UInt8(ascii: ":"))
    put(a / 60 % 60)
  }

  /// Whole seconds of epoch milliseconds, rounding down (also before 1970).
  static func seconds(_ ms: Int64) -> Int64 { ms >= 0 ? ms / 1000 : (ms - 999) / 1000 }

  /// `YYYYMM/DD/HHmmss` of instant `t` in `zone`: a run's version.
  public static func version(epochSeconds t: Int64, zone: ZoneRules) -> String {
    civil(CivilTime(seconds: t + zone.offset(at: t)), "YYYYMM/DD/hhmmss")
  }

  /// `2024-03-10 03:00:00` in `zone`, for tables.
  public static func short(epochMs ms: Int64, zone: ZoneRules) -> String {
    let t = seconds(ms)
    return civil(CivilTime(seconds: t + zone.offset(at: t)), "YYYY-MM-DD hh:mm:ss")
  }

  /// `c` written as `layout`: each run of Y, M, D, h, m or s is that field, zero-padded to the
  /// run's length; any other byte is copied. Byte by byte, with no `String` per field (`tfs
  /// list` writes 10,000 of these, the daemon one per run).
  static func civil(_ c: CivilTime, _ layout: StaticString) -> String {
    layout.withUTF8Buffer { pattern in
      var out = [UInt8](pattern)
      var i = out.count - 1
      while i >= 0 {
        let field: Int
        switch out[i] {
        case UInt8(ascii: "Y"): field = c.year
        case UInt8(ascii: "M"): field = c.month
        case UInt8(ascii: "D"): field = c.day
        case UInt8(ascii: "h"): field = c.hour
        case UInt8(ascii: "m"): field = c.minute
        case UInt8(ascii: "s"): field = c.second
        default:
          i -= 1
          continue
        }
        let letter = out[i]
        var v = field
        while i >= 0 && out[i] == letter {
          out[i] = UInt8(48 + v % 10)
          v /= 10
          i -= 1
        }
      }
      return String(decoding: out, as: UTF8.self)
    }
  }

  /// Parses a time flag into epoch milliseconds: ISO-8601 with or without offset (without = in
  /// `zone`), `YYYY-MM-DD` (midnight in `zone`), `now`, or a duration meaning that long ago.
  public static func parse(_ text: String, now: Int64, zone: ZoneRules) throws(ValidationError) -> Int64 {
    let fail = ValidationError(
      "invalid time '\(text)'; use ISO-8601 (2024-03-10T02:30:00-05:00), a date (2024-03-10) or an age (2h, 3d)"
    )
    if text == "now" { return now }
    if let ago = try? Durations.parse(text) { return now - ago }
    let scalars = Array(text.utf8)
    func num(_ from: Int, _ len: Int) -> Int? {
      guard from + len <= scalars.count else { return nil }
      var v = 0
      for b in scalars[from..<(from + len)] {
        guard b >= 48 && b <= 57 else { return nil }
        v = v * 10 + Int(b - 48)
      }
      return v
    }
    guard scalars.count >= 10, let y = num(0, 4), scalars[4] == 45, let mo = num(5, 2), scalars[7] == 45,
      let d = num(8, 2), (1...12).contains(mo), (1...CivilTime.daysIn(month: mo, year: y)).contains(d)
    else { throw fail }
    var (h, mi, s) = (0, 0, 0)
    var i = 10
    var fraction = 0
    if scalars.count > 10 {
      guard scalars[10] == 84 || scalars[10] == 32, let hh = num(11, 2), scalars.count > 13,
        scalars[13] == 58,
        let mm = num(14, 2), hh < 24, mm < 60
      else { throw fail }
      (h, mi) = (hh, mm)
      i = 16
      if scalars.count > 16 && scalars[16] == 58 {
        guard let ss = num(17, 2), ss < 60 else { throw fail }
        s = ss
        i = 19
        if scalars.count > 19 && (scalars[19] == 46 || scalars[19] == 44) {
          var j = 20
          var scale = 100
          while j < scalars.count, scalars[j] >= 48 && scalars[j] <= 57 {
            fraction += Int(scalars[j] - 48) * scale
            scale /= 10
            j += 1
          }
          i = j
        }
      }
    }
    let civil = CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s).seconds
    let rest = Array(scalars[i...])
    var offset: Int64
    if rest.isEmpty {
      // Local time: take the offset in force (the first one in an overlap, the later in a gap).
      let guess = zone.offset(at: civil - zone.offset(at: civil))
      offset = zone.offset(at: civil - guess)
    } else if rest == [90] || rest == [122] {
      offset = 0
    } else {
      guard rest.count == 6 || rest.count == 5, rest[0] == 43 || rest[0] == 45 else { throw fail }
      let body = rest.count == 6 ? [rest[1], rest[2], rest[4], rest[5]] : Array(rest[1...4])
      guard rest.count == 5 || rest[3] == 58, body.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw fail }
      let hh = Int64(body[0] - 48) * 10 + Int64(body[1] - 48)
      let mm = Int64(body[2] - 48) * 10 + Int64(body[3] - 48)
      offset = (hh * 3600 + mm * 60) * (rest[0] == 45 ? -1 : 1)
    }
    return (civil - offset) * 1000 + Int64(fraction)
  }
}
