import Foundation
import Logging
import Testing

@testable import TFSEngine

/// The daemon's log lines: logfmt a parser can split, JSON with numbers, journald priorities.
struct DaemonLogTests {
  let at = Date(timeIntervalSince1970: 1_710_036_000.123)

  @Test func textIsLogfmtWithQuotedValues() {
    let handler = DaemonLogHandler(format: .text, journal: false)
    let line = handler.render(
      level: .warning, message: "ended",
      fields: [
        "task": "crawl/a", "run": .int(12), "reason": "killed by root", "empty": "", "quote": "say \"hi\"\\",
        "eq": "a=b", "nl": "two\nlines",
      ], at: at)
    #expect(
      line
        == "time=2024-03-10T02:00:00.123Z level=warning msg=ended empty=\"\" eq=\"a=b\" nl=\"two\\nlines\" "
        + "quote=\"say \\\"hi\\\"\\\\\" reason=\"killed by root\" run=12 task=crawl/a\n")
    #expect(
      handler.render(level: .info, message: "daemon started", fields: [:], at: at).contains(
        "msg=\"daemon started\""))
  }

  @Test func jsonHasNumbersForIntegers() throws {
    let handler = DaemonLogHandler(format: .json, journal: false)
    let line = handler.render(
      level: .info, message: "started", fields: ["run": .int(12), "pid": .int(Int32(4321)), "task": "123"],
      at: at)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["run"] as? Int == 12 && object["pid"] as? Int == 4321)
    #expect(object["task"] as? String == "123", "a task named 123 stays a string")
    #expect(object["level"] as? String == "info" && object["message"] as? String == "started")
    #expect(line.hasPrefix("{\"at\":\"2024-03-10T02:00:00.123Z\",\"level\":\"info\",\"message\":\"started\""))
  }

  /// On the journal's stream each line carries its syslog priority, which journald strips.
  @Test func journalLinesCarryTheirPriority() {
    let handler = DaemonLogHandler(format: .text, journal: true)
    let levels: [(Logger.Level, String)] = [
      (.info, "<6>"), (.notice, "<5>"), (.warning, "<4>"), (.error, "<3>"),
    ]
    for (level, prefix) in levels {
      #expect(handler.render(level: level, message: "m", fields: [:], at: at).hasPrefix(prefix + "time="))
    }
    #expect(
      DaemonLogHandler.stderrIsJournal() == false
        || ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil)
  }
}
