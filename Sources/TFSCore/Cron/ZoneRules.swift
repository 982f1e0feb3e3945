import Foundation
import Synchronization

/// A time zone as a list of UTC offset segments, so mapping instants to civil time is a binary
/// search instead of a Foundation call (about 7 µs each), which P7 (≥ 1M next-occurrence
/// computations per second) cannot afford.
///
/// Segment `i` covers `[transitions[i - 1], transitions[i])` with offset `offsets[i]`; the first
/// and last segments are unbounded. Transitions are read once per zone from Foundation for the
/// years 1900-2200; outside those the nearest segment's offset applies.
public final class ZoneRules: Sendable {
  public let identifier: String
  let transitions: [Int64]
  let offsets: [Int64]

  init(identifier: String, transitions: [Int64], offsets: [Int64]) {
    self.identifier = identifier
    self.transitions = transitions
    self.offsets = offsets
  }

  private static let cache = Mutex<[String: ZoneRules]>([:])

  /// The rules of `zone`, built on first use and shared afterwards.
  public static func forZone(_ zone: TimeZone) -> ZoneRules {
    if let hit = cache.withLock({ $0[zone.identifier] }) { return hit }
    let built = build(zone)
    cache.withLock { $0[zone.identifier] = built }
    return built
  }

  private static func build(_ zone: TimeZone) -> ZoneRules {
    let start = Date(timeIntervalSince1970: -2_208_988_800)  // 1900-01-01
    let end = Date(timeIntervalSince1970: 7_258_118_400)  // 2200-01-01
    var transitions: [Int64] = []
    var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: start))]
    var cursor = start
    while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
      let offset = Int64(zone.secondsFromGMT(for: next))
      if offset != offsets[offsets.count - 1] {
        transitions.append(Int64(next.timeIntervalSince1970.rounded()))
        offsets.append(offset)
      }
      cursor = next
    }
    return ZoneRules(identifier: zone.identifier, transitions: transitions, offsets: offsets)
  }

  /// Index of the segment holding instant `t`.
  @inline(__always) func segment(of t: Int64) -> Int {
    var low = 0
    var high = transitions.count
    while low < high {
      let mid = (low + high) / 2
      if transitions[mid] <= t { low = mid + 1 } else { high = mid }
    }
    return low
  }

  /// The UTC offset in seconds at instant `t`.
  public func offset(at t: Int64) -> Int64 { offsets[segment(of: t)] }

  func start(of segment: Int) -> Int64 { segment > 0 ? transitions[segment - 1] : Int64.min / 4 }
  func end(of segment: Int) -> Int64 {
    segment < transitions.count ? transitions[segment] : Int64.max / 4
  }
}

extension CronRule {
  /// The first occurrence strictly after epoch second `t` (Vixie cron's DST rules).
  public func next(after t: Int64, in zone: ZoneRules) -> Int64? {
    var i = zone.segment(of: t)
    var from = t
    while true {
      let offset = zone.offsets[i]
      let start = zone.start(of: i)
      let previousOffset = i > 0 ? zone.offsets[i - 1] : offset
      if isFixedTime && i > 0 && from < start && offset > previousOffset
        && matchesCivil(in: (start + previousOffset)..<(start + offset))
      {
        return start  // the first instant after a spring-forward gap
      }
      var lowCivil = from + offset
      if isFixedTime && offset < previousOffset {
        // Times repeated by a fall-back already ran in the previous segment.
        lowCivil = max(lowCivil, start + previousOffset - 1)
      }
      let isLast = i == zone.transitions.count
      let highCivil = isLast ? Int64.max / 2 : zone.end(of: i) + offset
      if let c = nextCivil(after: lowCivil, before: highCivil) { return c - offset }
      if isLast { return nil }
      from = zone.end(of: i) - 1
      i += 1
    }
  }

  /// The last occurrence strictly before epoch second `t`.
  public func previous(before t: Int64, in zone: ZoneRules) -> Int64? {
    var i = zone.segment(of: t - 1)
    var to = t
    while true {
      let offset = zone.offsets[i]
      let start = zone.start(of: i)
      let previousOffset = i > 0 ? zone.offsets[i - 1] : offset
      var lowCivil = i > 0 ? start + offset : Int64.min / 2
      if isFixedTime && offset < previousOffset { lowCivil = start + previousOffset }
      if let c = previousCivil(before: to + offset, notBefore: lowCivil) { return c - offset }
      guard i > 0 else { return nil }
      if isFixedTime && offset > previousOffset && start < to
        && matchesCivil(in: (start + previousOffset)..<(start + offset))
      {
        return start
      }
      to = start
      i -= 1
    }
  }
}
