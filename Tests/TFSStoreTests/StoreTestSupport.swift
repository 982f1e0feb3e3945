import Foundation
import TFSCore
import TFSTestSupport

@testable import TFSStore

/// A store on a fresh temp-file database; the folder is removed when `body` returns.
@discardableResult
func withStore<T>(_ body: (Store, TempDir) throws -> T) throws -> T {
  let dir = TempDir("tfs-store")
  defer { dir.remove() }
  let store = try Store.open(home: Home(path: dir.path + "/home"))
  return try body(store, dir)
}

/// 2024-01-05T12:00:00Z in epoch milliseconds.
let t0: Int64 = 1_704_456_000_000

func name(_ text: String) -> TaskName {
  // Test names are literals known to be valid.
  (try? TaskName(text)) ?? { preconditionFailure("bad test name \(text)") }()
}

func spec(_ text: String, rule: String = "0 * * * * *", enabled: Bool = true) throws -> TaskSpec {
  TaskSpec(name: name(text), rule: try CronRule(rule), command: "sh", entry: "run.sh", enabled: enabled)
}

func run(
  _ task: String, _ version: String = "202401/05/120000", status: RunStatus = .succeeded,
  trigger: Trigger = .schedule, queuedAt: Int64 = t0, exitCode: Int32? = nil, scheduledAt: Int64? = nil
) -> Run {
  let final = status.isFinal && status != .skipped && status != .missed
  return Run(
    task: name(task), version: version, trigger: trigger, status: status,
    scheduledAt: scheduledAt, queuedAt: queuedAt,
    startedAt: final || status == .running ? queuedAt + 10 : nil, endedAt: final ? queuedAt + 1000 : nil,
    exitCode: exitCode ?? (status == .succeeded ? 0 : final ? 1 : nil))
}

/// Runs `sql` through the sqlite3 CLI (another process, like a second tfs would be).
@discardableResult
func sqlite(_ path: String, _ sql: String) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["sqlite3", "-batch", path, sql]
  let out = Pipe()
  process.standardOutput = out
  process.standardError = out
  try process.run()
  let data = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The fixture folder next to this file (the test target declares no resources).
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
