import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// 2024-01-05T12:00:00Z: the read-command tests record their runs around this instant.
let readT0: Int64 = 1_704_456_000_000

/// Runs recorded through the Store API the way an executor records them (insert, start, finish),
/// with real log files where `log_path` says: real data for the read commands.
extension Scenario {
  func openStore() throws -> Store { try Store.open(path: database) }

  @discardableResult
  func recordRun(
    _ task: String, at queuedAt: Int64, trigger: Trigger = .schedule, status: RunStatus = .succeeded,
    exitCode: Int32? = nil, signal: Int32? = nil, durationMs: Int64 = 1_200, log: Data? = nil,
    published: [PublishedFile] = [], reason: String = "", executorPid: Int32 = getpid()
  ) throws -> Run {
    let store = try openStore()
    let utc = ZoneRules.forZone(TimeZone(identifier: "UTC")!)
    var run = try store.insertRun(
      Run(
        task: try TaskName(task), version: Times.version(epochSeconds: queuedAt / 1000, zone: utc),
        trigger: trigger, status: .queued, scheduledAt: trigger == .manual ? nil : queuedAt,
        queuedAt: queuedAt))
    if status == .skipped || status == .missed || (status == .failed && log == nil) {
      try store.finishRun(run.id, RunEnd(status: status, endedAt: queuedAt, reason: reason))
      return try #require(try store.run(run.id))
    }
    let started = queuedAt + 5
    let logPath = TaskPaths.logRelative(version: run.version)
    if let log {
      let path = taskDir(task) + "/" + logPath
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try log.write(to: URL(fileURLWithPath: path))
    }
    try store.markStarted(
      run.id, startedAt: started, pid: 4242, processStart: nil, logPath: log == nil ? nil : logPath,
      executorPid: executorPid)
    if status != .running {
      try store.finishRun(
        run.id,
        RunEnd(
          status: status, endedAt: started + durationMs,
          exitCode: exitCode ?? (signal == nil ? (status == .succeeded ? 0 : 1) : nil), signal: signal,
          reason: reason, logBytes: Int64(log?.count ?? 0), published: published))
    }
    run = try #require(try store.run(run.id))
    return run
  }

  /// `tfs args… --json` parsed as a JSON value.
  func json(_ args: [String]) throws -> Any {
    let out = try tfs.run(args + ["--json"])
    guard out.status == 0 else { throw ScenarioError.command(args.joined(separator: " "), out) }
    return try JSONSerialization.jsonObject(with: Data(out.stdout.utf8))
  }
}

@Suite(.timeLimit(.minutes(2)))
struct HistoryTests {
  /// a: 1 succeeded (12:00), 3 failed manual exit 2 (14:00), 5 killed by signal 9 (16:00)
  /// b: 2 failed retry exit 1 (13:00), 4 timed-out catch-up signal 15 (15:00), 6 missed (17:00)
  func sample() throws -> Scenario {
    let s = Scenario("tfs-history")
    try s.addTask("a", rule: "0 0 * * * *", script: "echo a")
    try s.addTask("b", rule: "0 0 * * * *", script: "echo b")
    let h: Int64 = 3_600_000
    try s.recordRun("a", at: readT0, log: Data("one\n".utf8))
    try s.recordRun("b", at: readT0 + h, trigger: .retry, status: .failed, exitCode: 1, log: Data())
    try s.recordRun("a", at: readT0 + 2 * h, trigger: .manual, status: .failed, exitCode: 2, log: Data())
    try s.recordRun("b", at: readT0 + 3 * h, trigger: .catchUp, status: .timedOut, signal: 15, log: Data())
    try s.recordRun("a", at: readT0 + 4 * h, status: .killed, signal: 9, durationMs: 184_000, log: Data())
    try s.recordRun("b", at: readT0 + 5 * h, status: .missed)
    return s
  }

  func ids(_ s: Scenario, _ args: [String]) throws -> [Int64] {
    let runs = try #require(try s.json(["history"] + args) as? [[String: Any]])
    return runs.map { ($0["id"] as? NSNumber)?.int64Value ?? -1 }
  }

  @Test(
    arguments: [
      ([], [6, 5, 4, 3, 2, 1]),
      (["a"], [5, 3, 1]),
      (["--status", "failed"], [3, 2]),
      (["--status", "timed-out"], [4]),
      (["--exit-code", "2"], [3]),
      (["--exit-code", "1"], [2]),
      (["--exit-code", "0"], [1]),
      (["--status", "failed", "--exit-code", "2"], [3]),
      (["--trigger", "catch-up"], [4]),
      (["--trigger", "manual", "--status", "failed"], [3]),
      (["--since", "2024-01-05T13:30:00Z"], [6, 5, 4, 3]),
      (["--until", "2024-01-05T14:00:00+00:00"], [2, 1]),
      (["--since", "2024-01-05T12:30:00Z", "--until", "2024-01-05T15:00:00Z"], [3, 2]),
      (["--since", "2024-01-05"], [6, 5, 4, 3, 2, 1]),
      (["--since", "2h", "--now", "2024-01-05T18:30:00Z"], [6]),
      (["b", "--status", "failed"], [2]),
      (["a", "--since", "2024-01-05T13:00:00Z"], [5, 3]),
      (["a", "--status", "succeeded", "--exit-code", "0"], [1]),
      (["--exit-code", "-1"], []),
      (["--limit", "2"], [6, 5]),
      (["--limit", "0"], [6, 5, 4, 3, 2, 1]),
      (["--status", "lost"], []),
    ] as [([String], [Int64])])
  func filters(args: [String], expected: [Int64]) throws {
    let s = try sample()
    defer { s.remove() }
    #expect(try ids(s, args) == expected)
  }

  @Test func tableIsAlignedNewestFirst() throws {
    let s = try sample()
    defer { s.remove() }
    let out = try s.tfs.run(["history", "a"])
    #expect(out.status == 0)
    #expect(
      out.stdout == """
        ID  TASK  VERSION           TRIGGER   STARTED              DURATION  STATUS     EXIT
        5   a     202401/05/160000  schedule  2024-01-05 16:00:00  3m04s     killed     sig 9
        3   a     202401/05/140000  manual    2024-01-05 14:00:00  1.2s      failed     2
        1   a     202401/05/120000  schedule  2024-01-05 12:00:00  1.2s      succeeded  0

        """)
    #expect(out.stderr.isEmpty)
  }

  @Test(arguments: [
    (["--status", "done"], "invalid --status 'done'"),
    (["--trigger", "cron"], "invalid --trigger 'cron'"),
    (["--since", "yesterday"], "invalid time 'yesterday'"),
    (["--until", "2024-13-01"], "invalid time '2024-13-01'"),
    (["--exit-code", "x"], "invalid --exit-code 'x'"),
    (["--limit", "-1"], "invalid --limit '-1'"),
    (["--exit-code", "1.5"], "invalid --exit-code '1.5'"),
    (["--since", "2024-01-06", "--until", "2024-01-05"], "is not before --until"),
    (["a", "--files", "--status", "failed"], "--status cannot be combined with --files"),
    (["a", "5"], "unexpected argument '5'"),
    (["--files"], "--files needs a task name"),
    (["../x"], "invalid task name '../x'"),
  ])
  func badFlagsExit64WithOneLine(args: [String], message: String) throws {
    let s = try sample()
    defer { s.remove() }
    let out = try s.tfs.run(["history"] + args)
    #expect(out.status == 64, "\(out)")
    #expect(out.stdout.isEmpty)
    #expect(out.stderr.hasPrefix("tfs: ") && out.stderr.contains(message), "\(out)")
    #expect(out.stderr.split(separator: "\n").count == 1)
  }

  @Test func unknownTaskFailsButARemovedTasksRunsAreListed() throws {
    let s = try sample()
    defer { s.remove() }
    let out = try s.tfs.run(["history", "nosuch"])
    #expect(out.status == 1)
    #expect(out.stderr == "tfs: no task named 'nosuch'; see 'tfs list'\n")
    // No task row, runs left behind (as after 'tfs remove' without --purge).
    try s.recordRun("gone", at: readT0, log: Data("bye\n".utf8))
    #expect(try ids(s, ["gone"]) == [7])
    #expect(try s.tfs.run(["logs", "gone"]).stdout == "bye\n")
  }

  @Test func filesOfTheLastRunOrOfAGivenOne() throws {
    let s = try sample()
    defer { s.remove() }
    let files = [PublishedFile(path: "report.csv", size: 12), PublishedFile(path: "sub/data.json", size: 3)]
    let first = try s.recordRun("c", at: readT0 + 10_000, log: Data(), published: files)
    try s.recordRun("c", at: readT0 + 20_000, log: Data())
    let last = try s.tfs.run(["history", "c", "--files"])
    #expect(last.status == 0)
    #expect(
      last.stdout.hasSuffix(" published into \(s.taskDir("c"))/history/202401/05/120020/\nnothing\n"),
      "\(last)")
    for reference in [String(first.id), first.version] {
      let out = try s.tfs.run(["history", "c", "--files", reference])
      #expect(
        out.stdout
          == "run \(first.id) (202401/05/120010) published into \(s.taskDir("c"))/history/202401/05/120010/\n"
          + "PATH           SIZE\nreport.csv     12\nsub/data.json  3\n", "\(out)")
    }
    let object = try #require(try s.json(["history", "c", "--files", first.version]) as? [String: Any])
    #expect((object["run_id"] as? NSNumber)?.int64Value == first.id)
    #expect(object["folder"] as? String == s.taskDir("c") + "/history/202401/05/120010")
    let listed = try #require(object["files"] as? [[String: Any]])
    #expect(listed.map { $0["path"] as? String } == ["report.csv", "sub/data.json"])
    #expect(listed.map { ($0["size"] as? NSNumber)?.int64Value } == [12, 3])
    let missing = try s.tfs.run(["history", "c", "--files", "999"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("no run '999' of task 'c'"))
  }
}
