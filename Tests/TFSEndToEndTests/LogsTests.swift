import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// `tfs logs`: raw bytes on stdout, --tail, -f to the end of a run, and the failure messages.
@Suite(.timeLimit(.minutes(2)))
struct LogsTests {
  func scenario() throws -> Scenario {
    let s = Scenario("tfs-logs")
    try s.addTask("a", rule: "0 0 * * * *", script: "echo a")
    return s
  }

  /// Every byte value, invalid UTF-8 sequences, NULs and lines longer than the copy buffer.
  var binaryLog: Data {
    var bytes: [UInt8] = Array(0...255) + [0xFF, 0xFE, 0xC3, 0x28, 0xE2, 0x82, 0x0A, 0x00, 0x0A]
    var seed: UInt32 = 12_345
    for _ in 0..<300_000 {
      seed = seed &* 1_103_515_245 &+ 12_345
      bytes.append(UInt8(truncatingIfNeeded: seed >> 16))
    }
    return Data(bytes)
  }

  @Test func printsTheLogBytesUnchanged() throws {
    let s = try scenario()
    defer { s.remove() }
    let log = binaryLog
    try s.recordRun("a", at: readT0, log: log)
    let out = try s.tfs.runRaw(["logs", "a"])
    #expect(out.status == 0)
    #expect(out.stdout == log)
    #expect(out.stderr.isEmpty)
  }

  @Test func defaultsToTheLastRunThatStartedAndFindsOthersByIdOrVersion() throws {
    let s = try scenario()
    defer { s.remove() }
    let one = try s.recordRun("a", at: readT0, log: Data("one\n".utf8))
    try s.recordRun("a", at: readT0 + 1_000, status: .failed, exitCode: 3, log: Data("two\n".utf8))
    try s.recordRun("a", at: readT0 + 2_000, status: .missed)
    #expect(try s.tfs.runRaw(["logs", "a"]).stdout == Data("two\n".utf8))
    #expect(try s.tfs.runRaw(["logs", "a", String(one.id)]).stdout == Data("one\n".utf8))
    #expect(try s.tfs.runRaw(["logs", "a", one.version]).stdout == Data("one\n".utf8))
  }

  @Test(arguments: [
    ("a\nb\nc\n", "2", "b\nc\n"),
    ("a\nb\nc", "2", "b\nc"),
    ("a\nb\nc\n", "0", ""),
    ("a\nb\nc\n", "3", "a\nb\nc\n"),
    ("a\nb\nc\n", "10", "a\nb\nc\n"),
    ("\n\n\n", "2", "\n\n"),
    ("", "5", ""),
  ])
  func tail(content: String, n: String, expected: String) throws {
    let s = try scenario()
    defer { s.remove() }
    try s.recordRun("a", at: readT0, log: Data(content.utf8))
    let out = try s.tfs.run(["logs", "a", "--tail", n])
    #expect(out.status == 0)
    #expect(out.stdout == expected)
  }

  @Test func tailAcrossManyBlocks() throws {
    let s = try scenario()
    defer { s.remove() }
    let lines = (0..<100_000).map { "line \($0)\n" }
    try s.recordRun("a", at: readT0, log: Data(lines.joined().utf8))
    #expect(try s.tfs.run(["logs", "a", "--tail", "3"]).stdout == lines.suffix(3).joined())
    #expect(try s.tfs.run(["logs", "a", "--tail", "20000"]).stdout == lines.suffix(20_000).joined())
  }

  @Test func followPrintsWhatIsAppendedAndEndsWithTheRun() throws {
    let s = try scenario()
    defer { s.remove() }
    let run = try s.recordRun("a", at: readT0, status: .running, log: Data("first\n".utf8))
    let path = s.taskDir("a") + "/" + (run.logPath ?? "")
    let follower = try s.tfs.start(["logs", "a", "-f"])
    defer { follower.stop() }
    #expect(waitUntil(timeout: 10) { follower.stdout == Data("first\n".utf8) })
    let handle = try #require(FileHandle(forWritingAtPath: path))
    handle.seekToEndOfFile()
    handle.write(Data([0xFF, 0x0A]))
    #expect(waitUntil(timeout: 10) { follower.stdout.count == 8 })
    #expect(follower.isRunning)
    // Bytes written just before the run ends are still printed (drained after the end).
    handle.write(Data("last\n".utf8))
    try handle.close()
    try s.openStore().finishRun(run.id, RunEnd(status: .succeeded, endedAt: readT0 + 2_000, exitCode: 0))
    let out = try #require(follower.wait(timeout: 10), "logs -f did not exit when the run ended")
    #expect(out.status == 0)
    #expect(out.stdout == Data("first\n".utf8) + Data([0xFF, 0x0A]) + Data("last\n".utf8))
  }

  @Test func followWaitsForAJustQueuedRunRatherThanShowingThePreviousOne() throws {
    let s = try scenario()
    defer { s.remove() }
    try s.recordRun("a", at: readT0, log: Data("previous\n".utf8))
    let store = try s.openStore()
    let queued = try store.insertRun(
      Run(
        task: try TaskName("a"), version: "202401/05/120100", trigger: .manual, status: .queued,
        queuedAt: readT0))
    let follower = try s.tfs.start(["logs", "a", "-f"])
    defer { follower.stop() }
    let logPath = TaskPaths.logRelative(version: queued.version)
    let path = s.taskDir("a") + "/" + logPath
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data("new\n".utf8).write(to: URL(fileURLWithPath: path))
    try store.markStarted(
      queued.id, startedAt: readT0 + 60_000, pid: 4242, processStart: nil, logPath: logPath,
      executorPid: getpid())
    #expect(waitUntil(timeout: 10) { follower.stdout == Data("new\n".utf8) })
    try store.finishRun(queued.id, RunEnd(status: .failed, endedAt: readT0 + 61_000, exitCode: 1))
    let out = try #require(follower.wait(timeout: 10))
    #expect(out.status == 0)
    #expect(out.stdout == Data("new\n".utf8))
  }

  @Test func followingAQueuedRunWithNoDaemonEnds() throws {
    let s = try scenario()
    defer { s.remove() }
    let store = try s.openStore()
    _ = try store.insertRun(
      Run(
        task: try TaskName("a"), version: "202401/05/120100", trigger: .manual, status: .queued,
        queuedAt: readT0))
    let out = try s.tfs.runRaw(["logs", "a", "-f"], timeout: 15)
    #expect(out.status == 69, "\(out.stderr)")
    #expect(out.stderr.contains("no daemon is running to start it"), "\(out.stderr)")
  }

  @Test func followWithTailOnAFinishedRunPrintsAndExits() throws {
    let s = try scenario()
    defer { s.remove() }
    try s.recordRun("a", at: readT0, log: Data("1\n2\n3\n".utf8))
    let out = try s.tfs.runRaw(["logs", "a", "-f", "--tail", "1"], timeout: 10)
    #expect(out.status == 0)
    #expect(out.stdout == Data("3\n".utf8))
  }

  @Test func followStopsWhenTheExecutorIsGone() throws {
    let s = try scenario()
    defer { s.remove() }
    let gone = Process()
    gone.executableURL = URL(fileURLWithPath: "/bin/true")
    try gone.run()
    gone.waitUntilExit()
    try s.recordRun(
      "a", at: readT0, status: .running, log: Data("x\n".utf8), executorPid: gone.processIdentifier)
    let out = try s.tfs.runRaw(["logs", "a", "-f"], timeout: 20)
    #expect(out.status == 1)
    #expect(out.stdout == Data("x\n".utf8))
    #expect(
      out.stderr.contains("is still marked running but its executor (pid \(gone.processIdentifier)) is gone"))
  }

  @Test func failuresSayWhatIsMissing() throws {
    let s = try scenario()
    defer { s.remove() }
    let noRuns = try s.tfs.run(["logs", "a"])
    #expect(noRuns.status == 1)
    #expect(noRuns.stderr == "tfs: task 'a' has not run yet; start it with 'tfs run a'\n")
    let unknown = try s.tfs.run(["logs", "nosuch"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr == "tfs: no task named 'nosuch'; see 'tfs list'\n")
    let failed = try s.recordRun("a", at: readT0, status: .failed, reason: "entry file 'run.sh' is missing")
    let noLog = try s.tfs.run(["logs", "a"])
    #expect(noLog.status == 1)
    #expect(noLog.stdout.isEmpty)
    #expect(
      noLog.stderr == "tfs: run \(failed.id) of 'a' (failed) has no log: entry file 'run.sh' is missing\n")
    let badRef = try s.tfs.run(["logs", "a", "42"])
    #expect(badRef.status == 1)
    #expect(badRef.stderr == "tfs: no run '42' of task 'a'; see 'tfs history a'\n")
    let pruned = try s.recordRun("a", at: readT0 + 1_000, log: Data("x".utf8))
    try FileManager.default.removeItem(atPath: s.taskDir("a") + "/" + (pruned.logPath ?? ""))
    let gone = try s.tfs.run(["logs", "a"])
    #expect(gone.status == 1)
    #expect(gone.stderr.contains("the log of run \(pruned.id) of 'a' is gone"))
    let badTail = try s.tfs.run(["logs", "a", "--tail", "-3"])
    #expect(badTail.status == 64)
    #expect(badTail.stderr == "tfs: invalid --tail '-3'; use a number of lines (0 or more)\n")
  }

  @Test func aClosedPipeEndsTheCopyQuietly() throws {
    let s = try scenario()
    defer { s.remove() }
    try s.recordRun("a", at: readT0, log: Data(repeating: 0x41, count: 8 << 20))
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/bash")
    shell.arguments = ["-c", "\"$TFS\" logs a | head -c 10 >/dev/null; echo \"${PIPESTATUS[0]}\""]
    var env = ProcessInfo.processInfo.environment
    env["TFS"] = TFSBinary.path
    env["TFS_HOME"] = s.home
    shell.environment = env
    let out = Pipe()
    let err = Pipe()
    shell.standardOutput = out
    shell.standardError = err
    try shell.run()
    let status = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    shell.waitUntilExit()
    // Killed by SIGPIPE (141) or stopped on EPIPE (0): either way no error message.
    #expect(["0\n", "141\n"].contains(status), "\(status)")
    #expect(err.fileHandleForReading.readDataToEndOfFile().isEmpty)
  }

  /// A log stops at log-max with a note however fast the run writes; `logs -f` never prints
  /// more than the final log holds.
  @Test func followNeverPrintsPastTheLogCap() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("big", rule: "@yearly", script: "head -c 200000000 /dev/zero; echo END")
    #expect(try s.tfs.run(["config", "set", "log-max", "1MiB"]).status == 0)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "big"]).status == 0)
    let out = try s.tfs.runRaw(["logs", "big", "-f"], timeout: 60)
    #expect(out.status == 0)
    #expect(out.stdout.count <= (1 << 20) + 200, "printed \(out.stdout.count) bytes")
    #expect(String(decoding: out.stdout.suffix(100), as: UTF8.self).contains("log truncated"))
  }
}

/// The daemon creates a run's log at its first output: a silent run leaves no file, and
/// `tfs logs` shows it as empty.
@Suite(.timeLimit(.minutes(2)))
struct SilentRunLogTests {
  @Test func aRunThatWritesNothingHasNoLogFileAndAnEmptyLog() throws {
    let s = Scenario("tfs-logs")
    defer { s.remove() }
    try s.addTask("quiet", rule: "0 0 0 1 1 *", script: "true")
    try s.addTask("talks", rule: "0 0 0 1 1 *", script: "echo said")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(try s.tfs.run(["run", "quiet", "--wait"]).status == 0)
    #expect(try s.tfs.run(["run", "talks", "--wait"]).status == 0)
    #expect(!FileManager.default.fileExists(atPath: s.taskDir("quiet") + "/logs"))
    let quiet = try s.tfs.run(["logs", "quiet"])
    #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet)")
    let followed = try s.tfs.run(["logs", "quiet", "-f"])
    #expect(followed.status == 0 && followed.stdout.isEmpty, "\(followed)")
    #expect(try s.tfs.run(["logs", "talks"]).stdout == "said\n")
  }
}
