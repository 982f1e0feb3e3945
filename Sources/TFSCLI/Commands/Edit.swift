import ArgumentParser
import Foundation
import TFSCore
import TFSStore

struct Edit: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "edit",
    abstract: "Edit tasks as a task file in $VISUAL or $EDITOR, like 'crontab -e'.",
    discussion: """
      Opens the export of the tasks (of NAME and those under NAME/, or all) in $VISUAL, else \
      $EDITOR, else vi, and applies the file when the editor exits: a table deleted removes its \
      task. An invalid file is reported line by line and you are asked whether to edit it again; \
      answering no (or no answer on stdin) applies nothing and exits 64.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(
    help: ArgumentHelp("A task or a group of tasks (default: every task).", valueName: "name"),
    completion: Completions.taskNames)
  var selection: String?

  func run() async throws {
    try await runCLI {
      let scope = try TaskScope(selection)
      let context = try Context(global)
      let specs = try scope.tasks(in: context.store)
      let original = TaskFiles.export(specs, context: context)
      let file = try EditFile(contents: original)
      while true {
        try file.openEditor()
        let text = try TaskFiles.read(file.path)
        guard text != original else {
          file.remove()
          Terminal.out("no changes")
          return
        }
        let wanted: [TaskSpec]
        do {
          wanted = try TaskFiles.tasks(text, source: file.path, context: context)
        } catch let problems as TaskFileProblems {
          for problem in problems.problems { Terminal.warnLine("line \(problem.line): \(problem.message)") }
          if EditFile.ask("edit again? [Y/n] ") { continue }
          file.remove()
          throw CLIError.usage(
            "the file has \(plural(problems.problems.count, "problem")); nothing was applied")
        }
        let plan = TaskPlan(
          current: try context.store.tasks().map(\.spec), wanted: wanted, removing: { scope.contains($0) })
        do {
          try TaskFiles.apply(plan, context: context, dryRun: false)
        } catch {
          Terminal.warn("your edits are kept in '\(file.path)'; 'tfs apply' it once the problem is solved")
          throw error
        }
        file.remove()
        return
      }
    }
  }
}

/// The temporary file `tfs edit` hands the editor.
private struct EditFile {
  let path: String

  init(contents: String) throws {
    let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array((dir + "/tfs-edit-XXXXXX.toml").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 5) }
    guard fd >= 0 else {
      throw CLIError.failed("cannot create a file in '\(dir)': \(String(cString: strerror(errno)))")
    }
    path = String(cString: template)
    Terminal.writeAll(fd, Array(contents.utf8))
    close(fd)
  }

  /// Runs `$VISUAL`/`$EDITOR`/`vi` on the file through `sh`, so `EDITOR='code --wait'` works.
  func openEditor() throws {
    let env = ProcessInfo.processInfo.environment
    let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", editor + " \"$1\"", "sh", path]
    do { try process.run() } catch { throw CLIError.failed("cannot start the editor '\(editor)': \(error)") }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      Terminal.warn("your edits are kept in '\(path)'")
      throw CLIError.failed(
        "the editor '\(editor)' exited with status \(process.terminationStatus); nothing was applied")
    }
  }

  func remove() { unlink(path) }

  /// Asks on stderr and reads the answer from stdin: yes unless it starts with n (EOF: no).
  static func ask(_ question: String) -> Bool {
    Terminal.writeAll(STDERR_FILENO, Array(question.utf8))
    let answer = readLine()
    // Piped answers are not echoed by a terminal: echo them, so the prompt ends its line.
    if isatty(STDIN_FILENO) == 0 { Terminal.writeAll(STDERR_FILENO, Array(((answer ?? "") + "\n").utf8)) }
    guard let answer else { return false }
    return !answer.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("n")
  }
}
