import Foundation
import TFSTestSupport
import Testing

/// `man/` and `completions/` are generated (`make man`, `make completions`) and committed; these
/// fail when a command's flags or help changed without regenerating them.
struct GeneratedFilesTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  func committed(_ relative: String) throws -> String {
    try String(contentsOfFile: GeneratedFilesTests.root + "/" + relative, encoding: .utf8)
  }

  @Test(arguments: [
    ("bash", "completions/tfs.bash"), ("zsh", "completions/_tfs"), ("fish", "completions/tfs.fish"),
  ])
  func completionScriptsAreCurrent(shell: String, file: String) throws {
    let out = try TFSBinary(home: "/nonexistent").run(["--generate-completion-script", shell])
    #expect(out.status == 0)
    #expect(out.stdout == (try committed(file)), "run 'make completions'")
  }

  @Test func manPagesAreCurrent() throws {
    let out = try TFSBinary(home: "/nonexistent").run(["--experimental-dump-help"])
    #expect(out.status == 0)
    #expect(out.stdout == (try committed("man/tfs.help.json")), "run 'make man'")
    let pages = try FileManager.default.contentsOfDirectory(atPath: GeneratedFilesTests.root + "/man")
    for command in ["add", "modify", "run", "kill", "logs", "history", "status", "daemon", "next", "events"] {
      #expect(pages.contains("tfs.\(command).1"), "man page for \(command)")
    }
    // The pages scripts/gen-man.py writes from that help are the committed ones, byte for byte.
    let dir = TempDir("tfs-man")
    defer { dir.remove() }
    let version = try TFSBinary(home: "/nonexistent").run(["--version"]).stdout.trimmingCharacters(
      in: .newlines)
    let gen = Process()
    gen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    gen.arguments = [
      "python3", GeneratedFilesTests.root + "/scripts/gen-man.py",
      GeneratedFilesTests.root + "/man/tfs.help.json",
      dir.path, version,
    ]
    gen.standardOutput = FileHandle.nullDevice
    try gen.run()
    gen.waitUntilExit()
    #expect(gen.terminationStatus == 0)
    let made = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(made == pages.filter { $0.hasSuffix(".1") }.sorted(), "run 'make man'")
    for page in made {
      #expect(dir.read(page) == (try committed("man/" + page)), "man/\(page) is stale: run 'make man'")
    }
  }

  /// The man pages keep what is not ASCII (as escapes) and tfs(1) has the sections a reader
  /// looks for.
  @Test func manPagesHaveRealContent() throws {
    let main = try committed("man/tfs.1")
    for section in ["CRON RULES", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"] {
      #expect(main.contains(".Sh \(section)"), "tfs(1) lacks \(section)")
    }
    #expect(try committed("man/tfs.modify.1").contains("prints old \\[u2192] new"))
    #expect(try committed("man/tfs.add.1").contains("(\\[u2264] 256 characters)"))
  }
}

/// Every command's `--help` as a terminal of 80 columns shows it (the width when stdout is
/// not a terminal; ArgumentParser fills lines to 79): no line past 80, and no paragraph broken
/// where the next word would have fitted (a hard line break inside a sentence). Indented lines (examples) are kept as written;
/// the USAGE line is ArgumentParser's own and never wrapped.
struct HelpLayoutTests {
  static func commands(_ command: [String: Any], path: [String]) -> [[String]] {
    let subs = (command["subcommands"] as? [[String: Any]] ?? []).filter {
      $0["commandName"] as? String != "help"
    }
    return [path] + subs.flatMap { commands($0, path: path + [$0["commandName"] as? String ?? "?"]) }
  }

  @Test func everyHelpWrapsCleanlyAt80Columns() throws {
    let tfs = TFSBinary(home: "/nonexistent")
    let dump = try tfs.run(["--experimental-dump-help"])
    let help = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    let all = Self.commands(try #require(help["command"] as? [String: Any]), path: [])
    #expect(all.count >= 30)
    for path in all {
      let out = try tfs.run(path + ["--help"])
      #expect(out.status == 0, "\(path)")
      let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      for (i, line) in lines.enumerated() where !line.hasPrefix("USAGE:") {
        #expect(line.count <= 80, "tfs \(path.joined(separator: " ")) --help: line too long: \(line)")
        guard i + 1 < lines.count, !line.isEmpty, !line.hasPrefix(" "), !line.hasSuffix("\\") else {
          continue
        }
        let next = lines[i + 1]
        guard !next.isEmpty, !next.hasPrefix(" "), !next.hasPrefix("USAGE:"), !line.hasSuffix(":") else {
          continue
        }
        let word = next.prefix { $0 != " " }
        #expect(
          line.count + 1 + word.count > 79,
          "tfs \(path.joined(separator: " ")) --help breaks a paragraph early:\n\(line)\n\(next)")
      }
    }
  }
}
