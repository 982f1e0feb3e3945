import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Remove: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remove",
    abstract: "Delete a task (its runs, logs and history stay unless --purge).",
    discussion: """
      Refuses while a run of the task is queued or running; --kill stops it first. The task's own \
      files (its entry file, publish/) are never deleted.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name.", completion: Completions.taskNames) var name: String
  @Flag(help: "Also delete its runs and the task folder's logs/ and history/.") var purge = false
  @Flag(help: "Stop a queued or running run first (SIGTERM, SIGKILL after 10s).") var kill = false

  func run() async throws {
    try await runCLI {
      let name = try taskName(name)
      let context = try Context(global, create: false)
      var outcome = try remove(name, context)
      if case .busy(let ids) = outcome {
        guard kill else {
          let which = ids.map(String.init).joined(separator: ", ")
          throw CLIError.failed(
            "task '\(name)' has a run in progress (run \(which)); "
              + "use 'tfs remove \(name) --kill' to stop it first")
        }
        for run in try context.store.liveRuns(task: name, dueBy: context.now) {
          let ended = try await KillRun.stop(context: context, run: run, signal: SIGTERM, graceMs: 10_000)
          Terminal.out("killed run \(ended.id) of '\(name)' (\(ended.status.rawValue))")
        }
        outcome = try remove(name, context)
      }
      guard case .removed(let runs) = outcome else {
        throw CLIError.failed("task '\(name)' started another run; try again")
      }
      Nudge.daemon(context.home)
      guard purge else {
        Terminal.out("removed task '\(name)'")
        return
      }
      let paths = context.settings.paths(name)
      RunFiles.remove("logs", of: paths)
      RunFiles.remove("history", of: paths)
      Terminal.out("removed task '\(name)' with \(plural(runs, "run")), its logs/ and history/")
    }
  }

  private func remove(_ name: TaskName, _ context: Context) throws -> TaskRemoval {
    try context.store.removeIdleTask(name, purge: purge, actor: Actor.current(), now: context.now)
  }
}
