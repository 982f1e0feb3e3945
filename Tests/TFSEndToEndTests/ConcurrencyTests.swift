import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

/// Many CLI processes writing one database at once (SPEC §9): none sees "database is locked",
/// none loses an update.
@Suite(.timeLimit(.minutes(2)))
struct ConcurrencyTests {
  struct Finished {
    let status: Int32
    let stderr: String
  }

  /// Starts every command line at once (each an argv for `executable`), then waits for all.
  func runAtOnce(_ s: Scenario, executable: String, _ commands: [[String]]) throws -> [Finished] {
    var env = ProcessInfo.processInfo.environment
    env["TFS_HOME"] = s.home
    env["NO_COLOR"] = "1"
    env["TZ"] = "UTC"
    var started: [(Process, String)] = []
    defer {
      for (p, _) in started where p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }
    for (i, args) in commands.enumerated() {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = args
      process.environment = env
      let errPath = s.dir.write("stderr-\(i).txt", "")
      process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
      process.standardOutput = FileHandle.nullDevice
      process.standardInput = FileHandle.nullDevice
      started.append((process, errPath))
    }
    for (process, _) in started { try process.run() }
    #expect(waitUntil(timeout: 90) { started.allSatisfy { !$0.0.isRunning } }, "commands still running")
    return started.map { process, errPath in
      process.waitUntilExit()
      let text = FileManager.default.contents(atPath: errPath).map { String(decoding: $0, as: UTF8.self) }
      return Finished(status: process.terminationStatus, stderr: text ?? "")
    }
  }

  @Test func twentyAddThenModifyChainsAtOnce() throws {
    let s = Scenario()
    defer { s.remove() }
    #expect(try s.tfs.run(["init"]).status == 0)
    let tfs = "'" + TFSBinary.path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    let chains = (0..<20).map { i in
      s.dir.write("home/tasks/c/\(i)/run.sh", "#!/bin/sh\ntrue\n", executable: true)
      let add = "\(tfs) add c/\(i) --rule '*/\(i % 10 + 2) * * * * *'"
      return ["-c", "\(add) && \(tfs) modify c/\(i) --title T\(i) --retries 2"]
    }
    let results = try runAtOnce(s, executable: "/bin/sh", chains)
    for (i, r) in results.enumerated() {
      #expect(r.status == 0, "chain \(i): \(r.stderr)")
      #expect(r.stderr.isEmpty, "chain \(i): \(r.stderr)")
      #expect(!r.stderr.contains("locked"))
    }
    let tasks = try Store.open(path: s.database).tasks()
    #expect(tasks.map(\.spec.name.rawValue).sorted() == (0..<20).map { "c/\($0)" }.sorted())
    for task in tasks {
      let i = task.spec.name.rawValue.dropFirst(2)
      #expect(task.spec.title == "T\(i)" && task.spec.retries == 2)
    }
    let events = try Store.open(path: s.database).events(EventFilter(limit: 100))
    #expect(events.filter { $0.type == "added" }.count == 20)
    #expect(events.filter { $0.type == "modified" }.count == 20)
  }

  @Test func twentyModifiesOfOneTaskLoseNoUpdate() throws {
    let s = Scenario()
    defer { s.remove() }
    try s.addTask("shared", rule: "@daily", script: "true")
    let commands = (0..<20).map { ["modify", "shared", "--env", "K\($0)=v\($0)"] }
    let results = try runAtOnce(s, executable: TFSBinary.path, commands)
    for (i, r) in results.enumerated() {
      #expect(r.status == 0 && r.stderr.isEmpty, "modify \(i): \(r.stderr)")
    }
    let task = try #require(try Store.open(path: s.database).task(TaskName("shared")))
    #expect(task.spec.environment.count == 20)
    #expect((0..<20).allSatisfy { task.spec.environment["K\($0)"] == "v\($0)" })
  }
}
