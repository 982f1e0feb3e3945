import Foundation
import TFSCore
import TFSTestSupport
import Testing

/// Which occurrences the store knows were handled (SPEC §6): what a stopped daemon missed is
/// recorded whatever happened to the task meanwhile.
@Suite(.timeLimit(.minutes(2)))
struct OccurrenceRecordTests {
  static func missed(_ s: Scenario, _ task: String) throws -> [[String: Any]] {
    let runs = try #require(
      try s.json(["history", task, "--status", "missed", "--limit", "0"]) as? [[String: Any]])
    return runs
  }

  @Test func aModifyWhileNoDaemonRunsKeepsEveryMissedOccurrence() throws {
    let s = Scenario("tfs-occ")
    defer { s.remove() }
    try s.addTask("every2", rule: "*/2 * * * * *", script: "true")
    try s.addTask("untouched", rule: "*/2 * * * * *", script: "true")
    let first = try s.tfs.startDaemon()
    defer { first.killHard() }
    #expect(
      waitUntil(timeout: 10) { ((try? s.json(["history", "every2"])) as? [[String: Any]] ?? []).count >= 1 })
    first.stop()
    // Down for ~6 s (3 occurrences of each task pass), then modified just before the restart.
    Thread.sleep(forTimeInterval: 6)
    #expect(try s.tfs.run(["modify", "every2", "--title", "changed while down"]).status == 0)
    let second = try s.tfs.startDaemon()
    defer { second.stop() }
    let touched = try OccurrenceRecordTests.missed(s, "every2").count
    let untouched = try OccurrenceRecordTests.missed(s, "untouched").count
    #expect(untouched >= 2, "untouched: \(untouched)")
    #expect(touched == untouched, "modified: \(touched), untouched: \(untouched)")
  }
}
