import Foundation
import TFSCore

@testable import TFSEngine

/// The alert most transport tests send: a failed run with a stderr head.
func sampleAlert(id: Int64 = 41) -> AlertPayload {
  AlertPayload(
    id: id, type: .failed, at: 1_710_054_000_000, task: "demo/x", runID: 12,
    title: "run 12 of 'demo/x' failed (exit 1)", details: #"{"exit_code":1,"stderr_head":"boom\n"}"#)
}

func sampleMessage(
  channel: String = "ops", alerts: [AlertPayload] = [sampleAlert()], recipients: [String] = []
) -> AlertMessage {
  AlertMessage(
    alerts: alerts, channel: channel, host: "build-1", recipients: recipients, mailFrom: "tfs@build-1")
}

/// The reason of a retry or permanent outcome ("" when delivered).
extension DeliveryResult {
  var reason: String {
    switch outcome {
    case .delivered: ""
    case .retry(let why), .permanent(let why): why
    }
  }

  var isRetry: Bool {
    if case .retry = outcome { return true }
    return false
  }

  var isPermanent: Bool {
    if case .permanent = outcome { return true }
    return false
  }
}

/// Whether `pid` is a live process (not gone, not a zombie).
func processAlive(_ pid: Int32) -> Bool {
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
    let close = stat.lastIndex(of: ")")
  else { return false }
  let state = stat[stat.index(close, offsetBy: 2)]
  return state != "Z" && state != "X"
}
