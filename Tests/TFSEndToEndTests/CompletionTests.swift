import Foundation
import TFSTestSupport
import Testing

/// Completions through bash and the committed `completions/tfs.bash`, as a user's TAB would run
/// them: the script calls the built `tfs` for task names, run ids and channel names.
@Suite(.timeLimit(.minutes(3)))
struct CompletionTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../completions/tfs.bash").standardizedFileURL.path

  /// What bash offers for `line` (which starts with `tfs`), the binary standing for `tfs`.
  static func complete(_ s: Scenario, _ line: String) throws -> [String] {
    let harness = s.dir.write(
      "complete.sh",
      """
      source "$1"
      COMP_LINE="$2${3#tfs}"; COMP_POINT=${#COMP_LINE}
      read -ra COMP_WORDS <<< "$3"
      [[ "$3" == *" " ]] && COMP_WORDS+=("")
      COMP_WORDS[0]="$2"
      COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
      COMPREPLY=()
      _tfs "$2" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
      printf '%s\\n' "${COMPREPLY[@]}"
      """)
    let bash = Process()
    bash.executableURL = URL(fileURLWithPath: "/bin/bash")
    bash.arguments = [harness, script, TFSBinary.path, line]
    bash.environment = ["TFS_HOME": s.home, "PATH": "/usr/bin:/bin", "HOME": s.dir.path]
    let out = Pipe()
    bash.standardOutput = out
    bash.standardError = FileHandle.nullDevice
    try bash.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    bash.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  @Test func bashCompletesTaskNamesRunIdsChannelsAndValues() throws {
    let s = Scenario()
    defer { s.remove() }
    for name in ["crawler/funds", "crawler/rates", "reports/daily"] {
      try s.addTask(name, rule: "@daily", script: "true")
    }
    for _ in 0..<2 { #expect(try s.tfs.run(["run", "--here", "crawler/funds"]).status == 0) }
    #expect(try s.tfs.run(["channel", "add", "ops", "--command", "true"]).status == 0)

    #expect(try Self.complete(s, "tfs show cr") == ["crawler/funds", "crawler/rates"])
    #expect(try Self.complete(s, "tfs logs ") == ["crawler/funds", "crawler/rates", "reports/daily"])
    #expect(try Self.complete(s, "tfs logs crawler/funds ") == ["2", "1"])
    #expect(try Self.complete(s, "tfs kill crawler/funds --run ") == ["2", "1"])
    #expect(try Self.complete(s, "tfs channel test o") == ["ops"])
    #expect(try Self.complete(s, "tfs modify reports/daily --overlap re") == ["replace"])
    #expect(try Self.complete(s, "tfs history --status ti") == ["timed-out"])
    #expect(try Self.complete(s, "tfs events --type still") == ["still-failing"])
    #expect(try Self.complete(s, "tfs config set max") == ["max-parallel"])
    #expect(try Self.complete(s, "tfs add x --tz Europe/Lon") == ["Europe/London"])
    // Another home named on the line is the one read.
    let other = Scenario()
    defer { other.remove() }
    try other.addTask("elsewhere", rule: "@daily", script: "true")
    #expect(try Self.complete(s, "tfs show --home \(other.home) e") == ["elsewhere"])
  }
}
