import Foundation

/// Tells a wall-clock step from the noise of a clock kept in sync: the timer reports every
/// `settimeofday` (some hypervisors set the clock by a few milliseconds ten times a second),
/// but only a jump of the wall clock against the monotonic clock past `thresholdMs`, in total
/// since the last one acted on, is a change worth a log line.
struct ClockWatch {
  static let thresholdMs: Int64 = 500
  /// Wall minus monotonic time when the last change was acted on (or at the start).
  private var offsetMs: Int64

  init(wallMs: Int64, monotonicMs: Int64) { offsetMs = wallMs - monotonicMs }

  /// The clock was set: the jump (ms, negative when set back) when it is past the threshold,
  /// which then becomes the new reference; nil for a step too small to matter.
  mutating func wasSet(wallMs: Int64, monotonicMs: Int64) -> Int64? {
    let jump = wallMs - monotonicMs - offsetMs
    guard abs(jump) >= ClockWatch.thresholdMs else { return nil }
    offsetMs += jump
    return jump
  }

  static func monotonicMs() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
}
