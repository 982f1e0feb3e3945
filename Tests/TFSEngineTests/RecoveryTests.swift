import Foundation
import Logging
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine
@testable import TFSStore

/// Start-up recovery against a real store and real processes.
@Suite struct RecoveryTests {
  /// A daemon killed between a spawn and the write that marks the run started leaves a live
  /// process whose row is still `queued`: recovery finds it by TFS_RUN_ID, kills it and records
  /// the run `lost` (instead of starting a manual run a second time).
  @Test func aRunSpawnedJustBeforeACrashIsKilledAndLost() throws {
    let h = try SupervisorHarness()
    let spec = try h.task("job", script: "sleep 300")
    let run = try h.queue(spec)
    let devnull = open("/dev/null", O_RDWR | O_CLOEXEC)
    defer { close(devnull) }
    let pid = try PosixLauncher().launch(
      LaunchRequest(
        executable: "/bin/sleep", arguments: ["sleep", "300"],
        environment: ["TFS_RUN_ID": "\(run.id)", "TFS_TASK_DIR": h.paths("job").folder],
        workdir: "/", stdoutFd: devnull, stderrFd: devnull))
    defer { kill(pid, SIGKILL) }
    // The kernel fills /proc/PID/environ a moment after the spawn returns.
    #expect(
      waitUntil(timeout: 5) {
        String(
          decoding: FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data(), as: UTF8.self
        )
        .contains("TFS_RUN_ID=")
      })
    try Recovery(store: h.store, log: Logger(label: "test"), clock: SystemClock(), settings: h.settings)
      .resolveLeftovers(previousDaemon: nil)
    var status: Int32 = 0
    #expect(waitUntil(timeout: 5) { waitpid(pid, &status, WNOHANG) == pid }, "the process was not killed")
    let after = try #require(try h.store.run(run.id))
    #expect(after.status == .lost)
  }

  @Test func aQueuedManualRunWithNoProcessIsLeftForTheDaemon() throws {
    let h = try SupervisorHarness()
    let spec = try h.task("job", script: "true")
    let run = try h.queue(spec)
    try Recovery(store: h.store, log: Logger(label: "test"), clock: SystemClock(), settings: h.settings)
      .resolveLeftovers(previousDaemon: nil)
    #expect(try h.store.run(run.id)?.status == .queued)
  }

  @Test func aLostRunKeepsWhatItPublished() throws {
    let h = try SupervisorHarness()
    let spec = try h.task("job", script: "true")
    var run = try h.queue(spec)
    // Left `running` by an executor that is gone, with a file in publish/.
    try h.store.markStarted(
      run.id, startedAt: SystemClock().nowMs(), pid: nil, processStart: nil, logPath: nil,
      executorPid: 999_999)
    h.dir.write("home/tasks/job/publish/out.txt", "result\n")
    try Recovery(store: h.store, log: Logger(label: "test"), clock: SystemClock(), settings: h.settings)
      .resolveLeftovers(previousDaemon: nil)
    run = try #require(try h.store.run(run.id))
    #expect(run.status == .lost)
    #expect(try h.store.publishedFiles(run.id).map(\.path) == ["out.txt"])
    #expect(h.dir.read("home/tasks/job/history/\(run.version)/out.txt") == "result\n")
  }

  /// Runs a dead daemon had queued but not started: a scheduled one is a missed occurrence
  /// (returned, for the missed alert to count), a retry is skipped (its occurrence had a run).
  @Test func unstartedScheduledRunsAreMissedAndRetriesSkipped() throws {
    let h = try SupervisorHarness()
    let spec = try h.task("job", script: "true")
    let scheduled = try h.store.insertRun(
      Run(
        task: spec.name, version: "202401/05/120000", trigger: .schedule, status: .queued,
        scheduledAt: 1_704_456_000_000, queuedAt: 1_704_456_000_000))
    let retry = try h.store.insertRun(
      Run(
        task: spec.name, version: "202401/05/120010", trigger: .retry, status: .queued,
        scheduledAt: 1_704_455_990_000, queuedAt: 1_704_456_000_000, attempt: 1))
    let missed = try Recovery(
      store: h.store, log: Logger(label: "test"), clock: SystemClock(), settings: h.settings
    )
    .resolveLeftovers(previousDaemon: nil)
    #expect(missed == [spec.name: [1_704_456_000]])
    #expect(try h.store.run(scheduled.id)?.status == .missed)
    #expect(try h.store.run(retry.id)?.status == .skipped)
  }
}
