import Foundation
import TFSTestSupport
import Testing

/// `make run`'s set-up (scripts/demo.sh): the tasks of examples/demo in a fresh home, the daemon
/// in the foreground; each example runs as its README line says.
@Suite(.timeLimit(.minutes(2)))
struct ExamplesTests {
  @Test func theDemoTasksRunAndPublish() throws {
    let s = Scenario("tfs-examples")
    defer { s.remove() }
    let demo = Process()
    demo.executableURL = URL(fileURLWithPath: "/bin/bash")
    demo.arguments = [GeneratedFilesTests.root + "/scripts/demo.sh", TFSBinary.path, s.home]
    demo.standardOutput = FileHandle.nullDevice
    demo.standardError = FileHandle.nullDevice
    try demo.run()
    defer {
      // The daemon (demo.sh execs it) would give a running demo/slow its 30 s grace: not here.
      if demo.isRunning { kill(demo.processIdentifier, SIGKILL) }
      demo.waitUntilExit()
      s.killRuns()
    }
    #expect(waitUntil(timeout: 30) { (try? s.tfs.run(["status"]))?.stdout.hasPrefix("daemon   up") == true })
    let hasNode = FileManager.default.isExecutableFile(atPath: "/usr/bin/node")
    for task in ["demo/shell", "demo/python"] + (hasNode ? ["demo/node"] : []) {
      let out = try s.tfs.run(["run", task, "--wait"])
      #expect(out.status == 0, "\(task): \(out)")
    }
    #expect(try s.tfs.run(["run", "demo/failing", "--wait"]).status != 0)
    #expect(s.dir.read("home/tasks/demo/shell/history/latest/report.txt")?.hasPrefix("report of ") == true)
    #expect(
      s.dir.read("home/tasks/demo/python/history/latest/counts.json")?.contains("\"demo/shell\"") == false)
    #expect(s.dir.read("home/tasks/demo/python/history/latest/counts.json")?.contains("\"shell\"") == true)
    if hasNode {
      #expect(s.dir.read("home/tasks/demo/node/history/latest/gold_rate.json")?.contains("\"gold\"") == true)
    }
  }
}
