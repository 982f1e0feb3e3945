import Foundation
import Testing

@testable import TFSCore

/// The other values users type: `--env`, `--entry`, `--owner`, `tfs config set`, byte sizes,
/// zones and enum flags.
@Suite("Settings values")
struct SettingsTests {
  // MARK: Environment, entry paths, owners

  @Test(
    "EnvironmentPairs.parse splits at the first '='",
    arguments: [
      ("K=V", "K", "V"), ("K=", "K", ""), ("K=a=b", "K", "a=b"), ("_x1=1", "_x1", "1"),
      ("Path=a b", "Path", "a b"),
      // A value starting with a combining mark (found by fuzzing: '=' and the mark are one
      // Character, so the pair had no '=' at all).
      ("K=\u{301}a", "K", "\u{301}a"),
    ])
  func environmentPairs(_ pair: String, _ key: String, _ value: String) throws {
    let parsed = try EnvironmentPairs.parse(pair)
    #expect(parsed.0 == key)
    #expect(parsed.1 == value)
  }

  @Test(
    "EnvironmentPairs.parse rejects bad pairs",
    arguments: [
      ("K", "invalid environment entry 'K'; write KEY=VALUE"),
      ("", "invalid environment entry ''; write KEY=VALUE"),
      ("=V", "invalid environment variable name ''; use letters, digits and _"),
      ("1K=V", "invalid environment variable name '1K'; use letters, digits and _"),
      ("K-1=V", "invalid environment variable name 'K-1'; use letters, digits and _"),
      ("K V=1", "invalid environment variable name 'K V'; use letters, digits and _"),
      ("é=1", "invalid environment variable name 'é'; use letters, digits and _"),
    ])
  func environmentPairsInvalid(_ pair: String, _ message: String) {
    #expect(throws: ValidationError(message)) { try EnvironmentPairs.parse(pair) }
  }

  @Test(
    "EntryPath.validate keeps entries inside the task folder",
    arguments: ["run.sh", "bin/run.sh", "./run.sh", "..foo", "a..b/c"])
  func entryPathValid(_ path: String) throws {
    #expect(try EntryPath.validate(path) == path)
  }

  @Test(
    "EntryPath.validate rejects escapes",
    arguments: [
      ("", "invalid entry '': it is empty"),
      ("/abs/run.sh", "invalid entry '/abs/run.sh': it must be relative to the task folder"),
      ("..", "invalid entry '..': '..' would leave the task folder"),
      ("../x", "invalid entry '../x': '..' would leave the task folder"),
      ("a/../../b", "invalid entry 'a/../../b': '..' would leave the task folder"),
      ("a\0b", "invalid entry 'a\0b': it contains NUL"),
    ])
  func entryPathInvalid(_ path: String, _ message: String) {
    #expect(throws: ValidationError(message)) { try EntryPath.validate(path) }
  }

  @Test(
    "Owners.parse splits on ';', trims and removes duplicates",
    arguments: [
      (["a@x"], ["a@x"]), (["a@x;b@y"], ["a@x", "b@y"]), (["a@x", "a@x"], ["a@x"]),
      ([" a@x ; b@y "], ["a@x", "b@y"]), ([";;"], []), ([""], []), ([], []),
      (["b@y", "a@x;b@y"], ["b@y", "a@x"]),
    ] as [([String], [String])])
  func owners(_ values: [String], _ parsed: [String]) throws {
    #expect(try Owners.parse(values) == parsed)
  }

  @Test(
    "Owners.parse rejects what is not an address",
    arguments: [(["bad"], "bad"), (["a b@x"], "a b@x"), (["a@x,b@y"], "a@x,b@y"), (["ok@x;nope"], "nope")])
  func ownersInvalid(_ values: [String], _ bad: String) {
    #expect(throws: ValidationError("invalid owner '\(bad)'; use an address like ops@example.com")) {
      try Owners.parse(values)
    }
  }

  // MARK: Settings

  @Test(
    "Setting.validate accepts good values, in their stored form",
    arguments: [
      (Setting.taskRoot, "/srv/tasks", "/srv/tasks"), (.defaultCommand, "node --x", "node --x"),
      (.defaultEntry, "index.js", "index.js"), (.timezone, "Europe/London", "Europe/London"),
      (.notify, "a@x;b@y", "a@x;b@y"),
      (.mailFrom, "tfs@example.com", "tfs@example.com"), (.alertInterval, "90s", "1m30s"),
      (.retention, "30d", "30d"),
      (.retention, "48h", "2d"), (.maxParallel, "0", "0"), (.maxParallel, "4", "4"),
      (.logMax, "100MiB", "100MiB"),
      (.logMax, "1000000", "1000000"),
    ] as [(Setting, String, String)])
  func settingValid(_ setting: Setting, _ value: String, _ stored: String) throws {
    #expect(try setting.validate(value) == stored)
  }

  @Test(
    "Setting.validate rejects bad values, naming the value",
    arguments: [
      (Setting.taskRoot, "tasks"), (.defaultCommand, ""), (.defaultCommand, "'oops"),
      (.defaultEntry, "../x"), (.timezone, "Mars/Base"), (.timezone, "utc"), (.timezone, ""),
      (.notify, "bad"),
      (.mailFrom, "ops"),
      (.alertInterval, "10"),
      (.retention, "forever"), (.maxParallel, "-1"), (.maxParallel, "x"), (.logMax, "0"), (.logMax, "1.5GiB"),
      (.logMax, "9000000000GiB"),
    ] as [(Setting, String)])
  func settingInvalid(_ setting: Setting, _ value: String) {
    do {
      let stored = try setting.validate(value)
      Issue.record("'\(value)' was accepted as '\(stored)'")
    } catch {
      #expect(error.message.contains("'\(value)'"), "\(error)")
    }
  }

  @Test("Setting.parse knows every key and lists them on a typo")
  func settingParse() throws {
    for setting in Setting.allCases { #expect(try Setting.parse(setting.rawValue) == setting) }
    let keys = Setting.allCases.map(\.rawValue).joined(separator: ", ")
    #expect(throws: ValidationError("unknown setting 'nope'; settings are \(keys)")) {
      try Setting.parse("nope")
    }
    #expect(Setting.alertInterval.defaultValue == "10m")
    #expect(Setting.defaultCommand.defaultValue == "sh")
  }

  @Test(
    "ByteSizes.parse",
    arguments: [
      ("100MiB", 104_857_600), ("512KiB", 524_288), ("1GiB", 1_073_741_824), ("5MB", 5_000_000),
      ("10KB", 10_000), ("10B", 10), ("1000000", 1_000_000), ("1k", 1024), ("1K", 1024), ("10M", 10_485_760),
      ("10m", 10_485_760), ("1G", 1_073_741_824), ("2T", 2_199_023_255_552), ("3kB", 3000),
    ] as [(String, Int64)])
  func byteSizes(_ text: String, _ bytes: Int64) throws {
    #expect(try ByteSizes.parse(text) == bytes)
  }

  @Test(
    "ByteSizes.parse rejects bad sizes without overflowing",
    arguments: [
      "", "0", "-1", "MiB", "1 MiB", "1.5GiB", "9000000000GiB", "99999999999999999999", "k", "1x", "1kk",
      "9000000T",
    ])
  func byteSizesInvalid(_ text: String) {
    #expect(throws: ValidationError("invalid size '\(text)'; write e.g. 100M, 512k, 1G (or 100MiB, 1GB)")) {
      try ByteSizes.parse(text)
    }
  }

  @Test("Zones.named and enum flags")
  func zonesAndFlags() throws {
    #expect(try Zones.named("America/New_York").identifier == "America/New_York")
    #expect(
      throws: ValidationError("unknown time zone 'Nowhere'; use an IANA name like Europe/London or UTC")
    ) {
      try Zones.named("Nowhere")
    }
    #expect(try OverlapPolicy.parse("queue", flag: "--overlap") == .queue)
    #expect(throws: ValidationError("invalid --overlap 'nope'; use skip|queue|replace|allow")) {
      try OverlapPolicy.parse("nope", flag: "--overlap")
    }
    #expect(try RunStatus.parse("timed-out", flag: "--status") == .timedOut)
  }

  @Test(
    "The alert settings of earlier versions point to tfs channel",
    arguments: ["notify-command", "webhook-url", "mail-command"])
  func replacedSettings(_ key: String) {
    do {
      _ = try Setting.parse(key)
      Issue.record("'\(key)' was accepted")
    } catch {
      #expect(error.message.contains("tfs channel add"))
    }
  }
}
