import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSStore

@Suite struct RunQueryTests {
  @Test func versionsTakenInTheSameSecondGetSuffixes() throws {
    try withStore { store, _ in
      let versions = try (0..<12).map { _ in try store.insertRun(run("a", status: .queued)).version }
      #expect(
        versions == ["202401/05/120000"] + (2...12).map { "202401/05/120000-\($0)" }, "past -9 too (sorting)")
      // Another task has its own versions; a longer second that shares the prefix is distinct.
      #expect(try store.insertRun(run("b", status: .queued)).version == "202401/05/120000")
      #expect(
        try store.insertRun(run("a", "202401/05/1200001", status: .queued)).version == "202401/05/1200001")
    }
  }

  @Test func insertRunsWritesThemAllWithUniqueVersions() throws {
    try withStore { store, _ in
      try store.insertRuns([
        run("a", status: .missed), run("a", status: .missed), run("a", "202401/05/120001"),
      ])
      #expect(
        try store.runs(RunFilter(task: "a")).map(\.version).sorted() == [
          "202401/05/120000", "202401/05/120000-2", "202401/05/120001",
        ])
    }
  }

  @Test func aRunGoesFromQueuedToRunningToEnded() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      let queued = try store.insertRun(run("a", status: .queued), force: true, executorPid: 7)
      #expect(try store.executor(of: queued.id) == (7, true) as (Int32?, Bool))
      try store.markStarted(
        queued.id, version: "202401/05/120002", startedAt: t0 + 2000, pid: 4242, processStart: 99,
        logPath: "logs/202401/05/120002.log", executorPid: 8)
      let running = try #require(try store.run(queued.id))
      #expect(running.status == .running && running.pid == 4242 && running.processStart == 99)
      #expect(running.version == "202401/05/120002" && running.logPath == "logs/202401/05/120002.log")
      #expect(try store.executor(of: queued.id).pid == 8)
      let alert = Event(
        at: t0 + 3000, type: "failed", task: "a", runID: queued.id, actor: "daemon", title: "failed")
      let files = [PublishedFile(path: "out/r.csv", size: 10)]
      try store.finishRun(
        queued.id,
        RunEnd(
          status: .failed, endedAt: t0 + 3000, exitCode: 2, stderrHead: "oops\n", reason: "", logBytes: 77,
          published: files),
        events: [alert])
      let ended = try #require(try store.run(queued.id))
      #expect(ended.status == .failed && ended.exitCode == 2 && ended.signal == nil)
      #expect(ended.durationMs == 1000 && ended.stderrHead == "oops\n" && ended.logBytes == 77)
      #expect(try store.publishedFiles(queued.id) == files)
      let task = try #require(try store.task(name("a")))
      #expect(task.lastRunID == queued.id && task.lastStatus == .failed && task.lastRunAt == t0 + 3000)
      #expect(try store.events(EventFilter(type: "failed")).first?.runID == queued.id)
    }
  }

  @Test func skippedAndMissedRunsDoNotBecomeTheLastRun() throws {
    try withStore { store, _ in
      try store.addTask(try spec("a"), actor: "x", now: t0)
      let r = try store.insertRun(run("a", status: .queued))
      try store.finishRun(r.id, RunEnd(status: .skipped, endedAt: t0))
      #expect(try store.task(name("a"))?.lastRunID == nil)
      #expect(try store.run(r.id)?.status == .skipped)
    }
  }

  @Test func runByReferenceFindsIdVersionOrLast() throws {
    try withStore { store, _ in
      let first = try store.insertRun(run("a", "202401/05/120000"))
      let second = try store.insertRun(run("a", "202401/05/120100", status: .failed))
      try store.insertRun(run("a", "202401/05/120200", status: .missed))
      try store.insertRun(run("a", "202401/05/120300", status: .queued))
      let other = try store.insertRun(run("b", "202401/05/120000"))
      #expect(try store.run(task: name("a"), reference: String(first.id))?.id == first.id)
      #expect(try store.run(task: name("a"), reference: String(other.id)) == nil)
      #expect(try store.run(task: name("a"), reference: "202401/05/120100")?.id == second.id)
      #expect(try store.run(task: name("a"), reference: "209901/01/000000") == nil)
      #expect(try store.run(task: name("a"), reference: nil)?.id == second.id)
      #expect(try store.run(task: name("zzz"), reference: nil) == nil)
      #expect(try store.run(9999) == nil)
    }
  }

  @Test func liveRunsAreQueuedOrRunningOldestFirst() throws {
    try withStore { store, _ in
      try store.insertRun(run("a", "202401/05/120000"))
      let q = try store.insertRun(run("a", "202401/05/120001", status: .queued))
      let r = try store.insertRun(run("b", "202401/05/120002", status: .running))
      #expect(try store.liveRuns().map(\.id) == [q.id, r.id])
      #expect(try store.liveRuns(task: name("b")).map(\.id) == [r.id])
      #expect(try store.liveRuns(task: name("c")).isEmpty)
    }
  }

  @Test func killRequestsOnlyReachLiveRuns() throws {
    try withStore { store, _ in
      let live = try store.insertRun(run("a", status: .running))
      let done = try store.insertRun(run("a", "202401/05/120001"))
      #expect(try store.killRequest(live.id) == nil)
      #expect(try store.requestKill(live.id, signal: 15, actor: "carol", now: t0 + 1))
      #expect(try store.killRequest(live.id) == KillRequest(at: t0 + 1, signal: 15, actor: "carol"))
      #expect(try !store.requestKill(done.id, signal: 9, actor: "carol", now: t0))
      #expect(try store.killRequest(done.id) == nil)
    }
  }

  @Test func runsFilterByEveryField() throws {
    try withStore { store, _ in
      try store.insertRun(run("a", "202401/05/120000", queuedAt: t0))
      try store.insertRun(run("a", "202401/05/120100", status: .failed, queuedAt: t0 + 60_000, exitCode: 3))
      try store.insertRun(run("b", "202401/05/120200", trigger: .manual, queuedAt: t0 + 120_000))
      try store.insertRun(
        run("b", "202401/05/120300", status: .timedOut, trigger: .retry, queuedAt: t0 + 180_000))
      func versions(_ f: RunFilter) throws -> [String] { try store.runs(f).map(\.version) }
      #expect(try versions(RunFilter()).count == 4)
      #expect(try versions(RunFilter(task: "a")) == ["202401/05/120100", "202401/05/120000"])
      #expect(
        try versions(RunFilter(sinceMs: t0 + 60_000, untilMs: t0 + 180_000)) == [
          "202401/05/120200", "202401/05/120100",
        ])
      #expect(try versions(RunFilter(status: .timedOut)) == ["202401/05/120300"])
      #expect(try versions(RunFilter(exitCode: 3)) == ["202401/05/120100"])
      #expect(try versions(RunFilter(trigger: .manual)) == ["202401/05/120200"])
      #expect(try versions(RunFilter(limit: 1)) == ["202401/05/120300"])
      #expect(try store.publishedFiles(1).isEmpty)
    }
  }

  @Test func prunableSkipsLiveRunsAndHonoursAgeAndKeep() throws {
    try withStore { store, _ in
      for i in 0..<4 {
        try store.insertRun(run("a", "202401/05/12000\(i)", queuedAt: t0 + Int64(i) * 1000))
      }
      try store.insertRun(run("a", "202401/05/120009", status: .running, queuedAt: t0 - 10_000))
      try store.insertRun(run("b", "202401/05/120000", queuedAt: t0))
      func ids(_ before: Int64?, _ keep: Int?) throws -> [String] {
        try store.prunable(beforeMs: before, keepPerTask: keep).map { "\($0.task)@\($0.version.suffix(1))" }
      }
      #expect(try ids(t0 + 2000, nil) == ["a@0", "a@1", "b@0"])
      #expect(try ids(nil, nil).count == 5)
      // keep counts the newest runs of each task, the live one included.
      #expect(try ids(nil, 2) == ["a@0", "a@1", "a@2"])
      #expect(try ids(t0 + 1000, 1) == ["a@0"])
      #expect(try ids(nil, 0).count == 5)
    }
  }

  @Test func deleteRunsRemovesThemAndRecordsPruned() throws {
    try withStore { store, _ in
      let ids = try (0..<1200).map { i in try store.insertRun(run("a", "v\(i)")).id }
      try store.deleteRuns(Array(ids.dropLast(2)), actor: "pruner", now: t0)
      #expect(try store.runs(RunFilter(limit: 5000)).map(\.id) == Array(ids.suffix(2).reversed()))
      let event = try #require(try store.events(EventFilter(type: "pruned")).first)
      #expect(event.actor == "pruner" && JSON.stringDictionary(event.details)["runs"] == "1198")
    }
  }
}
