import Foundation
import TFSCore
import TFSTestSupport
import Testing

/// `contrib/` (systemd units, a supervisord program): each starts `tfs daemon` with flags the
/// binary takes, and its supervisor waits longer than the daemon's shutdown grace before
/// killing, so runs are never killed behind the daemon's back.
struct ContribTests {
  static let files: [(file: String, timeoutKey: String)] = [
    ("contrib/tfs.service", "TimeoutStopSec"), ("contrib/tfs-user.service", "TimeoutStopSec"),
    ("contrib/supervisord-tfs.conf", "stopwaitsecs"),
  ]

  /// `key=value` lines (comments skipped).
  static func settings(_ file: String) throws -> [String: String] {
    let text = try String(contentsOfFile: GeneratedFilesTests.root + "/" + file, encoding: .utf8)
    var found: [String: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix(";") {
      guard let eq = line.firstIndex(of: "=") else { continue }
      found[String(line[..<eq]).trimmingCharacters(in: .whitespaces)] = String(line[line.index(after: eq)...])
    }
    return found
  }

  @Test(arguments: files)
  func theSupervisorWaitsLongerThanTheDaemonsGrace(_ entry: (file: String, timeoutKey: String)) throws {
    let keys = try ContribTests.settings(entry.file)
    let command = try #require(keys["ExecStart"] ?? keys["command"], "\(entry.file): no command")
    let words = try CommandWords.split(command)
    #expect(words.first == "/usr/local/bin/tfs" && words.dropFirst().first == "daemon", "\(words)")
    let graceIndex = try #require(words.firstIndex(of: "--shutdown-grace"), "the grace is stated")
    let graceMs = try Durations.parse(words[graceIndex + 1])
    let timeout = try #require(keys[entry.timeoutKey], "\(entry.file): no \(entry.timeoutKey)")
    let timeoutMs = try Durations.parse(timeout.hasSuffix("s") ? timeout : timeout + "s")
    #expect(
      timeoutMs >= graceMs + 10_000, "\(entry.file): \(entry.timeoutKey) \(timeout) vs grace \(graceMs) ms")
    // The daemon's flags as written are accepted (a bad one would exit 64 before starting).
    let s = Scenario("tfs-contrib")
    defer { s.remove() }
    let check = try s.tfs.run(Array(words.dropFirst()) + ["--help"])
    #expect(check.status == 0, "\(check)")
    if entry.file.hasSuffix(".service") {
      #expect(keys["KillMode"] == "mixed", "SIGTERM to the daemon alone")
    } else {
      #expect(keys["stopasgroup"] == "false" && keys["killasgroup"] == "false")
    }
  }
}
