import Foundation

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

/// A clock fixed at one instant (for `--now` and tests).
public struct FixedClock: Clock {
  public let ms: Int64
  public init(ms: Int64) { self.ms = ms }
  public func nowMs() -> Int64 { ms }
}
