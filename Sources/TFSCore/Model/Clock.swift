import Foundation
import Synchronization

/// The one place that reads the wall clock; tests and the hidden `--now` flag replace it.
public protocol Clock: Sendable {
  /// Epoch milliseconds.
  func nowMs() -> Int64
}

public struct SystemClock: Clock {
  public init() {}
  public func nowMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
  }
}

/// The monotonic clock, for time limits and intervals that a set wall clock must not move.
public enum Monotonic {
  /// Milliseconds since an arbitrary start (CLOCK_MONOTONIC).
  public static func nowMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
  }
}

/// A clock fixed at one instant (for `--now` and tests).
public struct FixedClock: Clock {
  public let ms: Int64
  public init(ms: Int64) { self.ms = ms }
  public func nowMs() -> Int64 { ms }
}

/// The system clock moved by an offset read from a file (`tfs daemon --clock-offset-file`, a
/// hidden flag for stress tests): `reread()` (the daemon does it on SIGUSR2) steps it as a
/// clock set by an administrator would, without touching the machine's clock.
public final class OffsetClock: Clock {
  public let path: String
  private let offset = Atomic<Int64>(0)

  public init(path: String) {
    self.path = path
    reread()
  }

  /// The offset in milliseconds (the file holds one signed integer; missing or bad: 0).
  public var offsetMs: Int64 { offset.load(ordering: .relaxed) }

  public func reread() {
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    offset.store(Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, ordering: .relaxed)
  }

  public func nowMs() -> Int64 { SystemClock().nowMs() + offsetMs }
}

/// A cluster node's clock: its own clock (`base`) corrected by the offset to the database's
/// clock, measured at each lease renewal (the database's time against the midpoint of the
/// round trip). Every node of a cluster thus computes, arms and fires occurrences on one
/// clock, the database's, within the round trip's half: a node whose own clock runs fast or
/// slow still fires on time (docs/CLUSTER.md, "Clocks").
public final class DatabaseClock: Clock {
  public let base: any Clock
  private let correction = Atomic<Int64>(0)

  public init(base: any Clock) {
    self.base = base
  }

  /// How far the database's clock is ahead of `base` (ms), as last measured.
  public var correctionMs: Int64 { correction.load(ordering: .relaxed) }

  /// A round trip sent at `sentMs` and answered at `answeredMs` (both on `base`) read the
  /// database's clock as `databaseMs`. A slow round trip (over 100 ms) says too little and is
  /// ignored.
  public func measured(sentMs: Int64, answeredMs: Int64, databaseMs: Int64) {
    guard answeredMs >= sentMs, answeredMs - sentMs <= 100 else { return }
    correction.store(databaseMs - (sentMs + answeredMs) / 2, ordering: .relaxed)
  }

  public func nowMs() -> Int64 { base.nowMs() + correctionMs }
}
