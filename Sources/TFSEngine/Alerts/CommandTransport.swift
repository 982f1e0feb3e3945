import Foundation
import TFSCore

/// A command channel (SPEC §7): the command's words run without a shell, the alert JSON on
/// stdin and `TFS_ALERT_*` in the environment; exit 0 is delivered, anything else is retried.
enum CommandTransport {
  static func send(
    _ message: AlertMessage, command: String, timeoutMs: Int64, environment: [String: String]
  ) -> DeliveryResult {
    let env = environment.merging(alertEnvironment(message)) { _, alert in alert }
    return run(command, input: Array(AlertJSON.render(message).utf8), environment: env, timeoutMs: timeoutMs)
  }

  /// What a command learns without parsing its stdin. A digest has type `digest`, no task or
  /// run, its subject as title and the first alert's id.
  static func alertEnvironment(_ message: AlertMessage) -> [String: String] {
    let single = message.isDigest ? nil : message.alerts.first
    return [
      "TFS_ALERT_TYPE": single?.type.rawValue ?? "digest",
      "TFS_ALERT_TASK": single?.task ?? "",
      "TFS_ALERT_TITLE": single.map { AlertText.oneLine($0.title) } ?? AlertText.subject(message),
      "TFS_ALERT_RUN_ID": single?.runID.map { String($0) } ?? "",
      "TFS_ALERT_ID": message.alerts.first.map { String($0.id) } ?? "",
      "TFS_ALERT_CHANNEL": message.channel,
      "TFS_ALERT_COUNT": String(message.count),
    ]
  }

  /// Runs `command` (split into words, the program found in `PATH`) with `input` on stdin, in
  /// its own session, killed with its whole group after `timeoutMs`.
  static func run(_ command: String, input: [UInt8], environment: [String: String], timeoutMs: Int64)
    -> DeliveryResult
  {
    let words: [String]
    do {
      words = try CommandWords.split(command)
    } catch {
      return .permanent(error.description)
    }
    let cwd = FileManager.default.currentDirectoryPath
    guard let path = PosixLauncher.resolve(words[0], path: environment["PATH"], workdir: cwd) else {
      // It may be installed later: worth another attempt.
      return .retry("command '\(words[0])' not found or not executable")
    }
    let result: ChildProcess.Result
    do {
      result = try ChildProcess.run(
        executable: path, arguments: words, environment: environment, input: input, timeoutMs: timeoutMs)
    } catch {
      return .retry(error.description)
    }
    return outcome(result, timeoutMs: timeoutMs)
  }

  static func outcome(_ result: ChildProcess.Result, timeoutMs: Int64) -> DeliveryResult {
    let answer = DeliveryResult.answer(String(decoding: result.output, as: UTF8.self))
    let first = answer.split(separator: "\n").first.map { ": " + $0.prefix(200) } ?? ""
    switch result.ending {
    case .exited(0): return DeliveryResult(outcome: .delivered, answer: answer)
    case .exited(let code): return .retry("exit \(code)\(first)", answer: answer)
    case .signaled(let signal): return .retry("killed by signal \(signal)\(first)", answer: answer)
    case .timedOut: return .retry(DeliveryResult.timedOut(timeoutMs), answer: answer)
    case .lost: return .retry("its exit status was lost\(first)", answer: answer)
    }
  }
}
