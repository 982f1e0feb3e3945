import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine

/// `RunPreparation`: argv, environment, folders and the reasons a run cannot start — checked
/// without starting a process.
struct RunPreparationTests {
  let dir = TempDir("tfs-prep")
  var settings: EffectiveSettings {
    EffectiveSettings(stored: ["timezone": "UTC"], home: Home(path: dir.path + "/home"))
  }

  func run(_ spec: TaskSpec, trigger: Trigger = .schedule, scheduledAt: Int64? = 1_704_456_000_000) -> Run {
    Run(
      id: 42, task: spec.name, version: "202401/05/120000", trigger: trigger, status: .queued,
      scheduledAt: scheduledAt, queuedAt: 0, attempt: 1)
  }

  func prepare(_ spec: TaskSpec, base: [String: String] = ["PATH": "/usr/bin:/bin"]) -> Result<
    RunPreparation.Ready, RunPreparation.Failure
  > {
    RunPreparation(spec: spec, settings: settings, baseEnvironment: base).prepare(run(spec))
  }

  @Test func argvEnvironmentAndWorkdirFollowTheSpec() throws {
    defer { dir.remove() }
    dir.write("home/tasks/team/job/main.sh", "true\n")
    var spec = try makeSpec("team/job", rule: "0 * * * * *", entry: "main.sh")
    spec.command = "sh -e"
    spec.environment = ["GREETING": "hello world", "PATH": "/usr/bin:/bin"]
    spec.workdir = "work"
    let ready = try prepare(spec, base: ["PATH": "/nowhere", "KEEP": "1"]).get()
    let folder = settings.paths(taskName("team/job")).folder
    #expect(ready.request.executable == "/usr/bin/sh" || ready.request.executable == "/bin/sh")
    #expect(ready.request.arguments == ["sh", "-e", folder + "/main.sh"])
    #expect(ready.request.workdir == folder + "/work")
    let env = ready.request.environment
    #expect(env["GREETING"] == "hello world" && env["KEEP"] == "1" && env["PATH"] == "/usr/bin:/bin")
    #expect(env["TFS_TASK_NAME"] == "team/job")
    #expect(env["TFS_RUN_ID"] == "42")
    #expect(env["TFS_RUN_VERSION"] == "202401/05/120000")
    #expect(env["TFS_SCHEDULED_AT"] == "2024-01-05T12:00:00+00:00")
    #expect(env["TFS_TRIGGER"] == "schedule")
    #expect(env["TFS_PUBLISH_DIR"] == folder + "/publish")
    #expect(env["TFS_TASK_DIR"] == folder)
    #expect(ready.logRelative == "logs/202401/05/120000.log")
    #expect(RunPreparation.createFiles(ready) == nil)
    // The log and its day folder wait for the run's first output.
    #expect(!FileManager.default.fileExists(atPath: folder + "/logs/202401/05"))
    for sub in ["publish", "history"] {
      var isDir: ObjCBool = false
      #expect(
        FileManager.default.fileExists(atPath: folder + "/" + sub, isDirectory: &isDir) && isDir.boolValue,
        "\(sub)")
    }
  }

  @Test func anEntryLeadingOutsideTheFolderThroughASymlinkIsRefused() throws {
    defer { dir.remove() }
    dir.write("outside.sh", "echo escaped\n")
    try FileManager.default.createDirectory(
      atPath: dir.path + "/home/tasks/sneaky", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: dir.path + "/home/tasks/sneaky/run.sh", withDestinationPath: dir.path + "/outside.sh")
    let result = prepare(try makeSpec("sneaky", rule: "@yearly"))
    guard case .failure(.missing(let reason)) = result else {
      Issue.record("expected a refusal, got \(result)")
      return
    }
    #expect(reason.contains("outside the task folder"))
  }

  @Test func missingFolderEntryAndExecutorAreEntryMissing() throws {
    defer { dir.remove() }
    guard case .failure(.missing(let a)) = prepare(try makeSpec("absent", rule: "@yearly")) else {
      Issue.record("a missing folder must be entry-missing")
      return
    }
    #expect(a.contains("task folder") && a.contains("does not exist"))
    dir.write("home/tasks/present/other.sh", "true\n")
    guard case .failure(.missing(let b)) = prepare(try makeSpec("present", rule: "@yearly")) else {
      Issue.record("a missing entry must be entry-missing")
      return
    }
    #expect(b.contains("entry file") && b.contains("run.sh"))
    dir.write("home/tasks/present/run.sh", "true\n")
    var spec = try makeSpec("present", rule: "@yearly")
    spec.command = "definitely-not-installed-h6 --flag"
    guard case .failure(.missing(let c)) = prepare(spec) else {
      Issue.record("a missing executor must be entry-missing")
      return
    }
    #expect(c == "executor 'definitely-not-installed-h6' not found on PATH")
  }

  @Test func aManualRunHasAnEmptyScheduledAt() throws {
    defer { dir.remove() }
    dir.write("home/tasks/m/run.sh", "true\n")
    let spec = try makeSpec("m", rule: "@yearly")
    let result = RunPreparation(spec: spec, settings: settings, baseEnvironment: ["PATH": "/usr/bin:/bin"])
      .prepare(run(spec, trigger: .manual, scheduledAt: nil))
    let ready = try result.get()
    #expect(ready.request.environment["TFS_SCHEDULED_AT"] == "")
    #expect(ready.request.environment["TFS_TRIGGER"] == "manual")
  }

  /// Runs prepared ahead of a busy second hold no descriptors (every spawn copies the daemon's
  /// table): the log is created empty, and opened with the pipe only at spawn time.
  @Test func preparedRunsHoldNoDescriptorsUntilTheirFilesAreOpened() throws {
    defer { dir.remove() }
    dir.write("home/tasks/many/run.sh", "true\n")
    let spec = try makeSpec("many", rule: "* * * * * *")
    let preparation = RunPreparation(
      spec: spec, settings: settings, baseEnvironment: ["PATH": "/usr/bin:/bin"])
    let before = openDescriptors()
    var prepared: [RunPreparation.Ready] = []
    for i in 0..<300 {
      var r = run(spec)
      r.version = String(format: "202401/05/12%04d", i)
      let ready = try preparation.prepare(r).get()
      #expect(RunPreparation.createFiles(ready) == nil)
      prepared.append(ready)
    }
    // Other tests run in this process at the same time: allow for their descriptors, far
    // below the 300 that 300 runs each holding one would take.
    #expect(openDescriptors() - before < 150)
    let last = try #require(prepared.last)
    var info = stat()
    #expect(stat(last.logPath, &info) != 0, "a log before the run's first output")

    // At the first output the log is created, its day folder too (also when a prune deleted it).
    try? FileManager.default.removeItem(atPath: settings.paths(spec.name).folder + "/logs")
    let log = RunPreparation.openLog(last.logPath)
    defer { close(log) }
    #expect(write(log, "x", 1) == 1 && stat(last.logPath, &info) == 0 && info.st_size == 1)
    let files = try RunPreparation.openFiles(last).get()
    defer { files.closeAll() }
    #expect(write(files.stderrWrite, "e", 1) == 1)
    var byte: UInt8 = 0
    #expect(read(files.stderrRead, &byte, 1) == 1 && byte == UInt8(ascii: "e"))
  }

  private func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
  }
}
