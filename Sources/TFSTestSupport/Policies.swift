import Foundation

/// A six-field rule that fires once a minute, `seconds` from `now` (its seconds field only),
/// and that occurrence in epoch milliseconds — for "two tasks due together" without waiting
/// for a round minute.
public func ruleFiring(inSeconds seconds: Int, from now: Date = Date()) -> (rule: String, atMs: Int64) {
  let at = Int64(now.timeIntervalSince1970.rounded(.down)) + Int64(seconds)
  return ("\(at % 60) * * * * *", at * 1000)
}

/// Polls until the wall clock has reached `epochMs` (a deadline, for downtime the test needs).
@discardableResult
public func waitUntilWallClock(_ epochMs: Int64, timeout: Double = 60) -> Bool {
  waitUntil(timeout: timeout) { Date().timeIntervalSince1970 * 1000 >= Double(epochMs) }
}

/// Epoch milliseconds now.
public func wallClockMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

extension DaemonProcess {
  /// Sends `signal` and waits up to `timeout` seconds for the daemon to exit; its exit status,
  /// or nil when it is still running (the caller's `defer { stop() }` then ends it).
  @discardableResult
  public func terminate(_ signal: Int32 = SIGTERM, timeout: Double = 15) -> Int32? {
    guard process.isRunning else { return process.terminationStatus }
    kill(pid, signal)
    guard waitUntil(timeout: timeout, { !process.isRunning }) else { return nil }
    process.waitUntilExit()
    return process.terminationStatus
  }
}

/// Each non-empty line of `text` parsed as a JSON object; nil for a line that is not one.
public func jsonObjectLines(_ text: String) -> [[String: Any]?] {
  text.split(separator: "\n").map { line in
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
  }
}
