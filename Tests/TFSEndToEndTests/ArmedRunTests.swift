import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// Through the real binary: a `--here` run is never also started by the daemon, and a run
/// waiting for its task does not spin the daemon. (Commands landing between a run's arming and
/// its occurrence are tested in-process, at exact instants: DaemonCoreTests.)
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ArmedRunTests {
  func runs(_ s: Scenario, _ task: String) throws -> [Run] {
    try Store.open(path: s.database).runs(RunFilter(task: task, limit: 1000)).reversed()
  }

  func live(_ s: Scenario, _ task: String) -> [Run] {
    ((try? runs(s, task)) ?? []).filter { !$0.status.isFinal }
  }

  @Test func aRunHereIsNotAlsoStartedByTheDaemon() throws {
    let s = Scenario()
    defer { s.remove() }
    let marks = s.home + "/marks"
    try s.addTask("h", rule: "@yearly", script: "echo \"$$ $PPID\" >> \(marks)")
    let publish = s.taskDir("h") + "/publish"
    try FileManager.default.createDirectory(atPath: publish, withIntermediateDirectories: true)
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    // Files left in publish/ widen the race: they are deleted before the run is marked started.
    let count = 10
    var parents: [String] = []
    for _ in 1...count {
      for i in 0..<2000 { close(open(publish + "/f\(i)", O_CREAT | O_WRONLY, 0o644)) }
      let here = try s.tfs.start(["run", "h", "--here"])
      defer { here.stop() }
      parents.append(String(here.process.processIdentifier))
      let out = here.wait(timeout: 30)
      #expect(out?.status == 0, "\(String(describing: out))")
    }
    #expect(waitUntil(timeout: 5) { live(s, "h").isEmpty })
    let lines = (s.dir.read("home/marks") ?? "").split(separator: "\n")
    let ppids = lines.map { String($0.split(separator: " ").last ?? "") }
    #expect(lines.count == count, "\(lines)")
    #expect(!ppids.contains(String(daemon.pid)), "the daemon also started a --here run: \(lines)")
    #expect(ppids == parents, "\(lines) vs CLI pids \(parents)")
  }

  /// Total user+system CPU of `pid` in seconds (from /proc/PID/stat).
  func cpuSeconds(_ pid: Int32) -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
      return nil
    }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
  }

  @Test func aWaitingRunDoesNotSpinTheDaemon() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "*/2 * * * * *", script: "sleep 12", flags: ["--overlap", "queue"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(
      waitUntil(timeout: 15) {
        let all = (try? runs(s, "a")) ?? []
        let due = wallClockMs() - 300
        return all.contains { $0.status == .running }
          && all.contains { $0.status == .queued && ($0.scheduledAt ?? .max) <= due }
      })
    let start = Date()
    let before = try #require(cpuSeconds(daemon.pid))
    Thread.sleep(forTimeInterval: 3)
    let used = try #require(cpuSeconds(daemon.pid)) - before
    let share = used / Date().timeIntervalSince(start)
    #expect(share < 0.05, "daemon used \(Int(share * 100))% of a core while a run waits")
  }

}
