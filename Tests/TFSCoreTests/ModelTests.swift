import Foundation
import TFSTestSupport
import Testing

@testable import TFSCore

/// The value types users type on the command line: each accepts its documented forms and
/// rejects the rest with a one-line message naming the value (STYLE "Errors and output").
@Suite("Model values")
struct ModelTests {
  // MARK: Durations

  @Test(
    "Durations.parse accepts unit sequences",
    arguments: [
      ("500ms", 500), ("90s", 90_000), ("5m", 300_000), ("1h30m", 5_400_000), ("2d", 172_800_000),
      ("1w", 604_800_000), ("1h1m1s1ms", 3_661_001), ("0s", 0), ("1d12h", 129_600_000),
      ("999999999999ms", 999_999_999_999),
    ] as [(String, Int64)])
  func durationParses(_ text: String, _ ms: Int64) throws {
    #expect(try Durations.parse(text) == ms)
  }

  @Test(
    "Durations.parse rejects everything else",
    arguments: [
      "", "5", "5x", "m", "1.5h", "-5s", " 5s", "5s ", "5 s", "5S", "1H", "1000000000000s", "5µs", "h1",
      // Large enough to overflow Int64 milliseconds: an error, not a crash.
      "999999999999w", "999999999999d", "99999999999d99999999999d",
    ])
  func durationRejects(_ text: String) {
    #expect(throws: ValidationError("invalid duration '\(text)'; write e.g. 500ms, 90s, 5m, 1h30m, 2d")) {
      try Durations.parse(text)
    }
  }

  @Test(
    "Durations.format is short, for tables",
    arguments: [
      (0, "0ms"), (850, "850ms"), (999, "999ms"), (1000, "1s"), (1200, "1.2s"), (59_999, "59.9s"),
      (60_000, "1m00s"), (184_000, "3m04s"), (3_599_999, "59m59s"), (3_600_000, "1h00m"),
      (7_500_000, "2h05m"), (86_400_000, "1d00h"), (273_600_000, "3d04h"),
    ] as [(Int64, String)])
  func durationFormats(_ ms: Int64, _ text: String) {
    #expect(Durations.format(milliseconds: ms) == text)
  }

  @Test(
    "Durations.canonical is what the flags store",
    arguments: [
      (0, "0s"), (500, "500ms"), (90_000, "1m30s"), (5_400_000, "1h30m"), (3_661_001, "1h1m1s1ms"),
      (8 * 86_400_000, "8d"), (604_800_000, "7d"),
    ] as [(Int64, String)])
  func durationCanonical(_ ms: Int64, _ text: String) throws {
    #expect(Durations.canonical(milliseconds: ms) == text)
    #expect(try Durations.parse(text) == ms)
  }

  @Test("Durations.canonical round-trips through parse")
  func durationRoundTrip() throws {
    var rng = SplitMix64(seed: 7)
    for _ in 0..<2000 {
      let ms = Int64(rng.next() % 1_000_000_000_000)
      #expect(try Durations.parse(Durations.canonical(milliseconds: ms)) == ms)
    }
  }

  // MARK: Task names

  @Test(
    "TaskName accepts 1-3 segments of [A-Za-z0-9._-]",
    arguments: [
      "a", "backup", "demo/node", "a/b/c", "A-Z_0.9", ".hidden", "..a", "a.", "a-", "a/b-c",
      String(repeating: "x", count: 128),
      String(repeating: "x", count: 42) + "/" + String(repeating: "y", count: 42) + "/"
        + String(repeating: "z", count: 42),
    ])
  func taskNameValid(_ text: String) throws {
    let name = try TaskName(text)
    #expect(name.rawValue == text)
    #expect(name.description == text)
  }

  @Test(
    "TaskName rejects the rest, saying why",
    arguments: [
      ("", "it is empty"),
      ("../x", "'..' is not allowed as a segment"),
      ("a/..", "'..' is not allowed as a segment"),
      ("./a", "'.' is not allowed as a segment"),
      ("/abs", "it must be relative, not start with '/'"),
      ("a//b", "it has an empty segment"),
      ("a/", "it has an empty segment"),
      ("a/b/c/d", "it has more than 3 segments"),
      ("a b", "' ' is not allowed (use A-Z a-z 0-9 . _ -)"),
      ("a\tb", "'\\t' is not allowed (use A-Z a-z 0-9 . _ -)"),
      ("a:b", "':' is not allowed (use A-Z a-z 0-9 . _ -)"),
      ("a\\b", "'\\\\' is not allowed (use A-Z a-z 0-9 . _ -)"),
      ("café", "'\\u{00E9}' is not allowed (use A-Z a-z 0-9 . _ -)"),
      (String(repeating: "x", count: 129), "it is longer than 128 characters"),
      ("-x", "'-x' starts with '-', which reads as an option"),
      ("a/--b", "'--b' starts with '-', which reads as an option"),
    ])
  func taskNameInvalid(_ text: String, _ why: String) {
    #expect(throws: ValidationError("invalid task name '\(text)': \(why)")) { try TaskName(text) }
  }

  @Test("TaskName sorts by text and encodes as a plain string")
  func taskNameOrderAndCoding() throws {
    let names = try ["b", "a/z", "A", "a"].map { try TaskName($0) }
    #expect(names.sorted().map(\.rawValue) == ["A", "a", "a/z", "b"])
    let data = try JSONEncoder().encode(names[1])
    #expect(String(decoding: data, as: UTF8.self) == "\"a\\/z\"")
    #expect(try JSONDecoder().decode(TaskName.self, from: data) == names[1])
  }

  // MARK: Command words

  @Test(
    "CommandWords.split quotes like a shell, expands nothing",
    arguments: [
      ("sh", ["sh"]),
      ("node --max-old-space-size=512", ["node", "--max-old-space-size=512"]),
      ("  a   b  ", ["a", "b"]),
      ("a\tb\nc", ["a", "b", "c"]),
      ("'a b' c", ["a b", "c"]),
      ("\"a b\" c", ["a b", "c"]),
      ("a\\ b", ["a b"]),
      ("\"a\\\"b\"", ["a\"b"]),
      ("\"a\\\\b\"", ["a\\b"]),
      ("\"a\\nb\"", ["a\\nb"]),
      ("'a\\b'", ["a\\b"]),
      ("''", [""]),
      ("a '' b", ["a", "", "b"]),
      ("a''b", ["ab"]),
      ("a\"b c\"d", ["ab cd"]),
      ("\"$HOME\" '*' ~", ["$HOME", "*", "~"]),
      ("\"\\$x\"", ["$x"]),
      ("python3 -c 'print(\"hi\")'", ["python3", "-c", "print(\"hi\")"]),
      // A quote followed by a combining mark is still a quote (found by fuzzing: the two were one
      // Character, so the quote was taken as part of the word).
      ("'\u{301}x' b", ["\u{301}x", "b"]),
      ("\"\u{64F}\"", ["\u{64F}"]),
      ("a\r\nb", ["a\r", "b"]),
    ])
  func commandWords(_ text: String, _ words: [String]) throws {
    #expect(try CommandWords.split(text) == words)
  }

  @Test(
    "CommandWords.split rejects unbalanced quoting and empty commands",
    arguments: [
      ("", "it is empty"), ("   ", "it is empty"), ("'abc", "unterminated single quote"),
      ("a 'b", "unterminated single quote"), ("\"abc", "unterminated double quote"),
      ("\"abc\\", "unterminated double quote"), ("abc\\", "trailing backslash"),
    ])
  func commandWordsInvalid(_ text: String, _ why: String) {
    #expect(throws: ValidationError("invalid command '\(text)': \(why)")) { try CommandWords.split(text) }
  }

  // MARK: Times

  static let now: Int64 = 1_710_000_000_000  // 2024-03-09T16:00:00Z

  @Test(
    "Times.parse reads ISO-8601, dates, now and ages",
    arguments: [
      ("2024-03-10T02:30:00-05:00", "UTC", 1_710_055_800_000),
      ("2024-03-10T07:30:00Z", "UTC", 1_710_055_800_000),
      ("2024-03-10T07:30:00z", "UTC", 1_710_055_800_000),
      ("2024-03-10T13:00:00+0530", "UTC", 1_710_055_800_000),
      ("2024-03-10T07:30:00.250Z", "UTC", 1_710_055_800_250),
      ("2024-03-10T07:30:00,5Z", "UTC", 1_710_055_800_500),
      ("2024-03-10T07:30:00.123456Z", "UTC", 1_710_055_800_123),
      ("2024-03-10T07:30", "UTC", 1_710_055_800_000),
      ("2024-03-10 07:30:00", "UTC", 1_710_055_800_000),
      ("2024-03-10T07:30:00", "Asia/Kolkata", 1_710_036_000_000),
      ("2024-03-10", "UTC", 1_710_028_800_000),
      ("2024-03-10", "America/New_York", 1_710_046_800_000),
      ("2024-02-29", "UTC", 1_709_164_800_000),
      // A local time in New York's gap reads with the offset before it (03:30 EDT); one in the
      // repeated hour is its first occurrence (EDT).
      ("2024-03-10T02:30:00", "America/New_York", 1_710_055_800_000),
      ("2024-11-03T01:30:00", "America/New_York", 1_730_611_800_000),
      // The same east of UTC and across Samoa's skipped day (found by fuzzing: east of UTC a
      // time in a gap read with the offset after it, a repeated one as its second occurrence).
      ("2024-03-31T02:30:00", "Europe/Berlin", 1_711_848_600_000),
      ("2024-10-27T02:30:00", "Europe/Berlin", 1_729_989_000_000),
      ("2024-04-07T02:30:00", "Australia/Sydney", 1_712_417_400_000),
      ("2011-12-30T12:00:00", "Pacific/Apia", 1_325_282_400_000),
      // The widest offsets RFC 3339 allows (±23:59) still parse; +24:00 and beyond do not.
      ("2024-03-10T07:30:00+23:59", "UTC", 1_709_969_460_000),
      ("2024-03-10T07:30:00-23:59", "UTC", 1_710_142_140_000),
      ("now", "UTC", now),
      ("2h", "UTC", now - 7_200_000),
      ("3d", "UTC", now - 259_200_000),
      ("500ms", "UTC", now - 500),
    ] as [(String, String, Int64)])
  func timesParse(_ text: String, _ zone: String, _ ms: Int64) throws {
    #expect(try Times.parse(text, now: Self.now, zone: ZoneRules.forZone(CronTest.zone(zone))) == ms)
  }

  @Test(
    "Times.parse rejects malformed times",
    arguments: [
      "", "yesterday", "5", "-2h", "2024-13-01", "2024-00-10", "2024-02-30", "2023-02-29",
      "2024-03-10T24:00:00Z", "2024-03-10T23:60Z", "2024-03-10T23:59:60Z", "2024-03-10T07:30:00+5",
      "2024-03-10T07:30:00 UTC", "2024-03-10X07:30", "2024/03/10", "20240310", "2024-3-10",
      "2024-03-10T7:30", "2024-03-10T07", "2024-03-10T07:30:00+05:3x", "2024-03-10T07:30:00+99:99",
      "2024-03-10T07:30:00+24:00", "2024-03-10T07:30:00-05:60", "2024-03-10T07:30+9999",
    ])
  func timesParseInvalid(_ text: String) {
    let message =
      "invalid time '\(text)'; use ISO-8601 (2024-03-10T02:30:00-05:00), a date (2024-03-10) "
      + "or an age (2h, 3d)"
    #expect(throws: ValidationError(message)) {
      try Times.parse(text, now: Self.now, zone: ZoneRules.forZone(CronTest.zone("UTC")))
    }
  }

  @Test("Times.parse rejects an age reaching before the earliest representable instant")
  func timesParseAgeOverflow() throws {
    let utc = ZoneRules.forZone(CronTest.zone("UTC"))
    let age = "106751991167d7h12m55s807ms"  // Int64.max milliseconds
    #expect(try Times.parse(age, now: -1, zone: utc) == Int64.min)
    #expect(throws: ValidationError.self) { try Times.parse(age, now: -2, zone: utc) }
  }

  @Test("Times renders versions and table times in the zone")
  func timesRender() {
    let ny = ZoneRules.forZone(CronTest.zone("America/New_York"))
    let t: Int64 = 1_710_054_000  // 2024-03-10T03:00:00-04:00
    #expect(Times.version(epochSeconds: t, zone: ny) == "202403/10/030000")
    #expect(Times.short(epochMs: t * 1000 + 999, zone: ny) == "2024-03-10 03:00:00")
    // Every field distinct, and single digits padded.
    let utc = ZoneRules.forZone(CronTest.zone("UTC"))
    #expect(Times.version(epochSeconds: 1_577_836_727, zone: utc) == "201912/31/235847")
    #expect(Times.short(epochMs: 1_577_836_727_000, zone: utc) == "2019-12-31 23:58:47")
    #expect(Times.version(epochSeconds: 1_704_438_489, zone: utc) == "202401/05/070809")
    #expect(Times.short(epochMs: 1_704_438_489_000, zone: utc) == "2024-01-05 07:08:09")
    #expect(Times.iso(epochMs: t * 1000 - 1, zone: ny) == "2024-03-10T01:59:59-05:00")
    #expect(
      Times.iso(epochMs: -1, zone: ZoneRules.forZone(CronTest.zone("UTC"))) == "1969-12-31T23:59:59+00:00")
  }

  @Test func aKilledRunIsNeverASuccessForAScript() {
    var run = Run(
      task: TaskName(stored: "a"), version: "202401/05/120000", trigger: .manual, status: .killed, queuedAt: 0
    )
    #expect(run.shellExitCode == 143)  // killed before it started
    run.exitCode = 0  // caught TERM and exited 0
    #expect(run.shellExitCode == 143)
    run.exitCode = 3
    #expect(run.shellExitCode == 3)
    run.exitCode = nil
    run.signal = 9
    #expect(run.shellExitCode == 137)
    run.status = .succeeded
    run.signal = nil
    run.exitCode = 0
    #expect(run.shellExitCode == 0)
  }
}

/// Event details reach readers with their integers as numbers, whatever wrote them.
struct DetailsIntegerTests {
  @Test(arguments: [
    (
      #"{"attempt":"2","run_id":"12","version":"202401/05/120000"}"#,
      #"{"attempt":2,"run_id":12,"version":"202401/05/120000"}"#
    ),
    (#"{"run_id":12}"#, #"{"run_id":12}"#),
    (#"{"run_id":"","signal":"-"}"#, #"{"run_id":"","signal":"-"}"#),
    (
      #"{"exit_code":"-1","stderr_head":"\"run_id\":\"7\""}"#,
      #"{"exit_code":-1,"stderr_head":"\"run_id\":\"7\""}"#
    ),
    (#"{"runs":"3x","count":"4"}"#, #"{"runs":"3x","count":4}"#),
    (
      #"{"title":"x","failing_ms":"90000","failing_runs":"3"}"#,
      #"{"title":"x","failing_ms":90000,"failing_runs":3}"#
    ),
  ])
  func integersBecomeNumbers(_ stored: String, _ shown: String) throws {
    #expect(JSON.withIntegers(stored) == shown)
    #expect(try JSONSerialization.jsonObject(with: Data(shown.utf8)) is [String: Any])
  }
}
