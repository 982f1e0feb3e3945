import Foundation
import TFSCore
import TFSStore
import TFSTestSupport
import Testing

@testable import TFSCLI

@Suite struct JSONValueTests {
  @Test(arguments: [
    "", "plain", "with \"quotes\"", "back\\slash", "tab\tnew\nline\r", "\u{1}\u{1f}", "ünïcødé ✓ 😀",
    "\u{7f}", "/slash/",
  ])
  func stringsRenderLikeJSONQuote(_ s: String) throws {
    #expect(JSONValue.string(s).render() == JSON.quote(s))
    let parsed = try JSONSerialization.jsonObject(with: Data("[\(JSONValue.string(s).render())]".utf8))
    #expect((parsed as? [String])?.first == s)
  }

  @Test func nestedValues() {
    let value = JSONValue.object([
      ("a", .array([.int(1), .int(-2), .null, .bool(true), .bool(false)])), ("b", .object([])),
      ("c", .raw(#"{"x":1}"#)), ("d", .string(nil)), ("e", .int(nil as Int?)), ("f", .array([])),
    ])
    #expect(value.render() == #"{"a":[1,-2,null,true,false],"b":{},"c":{"x":1},"d":null,"e":null,"f":[]}"#)
  }

  /// The writer prints integers digit by digit: the same text as `String(_:)` at every edge.
  @Test(arguments: [0, 7, -7, 10, -10, 1_709_985_600_000, Int64.max, Int64.min, nil] as [Int64?])
  func writerIntegersMatchTheTree(_ value: Int64?) {
    var writer = JSONWriter()
    writer.beginObject()
    writer.field("n", int: value)
    writer.endObject()
    var all: [UInt8] = []
    writer.flush { all += $0 }
    #expect(String(decoding: all, as: UTF8.self) == JSONValue.object([("n", .int(value))]).render())
    #expect(writer.bytes.isEmpty)
  }
}

@Suite struct TaskJSONTests {
  /// `list --json`'s streaming writer prints exactly what the `JSONValue` tree of `show` does.
  @Test func streamingWriterMatchesTheTree() throws {
    let dir = TempDir("tfs-cli")
    defer { dir.remove() }
    let home = Home(path: dir.path + "/home")
    let store = try Store.open(home: home)
    var full = TaskSpec(
      name: try TaskName("team/full"), rule: try CronRule("0 30 9 * * 1-5"), command: "node \"a b\"",
      entry: "index.js", title: "Quote \" and \\ and\ttab", description: "line\nbreak ✓",
      owners: ["a@x", "b@y"], timeZone: "Asia/Tokyo", timeoutMs: 90_000, onTimeout: .alert, overlap: .queue,
      catchUp: .all, catchUpWindowMs: 3_600_000, retries: 3, retryDelayMs: 500, jitterMs: 7,
      environment: ["Z": "last", "A": "fïrst \"q\""], workdir: "/srv")
    try store.addTask(full, actor: "t", now: 1_704_456_000_000)
    try store.addTask(
      TaskSpec(name: try TaskName("plain"), rule: try CronRule("@daily"), command: "sh", entry: "run.sh"),
      actor: "t", now: 1_704_456_000_000)
    try store.updateTask(try TaskName("plain"), actor: "t", now: 1_704_456_999_000) { $0.enabled = false }
    let run = try store.insertRun(
      Run(
        task: try TaskName("team/full"), version: "202401/05/120000", trigger: .manual, status: .running,
        queuedAt: 1_704_456_000_000, startedAt: 1_704_456_000_000))
    try store.finishRun(run.id, RunEnd(status: .failed, endedAt: 1_704_456_001_500, exitCode: 2))
    let settings = EffectiveSettings(stored: ["timezone": "Europe/Paris"], home: home)
    let zone = ZoneRules.forZone(TimeZone(identifier: "America/New_York") ?? .current)
    let now: Int64 = 1_709_985_600_000
    var objects: [JSONValue] = []
    try store.forEachTaskRow { row in
      objects.append(.object(try Render.task(row, settings: settings, nowMs: now, zone: zone)))
    }
    let tree = JSONValue.array(objects).render()
    let streamed = String(
      decoding: try Render.tasksJSON(store, settings: settings, nowMs: now, zone: zone), as: UTF8.self)
    #expect(streamed == tree)
    #expect(tree.contains(#""last_run":{"id":1,"status":"failed","at":"2024-01-05T07:00:01-05:00"}"#))
    #expect(tree.contains(#""env":{"A":"fïrst \"q\"","Z":"last"}"#))
    #expect(tree.contains(#""timezone":"Europe/Paris""#) && tree.contains(#""next_run":null"#))
    #expect(tree.contains(#""title":"Quote \" and \\ and\ttab","description":"line\nbreak ✓""#))
    #expect(tree.contains(#""owners":["a@x","b@y"]"#))
    #expect(tree.contains(#""next_run":"2024-03-10T20:30:00-04:00""#))
    let empty = try Store.open(home: Home(path: dir.path + "/empty"))
    #expect(
      String(decoding: try Render.tasksJSON(empty, settings: settings, nowMs: now, zone: zone), as: UTF8.self)
        == "[]")
  }
}
