import TFSCore
import TFSTestSupport
import Testing

/// `LeaseKeeper`: when a node renews and when it fences itself (SPEC §10: renewed every 2 s,
/// 10 s long; peers declare a node dead at its lease's end).
struct LeaseKeeperTests {
  struct Row: CustomTestStringConvertible, Sendable {
    /// Sends of renewals the database confirmed, then attempts that got no answer.
    var confirmed: [Int64]
    var attempts: [Int64] = []
    var refused = false
    var at: Int64
    var expected: LeaseKeeper.State
    var note: String
    var testDescription: String { note }
  }

  static let rows: [Row] = [
    Row(confirmed: [], at: 0, expected: .out, note: "not joined: out"),
    Row(confirmed: [0], at: 100, expected: .live(renewAt: 2_000, fenceAt: 8_000), note: "just joined"),
    Row(
      confirmed: [0, 2_000], at: 2_100, expected: .live(renewAt: 4_000, fenceAt: 10_000),
      note: "renewed on time"),
    Row(
      confirmed: [2_000, 0], at: 2_100, expected: .live(renewAt: 4_000, fenceAt: 10_000),
      note: "a late answer to an older renewal does not move the lease back"),
    Row(
      confirmed: [0], attempts: [2_000], at: 2_100, expected: .live(renewAt: 2_500, fenceAt: 8_000),
      note: "a renewal with no answer is retried after 500 ms"),
    Row(
      confirmed: [0], attempts: [2_000, 2_500, 7_900], at: 7_950,
      expected: .live(renewAt: 8_000, fenceAt: 8_000),
      note: "retries never wait past the fencing point"),
    Row(
      confirmed: [0], attempts: [2_000, 4_000, 6_000], at: 7_999,
      expected: .live(renewAt: 6_500, fenceAt: 8_000),
      note: "the last moment of the lease it can trust"),
    Row(
      confirmed: [0], attempts: [2_000, 4_000, 6_000], at: 8_000, expected: .fenced,
      note: "8 s after the last confirmed send: fenced, 2 s before the database ends the lease"),
    Row(
      confirmed: [0], refused: true, at: 100, expected: .out,
      note: "refused (another epoch holds the name): out"),
  ]

  @Test(arguments: rows) func state(row: Row) {
    var keeper = LeaseKeeper()
    for sent in row.confirmed {
      keeper.attempted(at: sent)
      keeper.confirmed(sentAt: sent)
    }
    for attempt in row.attempts { keeper.attempted(at: attempt) }
    if row.refused { keeper.refused() }
    #expect(keeper.state(at: row.at) == row.expected)
  }

  /// Whatever the delays, the node fences itself no later than the database ends its lease,
  /// minus the margin: the database's lease starts when it receives the renewal, never before
  /// the node sent it.
  @Test func aNodeNeverTrustsALeaseTheDatabaseHasEnded() {
    var random = SplitMix64(seed: 11)
    for _ in 0..<2_000 {
      var keeper = LeaseKeeper()
      var databaseLeaseEnd: Int64 = 0
      var now: Int64 = 0
      for _ in 0..<20 {
        now += Int64(random.next() % 3_000)
        keeper.attempted(at: now)
        let transit = Int64(random.next() % 4_000)
        if random.next() % 3 != 0 {
          keeper.confirmed(sentAt: now)
          databaseLeaseEnd = max(databaseLeaseEnd, now + transit + 10_000)
        }
        let probe = now + Int64(random.next() % 12_000)
        if case .live = keeper.state(at: probe) { #expect(probe < databaseLeaseEnd - 2_000 + 1) }
      }
    }
  }
}
