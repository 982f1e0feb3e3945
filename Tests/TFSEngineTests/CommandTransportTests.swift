import Foundation
import TFSCore
import TFSTestSupport
import Testing

@testable import TFSEngine

/// Command channels with real `/bin/sh` scripts.
@Suite struct CommandTransportTests {
  private func command(_ line: String) -> Channel {
    Channel(name: "cmd", target: .command(line))
  }

  @Test func failsOnceThenDeliversWithTheAlertOnStdinAndInTheEnvironment() throws {
    let dir = TempDir("tfs-command")
    defer { dir.remove() }
    let script = dir.write(
      "notify.sh",
      """
      #!/bin/sh
      cat > "$1/stdin.json"
      env | grep '^TFS_ALERT_' | sort > "$1/env.txt"
      if [ ! -e "$1/tried" ]; then touch "$1/tried"; echo "first attempt fails" >&2; exit 1; fi
      echo sent
      """, executable: true)
    let channel = command("'\(script)' '\(dir.path)'")
    let message = sampleMessage(channel: "cmd")
    let first = Transports.send(message, via: channel)
    #expect(first.outcome == .retry("exit 1: first attempt fails"))
    let second = Transports.send(message, via: channel)
    #expect(second.outcome == .delivered)
    #expect(second.answer == "sent")
    #expect(dir.read("stdin.json") == AlertJSON.render(message))
    #expect(
      dir.read("env.txt") == """
        TFS_ALERT_CHANNEL=cmd
        TFS_ALERT_COUNT=1
        TFS_ALERT_ID=41
        TFS_ALERT_RUN_ID=12
        TFS_ALERT_TASK=demo/x
        TFS_ALERT_TITLE=run 12 of 'demo/x' failed (exit 1)
        TFS_ALERT_TYPE=failed

        """)
  }

  @Test func hangingCommandIsKilledWithItsWholeGroup() throws {
    let dir = TempDir("tfs-command")
    defer { dir.remove() }
    let script = dir.write(
      "hang.sh", "#!/bin/sh\nsleep 60 &\necho $! > \"$1/child.pid\"\nsleep 60\n", executable: true)
    let result = Transports.send(sampleMessage(), via: command("\(script) \(dir.path)"), timeoutMs: 1000)
    #expect(result.outcome == .retry("timed out after 1s"))
    #expect(result.latencyMs >= 900 && result.latencyMs < 5000, "\(result.latencyMs) ms")
    let child = try #require(
      dir.read("child.pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    #expect(waitUntil(timeout: 5) { !processAlive(child) }, "the background sleep \(child) survived")
  }

  @Test func leaderExitEndsTheAttemptEvenWhenAChildKeepsTheOutputOpen() throws {
    let dir = TempDir("tfs-command")
    defer { dir.remove() }
    let script = dir.write(
      "detach.sh", "#!/bin/sh\nsleep 60 &\necho $! > \"$1/child.pid\"\necho queued\n", executable: true)
    let result = Transports.send(sampleMessage(), via: command("\(script) \(dir.path)"), timeoutMs: 10_000)
    #expect(result.outcome == .delivered)
    #expect(result.answer == "queued")
    #expect(result.latencyMs < 5000, "\(result.latencyMs) ms")
    let child = try #require(
      dir.read("child.pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    #expect(waitUntil(timeout: 5) { !processAlive(child) }, "the background sleep \(child) survived")
  }

  @Test func unreadStdinNeitherBlocksNorKillsUs() {
    // A digest far larger than a pipe's 64 KiB buffer.
    let alerts = (1...400).map { i in
      var alert = sampleAlert(id: Int64(i))
      alert.title = String(repeating: "long title ", count: 40)
      return alert
    }
    let message = sampleMessage(alerts: alerts)
    #expect(AlertJSON.render(message).utf8.count > 200_000)
    #expect(Transports.send(message, via: command("true")).outcome == .delivered)
    let stuck = Transports.send(message, via: command("sleep 60"), timeoutMs: 1000)
    #expect(stuck.outcome == .retry("timed out after 1s"))
    #expect(stuck.latencyMs < 5000)
  }

  @Test func digestEnvironment() {
    let env = CommandTransport.alertEnvironment(
      sampleMessage(alerts: [sampleAlert(id: 3), sampleAlert(id: 4)]))
    #expect(env["TFS_ALERT_TYPE"] == "digest")
    #expect(env["TFS_ALERT_COUNT"] == "2")
    #expect(env["TFS_ALERT_ID"] == "3")
    #expect(env["TFS_ALERT_TASK"] == "")
    #expect(env["TFS_ALERT_TITLE"] == "[tfs] 2 alerts on build-1")
  }

  @Test func badCommands() {
    let missing = Transports.send(sampleMessage(), via: command("tfs-no-such-notifier --now"))
    #expect(missing.outcome == .retry("command 'tfs-no-such-notifier' not found or not executable"))
    let unquoted = Transports.send(sampleMessage(), via: command("notify 'oops"))
    #expect(unquoted.isPermanent && unquoted.reason.contains("unterminated single quote"), "\(unquoted)")
    let signaled = Transports.send(sampleMessage(), via: command("sh -c 'echo dying; kill -9 $$'"))
    #expect(signaled.outcome == .retry("killed by signal 9: dying"))
  }
}
