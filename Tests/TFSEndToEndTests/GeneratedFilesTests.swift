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
  }
}
