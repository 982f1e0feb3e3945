import Foundation
import TFSCore
import TFSEngine
import TFSStore

/// Which tasks an `export`, `edit` or `apply --prune` covers: every task, or `NAME` and every
/// task under `NAME/` (`crawler` covers `crawler`, `crawler/funds`, `crawler/funds/eu`).
struct TaskScope {
  /// nil: every task.
  let root: TaskName?

  init(_ text: String?) throws {
    guard var text, !text.isEmpty else {
      root = nil
      return
    }
    while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
    root = try TaskName(text)
  }

  func contains(_ name: TaskName) -> Bool {
    guard let root else { return true }
    return name == root || name.rawValue.hasPrefix(root.rawValue + "/")
  }

  /// The stored tasks it covers, by name.
  func tasks(in store: Store) throws -> [TaskSpec] {
    try store.tasks().map(\.spec).filter { contains($0.name) }
  }
}

/// The problems of a task file: printed one per line (`FILE:LINE: why`) before the summary.
struct TaskFileProblems: Error {
  let source: String
  let problems: [TaskFile.Problem]

  func report() -> CLIError {
    if problems.count == 1, let only = problems.first {
      return .usage("\(source):\(only.line): \(only.message); nothing was applied")
    }
    for problem in problems { Terminal.warnLine("\(source):\(problem.line): \(problem.message)") }
    let count = problems.count == 1 ? "a problem" : "\(problems.count) problems"
    return .usage("\(source) has \(count) (listed above); nothing was applied")
  }
}

/// Reading, planning and applying task files (`apply`, `edit`).
enum TaskFiles {
  static func defaults(_ settings: EffectiveSettings) -> TaskFile.Defaults {
    TaskFile.Defaults(command: settings.defaultCommand, entry: settings.defaultEntry)
  }

  /// The text of `path` (`-`: stdin).
  static func read(_ path: String) throws -> String {
    if path == "-" {
      guard isatty(STDIN_FILENO) == 0 else {
        throw CLIError.usage("no task file on stdin; pipe one in ('tfs export | tfs apply -') or name a file")
      }
      return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError.usage("cannot read '\(path)': \(String(cString: strerror(errno == 0 ? ENOENT : errno)))")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The tasks of `text` checked as `add` checks them, or every problem with its line.
  static func tasks(_ text: String, source: String, context: Context) throws -> [TaskSpec] {
    let (entries, found) = TaskFile.decode(text, defaults: defaults(context.settings))
    var problems = found
    for entry in entries {
      do {
        try context.settings.paths(entry.spec.name).checkContained(entry: entry.spec.entry)
      } catch {
        problems.append(TaskFile.Problem(line: entry.line, message: "task '\(entry.spec.name)': \(error)"))
      }
    }
    guard problems.isEmpty else {
      throw TaskFileProblems(source: source, problems: problems.sorted { $0.line < $1.line })
    }
    return entries.map(\.spec)
  }

  /// Prints the plan and, unless `dryRun`, applies it all at once. Returns whether anything
  /// was written.
  @discardableResult
  static func apply(_ plan: TaskPlan, context: Context, dryRun: Bool) throws -> Bool {
    Terminal.out(PlanView.render(plan))
    guard !plan.isEmpty else { return false }
    if dryRun {
      Terminal.out("dry run: nothing was written")
      return false
    }
    switch try context.store.apply(plan, actor: Actor.current(), now: context.now) {
    case .busy(let name, let runs):
      let which = runs.map(String.init).joined(separator: ", ")
      throw CLIError.failed(
        "task '\(name)' has a run in progress (run \(which)), so it cannot be removed; "
          + "nothing was applied: stop it ('tfs kill \(name)') and apply again")
    case .stale(let name):
      throw CLIError.failed(
        "task '\(name)' changed while the plan was made; nothing was applied: apply again")
    case nil: break
    }
    Nudge.daemon(context.home)
    Terminal.out(
      "applied: \(plan.added.count) added, \(plan.changed.count) changed, \(plan.removed.count) removed")
    for spec in plan.added + plan.changed.map(\.new) {
      TaskWarnings.check(spec, settings: context.settings, prefix: "task '\(spec.name)': ")
    }
    return true
  }
}

/// The plan as people read it: `+` added, `~` changed with its fields old → new, `-` removed.
enum PlanView {
  static func render(_ plan: TaskPlan) -> String {
    var lines: [String] = []
    for spec in plan.added {
      lines.append(Terminal.paint("+ \(spec.name)", .green) + "  (\(spec.rule.text))")
    }
    for change in plan.changed {
      lines.append(Terminal.paint("~ \(change.new.name)", .yellow))
      for field in change.diff {
        lines.append("    \(field.field): \(shown(field.old)) → \(shown(field.new))")
      }
    }
    for spec in plan.removed { lines.append(Terminal.paint("- \(spec.name)", .red)) }
    guard !plan.isEmpty else {
      return "no changes: \(plural(plan.unchanged.count, "task")) already as the file says"
    }
    lines.append(
      "plan: \(plan.added.count) to add, \(plan.changed.count) to change, \(plan.removed.count) to remove, "
        + "\(plan.unchanged.count) unchanged")
    return lines.joined(separator: "\n")
  }

  private static func shown(_ value: String) -> String {
    value.isEmpty ? "(none)" : value.replacingOccurrences(of: "\n", with: "\\n")
  }
}
