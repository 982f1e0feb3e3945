import Testing

@testable import TFSEngine

/// A clock kept in sync by small steps is not a clock change; a jump is, once.
struct ClockWatchTests {
  @Test func smallStepsAreNoiseUntilTheyAddUpToTheThreshold() {
    var watch = ClockWatch(wallMs: 1_000_000, monotonicMs: 50)
    var reported: [Int64] = []
    // Ten settings a second, each 3 ms ahead: 40 s of them add up to 1.2 s.
    for i in 1...400 {
      let monotonic = 50 + Int64(i) * 100
      if let jump = watch.wasSet(wallMs: 1_000_000 + Int64(i) * 103, monotonicMs: monotonic) {
        reported.append(jump)
      }
    }
    #expect(reported.count == 2, "\(reported)")
    #expect(reported.allSatisfy { $0 >= ClockWatch.thresholdMs && $0 < ClockWatch.thresholdMs + 3 })
  }

  @Test(arguments: [
    (3_600_000 as Int64, 3_600_000 as Int64?), (-600_000, -600_000), (499, nil), (-499, nil), (500, 500),
    (-500, -500), (0, nil),
  ])
  func aStepIsReportedWhenPastTheThreshold(step: Int64, expected: Int64?) {
    var watch = ClockWatch(wallMs: 5_000_000, monotonicMs: 1_000)
    #expect(watch.wasSet(wallMs: 5_010_000 + step, monotonicMs: 11_000) == expected)
    // The jump is the new reference: the clock running on from there is not another one.
    #expect(watch.wasSet(wallMs: 5_020_000 + step, monotonicMs: 21_000) == nil)
  }
}
