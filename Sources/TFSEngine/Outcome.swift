import Foundation
import TFSCore
import TFSStore

/// Exit status → run status, exit code, signal (SPEC §6: code and signal recorded apart).
struct Outcome: Equatable {
  var status: RunStatus
  var exitCode: Int32?
  var signal: Int32?
  var reason: String

  var summary: String {
    if let signal { return "signal \(signal)" }
    return "exit \(exitCode ?? -1)"
  }

  static func classify(waitStatus: Int32, stop: StopReason?) -> Outcome {
    let signaled = (waitStatus & 0x7f) != 0 && (waitStatus & 0x7f) != 0x7f
    let code: Int32? = signaled ? nil : (waitStatus >> 8) & 0xff
    let signal: Int32? = signaled ? waitStatus & 0x7f : nil
    switch stop {
    case .killed(let actor, _)?:
      return Outcome(status: .killed, exitCode: code, signal: signal, reason: "killed by \(actor)")
    case .timeout?:
      return Outcome(status: .timedOut, exitCode: code, signal: signal, reason: "timeout")
    case .replaced(let by)?:
      return Outcome(status: .killed, exitCode: code, signal: signal, reason: "replaced by \(by)")
    case .shutdown?:
      return Outcome(status: .killed, exitCode: code, signal: signal, reason: "daemon shutdown")
    case nil:
      if code == 0 { return Outcome(status: .succeeded, exitCode: 0, signal: nil, reason: "") }
      return Outcome(status: .failed, exitCode: code, signal: signal, reason: "")
    }
  }
}

/// Builds alert events (SPEC §7); the store applies the task's policy and queues deliveries.
enum Alerts {
  /// `, attempt 2 of 3` for a task with retries: a retry chain alerts once, naming the attempt.
  static func attempt(_ run: Run, _ spec: TaskSpec) -> String {
    spec.retries > 0 ? ", attempt \(run.attempt + 1) of \(spec.retries + 1)" : ""
  }

  static func make(
    _ type: EventType, _ run: Run, title: String, now: Int64, actor: String = "tfs", stderr: String = ""
  ) -> Event {
    var details = [
      "version": run.version, "run_id": String(run.id), "trigger": run.trigger.rawValue,
      "attempt": String(run.attempt + 1),
    ]
    if !stderr.isEmpty { details["stderr_head"] = stderr }
    return Event(
      at: now, type: type.rawValue, task: run.task.rawValue, runID: run.id, actor: actor, title: title,
      details: JSON.object(details), delivery: "pending")
  }
}
