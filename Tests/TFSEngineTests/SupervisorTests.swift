import CTFSSupport
import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine
@testable import TFSStore

/// A supervisor over a temp-file store and task root, driving real `/bin/sh` children; it
/// keeps the runs it started (with the stop asked of each) the way the daemon's run table does.
final class SupervisorHarness {
  let dir = TempDir("tfs-engine")
  let home: Home
  let store: Store
  let settings: EffectiveSettings
  let supervisor: Supervisor
  private(set) var timerEvents: [Event] = []
  private(set) var live: [Int32: (run: LiveRun, stop: Stop?)] = [:]

  init(settings stored: [String: String] = [:], killGraceMs: Int64 = 10_000) throws {
    home = Home(path: dir.path + "/home")
    store = try Store.open(home: home)
    var all = stored
    all["timezone"] = all["timezone"] ?? "UTC"
    settings = EffectiveSettings(stored: all, home: home)
    supervisor = Supervisor(
      store: store, launcher: PosixLauncher(), clock: SystemClock(), settings: settings,
      killGraceMs: killGraceMs)
  }

  func paths(_ name: String) -> TaskPaths { settings.paths(taskName(name)) }

  /// Writes `<task>/run.sh` and returns the task's definition.
  func task(_ name: String, script: String, timeoutMs: Int64? = nil) throws -> TaskSpec {
    dir.write("home/tasks/\(name)/run.sh", "#!/bin/sh\n" + script + "\n", executable: true)
    return try makeSpec(name, rule: "@yearly", timeoutMs: timeoutMs)
  }

  /// Records a queued manual run of `spec`, as `tfs run` would.
  func queue(_ spec: TaskSpec, version: String = "202401/05/120000") throws -> Run {
    try store.insertRun(
      Run(
        task: spec.name, version: version, trigger: .manual, status: .queued, queuedAt: SystemClock().nowMs())
    )
  }

  /// Starts recorded runs and keeps those that started.
  func start(_ items: [(Run, TaskSpec)]) throws -> Supervisor.Launched {
    let launched = try supervisor.start(items)
    for run in launched.started { live[run.pid] = (run, nil) }
    return launched
  }

  /// Starts `spec`; returns the live run, or the finished one when it could not start.
  func start(_ spec: TaskSpec) throws -> (live: LiveRun?, failed: Supervisor.Finished?) {
    let launched = try start([(try queue(spec), spec)])
    return (launched.started.first, launched.failed.first)
  }

  func stop(_ run: LiveRun, _ reason: StopReason, graceMs: Int64? = nil) {
    let earlier = live[run.pid]?.stop
    live[run.pid]?.stop = supervisor.stop(run, reason, graceMs: graceMs, after: earlier)
  }

  /// One round of what the daemon does for its runs: their pipes, timeouts, kill graces, then
  /// reaping those that exited.
  func watch() -> [Supervisor.Finished] {
    let now = SystemClock().nowMs()
    for (run, stop) in live.values {
      supervisor.drainOutput(run)
      let (event, after) = supervisor.checkTimers(run, stop: stop, now: now)
      if let event { timerEvents.append(event) }
      live[run.pid]?.stop = after
    }
    return reap()
  }

  /// Ends the runs that exited (the supervisor drains what their pipes still hold).
  func reap() -> [Supervisor.Finished] {
    let exited = supervisor.launcher.reap(Array(live.keys)).compactMap { pid, status in
      live.removeValue(forKey: pid).map { ($0.run, status, $0.stop?.reason) }
    }
    return supervisor.ended(exited)
  }

  /// Watches `live` as the daemon would until it ends; records the end.
  func finish(_ run: LiveRun, timeout: Double = 15) throws -> Supervisor.Finished {
    var finished: [Supervisor.Finished] = []
    let ended = waitUntil(timeout: timeout, every: 0.01) {
      finished += watch()
      return !finished.isEmpty
    }
    guard ended, let result = finished.first else {
      cleanUp()
      throw HarnessError.timedOut(run.pid)
    }
    #expect(finished.count == 1)
    try store.finishRuns(finished.map { ($0.live.run.id, $0.end, $0.events) })
    return result
  }

  /// Runs `spec` from start to end.
  func runToEnd(_ spec: TaskSpec) throws -> Supervisor.Finished {
    let (live, failed) = try start(spec)
    if let failed { return failed }
    return try finish(try #require(live))
  }

  func log(of finished: Supervisor.Finished) -> Data? {
    guard let relative = finished.live.run.logPath else { return nil }
    return FileManager.default.contents(atPath: finished.live.paths.absolute(relative))
  }

  /// Kills whatever is still running and removes the temp folder.
  func cleanUp() {
    for pid in live.keys {
      kill(-pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
    live = [:]
    dir.remove()
  }

  enum HarnessError: Error { case timedOut(Int32) }
}

@Suite(.serialized, .timeLimit(.minutes(3)))
struct SupervisorTests {
  /// The spawn slots are reserved when the library loads, so this test process — which has
  /// opened databases, pipes and files by now — spawns on the fast path like the daemon (unless
  /// run with TFS_SPAWN=posix_spawn).
  @Test func theTestProcessSpawnsOnTheFastPath() throws {
    var fds: [Int32] = []
    for _ in 0..<100 { fds.append(open("/dev/null", O_RDONLY | O_CLOEXEC)) }
    defer { fds.forEach { close($0) } }
    _ = PosixLauncher()
    let forced = ProcessInfo.processInfo.environment["TFS_SPAWN"] == "posix_spawn"
    #expect(ctfs_spawn_fast_enabled() == (forced ? 0 : 1))
  }

  @Test(arguments: [
    ("exit 0", RunStatus.succeeded, Int32?(0)), ("exit 3", .failed, 3), ("false", .failed, 1),
  ])
  func exitCodesBecomeStatuses(script: String, status: RunStatus, code: Int32?) throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let f = try h.runToEnd(try h.task("job", script: script))
    #expect(f.end.status == status)
    #expect(f.end.exitCode == code)
    #expect(f.end.signal == nil)
    let stored = try #require(try h.store.run(f.live.run.id))
    #expect(stored.status == status && stored.exitCode == code)
    #expect(stored.startedAt != nil && stored.endedAt != nil && stored.pid == f.live.pid)
    #expect(stored.logPath == "logs/202401/05/120000.log")
    #expect(try h.store.task(taskName("job")) == nil, "no task row needed to run")
    #expect(f.events.map(\.type) == (status == .failed ? ["failed"] : []))
  }

  @Test func aChildKilledByASignalItWasNotAskedToStopWithFailed() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let f = try h.runToEnd(try h.task("suicide", script: "kill -9 $$"))
    #expect(f.end.status == .failed)
    #expect(f.end.signal == SIGKILL && f.end.exitCode == nil)
    #expect(f.events.first?.type == "failed")
    #expect(f.events.first?.title.contains("signal 9") == true)
  }

  @Test func stderrHeadIsKeptAndCopiedIntoTheLog() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let script = """
      echo out-1
      echo err-1 >&2
      echo out-2
      i=1; while [ $i -le 60 ]; do echo "warn $i" >&2; i=$((i+1)); done
      exit 2
      """
    let f = try h.runToEnd(try h.task("noisy", script: script))
    #expect(f.end.status == .failed && f.end.exitCode == 2)
    let head = f.end.stderrHead
    #expect(head.hasPrefix("err-1\nwarn 1\n"))
    #expect(head.split(separator: "\n").count == 50)
    #expect(head.hasSuffix("warn 49\n"))
    let log = String(decoding: try #require(h.log(of: f)), as: UTF8.self)
    #expect(log.contains("out-1\n") && log.contains("out-2\n") && log.contains("err-1\n"))
    #expect(log.contains("warn 60\n"), "the log has every stderr line, not only the head")
    #expect(f.end.logBytes == Int64(log.utf8.count))
    let stored = try #require(try h.store.run(f.live.run.id))
    #expect(stored.stderrHead == head)
    let alert = try #require(f.events.first)
    #expect(alert.details.contains("err-1"), "the failed alert carries the stderr head")
  }

  @Test func theChildGetsItsEnvironmentFolderAndOwnSession() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let script = """
      echo "name=$TFS_TASK_NAME id=$TFS_RUN_ID version=$TFS_RUN_VERSION trigger=$TFS_TRIGGER"
      echo "scheduled=[$TFS_SCHEDULED_AT]"
      echo "publish=$TFS_PUBLISH_DIR"
      echo "task=$TFS_TASK_DIR"
      echo "cwd=$(pwd -P)"
      echo "arg=$0"
      read line && echo "stdin=has data" || echo "stdin=empty"
      awk '{ print "pgrp=" $5 " sid=" $6 }' /proc/$$/stat
      echo "pid=$$"
      ls /proc/$$/fd > ../fds.txt
      echo "fds=$(sort -n ../fds.txt | tr '\n' ' ')"
      while read -r key value; do
        case $key in SigBlk:|SigIgn:) printf '%s\\t%s\\n' "$key" "$value" ;; esac
      done < /proc/$$/status
      """
    let spec = try h.task("group/env", script: script)
    // Not close-on-exec, and above the 64 the spawn copies: must not reach the child either.
    let raw = open("/dev/null", O_RDONLY)
    let sentinel = fcntl(raw, F_DUPFD, 70)
    close(raw)
    defer { close(sentinel) }
    let f = try h.runToEnd(spec)
    #expect(f.end.status == .succeeded)
    let log = String(decoding: try #require(h.log(of: f)), as: UTF8.self)
    let paths = h.paths("group/env")
    let folder = TaskPaths.realPath(paths.folder) ?? paths.folder
    #expect(log.contains("name=group/env id=\(f.live.run.id) version=202401/05/120000 trigger=manual\n"))
    #expect(log.contains("scheduled=[]\n"))
    #expect(log.contains("publish=\(paths.publish)\n"))
    #expect(log.contains("task=\(paths.folder)\n"))
    #expect(log.contains("cwd=\(folder)\n"))
    #expect(log.contains("arg=\(paths.folder)/run.sh\n"))
    #expect(log.contains("stdin=empty\n"))
    let pid = f.live.pid
    #expect(log.contains("pgrp=\(pid) sid=\(pid)\n"), "the child leads its own session and group")
    #expect(log.contains("pid=\(pid)\n"))
    // None of this process's descriptors but stdin/stdout/stderr (the shell opens its own from
    // 10 up); signals neither blocked nor ignored.
    let fds =
      log.split(separator: "\n").first { $0.hasPrefix("fds=") }?.dropFirst(4).split(separator: " ") ?? []
    #expect(Array(fds.prefix(3)) == ["0", "1", "2"], "\(fds)")
    #expect(!fds.contains { (3..<10).contains(Int($0) ?? 0) || $0 == "\(sentinel)" }, "\(fds)")
    // The shell's mask and dispositions, read with builtins only: a command reading /proc/$$/status
    // (grep) could see dash's mask from the moment it vforked that very command, every signal but
    // 32/33 blocked until dash resumes after the exec. 32 and 33 are glibc's own real-time
    // signals: posix_spawn (the fallback, and TFS_SPAWN=posix_spawn) leaves them ignored.
    let ignored = log.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }.map { $0.dropFirst(7) }
    let mask = UInt64(ignored.map { $0.trimmingCharacters(in: .whitespaces) } ?? "", radix: 16)
    #expect(
      log.contains("SigBlk:\t0000000000000000\n") && mask.map { $0 & ~0x1_8000_0000 == 0 } == true, "\(log)")
  }

  /// A spawn that cannot exec reports the reason and leaves no child behind.
  @Test func anExecThatFailsReportsItsErrno() throws {
    let dir = TempDir("tfs-spawn")
    defer { dir.remove() }
    dir.write("not-executable", "#!/bin/sh\n")
    let request = LaunchRequest(
      executable: dir.path + "/not-executable", arguments: ["x"], environment: [:], workdir: dir.path,
      stdoutFd: 1, stderrFd: 2)
    do {
      _ = try PosixLauncher().launch(request)
      Issue.record("a file that is not executable must fail the spawn")
    } catch {
      #expect(error.errno == EACCES, "\(error)")
    }
    let gone = LaunchRequest(
      executable: dir.path, arguments: ["x"], environment: [:], workdir: dir.path + "/nowhere", stdoutFd: 1,
      stderrFd: 2)
    do {
      _ = try PosixLauncher().launch(gone)
      Issue.record("a missing workdir must fail the spawn")
    } catch {
      #expect(error.errno == ENOENT, "\(error)")
    }
  }

  @Test func publishIsEmptiedBeforeAndArchivedAfterWithItsFileList() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let spec = try h.task(
      "pub",
      script: """
        [ -e "$TFS_PUBLISH_DIR/stale.txt" ] && exit 9
        printf 'hello' > "$TFS_PUBLISH_DIR/a.txt"
        mkdir -p "$TFS_PUBLISH_DIR/sub"
        printf '0123456789' > "$TFS_PUBLISH_DIR/sub/b.bin"
        """)
    h.dir.write("home/tasks/pub/publish/stale.txt", "from an older run")
    let f = try h.runToEnd(spec)
    #expect(f.end.status == .succeeded, "publish/ was not emptied before the run")
    #expect(
      f.end.published == [PublishedFile(path: "a.txt", size: 5), PublishedFile(path: "sub/b.bin", size: 10)])
    let paths = h.paths("pub")
    let history = paths.history(version: f.live.run.version)
    #expect(history.hasSuffix("/pub/history/202401/05/120000"))
    #expect(h.dir.read("home/tasks/pub/history/202401/05/120000/a.txt") == "hello")
    #expect(h.dir.read("home/tasks/pub/history/202401/05/120000/sub/b.bin") == "0123456789")
    #expect(try FileManager.default.contentsOfDirectory(atPath: paths.publish).isEmpty, "moved, not copied")
    #expect(try h.store.publishedFiles(f.live.run.id) == f.end.published)
    #expect(h.dir.read("home/tasks/pub/history/latest/a.txt") == "hello")
  }

  /// `history/latest` names the newest version published, also when runs end out of order.
  @Test func historyLatestFollowsTheNewestVersion() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let paths = h.paths("pub")
    for version in ["202401/05/120000", "202401/05/120010", "202401/05/120005"] {
      h.dir.write("home/tasks/pub/publish/v.txt", version)
      #expect(FileSystem.archivePublish(paths, version: version).count == 1)
    }
    let link = paths.folder + "/history/latest"
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "202401/05/120010")
    #expect(h.dir.read("home/tasks/pub/history/latest/v.txt") == "202401/05/120010")
  }

  @Test func anEmptyPublishFolderArchivesNothing() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let f = try h.runToEnd(try h.task("quiet", script: "true"))
    #expect(f.end.published.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: h.paths("quiet").history(version: f.live.run.version)))
  }

  @Test func aMissingEntryFailsWithoutAProcessAndAnEntryMissingAlert() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    var spec = try h.task("noentry", script: "true")
    spec.entry = "missing.sh"
    let (live, failed) = try h.start(spec)
    #expect(live == nil)
    let f = try #require(failed)
    #expect(f.end.status == .failed)
    #expect(f.end.reason.contains("missing.sh") && f.end.reason.contains("does not exist"))
    #expect(f.events.map(\.type) == ["entry-missing"])
    #expect(h.live.isEmpty)
    try h.store.finishRuns([(f.live.run.id, f.end, f.events)])
    let stored = try #require(try h.store.run(f.live.run.id))
    #expect(stored.status == .failed && stored.pid == nil && stored.startedAt == nil)
    #expect(try h.store.events(EventFilter(type: "entry-missing")).count == 1)
  }

  @Test func aMissingTaskFolderOrExecutorFailsWithTheReason() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let nofolder = try makeSpec("nofolder", rule: "@yearly")
    let a = try #require(try h.start(nofolder).failed)
    #expect(a.end.reason.contains("does not exist") && a.events.map(\.type) == ["entry-missing"])
    var noexec = try h.task("noexec", script: "true")
    noexec.command = "no-such-executor-h6"
    let b = try #require(try h.start(noexec).failed)
    #expect(b.end.reason == "executor 'no-such-executor-h6' not found on PATH")
    #expect(b.events.map(\.type) == ["entry-missing"])
  }

  @Test func theLogIsCappedAtLogMaxAndTheRunStillSucceeds() throws {
    let h = try SupervisorHarness(settings: ["log-max": "1000"])
    defer { h.cleanUp() }
    #expect(h.settings.logMax == 1000)
    let f = try h.runToEnd(
      try h.task("flood", script: "head -c 1048576 /dev/zero | tr '\\0' x; echo done >&2"))
    #expect(f.end.status == .succeeded)
    #expect(f.end.reason.contains("log truncated"))
    let log = try #require(h.log(of: f))
    let note = "\n[tfs: log truncated at 1000 bytes (setting log-max)]\n"
    #expect(log.count == 1000 + note.utf8.count, "log is \(log.count) bytes")
    #expect(log.prefix(1000).allSatisfy { $0 == UInt8(ascii: "x") })
    #expect(String(decoding: log.suffix(note.utf8.count), as: UTF8.self) == note)
    #expect(f.end.logBytes == Int64(log.count))
    #expect(f.end.stderrHead == "done\n", "stderr still reaches the head after the cap")
  }

  @Test func stopSendsTermThenKillAfterTheGrace() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let (live, _) = try h.start(
      try h.task("stubborn", script: "trap '' TERM; echo ready; while :; do sleep 0.05; done"))
    let run = try #require(live)
    let log = h.paths("stubborn").absolute(run.run.logPath ?? "")
    #expect(
      waitUntil(timeout: 5) {
        h.supervisor.drainOutput(run)
        return (try? String(contentsOfFile: log, encoding: .utf8))?.contains("ready") == true
      })
    let asked = SystemClock().nowMs()
    h.stop(run, .killed(actor: "tester", signal: SIGTERM), graceMs: 300)
    let f = try h.finish(run)
    #expect(f.end.status == .killed)
    #expect(f.end.signal == SIGKILL, "TERM was trapped, so KILL ended it")
    #expect(f.end.endedAt - asked >= 300)
    #expect(f.end.reason == "killed by tester")
    #expect(f.events.map(\.type) == ["killed"])
  }

  @Test func aTimeoutStopsTheRunWithAnAlert() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let f = try h.runToEnd(try h.task("slow", script: "sleep 30", timeoutMs: 300))
    #expect(f.end.status == .timedOut)
    #expect(f.end.signal == SIGTERM)
    #expect(f.end.reason == "timeout")
    #expect(h.timerEvents.map(\.type) == ["timeout"])
    #expect(f.live.run.endedAt == nil)
    #expect(f.end.endedAt - (f.live.run.startedAt ?? 0) < 5_000)
  }

  /// A failure gives a `failed` alert; the success after it gives none of its own: `recovered`
  /// is the store's to raise when it records the end (it keeps the task's alert state).
  @Test func aFailureIsAlertedAndASuccessIsNot() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let failing = try h.runToEnd(try h.task("flaky", script: "exit 1"))
    #expect(failing.events.map(\.type) == ["failed"])
    let spec = try h.task("flaky", script: "exit 0")
    let launched = try h.start([(try h.queue(spec, version: "202401/05/120001"), spec)])
    let ok = try h.finish(try #require(launched.started.first))
    #expect(ok.end.status == .succeeded)
    #expect(ok.events.isEmpty)
  }

  /// The daemon (and `tfs run --here`) may have children that are not runs (alert delivery,
  /// other libraries): reaping runs must not collect them.
  @Test
  func reapLeavesChildrenThatAreNotRunsAlone() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    var pid: pid_t = 0
    let native = NativeArguments(
      arguments: ["/bin/sh", "-c", "exit 7"], environment: [], executable: "/bin/sh", workdir: "/")
    let rc = posix_spawn(&pid, native.executable, nil, nil, native.argv, native.envp)
    try #require(rc == 0)
    #expect(waitUntil(timeout: 5) { !ProcessControl.isAlive(pid) })
    #expect(h.watch().isEmpty)
    var status: Int32 = 0
    let waited = waitpid(pid, &status, WNOHANG)
    #expect(waited == pid, "the other child's exit status was consumed by reap()")
    #expect(waited != pid || (status >> 8) & 0xff == 7)
    if waited != pid { waitpid(pid, &status, 0) }
  }

  /// The spawner pool: every item once, results in order, its threads joined before it returns.
  @Test func inParallelMapsInOrderOnSeveralThreads() {
    for round in 0..<200 {
      let items = Array(0..<(round % 40))
      let threads = ThreadsSeen()
      let out = Supervisor.inParallel(items, threadsPerCore: 2) { i -> Int in
        threads.add(pthread_self())
        return i * 3
      }
      #expect(out == items.map { $0 * 3 })
      if items.count >= 8 && ProcessInfo.processInfo.activeProcessorCount > 1 {
        #expect(threads.count > 1, "\(items.count) items ran on one thread")
      }
    }
  }

  @Test func severalRunsStartedTogetherAreAllReaped() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    var items: [(Run, TaskSpec)] = []
    for i in 0..<10 {
      let spec = try h.task("many-\(i)", script: "echo \(i); exit \(i % 3)")
      items.append((try h.queue(spec), spec))
    }
    let launched = try h.start(items)
    #expect(launched.started.count == 10 && launched.failed.isEmpty)
    var finished: [Supervisor.Finished] = []
    #expect(
      waitUntil(timeout: 15) {
        finished += h.watch()
        return finished.count == 10
      })
    for f in finished {
      let i = Int32(f.live.spec.name.rawValue.dropFirst(5))!
      #expect(f.end.exitCode == i % 3)
      #expect(String(decoding: h.log(of: f) ?? Data(), as: UTF8.self) == "\(i)\n")
    }
    #expect(h.live.isEmpty)
  }
}

/// Distinct threads seen by a test, from any thread.
private final class ThreadsSeen: @unchecked Sendable {
  private var seen: Set<UInt> = []
  private let lock = NSLock()

  func add(_ thread: pthread_t) {
    lock.lock()
    seen.insert(UInt(thread))
    lock.unlock()
  }

  var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return seen.count
  }
}
