import Foundation
import TFSCore
import TFSStore

extension Logs {
  /// `tfs logs NAME -F`: the last run's log (its last `lines` with --tail), then each newer run
  /// as it starts, each after a `==> run N of 'x' (version) <==` line on stderr, as `tail -F`
  /// heads each file. Never returns: it ends with the process (Ctrl-C).
  static func followTask(_ name: TaskName, lines: Int?, context: Context) async throws -> Never {
    let store = context.store
    guard try store.task(name) != nil || store.hasRuns(task: name) else {
      throw StoreError.noSuchTask(name.rawValue)
    }
    let paths = context.settings.paths(name)
    var current = try store.liveRuns(task: name).last ?? store.run(task: name, reference: nil)
    var tailLines = lines
    while true {
      if let run = current {
        Terminal.warnLine("==> run \(run.id) of '\(name)' (\(run.version)) <==")
        do {
          try await follow(
            run, paths: paths, lines: tailLines, store: store, cap: context.settings.logMax,
            home: context.home)
        } catch let error as CLIError {
          // A run without a log (it wrote nothing, or never started) ends quietly here.
          if case .failed(let message) = error { Terminal.warnLine("(\(message))") } else { throw error }
        }
        tailLines = nil
      }
      current = try await nextRun(of: name, after: current?.id ?? 0, store: store)
    }
  }

  /// The first run of `name` newer than `id` that has started or ended (a run queued ahead of
  /// its occurrence is not yet its run), waited for.
  private static func nextRun(of name: TaskName, after id: Int64, store: Store) async throws -> Run {
    while true {
      let newer = try store.runs(RunFilter(task: name.rawValue, limit: 20)).filter { $0.id > id }
      let started = newer.filter {
        $0.startedAt != nil || ($0.status.isFinal && $0.status != .skipped && $0.status != .missed)
      }
      if let next = started.min(by: { $0.id < $1.id }) {
        return next
      }
      try await Task.sleep(nanoseconds: pollNs)
    }
  }
}
