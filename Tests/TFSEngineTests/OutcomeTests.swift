import Foundation
import TFSCore
import Testing

@testable import TFSEngine

/// `Outcome.classify`: a raw wait status plus why tfs stopped the run → status, code, signal.
struct OutcomeTests {
  struct Row: CustomTestStringConvertible, Sendable {
    var wait: Int32
    var stop: StopReason?
    var status: RunStatus
    var code: Int32?
    var signal: Int32?
    var reason = ""
    var summary: String

    var testDescription: String { "wait status \(wait), stop \(stop.map { "\($0)" } ?? "nil")" }
  }

  /// Wait statuses as Linux encodes them: `code << 8` for an exit, the signal number (plus 0x80
  /// for a core dump) for a death by signal.
  static let rows: [Row] = [
    Row(wait: 0, status: .succeeded, code: 0, summary: "exit 0"),
    Row(wait: 3 << 8, status: .failed, code: 3, summary: "exit 3"),
    Row(wait: 1 << 8, status: .failed, code: 1, summary: "exit 1"),
    Row(wait: 255 << 8, status: .failed, code: 255, summary: "exit 255"),
    Row(wait: 9, status: .failed, signal: 9, summary: "signal 9"),
    Row(wait: 15, status: .failed, signal: 15, summary: "signal 15"),
    Row(wait: 0x80 | 11, status: .failed, signal: 11, summary: "signal 11"),  // SIGSEGV, core dumped
    Row(
      wait: 15, stop: .killed(actor: "alice", signal: 15), status: .killed, signal: 15,
      reason: "killed by alice", summary: "signal 15"),
    Row(
      wait: 9, stop: .killed(actor: "alice", signal: 15), status: .killed, signal: 9,
      reason: "killed by alice", summary: "signal 9"),
    Row(
      wait: 0, stop: .killed(actor: "bob", signal: 2), status: .killed, code: 0, reason: "killed by bob",
      summary: "exit 0"),
    Row(wait: 15, stop: .timeout, status: .timedOut, signal: 15, reason: "timeout", summary: "signal 15"),
    Row(wait: 9, stop: .timeout, status: .timedOut, signal: 9, reason: "timeout", summary: "signal 9"),
    Row(wait: 3 << 8, stop: .timeout, status: .timedOut, code: 3, reason: "timeout", summary: "exit 3"),
    Row(
      wait: 15, stop: .replaced(by: "run 7"), status: .killed, signal: 15, reason: "replaced by run 7",
      summary: "signal 15"),
    Row(
      wait: 9, stop: .replaced(by: "run 7"), status: .killed, signal: 9, reason: "replaced by run 7",
      summary: "signal 9"),
    Row(
      wait: 15, stop: .shutdown, status: .killed, signal: 15, reason: "daemon shutdown",
      summary: "signal 15"),
    Row(wait: 9, stop: .shutdown, status: .killed, signal: 9, reason: "daemon shutdown", summary: "signal 9"),
    Row(wait: 0, stop: .shutdown, status: .killed, code: 0, reason: "daemon shutdown", summary: "exit 0"),
  ]

  @Test(arguments: rows)
  func classify(_ row: Row) {
    let outcome = Outcome.classify(waitStatus: row.wait, stop: row.stop)
    #expect(outcome.status == row.status)
    #expect(outcome.exitCode == row.code)
    #expect(outcome.signal == row.signal)
    #expect(outcome.reason == row.reason)
    #expect(outcome.summary == row.summary)
    // SPEC §6: exit code and terminating signal are recorded apart, never both.
    #expect(outcome.exitCode == nil || outcome.signal == nil)
  }

  /// Every exit code and signal round-trips through the wait-status encoding.
  @Test func everyCodeAndSignalIsDecoded() {
    for code: Int32 in 0...255 {
      let outcome = Outcome.classify(waitStatus: code << 8, stop: nil)
      #expect(outcome.exitCode == code && outcome.signal == nil)
      #expect(outcome.status == (code == 0 ? .succeeded : .failed))
    }
    for signal: Int32 in 1...64 {
      let outcome = Outcome.classify(waitStatus: signal, stop: nil)
      #expect(outcome.signal == signal && outcome.exitCode == nil && outcome.status == .failed)
    }
  }
}

/// `StderrHead`: the first 50 lines / 64 KiB of stderr kept for the run record.
struct StderrHeadTests {
  func append(_ head: inout StderrHead, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { head.append($0) }
  }

  @Test func keepsTheFirstFiftyLines() {
    var head = StderrHead()
    let text = (1...80).map { "line \($0)\n" }.joined()
    append(&head, Array(text.utf8))
    #expect(head.lines == 50)
    #expect(head.isFull)
    #expect(head.text == (1...50).map { "line \($0)\n" }.joined())
    append(&head, Array("more\n".utf8))
    #expect(head.lines == 50 && head.text.hasSuffix("line 50\n"))
  }

  @Test func linesSplitAcrossChunksAreCountedOnce() {
    var head = StderrHead()
    for i in 1...60 {
      append(&head, Array("part \(i) ".utf8))
      append(&head, Array("end\n".utf8))
    }
    #expect(head.lines == 50)
    #expect(head.text.split(separator: "\n").count == 50)
    #expect(head.text.hasPrefix("part 1 end\npart 2 end\n"))
  }

  @Test func keepsAtMost64KiBOfOneLongLine() {
    var head = StderrHead()
    let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
    for _ in 0..<10 { append(&head, chunk) }
    #expect(head.bytes.count == StderrHead.maxBytes)
    #expect(head.bytes.count == 65_536)
    #expect(head.lines == 0)
    #expect(head.isFull)
    #expect(head.text.utf8.count == 65_536)
  }

  @Test func fewerLinesThanTheLimitAreKeptWhole() {
    var head = StderrHead()
    append(&head, Array("only\ntwo lines, the last unterminated".utf8))
    #expect(head.lines == 1)
    #expect(!head.isFull)
    #expect(head.text == "only\ntwo lines, the last unterminated")
  }

  @Test func invalidUTF8BecomesReplacementCharactersInTheText() {
    var head = StderrHead()
    append(&head, [0x61, 0xFF, 0xFE, 0x62, 0x0A])
    #expect(head.bytes == [0x61, 0xFF, 0xFE, 0x62, 0x0A])
    #expect(head.text == "a\u{FFFD}\u{FFFD}b\n")
  }
}
