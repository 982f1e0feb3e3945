import Foundation
import TFSCore
import TFSTestSupport
import Testing

/// `tfs events`: the audit trail of add/modify, filters, and -f.
@Suite(.timeLimit(.minutes(2)))
struct EventsTests {
  func events(_ s: Scenario, _ args: [String]) throws -> [[String: Any]] {
    try #require(try s.json(["events"] + args) as? [[String: Any]])
  }

  @Test func addAndModifyAreRecordedNewestFirst() throws {
    let s = Scenario("tfs-events")
    defer { s.remove() }
    try s.addTask("a", rule: "0 0 * * * *", script: "echo a")
    try s.addTask("b", rule: "0 0 * * * *", script: "echo b")
    #expect(try s.tfs.run(["modify", "a", "--rule", "0 30 * * * *"]).status == 0)

    let all = try events(s, [])
    #expect(all.map { $0["type"] as? String } == ["modified", "added", "added"])
    #expect(all.map { $0["task"] as? String } == ["a", "b", "a"])
    let modified = try #require(all.first)
    #expect(modified["actor"] as? String == Actor.current())
    let changes = try #require((modified["details"] as? [String: Any])?["changes"] as? [[String: Any]])
    #expect(changes.first?["field"] as? String == "rule")
    #expect(changes.first?["old"] as? String == "0 0 * * * *")
    #expect(changes.first?["new"] as? String == "0 30 * * * *")

    #expect(try events(s, ["a"]).count == 2)
    #expect(try events(s, ["a", "--type", "added"]).map { $0["task"] as? String } == ["a"])
    #expect(try events(s, ["--type", "modified"]).count == 1)
    #expect(try events(s, ["--limit", "1"]).map { $0["type"] as? String } == ["modified"])
    #expect(try events(s, ["--since", "2999-01-01"]).isEmpty)
    #expect(try events(s, ["--since", "1h"]).count == 3)

    let table = try s.tfs.run(["events", "b"])
    #expect(table.status == 0)
    let lines = table.stdout.split(separator: "\n")
    #expect(lines.first?.hasPrefix("ID  AT                   TYPE   TASK  ACTOR") == true, "\(table)")
    #expect(lines.first?.hasSuffix("DELIVERY  TITLE") == true, "\(table)")
    #expect(lines.count == 2)
    #expect(lines.last?.hasSuffix("task 'b' added") == true)
  }

  @Test(arguments: [
    (["--type", "bogus"], "invalid --type 'bogus'"),
    (["--since", "soon"], "invalid time 'soon'"),
    (["--limit", "many"], "invalid --limit 'many'"),
    (["a b"], "invalid task name 'a b'"),
  ])
  func badFlagsExit64(args: [String], message: String) throws {
    let s = Scenario("tfs-events")
    defer { s.remove() }
    #expect(try s.tfs.run(["init"]).status == 0)
    let out = try s.tfs.run(["events"] + args)
    #expect(out.status == 64, "\(out)")
    #expect(out.stderr.hasPrefix("tfs: ") && out.stderr.contains(message), "\(out)")
    #expect(out.stderr.split(separator: "\n").count == 1)
  }

  @Test func followPrintsNewEventsAsTheyArrive() throws {
    let s = Scenario("tfs-events")
    defer { s.remove() }
    try s.addTask("a", rule: "0 0 * * * *", script: "echo a")
    let all = try s.tfs.start(["events", "-f", "--json"])
    defer { all.stop() }
    let onlyB = try s.tfs.start(["events", "b", "-f"])
    defer { onlyB.stop() }
    func lines(_ c: BackgroundCommand) -> [String] {
      String(decoding: c.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }
    #expect(waitUntil(timeout: 10) { lines(all).count == 1 })
    try s.addTask("b", rule: "0 0 * * * *", script: "echo b")
    #expect(try s.tfs.run(["modify", "b", "--title", "B"]).status == 0)
    #expect(waitUntil(timeout: 10) { lines(all).count == 3 }, "\(lines(all))")
    let types = try lines(all).map { line in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      return "\(object?["type"] as? String ?? "?") \(object?["task"] as? String ?? "-")"
    }
    #expect(types == ["added a", "added b", "modified b"])
    #expect(waitUntil(timeout: 10) { lines(onlyB).count == 3 }, "\(lines(onlyB))")
    // A header, then rows in the same columns, the modified one with its change.
    #expect(
      lines(onlyB).first?.hasPrefix("ID      AT                   TYPE            TASK          ACTOR")
        == true)
    #expect(lines(onlyB)[1].contains("  added           b             root      none  "), "\(lines(onlyB))")
    #expect(lines(onlyB)[2].hasSuffix("task 'b' modified: title (none) → B"), "\(lines(onlyB))")
    #expect(all.isRunning && onlyB.isRunning)
  }

  /// Like `tail -f`: the last 10 entries (oldest first), not the whole history.
  @Test func followStartsFromTheLastTen() throws {
    let s = Scenario()
    defer { s.remove() }
    for i in 1...15 { try s.addTask("t\(i)", rule: "@daily", script: "true") }
    let follow = try s.tfs.start(["events", "-f"])
    defer { follow.stop() }
    func lines() -> [String] {
      String(decoding: follow.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
    }
    #expect(waitUntil(timeout: 10) { lines().count == 11 }, "\(lines())")
    #expect(lines().first?.hasPrefix("ID ") == true)
    #expect(lines()[1].hasPrefix("6 ") && lines()[10].hasPrefix("15 "), "\(lines())")
    let more = try s.tfs.start(["events", "-f", "--limit", "3"])
    defer { more.stop() }
    #expect(
      waitUntil(timeout: 10) {
        String(decoding: more.stdout, as: UTF8.self).split(separator: "\n").count == 4
      })
  }
}
