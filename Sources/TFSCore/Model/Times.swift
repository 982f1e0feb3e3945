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
}
