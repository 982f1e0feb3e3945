import Foundation
import TFSCore
import TFSTestSupport
import Testing

/// A run's processes are all of its descendants (SPEC §9): those that leave its process group
/// (`setsid`, a double fork) end with the run — when it exits, is killed or times out — and
/// after a crash, at recovery.
@Suite(.timeLimit(.minutes(2)))
struct DescendantsTests {
  /// Ways a task's processes get away from its process group. Each sleeper carries `TOKEN` in
  /// its command line (`sh -c '…; sleep 300; :' TOKEN`: the shell stays to be found) and adds
  /// a line to `started` in the task folder when it began.
  enum Escape: String, CaseIterable, Sendable {
    case setsid, doubleFork, hundredChildren, clearedEnvironment

    var count: Int { self == .hundredChildren ? 100 : 1 }

    func script(_ token: String) -> String {
      let sleeper = "sh -c 'echo $$ >> \"$0\"; sleep 300; :' \"$TFS_TASK_DIR/started\" \(token)"
      return switch self {
      case .setsid: "setsid \(sleeper) &"
      // The daemon idiom: fork, fork again and setsid; the middle process exits at once.
      case .doubleFork: "( setsid \(sleeper) & )"
      // Nothing left to tie it to its run: neither its group nor TFS_RUN_ID.
      case .clearedEnvironment: "env -i setsid \(sleeper) &"
      case .hundredChildren:
        "for i in $(seq 100); do if [ $((i % 2)) = 0 ]; then setsid \(sleeper) & else \(sleeper) & fi; done"
      }
    }
  }

  /// Escaped processes are killed when the run exits by itself, is killed, or times out.
  @Test(arguments: Escape.allCases)
  func escapedProcessesEndWithTheirRun(_ escape: Escape) throws {
    let s = Scenario("tfs-descendants")
    defer { s.remove() }
    let token = "tfs-escape-\(escape.rawValue)-\(getpid())"
    let endings = ["exits": "exit 0", "killed": "sleep 300", "timed": "sleep 300"]
    for (task, end) in endings {
      let flags = task == "timed" ? ["--timeout", "1s"] : []
      // The run goes on only once every escaped sleeper has begun.
      let started =
        "until [ \"$(cat started 2>/dev/null | wc -l)\" -ge \(escape.count) ]; do sleep 0.05; done"
      let script = [escape.script("\(token)-\(task)"), started, end].joined(separator: "\n")
      try s.addTask(task, rule: "0 0 0 1 1 *", script: script, flags: flags)
    }
    let daemon = try s.tfs.startDaemon()
    defer {
      daemon.stop()
      DescendantsTests.killAll(of: s, token: token)
    }
    for task in endings.keys.sorted() {
      #expect(try s.tfs.run(["run", task]).status == 0)
      #expect(
        waitUntil(timeout: 20) {
          (s.dir.read("home/tasks/\(task)/started") ?? "").split(separator: "\n").count >= escape.count
        },
        "\(task): its processes never started")
    }
    #expect(waitUntil(timeout: 10) { (try? s.tfs.run(["kill", "killed"]).status) == 0 })
    for task in endings.keys.sorted() {
      #expect(
        waitUntil(timeout: 15) { processes(containing: "\(token)-\(task)").isEmpty },
        "\(task): \(processes(containing: "\(token)-\(task)").count) processes outlived the run")
    }
    let runs = try #require(try s.json(["history", "--limit", "0"]) as? [[String: Any]])
    #expect(
      Set(runs.compactMap { $0["status"] as? String }) == ["succeeded", "killed", "timed-out"], "\(runs)")
  }

  /// A daemon killed under a run whose sleeper left the group: the next daemon's recovery finds
  /// the sleeper by the run it carries and ends it.
  @Test func recoveryAfterACrashEndsEscapedProcesses() throws {
    let s = Scenario("tfs-descendants")
    defer { s.remove() }
    let token = "tfs-escape-crash-\(getpid())"
    try s.addTask("w", rule: "0 0 0 1 1 *", script: Escape.setsid.script(token) + "\nsleep 300")
    let first = try s.tfs.startDaemon()
    defer {
      first.killHard()
      DescendantsTests.killAll(of: s, token: token)
    }
    #expect(try s.tfs.run(["run", "w"]).status == 0)
    #expect(waitUntil(timeout: 20) { s.dir.read("home/tasks/w/started") != nil })
    #expect(!processes(containing: token).isEmpty)
    first.killHard()
    let second = try s.tfs.startDaemon()
    defer { second.stop() }
    #expect(
      waitUntil(timeout: 15) { processes(containing: token).isEmpty }, "the escaped sleeper outlived recovery"
    )
    let runs = try #require(try s.json(["history", "w"]) as? [[String: Any]])
    #expect(runs.first?["status"] as? String == "lost", "\(runs)")
  }

  /// A writable cgroup v2 hierarchy with `cgroup.kill` (root, Linux 5.14+), for the cgroup test.
  static let cgroupRoot: String? = {
    guard let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
      let line = mounts.split(separator: "\n").first(where: { $0.contains(" - cgroup2 ") })
    else { return nil }
    let fields = line.split(separator: " ")
    guard fields.count > 4 else { return nil }
    let root = String(fields[4])
    return access(root + "/cgroup.kill", F_OK) == 0 || access(root, W_OK) == 0 ? root : nil
  }()

  /// With a cgroup to manage (`TFS_CGROUP`), each run gets `run-ID` holding all its processes,
  /// killed at once at the run's end, and the cgroup is removed.
  @Test(.enabled(if: cgroupRoot != nil && geteuid() == 0))
  func aDelegatedCgroupHoldsEachRunsProcesses() throws {
    let base = try #require(DescendantsTests.cgroupRoot) + "/tfs-test-\(getpid())"
    guard DescendantsTests.cgroupUsable(base) else {
      rmdir(base + "/probe")
      rmdir(base)
      return  // a read-only hierarchy, a kernel before 5.14, or a process refused in a child cgroup
    }
    let s = Scenario("tfs-descendants")
    let token = "tfs-escape-cgroup-\(getpid())"
    let tfs = TFSBinary(home: s.home, environment: ["TFS_CGROUP": base])
    try s.addTask("w", rule: "0 0 0 1 1 *", script: Escape.clearedEnvironment.script(token) + "\nsleep 300")
    let daemon = try tfs.startDaemon()
    defer {
      daemon.stop()
      DescendantsTests.killAll(of: s, token: token)
      _ = waitUntil(timeout: 5) { rmdir(base + "/daemon") == 0 || errno == ENOENT }
      rmdir(base)
      s.remove()
    }
    #expect(daemon.log.contains("cgroups under \(base)"), "\(daemon.log)")
    #expect(try tfs.run(["run", "w"]).status == 0)
    #expect(waitUntil(timeout: 20) { !processes(containing: token).isEmpty })
    for pid in processes(containing: token) {
      let cgroup = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
      #expect(cgroup.contains("/tfs-test-\(getpid())/run-1"), "\(cgroup)")
    }
    #expect(try tfs.run(["kill", "w"]).status == 0)
    #expect(waitUntil(timeout: 15) { processes(containing: token).isEmpty })
    #expect(waitUntil(timeout: 15) { access(base + "/run-1", F_OK) != 0 }, "the run's cgroup was not removed")
  }

  /// Whether `base` can be made and a process moved into a cgroup under it, as the daemon does
  /// with itself and its runs (checked with a short-lived child).
  static func cgroupUsable(_ base: String) -> Bool {
    guard mkdir(base, 0o755) == 0, access(base + "/cgroup.kill", F_OK) == 0,
      mkdir(base + "/probe", 0o755) == 0
    else { return false }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/sleep")
    child.arguments = ["5"]
    guard (try? child.run()) != nil else { return false }
    defer {
      child.terminate()
      child.waitUntilExit()
      _ = waitUntil(timeout: 5) { rmdir(base + "/probe") == 0 }
    }
    let moved =
      (try? "\(child.processIdentifier)".write(
        toFile: base + "/probe/cgroup.procs", atomically: false, encoding: .utf8)) != nil
    let now = (try? String(contentsOfFile: "/proc/\(child.processIdentifier)/cgroup", encoding: .utf8)) ?? ""
    return moved && now.contains("/probe")
  }

  /// Clean-up: SIGKILLs every process whose environment names a task folder of this home, or
  /// whose command line carries `token`.
  static func killAll(of s: Scenario, token: String) {
    for pid in processes(containing: token) { kill(pid, SIGKILL) }
    let mark = Array("TFS_TASK_DIR=\(s.home)/".utf8)
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
      guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ"),
        data.split(separator: 0).contains(where: { $0.starts(with: mark) })
      else { continue }
      kill(pid, SIGKILL)
    }
  }
}
