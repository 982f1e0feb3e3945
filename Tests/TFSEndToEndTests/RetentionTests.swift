import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

@Suite(.timeLimit(.minutes(3)))
struct RetentionTests {
  static func runs(_ s: Scenario, _ task: String) throws -> [Int64] {
    try E2E.store(s).runs(RunFilter(task: task, limit: 100)).map(\.id).sorted()
  }

  static func runHere(_ s: Scenario, _ task: String, times: Int) throws {
    for _ in 0..<times {
      let out = try s.tfs.run(["run", "--here", task])
      guard out.status == 0 else { throw ScenarioError.command("run --here \(task)", out) }
    }
  }

  /// `tfs prune` without flags applies each task's --keep and --keep-for, and the setting
  /// `retention` to tasks without them; explicit flags set one limit for every task.
  @Test func pruneAppliesEachTasksOwnLimits() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("keep3", rule: "@daily", script: "echo hi", flags: ["--keep", "3"])
    try s.addTask("recent", rule: "@daily", script: "echo hi", flags: ["--keep-for", "1h"])
    try s.addTask("both", rule: "@daily", script: "echo hi", flags: ["--keep", "4", "--keep-for", "1h"])
    try s.addTask("plain", rule: "@daily", script: "echo hi")
    for task in ["keep3", "recent", "both", "plain"] { try Self.runHere(s, task, times: 5) }
    let keep3 = try Self.runs(s, "keep3")
    #expect(keep3.count == 5)

    let now = try s.tfs.run(["prune"])
    #expect(now.status == 0 && now.stdout.hasPrefix("pruned 3 runs, 3 log files"), "\(now)")
    #expect(try Self.runs(s, "keep3") == Array(keep3.suffix(3)))
    #expect(try Self.runs(s, "both").count == 4)
    #expect(try Self.runs(s, "recent").count == 5 && Self.runs(s, "plain").count == 5)
    let logs = try FileManager.default.subpathsOfDirectory(atPath: s.taskDir("keep3") + "/logs")
    #expect(logs.filter { $0.hasSuffix(".log") }.count == 3, "\(logs)")

    // Two hours later: --keep-for 1h takes every run of recent and both; plain stays (30d).
    let later = Times.iso(
      epochMs: Int64(Date().timeIntervalSince1970 * 1000) + 7_200_000,
      zone: ZoneRules.forZone(TimeZone(identifier: "UTC")!))
    let dry = try s.tfs.run(["prune", "--dry-run", "--now", later])
    #expect(dry.stdout == "would prune 9 runs (9 with a log file); nothing deleted\n", "\(dry)")
    #expect(try s.tfs.run(["prune", "--now", later]).status == 0)
    #expect(try Self.runs(s, "recent").isEmpty && Self.runs(s, "both").isEmpty)
    #expect(try Self.runs(s, "keep3").count == 3 && Self.runs(s, "plain").count == 5)
    // An explicit --keep is one limit for every task.
    #expect(try s.tfs.run(["prune", "--keep", "1"]).stdout.hasPrefix("pruned 6 runs"))
    #expect(try Self.runs(s, "plain").count == 1)
  }

  /// The run history/latest points at keeps its published files, whatever the limits say.
  @Test func historyLatestIsNeverPruned() throws {
    let s = Scenario()
    defer { s.remove() }
    let marker = s.dir.path + "/publish-now"
    try s.addTask(
      "site", rule: "@daily",
      script: "[ -e '\(marker)' ] && echo $TFS_RUN_ID > \"$TFS_PUBLISH_DIR/index.html\"; true",
      flags: ["--keep", "1"])
    FileManager.default.createFile(atPath: marker, contents: nil)
    try Self.runHere(s, "site", times: 1)
    unlink(marker)
    try Self.runHere(s, "site", times: 3)
    let latest = try FileManager.default.destinationOfSymbolicLink(
      atPath: s.taskDir("site") + "/history/latest")
    let published = try #require(
      try E2E.store(s).runs(RunFilter(task: "site", limit: 10)).first { $0.version == latest })
    let out = try s.tfs.run(["prune"])
    #expect(out.stdout.hasPrefix("pruned 2 runs"), "\(out)")
    #expect(try Self.runs(s, "site").contains(published.id))
    #expect(s.dir.read("home/tasks/site/history/latest/index.html") == "\(published.id)\n")
  }
}
