import TFSCore

/// `tfs show`'s picture of a task's recent runs, oldest first: one bar per run for its duration
/// (`▁` to `█`, against the longest) and one mark per run for its outcome.
enum Sparkline {
  static let bars = Array("▁▂▃▄▅▆▇█")

  /// Durations as bars; a run without one (skipped, missed, still running) is a space.
  static func durations(_ runs: [Run]) -> String {
    let longest = runs.compactMap(\.durationMs).max() ?? 0
    return String(
      runs.map { run in
        guard let d = run.durationMs else { return " " }
        guard longest > 0 else { return bars[0] }
        return bars[min(bars.count - 1, Int(Double(d) / Double(longest) * Double(bars.count - 1) + 0.5))]
      })
  }

  /// `✓` succeeded, `✗` failed, timed out or lost, `k` killed, `·` skipped or missed, `…` live.
  static func outcomes(_ runs: [Run]) -> String {
    String(
      runs.map { run -> Character in
        switch run.status {
        case .succeeded: "✓"
        case .failed, .timedOut, .lost: "✗"
        case .killed: "k"
        case .skipped, .missed: "·"
        case .queued, .running: "…"
        }
      })
  }

  /// `▁▃█▂ ✓✗✓✓  (last 4 runs, oldest first; longest 12s)`, or nil without runs.
  static func line(_ newestFirst: [Run]) -> String? {
    guard !newestFirst.isEmpty else { return nil }
    let runs = Array(newestFirst.reversed())
    let longest =
      runs.compactMap(\.durationMs).max().map { "; longest \(Durations.format(milliseconds: $0))" } ?? ""
    return "\(durations(runs)) \(outcomes(runs))  (last \(runs.count) runs, oldest first\(longest))"
  }
}
