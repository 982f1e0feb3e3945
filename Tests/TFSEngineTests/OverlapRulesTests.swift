import TFSCore
import Testing

/// `OverlapRules`: what a due occurrence does given what runs (SPEC §3 overlap, §6 max-parallel).
struct OverlapRulesTests {
  struct Row: CustomTestStringConvertible, Sendable {
    var policy: OverlapPolicy
    var running: Int
    var queued: Int
    var force = false
    var slot = true
    var alerted = false
    var expected: FireDecision

    var testDescription: String {
      "\(policy) running=\(running) queued=\(queued) force=\(force) slot=\(slot) alerted=\(alerted)"
    }
  }

  static let rows: [Row] = [
    // Nothing running: every policy starts, or queues when max-parallel is full.
    Row(policy: .skip, running: 0, queued: 0, expected: .start),
    Row(policy: .queue, running: 0, queued: 0, expected: .start),
    Row(policy: .replace, running: 0, queued: 0, expected: .start),
    Row(policy: .allow, running: 0, queued: 0, expected: .start),
    Row(policy: .skip, running: 0, queued: 0, slot: false, expected: .queue),
    Row(policy: .queue, running: 0, queued: 0, slot: false, expected: .queue),
    Row(policy: .replace, running: 0, queued: 0, slot: false, expected: .queue),
    Row(policy: .allow, running: 0, queued: 0, slot: false, expected: .queue),
    // skip: skipped, with one overlap alert per running run.
    Row(policy: .skip, running: 1, queued: 0, expected: .skip(alert: true)),
    Row(policy: .skip, running: 1, queued: 0, alerted: true, expected: .skip(alert: false)),
    Row(policy: .skip, running: 2, queued: 0, expected: .skip(alert: true)),
    Row(policy: .skip, running: 1, queued: 0, slot: false, expected: .skip(alert: true)),
    // queue: at most one queued run; the rest are skipped.
    Row(policy: .queue, running: 1, queued: 0, expected: .queue),
    Row(policy: .queue, running: 1, queued: 0, slot: false, expected: .queue),
    Row(policy: .queue, running: 1, queued: 1, expected: .skip(alert: true)),
    Row(policy: .queue, running: 1, queued: 1, alerted: true, expected: .skip(alert: false)),
    Row(policy: .queue, running: 1, queued: 3, expected: .skip(alert: true)),
    // A run already waiting (for a max-parallel slot) makes a new occurrence add nothing.
    Row(policy: .skip, running: 0, queued: 1, slot: false, expected: .skip(alert: false)),
    Row(policy: .queue, running: 0, queued: 1, expected: .skip(alert: false)),
    Row(policy: .replace, running: 0, queued: 1, expected: .skip(alert: false)),
    // replace: replaces a running run once; while the replacement waits, occurrences are skipped.
    Row(policy: .replace, running: 1, queued: 0, expected: .replace),
    Row(policy: .replace, running: 1, queued: 1, expected: .skip(alert: true)),
    Row(policy: .replace, running: 1, queued: 0, slot: false, expected: .replace),
    Row(policy: .replace, running: 1, queued: 0, alerted: true, expected: .replace),
    // allow: runs side by side, limited only by max-parallel.
    Row(policy: .allow, running: 1, queued: 0, expected: .start),
    Row(policy: .allow, running: 5, queued: 2, expected: .start),
    Row(policy: .allow, running: 1, queued: 0, slot: false, expected: .queue),
    // force (tfs run --force): starts whatever the policy, still subject to max-parallel.
    Row(policy: .skip, running: 1, queued: 0, force: true, expected: .start),
    Row(policy: .queue, running: 1, queued: 1, force: true, expected: .start),
    Row(policy: .replace, running: 1, queued: 0, force: true, expected: .start),
    Row(policy: .allow, running: 1, queued: 0, force: true, expected: .start),
    Row(policy: .skip, running: 1, queued: 0, force: true, slot: false, expected: .queue),
    Row(policy: .replace, running: 1, queued: 0, force: true, slot: false, expected: .queue),
  ]

  @Test(arguments: rows)
  func decide(_ row: Row) {
    let decision = OverlapRules.decide(
      policy: row.policy, running: row.running, queued: row.queued, force: row.force, slotFree: row.slot,
      alreadyAlerted: row.alerted)
    #expect(decision == row.expected)
  }

  /// Every combination, against the rules as SPEC §3 states them.
  @Test func everyCombinationFollowsTheSpec() {
    for policy in OverlapPolicy.allCases {
      for running in [0, 1, 2] {
        for queued in [0, 1] {
          for force in [false, true] {
            for slot in [false, true] {
              for alerted in [false, true] {
                let expected: FireDecision
                if force || policy == .allow || (running == 0 && queued == 0) {
                  expected = slot ? .start : .queue
                } else if running == 0 {
                  expected = .skip(alert: false)
                } else {
                  switch policy {
                  case .skip, .allow: expected = .skip(alert: !alerted)
                  case .queue: expected = queued == 0 ? .queue : .skip(alert: !alerted)
                  case .replace: expected = queued == 0 ? .replace : .skip(alert: !alerted)
                  }
                }
                let got = OverlapRules.decide(
                  policy: policy, running: running, queued: queued, force: force, slotFree: slot,
                  alreadyAlerted: alerted)
                let label = "\(policy) running=\(running) queued=\(queued)"
                #expect(got == expected, "\(label) force=\(force) slot=\(slot) alerted=\(alerted)")
              }
            }
          }
        }
      }
    }
  }

  @Test(arguments: [
    (Int64(200), 0, Int64(200)),
    (200, 1, 400),
    (200, 2, 800),
    (10_000, 3, 80_000),
    (10_000, 8, 2_560_000),
    (10_000, 9, 3_600_000),  // 5,120 s → capped at one hour
    (10_000, 40, 3_600_000),
    (10_000, 1_000, 3_600_000),
    (10_000, Int.max, 3_600_000),
    (7_200_000, 0, 3_600_000),  // a base above the cap is capped too
    (3_600_000, 0, 3_600_000),
    (0, 5, 0),
    (-5, 2, 0),
    (1, 21, 2_097_152),
    (1, 22, 3_600_000),
  ])
  func retryDelayDoublesUpToOneHour(base: Int64, attempt: Int, expected: Int64) {
    #expect(OverlapRules.retryDelay(baseMs: base, attempt: attempt) == expected)
  }

  @Test func retryDelaysOfSuccessiveAttemptsNeverShrink() {
    for base: Int64 in [1, 250, 10_000, 900_000] {
      var previous: Int64 = 0
      for attempt in 0..<64 {
        let delay = OverlapRules.retryDelay(baseMs: base, attempt: attempt)
        #expect(delay >= previous && delay <= 3_600_000, "base \(base) attempt \(attempt)")
        previous = delay
      }
    }
  }
}
