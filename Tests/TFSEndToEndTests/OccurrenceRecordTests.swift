import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// Which occurrences the store knows were handled (SPEC §6): what a stopped daemon missed is
/// recorded whatever happened to the task meanwhile.
@Suite(.timeLimit(.minutes(2)))
struct OccurrenceRecordTests {
  static func missed(_ s: Scenario, _ task: String) throws -> [[String: Any]] {
    let runs = try #require(
      try s.json(["history", task, "--status", "missed", "--limit", "0"]) as? [[String: Any]])
    return runs
  }

  @Test func aModifyWhileNoDaemonRunsKeepsEveryMissedOccurrence() throws {
    let s = Scenario("tfs-occ")
    defer { s.remove() }
    try s.addTask("every2", rule: "*/2 * * * * *", script: "true")
    try s.addTask("untouched", rule: "*/2 * * * * *", script: "true")
    let first = try s.tfs.startDaemon()
    defer { first.killHard() }
    #expect(
      waitUntil(timeout: 10) { ((try? s.json(["history", "every2"])) as? [[String: Any]] ?? []).count >= 1 })
    first.stop()
    // Down for ~6 s (3 occurrences of each task pass), then modified just before the restart.
    Thread.sleep(forTimeInterval: 6)
    #expect(try s.tfs.run(["modify", "every2", "--title", "changed while down"]).status == 0)
    let second = try s.tfs.startDaemon()
    defer { second.stop() }
    let touched = try OccurrenceRecordTests.missed(s, "every2").count
    let untouched = try OccurrenceRecordTests.missed(s, "untouched").count
    #expect(untouched >= 2, "untouched: \(untouched)")
    #expect(touched == untouched, "modified: \(touched), untouched: \(untouched)")
  }
}

/// A full disk under the home (a small tmpfs; mounting needs root): the daemon lives through it,
/// and once space returns every occurrence of the window has exactly one record.
@Suite(.timeLimit(.minutes(2)), .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct StoreOutageTests {
  @Test func aFullDiskLosesNoOccurrence() throws {
    let dir = TempDir("tfs-full")
    defer { dir.remove() }
    let mount = dir.file("fs")
    try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
    // Root without the right to mount (some containers): nothing to test here.
    guard shell("mount -t tmpfs -o size=24m tfs-test \(mount) 2>/dev/null") == 0 else { return }
    defer { _ = shell("umount -l \(mount)") }
    let tfs = TFSBinary(home: mount + "/home")
    for name in ["a", "b", "c"] {
      dir.write("fs/home/tasks/\(name)/run.sh", "#!/bin/sh\necho tick\n", executable: true)
      #expect(try tfs.run(["add", name, "--rule", "* * * * * *"]).status == 0)
    }
    let daemon = try tfs.startDaemon()
    defer { daemon.stop() }
    let store = try Store.open(path: mount + "/home/tfs.db")
    #expect(waitUntil(timeout: 10) { ((try? store.runs(RunFilter(task: "a"))) ?? []).count >= 2 })
    _ = shell("dd if=/dev/zero of=\(mount)/fill bs=64k 2>/dev/null")  // until the disk is full
    #expect(waitUntil(timeout: 15) { daemon.log.contains("disk is full") })
    Thread.sleep(forTimeInterval: 8)
    try FileManager.default.removeItem(atPath: mount + "/fill")
    #expect(
      waitUntil(timeout: 20) { daemon.log.contains("store writable again") }, "\(daemon.log.suffix(2000))")
    Thread.sleep(forTimeInterval: 2)
    #expect(daemon.process.isRunning)
    daemon.stop()  // runs prepared ahead of the next second are withdrawn
    for name in ["a", "b", "c"] {
      let runs = try store.runs(RunFilter(task: name, limit: -1)).filter { $0.trigger == .schedule }
      let seconds = runs.compactMap { $0.scheduledAt.map { $0 / 1000 } }
      let lo = try #require(seconds.min())
      let hi = try #require(seconds.max())
      #expect(
        seconds.count == Int(hi - lo + 1), "task \(name): \(seconds.count) records for \(hi - lo + 1) s")
      #expect(Set(seconds).count == seconds.count, "task \(name): an occurrence recorded twice")
      // Whatever passed while the disk was full (some writes fit in the WAL's free pages) has a
      // record; what had none was recorded missed once space returned.
      #expect(runs.allSatisfy { $0.status.isFinal }, "\(runs.map(\.status))")
      #expect(runs.filter { $0.status == .missed }.allSatisfy { $0.reason == "the store was unavailable" })
    }
    let errors = try store.events(EventFilter(type: "system-error"))
    #expect(errors.count == 1, "\(errors.map(\.title))")
    #expect(try store.integrityCheck() == "ok")
  }

  /// Runs `command` through /bin/sh; returns its exit status.
  func shell(_ command: String) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    guard (try? p.run()) != nil else { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
  }
}
