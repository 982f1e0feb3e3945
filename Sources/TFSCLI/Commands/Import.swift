import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Import: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Turn definitions from other schedulers into tasks.", subcommands: [ImportCrontab.self])
}

struct ImportCrontab: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "crontab",
    abstract: "Turn each crontab line into a task whose run.sh is the line's command.",
    discussion: """
      Reads a user crontab ('crontab -l | tfs import crontab') or a system one (/etc/crontab, \
      /etc/cron.d/*: a user column after the schedule), detected from the path or from every \
      job naming an account of this machine there that is not also a program on PATH, or \
      chosen with --system (--no-system: a user crontab whatever it looks like). Each job becomes a \
      task named after what it runs ('crontab/sync-funds'; '-2', '-3' for repeats) with command \
      SHELL (default /bin/sh) and entry run.sh, written into the task folder; a system job keeps \
      its user (--user). NAME=value lines become the environment of the jobs below them; \
      CRON_TZ sets their zone, MAILTO their owners; like cron, they run in HOME. A job's '%' \
      text becomes the script's stdin. Invalid lines fail the whole import (exit 64, every one \
      named with its line number) and nothing is written, unless --skip-invalid imports the \
      other lines; @reboot lines (cron-only) are skipped with a warning.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: ArgumentHelp("The crontab file, '-' for stdin (default).", valueName: "file"))
  var file: String = "-"
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Name tasks PREFIX/NAME instead of crontab/NAME.", valueName: "prefix"))
  var prefix: String = "crontab"
  @Flag(help: "Print the tasks that would be added; write nothing.") var dryRun = false
  @Flag(help: "Import the valid lines when some are invalid (each reported as skipped).")
  var skipInvalid = false
  @Flag(
    inversion: .prefixedNo,
    help: "Read the system format: a user column after the schedule (detected when not given).")
  var system: Bool?

  func run() async throws {
    try await runCLI {
      let text = try readSource()
      let systemFormat = system ?? (isSystemPath || Crontab.looksSystem(text))
      let file = Crontab.read(text, system: systemFormat)
      if !file.problems.isEmpty && !skipInvalid {
        let rest =
          file.jobs.isEmpty ? "" : "; --skip-invalid imports the other \(plural(file.jobs.count, "job"))"
        throw ValidationError(file.problems.joined(separator: "; ") + rest)
      }
      for line in file.skipped + file.problems { Terminal.warn("skipped \(line)") }
      let jobs = file.jobs
      let names = CrontabNames.names(for: jobs.map(\.command))
      let specs = try zip(jobs, names).map { job, name in try spec(job, name: name) }
      guard !specs.isEmpty else {
        Terminal.out("nothing to import: no job lines in \(sourceName)")
        return
      }
      if systemFormat {
        Terminal.out("read \(sourceName) as a system crontab (a user column after the schedule)")
      }
      if dryRun {
        Terminal.out(preview(specs, jobs) + "\n\nwould add \(plural(specs.count, "task")); nothing written")
        return
      }
      let context = try Context(global)
      if let taken = try context.store.existingTasks(specs.map(\.name)).first {
        throw StoreError.taskExists(taken.rawValue)
      }
      var scripts = ScriptWriter(settings: context.settings)
      do {
        for (spec, job) in zip(specs, jobs) {
          try scripts.write(Crontab.script(for: job, source: sourceName), for: spec.name)
        }
        try context.store.addTasks(specs, actor: Actor.current(), now: context.now)
      } catch {
        scripts.rollback()
        throw error
      }
      Nudge.daemon(context.home)
      for spec in specs { Terminal.out("added task '\(spec.name)' (\(spec.rule.text))") }
      usersSummary(specs)
    }
  }

  private var isSystemPath: Bool { file == "/etc/crontab" || file.hasPrefix("/etc/cron.d/") }

  /// The tasks that would be added, with each job's user and `%` stdin.
  private func preview(_ specs: [TaskSpec], _ jobs: [CrontabJob]) -> String {
    let users = specs.contains { $0.user != nil }
    let stdin = jobs.contains { $0.stdin != nil }
    var table = Table(["NAME", "RULE"] + (users ? ["USER"] : []) + ["COMMAND"] + (stdin ? ["STDIN"] : []))
    for (spec, job) in zip(specs, jobs) {
      var row = [spec.name.rawValue, spec.rule.text]
      if users { row.append(spec.user ?? "-") }
      row.append(job.command)
      if stdin { row.append(job.stdin.map { $0.replacingOccurrences(of: "\n", with: "\\n") } ?? "-") }
      table.add(row)
    }
    return table.render()
  }

  /// Says which tasks run as which user, and that another user's runs fail under this daemon.
  private func usersSummary(_ specs: [TaskSpec]) {
    let byUser = Dictionary(grouping: specs.compactMap(\.user), by: { $0 }).mapValues(\.count)
    guard !byUser.isEmpty else { return }
    Terminal.out(
      "users kept: "
        + byUser.keys.sorted().map { "\(plural(byUser[$0]!, "task")) as '\($0)'" }.joined(separator: ", "))
    let me = Accounts.current
    if byUser.keys.contains(where: { !Accounts.isCurrent($0) }) {
      Terminal.warn(
        "tfs runs tasks as its daemon's user ('\(me)'); a task of another user fails with the reason "
          + "until it runs under a daemon of that user, or 'tfs modify NAME --user \"\"' clears it")
    }
  }

  private var sourceName: String { file == "-" ? "stdin" : "'\(file)'" }

  private func readSource() throws -> String {
    if file == "-" {
      guard isatty(STDIN_FILENO) == 0 else {
        throw ValidationError(
          "no crontab on stdin; pipe one in ('crontab -l | tfs import crontab') or name a file")
      }
      return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    }
    guard let data = FileManager.default.contents(atPath: file) else {
      throw StoreError.io(path: file, action: "reading the crontab", errno: errno == 0 ? ENOENT : errno)
    }
    return String(decoding: data, as: UTF8.self)
  }

  private func spec(_ job: CrontabJob, name: String) throws -> TaskSpec {
    let name = try TaskName("\(prefix)/\(name)")
    let home = job.environment["HOME"] ?? ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    let title = "crontab line \(job.line): \(job.command)"
    return TaskSpec(
      name: name, rule: job.rule, command: job.shell, entry: "run.sh",
      title: String(title.prefix(256)), owners: job.owners, timeZone: job.timeZone,
      environment: job.environment, workdir: home, user: job.user)
  }
}

/// Writes each new task's `run.sh` (never over an existing file, never through a symlink out
/// of the task root) and can take them back when the database refuses the tasks.
private struct ScriptWriter {
  let settings: EffectiveSettings
  private var written: [TaskPaths] = []

  init(settings: EffectiveSettings) { self.settings = settings }

  mutating func write(_ script: String, for name: TaskName) throws {
    let paths = settings.paths(name)
    try paths.checkContained(entry: "run.sh")
    do {
      if !FileManager.default.fileExists(atPath: paths.root) {
        try FileManager.default.createDirectory(
          atPath: paths.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      }
      try FileManager.default.createDirectory(atPath: paths.folder, withIntermediateDirectories: true)
    } catch {
      throw StoreError.io(path: paths.folder, action: "creating the task folder", errno: errno)
    }
    try paths.checkContained(entry: "run.sh")
    let path = paths.entry("run.sh")
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o755)
    guard fd >= 0 else {
      if errno == EEXIST { throw CLIError.failed("'\(path)' already exists; remove it or use --prefix") }
      throw StoreError.io(path: path, action: "creating run.sh", errno: errno)
    }
    written.append(paths)
    defer { close(fd) }
    let bytes = Array(script.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw StoreError.io(path: path, action: "writing run.sh", errno: errno) }
      offset += n
    }
    guard fchmod(fd, 0o755) == 0 else { throw StoreError.io(path: path, action: "chmod 0755", errno: errno) }
  }

  /// Deletes the scripts written so far and the folders that held only them.
  func rollback() {
    for paths in written {
      unlink(paths.entry("run.sh"))
      var folder = paths.folder
      while folder.count > paths.root.count, rmdir(folder) == 0 {
        folder = (folder as NSString).deletingLastPathComponent
      }
    }
  }
}
