import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine
@testable import TFSStore

/// The log as the supervisor writes it: stdout and stderr come through pipes, and no more than
/// `log-max` bytes of them (then a note) ever reach the file.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SupervisorLogTests {
  static func note(_ cap: Int64) -> [UInt8] {
    Array("\n[tfs: log truncated at \(cap) bytes (setting log-max)]\n".utf8)
  }

  static func size(_ path: String) -> Int64 {
    var info = stat()
    return stat(path, &info) == 0 ? Int64(info.st_size) : 0
  }

  /// 64 MiB written as fast as `head` can, with log-max 1 MiB: the file is sampled while the
  /// run lives and never holds more than the cap and the note (SPEC: never more than 1 MiB
  /// over). When the child wrote straight into the file, cut back every so often, samples
  /// taken between two cuts saw tens of MiB.
  @Test func aFastWriterNeverPassesTheCapOnDisk() throws {
    let h = try SupervisorHarness(settings: ["log-max": "1MiB"])
    defer { h.cleanUp() }
    let cap: Int64 = 1 << 20
    #expect(h.settings.logMax == cap)
    let spec = try h.task("flood", script: "head -c 67108864 /dev/zero; echo end >&2")
    let run = try #require(try h.start(spec).live)
    let path = run.paths.absolute(run.run.logPath ?? "")
    var largest: Int64 = 0
    var samplesWhileAlive = 0
    var finished: [Supervisor.Finished] = []
    func sample() {
      largest = max(largest, SupervisorLogTests.size(path))
      if ProcessControl.isAlive(run.pid) { samplesWhileAlive += 1 }
    }
    let ended = waitUntil(timeout: 30, every: 0.005) {
      sample()
      let done = h.watch()
      sample()
      finished += done
      return !finished.isEmpty
    }
    try #require(ended, "the run did not end")
    sample()
    let f = try #require(finished.first)
    let note = SupervisorLogTests.note(cap)
    #expect(samplesWhileAlive >= 2, "the log was sampled \(samplesWhileAlive) times while the run lived")
    #expect(largest <= cap + (1 << 20), "the log reached \(largest) bytes on disk (log-max \(cap))")
    #expect(largest <= cap + Int64(note.count), "the log reached \(largest) bytes on disk")
    let log = try #require(h.log(of: f))
    #expect(log.count == Int(cap) + note.count, "log is \(log.count) bytes")
    #expect(log.prefix(Int(cap)).allSatisfy { $0 == 0 })
    #expect(Array(log.suffix(note.count)) == note)
    #expect(f.end.status == .succeeded, "the writer was never blocked for good")
    #expect(f.end.reason == "log truncated")
    #expect(f.end.logBytes == Int64(log.count))
    #expect(f.end.stderrHead == "end\n")
  }

  /// Under the cap nothing is lost or reordered within a stream, with both streams written at
  /// once: stdout's bytes are all below 128 and stderr's all above, so each can be picked out of
  /// the log whatever the interleaving.
  @Test func underTheCapEveryByteOfEachStreamIsKeptInOrder() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let spec = try h.task("both", script: "cat out.bin & cat err.bin >&2; wait; printf '\\001'")
    var seed: UInt32 = 12_345
    func next() -> UInt8 {
      seed = seed &* 1_103_515_245 &+ 12_345
      return UInt8(truncatingIfNeeded: seed >> 16)
    }
    let out = (0..<(3 << 20) + 12_345).map { _ in next() & 0x7F }
    let err = (0..<(1 << 20) + 678).map { _ in next() | 0x80 }
    let folder = h.paths("both").folder
    try Data(out).write(to: URL(fileURLWithPath: folder + "/out.bin"))
    try Data(err).write(to: URL(fileURLWithPath: folder + "/err.bin"))
    let f = try h.runToEnd(spec)
    #expect(f.end.status == .succeeded)
    #expect(f.end.reason.isEmpty)
    let log = [UInt8](try #require(h.log(of: f)))
    #expect(log.count == out.count + err.count + 1)
    #expect(log.filter { $0 < 0x80 } == out + [1], "stdout's bytes, in order")
    #expect(log.filter { $0 >= 0x80 } == err, "stderr's bytes, in order")
    #expect(f.end.logBytes == Int64(log.count))
    #expect(f.live.head.bytes == Array(err.prefix(StderrHead.maxBytes)))
  }

  /// One count for both streams: stderr's bytes fill the log up to the cap like stdout's.
  @Test func stderrCountsTowardTheCap() throws {
    let h = try SupervisorHarness(settings: ["log-max": "1000"])
    defer { h.cleanUp() }
    let script = """
      head -c 600 /dev/zero | tr '\\0' o
      head -c 600 /dev/zero | tr '\\0' e >&2
      """
    let f = try h.runToEnd(try h.task("mixed", script: script))
    let log = [UInt8](try #require(h.log(of: f)))
    let note = SupervisorLogTests.note(1000)
    #expect(log.count == 1000 + note.count, "log is \(log.count) bytes")
    #expect(log.prefix(600).allSatisfy { $0 == UInt8(ascii: "o") })
    #expect(log[600..<1000].allSatisfy { $0 == UInt8(ascii: "e") })
    #expect(Array(log.suffix(note.count)) == note)
    #expect(f.end.reason == "log truncated")
    #expect(f.end.stderrHead == String(repeating: "e", count: 600), "the head keeps what the log could not")
  }

  /// Output of exactly log-max bytes is all kept, with no note.
  @Test func exactlyLogMaxBytesIsNotTruncated() throws {
    let h = try SupervisorHarness(settings: ["log-max": "1000"])
    defer { h.cleanUp() }
    let f = try h.runToEnd(try h.task("exact", script: "head -c 1000 /dev/zero | tr '\\0' x"))
    let log = [UInt8](try #require(h.log(of: f)))
    #expect(log == [UInt8](repeating: UInt8(ascii: "x"), count: 1000))
    #expect(f.end.reason.isEmpty)
    #expect(!f.live.logCapped)
  }

  /// What the pipes still hold when the run ends reaches the log: nothing is drained here before
  /// the reap.
  @Test func theEndDrainsBothPipes() throws {
    let h = try SupervisorHarness()
    defer { h.cleanUp() }
    let spec = try h.task(
      "quick", script: "head -c 60000 /dev/zero | tr '\\0' o; head -c 5000 /dev/zero | tr '\\0' e >&2")
    let run = try #require(try h.start(spec).live)
    #expect(waitUntil(timeout: 10, every: 0.005) { !ProcessControl.isAlive(run.pid) })
    var finished: [Supervisor.Finished] = []
    #expect(
      waitUntil(timeout: 10, every: 0.005) {
        finished += h.reap(); return !finished.isEmpty
      })
    let f = try #require(finished.first)
    let log = [UInt8](try #require(h.log(of: f)))
    #expect(log.count == 65_000)
    #expect(log.filter { $0 == UInt8(ascii: "o") }.count == 60_000)
    #expect(f.end.logBytes == 65_000)
    #expect(f.end.stderrHead.count == 5_000)
    #expect(run.stdoutFd == -1 && run.stderrFd == -1, "both pipes closed")
  }
}
