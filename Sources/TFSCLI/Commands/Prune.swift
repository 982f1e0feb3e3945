import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Prune: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "Delete old runs, their log files and history folders.",
    discussion: """
      Without flags, applies each task's retention, as the daemon does daily: a task's own \
      --keep N (its newest N runs stay) and --keep-for DUR, else setting 'retention' (30d by \
      default). --older-than and --keep set one limit for every task instead; --keep alone \
      applies to runs of any age. Queued and running runs are never pruned, nor the run \
      history/latest points at.
      """)

  @OptionGroup var global: GlobalOptions
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Delete runs older than this (default: setting retention).", valueName: "dur"))
  var olderThan: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("Keep the newest N runs of every task.", valueName: "n"))
  var keep: String?
  @Flag(help: "Print what would be deleted; delete nothing.") var dryRun = false

  func run() async throws {
    try await runCLI {
      let age = try olderThan.map { try Durations.parse($0) }
      let keepCount = try keep.map { text in
        guard let n = Int(text), n >= 0 else {
          throw ValidationError("invalid --keep '\(text)'; use a whole number ≥ 0")
        }
        return n
      }
      let context = try Context(global, create: false)
      let found =
        age == nil && keepCount == nil
        ? try context.store.prunableByPolicy(now: context.now, retentionMs: context.settings.retentionMs)
        : try context.store.prunable(beforeMs: age.map { context.now - $0 }, keepPerTask: keepCount)
      let runs = Pruner.sparingLatest(found, settings: context.settings)
      guard !runs.isEmpty else {
        Terminal.out("nothing to prune")
        return
      }
      if dryRun {
        let logs = runs.filter { $0.logPath != nil }.count
        Terminal.out(
          "would prune \(plural(runs.count, "run")) (\(logs) with a log file); nothing deleted")
        return
      }
      try context.store.deleteRuns(runs.map(\.id), actor: Actor.current(), now: context.now)
      Nudge.daemon(context.home)
      var removed = (logs: 0, history: 0)
      for run in runs {
        let paths = context.settings.paths(run.task)
        if let log = run.logPath, RunFiles.remove(log, of: paths) { removed.logs += 1 }
        if RunFiles.remove("history/" + run.version, of: paths) { removed.history += 1 }
      }
      Terminal.out(
        "pruned \(plural(runs.count, "run")), \(plural(removed.logs, "log file")), "
          + plural(removed.history, "history folder"))
    }
  }
}

/// Deletes what runs left in a task folder (log files, history folders) without ever leaving
/// it: paths with `..` are refused, symlinks are removed themselves and never followed, and a
/// folder whose parent resolves elsewhere is left alone.
enum RunFiles {
  /// Removes `relative` (a file or folder) under the task's folder, then the folders above it
  /// that became empty (up to, not including, its first component). Returns whether it existed.
  @discardableResult
  static func remove(_ relative: String, of paths: TaskPaths) -> Bool {
    let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
    guard !relative.hasPrefix("/"), !parts.isEmpty,
      !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
      let realRoot = TaskPaths.realPath(paths.root), let realFolder = TaskPaths.realPath(paths.folder),
      inside(realFolder, realRoot)
    else { return false }
    let target = paths.absolute(relative)
    let parent = (target as NSString).deletingLastPathComponent
    guard let realParent = TaskPaths.realPath(parent), inside(realParent, realFolder) else { return false }
    var info = stat()
    guard lstat(target, &info) == 0 else { return false }
    do {
      if info.st_mode & S_IFMT == S_IFDIR {
        try FileManager.default.removeItem(atPath: target)
      } else if unlink(target) != 0 {
        throw StoreError.io(path: target, action: "deleting a run's file", errno: errno)
      }
    } catch {
      Terminal.warn("could not delete '\(target)': \(error)")
      return false
    }
    var dir = parts.dropLast()
    while dir.count > 1, rmdir(paths.absolute(dir.joined(separator: "/"))) == 0 { dir = dir.dropLast() }
    return true
  }

  private static func inside(_ path: String, _ dir: String) -> Bool {
    path == dir || path.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/")
  }
}

/// `1 run`, `2 runs`.
func plural(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
