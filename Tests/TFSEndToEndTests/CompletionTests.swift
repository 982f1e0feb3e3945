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

/// `make install` puts the binary, the man pages (also as `tfs-add.1`) and the completions
/// where man, bash-completion, zsh and fish look; `make uninstall` takes them all away. Run
/// with the test's own binary (`-o release`: no release build here).
struct InstallTests {
  @Test func installAndUninstallPutEverythingWhereItIsLookedFor() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
      .standardizedFileURL.path
    let dest = TempDir("tfs-install")
    defer { dest.remove() }
    func make(_ target: String) throws -> Int32 {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments = [
        "make", "-s", "-C", root, "-o", "release", "-o", "deps", target, "DESTDIR=\(dest.path)",
        "PREFIX=/usr",
        "RELEASE_BIN=\(TFSBinary.path)",
      ]
      p.standardOutput = FileHandle.nullDevice
      try p.run()
      p.waitUntilExit()
      return p.terminationStatus
    }
    #expect(try make("install") == 0)
    let usr = dest.path + "/usr"
    let fm = FileManager.default
    for file in [
      "bin/tfs", "share/man/man1/tfs.1", "share/man/man1/tfs.add.1", "share/man/man1/tfs.channel.add.1",
      "share/bash-completion/completions/tfs", "share/zsh/site-functions/_tfs",
      "share/fish/vendor_completions.d/tfs.fish",
    ] {
      #expect(fm.fileExists(atPath: usr + "/" + file), "\(file) not installed")
    }
    #expect(try fm.destinationOfSymbolicLink(atPath: usr + "/share/man/man1/tfs-add.1") == "tfs.add.1")
    #expect(
      try fm.destinationOfSymbolicLink(atPath: usr + "/share/man/man1/tfs-channel-add.1")
        == "tfs.channel.add.1")
    #expect(fm.isExecutableFile(atPath: usr + "/bin/tfs"))
    #expect(try make("uninstall") == 0)
    let left = fm.enumerator(atPath: usr)?.compactMap { $0 as? String }.filter { !$0.isEmpty } ?? []
    let files = left.filter { path in
      var isDir: ObjCBool = false
      return fm.fileExists(atPath: usr + "/" + path, isDirectory: &isDir) && !isDir.boolValue
        || (try? fm.destinationOfSymbolicLink(atPath: usr + "/" + path)) != nil
    }
    #expect(files.isEmpty, "left after uninstall: \(files)")
  }
}
