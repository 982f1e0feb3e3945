import Foundation
import TFSCore
import TFSTestSupport

@testable import TFSEngine
@testable import TFSStore

/// A task name known to be valid (test literals).
func taskName(_ text: String) -> TaskName {
  (try? TaskName(text)) ?? { preconditionFailure("bad test name \(text)") }()
}

/// A task definition with the defaults `tfs add` would give it.
func makeSpec(
  _ name: String, rule: String, zone: String? = "UTC", enabled: Bool = true, entry: String = "run.sh",
  timeoutMs: Int64? = nil
) throws -> TaskSpec {
  TaskSpec(
    name: taskName(name), rule: try CronRule(rule), command: "sh", entry: entry, timeZone: zone,
    timeoutMs: timeoutMs, enabled: enabled)
}

/// A stored task as `Store.tasks()` returns it.
func makeRecord(_ spec: TaskSpec, updatedAt: Int64) -> TaskRecord {
  TaskRecord(spec: spec, createdAt: updatedAt, updatedAt: updatedAt)
}

/// Settings for a home that is never touched (pure scheduler tests).
func pureSettings(_ stored: [String: String] = ["timezone": "UTC"]) -> EffectiveSettings {
  EffectiveSettings(stored: stored, home: Home(path: "/nonexistent/tfs-engine-tests"))
}

/// Epoch seconds of an ISO-8601 instant with an offset (`2024-03-10T07:00:00Z`).
func epoch(_ iso: String) -> Int64 {
  let formatter = ISO8601DateFormatter()
  guard let date = formatter.date(from: iso) else { preconditionFailure("bad test time \(iso)") }
  return Int64(date.timeIntervalSince1970)
}
