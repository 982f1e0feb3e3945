import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// The daemon inserts an occurrence's run as `queued` up to 250 ms before it is due ("armed")
/// and spawns it at the occurrence. Commands landing in that window must see the task as idle,
/// and the armed run must obey the same rules as one decided at its second.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ArmedRunTests {
  func runs(_ s: Scenario, _ task: String) throws -> [Run] {
    try Store.open(path: s.database).runs(RunFilter(task: task, limit: 1000)).reversed()
  }

  func live(_ s: Scenario, _ task: String) -> [Run] {
    ((try? runs(s, task)) ?? []).filter { !$0.status.isFinal }
  }

  /// Sleeps until `lead` seconds before the next multiple of `every` seconds at least 0.3 s
  /// away; returns that occurrence in epoch milliseconds.
  @discardableResult
  func sleepUntilJustBefore(every: Int, lead: Double) -> Int64 {
    let now = Date().timeIntervalSince1970
    var boundary = ((now / Double(every)).rounded(.down) + 1) * Double(every)
    if boundary - lead - now < 0.3 { boundary += Double(every) }
    Thread.sleep(until: Date(timeIntervalSince1970: boundary - lead))
    return Int64(boundary) * 1000
  }

  /// Waits for the scheduled run of `atMs` to end and returns it.
  func endedRun(_ s: Scenario, _ task: String, at atMs: Int64, timeout: Double = 15) -> Run? {
    var found: Run?
    _ = waitUntil(timeout: timeout) {
      found = ((try? runs(s, task)) ?? []).first { $0.scheduledAt == atMs && $0.status.isFinal }
      return found != nil
    }
    return found
  }

  @Test func killWithNothingRunningJustBeforeAnOccurrence() throws {
    let s = Scenario()
    defer { s.remove() }
    let marks = s.home + "/marks"
    try s.addTask("a", rule: "*/2 * * * * *", script: "echo \"$TFS_RUN_ID\" >> \(marks)")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    for _ in 1...3 {
      #expect(waitUntil(timeout: 10) { live(s, "a").isEmpty })
      let at = sleepUntilJustBefore(every: 2, lead: 0.15)
      let out = try s.tfs.run(["kill", "a"])
      #expect(out.status == 1, "\(out)")
      #expect(out.stderr.contains("no run of 'a' is running"), "\(out)")
      let run = endedRun(s, "a", at: at)
      #expect(run?.status == .succeeded, "occurrence \(at): \(String(describing: run))")
      let ids = (s.dir.read("home/marks") ?? "").split(separator: "\n")
      #expect(run.map { ids.contains(Substring(String($0.id))) } == true, "marks: \(ids)")
    }
  }

  @Test func removeAndRunJustBeforeAnOccurrence() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "*/2 * * * * *", script: "true")
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    for _ in 1...3 {
      #expect(waitUntil(timeout: 10) { live(s, "a").isEmpty })
      sleepUntilJustBefore(every: 2, lead: 0.15)
      let run = try s.tfs.run(["run", "a"])
      #expect(run.status == 0, "\(run)")
    }
    #expect(waitUntil(timeout: 10) { live(s, "a").isEmpty })
    sleepUntilJustBefore(every: 2, lead: 0.15)
    let removed = try s.tfs.run(["remove", "a"])
    #expect(removed.status == 0, "\(removed)")
  }

  @Test func timezoneChangeJustBeforeAnOccurrenceDoesNotFireItTwice() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("z", rule: "* * * * * *", script: "true", flags: ["--overlap", "allow"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    #expect(waitUntil(timeout: 10) { !((try? runs(s, "z")) ?? []).isEmpty })
    var last: Int64 = 0
    for zone in ["Europe/London", "Asia/Tokyo", "America/New_York", "UTC"] {
      last = sleepUntilJustBefore(every: 1, lead: 0.15)
      let out = try s.tfs.run(["config", "set", "timezone", zone])
      #expect(out.status == 0, "\(out)")
    }
    let after = last + 1000
    #expect(
      waitUntil(timeout: 10) {
        ((try? runs(s, "z")) ?? []).contains { ($0.scheduledAt ?? 0) > after && $0.status.isFinal }
      })
    daemon.stop()
    let scheduled = try runs(s, "z").filter { $0.trigger == .schedule }.compactMap(\.scheduledAt)
    let twice = Dictionary(grouping: scheduled, by: { $0 }).filter { $0.value.count > 1 }.keys
    #expect(twice.isEmpty, "occurrences with two runs: \(twice.sorted())")
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

  /// `tfs run other` 200 ms before an occurrence of `a` (every 4 s): the armed occurrence must
  /// wait for that run, neither skipped nor started beside it.
  func expectOccurrenceWaits(_ s: Scenario, for other: String) throws {
    #expect(waitUntil(timeout: 15) { live(s, "a").allSatisfy { $0.status == .queued } })
    let at = sleepUntilJustBefore(every: 4, lead: 0.2)
    let out = try s.tfs.run(["run", other])
    #expect(out.status == 0, "\(out)")
    let id = try #require(RunID(out.stdout.split(separator: " ").dropFirst().first ?? ""))
    let run = try #require(endedRun(s, "a", at: at))
    var manual: Run?
    #expect(
      waitUntil(timeout: 15) {
        manual = ((try? runs(s, other)) ?? []).first { $0.id == id && $0.status.isFinal }
        return manual != nil
      })
    #expect(run.status == .succeeded, "occurrence \(at): \(run.status) \(run.reason)")
    let apart =
      (run.startedAt ?? 0) >= (manual?.endedAt ?? .max)
      || (manual?.startedAt ?? 0) >= (run.endedAt ?? .max)
    if run.status == .succeeded { #expect(apart, "occurrence \(at) ran beside run \(id)") }
  }

  @Test func anArmedRunHonoursQueueAndMaxParallel() throws {
    // (a) overlap queue: a manual run of the same task.
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("a", rule: "*/4 * * * * *", script: "sleep 1.5", flags: ["--overlap", "queue"])
    let daemon = try s.tfs.startDaemon()
    defer { daemon.stop() }
    for _ in 1...3 { try expectOccurrenceWaits(s, for: "a") }
    daemon.stop()
    // (b) max-parallel 1: a run of another task.
    let p = Scenario()
    defer { p.remove() }
    try p.addTask("a", rule: "*/4 * * * * *", script: "sleep 1.5")
    try p.addTask("b", rule: "@yearly", script: "sleep 1.5")
    #expect(try p.tfs.run(["config", "set", "max-parallel", "1"]).status == 0)
    let second = try p.tfs.startDaemon()
    defer { second.stop() }
    for _ in 1...2 { try expectOccurrenceWaits(p, for: "b") }
  }
}
