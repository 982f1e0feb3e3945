import Foundation
import TFSCore
import TFSEngine

/// One job line of a crontab, ready to become a task.
struct CrontabJob: Equatable {
  /// 1-based line number in the file.
  var line: Int
  var rule: CronRule
  /// The shell command, `%` handling applied (see `Crontab.splitPercent`).
  var command: String
  /// What cron feeds the command on stdin: the text after the first unescaped `%`.
  var stdin: String?
  /// `VAR=value` lines above the job (cron applies them to the jobs that follow).
  var environment: [String: String]
  /// `SHELL` in force: the program cron runs the command with.
  var shell: String
  /// `CRON_TZ` in force: the zone of the rule.
  var timeZone: String?
  /// `MAILTO` addresses in force.
  var owners: [String]
  /// The user column of a system crontab (`/etc/crontab`, `/etc/cron.d/*`).
  var user: String? = nil
}

/// A user crontab (crontab(5), the format `crontab -l` prints), parsed without running anything.
///
/// Job lines are 5 fields (or an `@` macro) and a command; blank lines and `#` comments are
/// skipped; `NAME=value` lines set the environment of the jobs below them, except `SHELL` (the
/// interpreter), `CRON_TZ` (the rules' zone) and `MAILTO` (alert owners when it holds
/// addresses). In the system format (`/etc/crontab`, `/etc/cron.d/*`) a user name follows the
/// schedule.
enum Crontab {
  /// A crontab read whole: its jobs, every invalid line (`crontab line N: why`), and the lines
  /// skipped as cron-only (`@reboot`).
  struct File {
    var jobs: [CrontabJob] = []
    var problems: [String] = []
    var skipped: [String] = []
  }

  /// The jobs, or one error naming every invalid line (the first one's message first).
  static func parse(_ text: String, system: Bool = false) throws(ValidationError) -> [CrontabJob] {
    let file = read(text, system: system)
    guard file.problems.isEmpty else { throw ValidationError(file.problems.joined(separator: "; ")) }
    return file.jobs
  }

  /// Reads every line; an invalid one is noted and the reading goes on.
  static func read(_ text: String, system: Bool = false) -> File {
    var file = File()
    var state = State()
    state.system = system
    // "\r\n" is one Character in Swift: splitting at "\n" alone left CRLF files one line.
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    for (index, raw) in lines.enumerated() {
      do {
        try readLine(raw, number: index + 1, into: &file, state: &state)
      } catch {
        file.problems.append(error.message)
      }
    }
    return file
  }

  /// What the lines above a job set for it.
  struct State {
    var env: [String: String] = [:]
    var shell = "/bin/sh"
    var zone: String?
    var owners: [String] = []
    var system = false
  }

  /// Whether `text` reads as a system crontab: it has jobs, and the first word after each
  /// one's schedule is an account of this machine, not also a program on the crontab's PATH
  /// (Debian has users `mail`, `sync`, `backup`…), followed by a command.
  static func looksSystem(_ text: String) -> Bool {
    let jobs = read(text).jobs
    return !jobs.isEmpty
      && jobs.allSatisfy { job in
        let words = job.command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let path = job.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        return words.count >= 2 && getpwnam(words[0]) != nil
          && PosixLauncher.resolve(words[0], path: path, workdir: "/") == nil
      }
  }

  private static func readLine(_ raw: Substring, number: Int, into file: inout File, state: inout State)
    throws(ValidationError)
  {
    func fail(_ why: String) -> ValidationError { ValidationError("crontab line \(number): \(why)") }
    var line = raw
    if line.hasSuffix("\r") { line = line.dropLast() }
    let body = line.drop(while: { $0 == " " || $0 == "\t" })
    if body.isEmpty || body.hasPrefix("#") { return }
    if let (key, value) = assignment(body) {
      switch key {
      case "SHELL":
        guard value.hasPrefix("/") else { throw fail("SHELL '\(value)' must be an absolute path") }
        state.shell = value
      case "CRON_TZ":
        do { state.zone = try Zones.named(value).identifier } catch { throw fail(error.message) }
      case "MAILTO":
        let addresses = value.split(whereSeparator: { $0 == "," || $0 == " " }).joined(separator: ";")
        if let parsed = try? Owners.parse([addresses]) {
          state.owners = parsed
        } else {
          state.env[key] = value
        }
      default: state.env[key] = value
      }
      return
    }
    if body.hasPrefix("@reboot") && (body.count == 7 || body.dropFirst(7).first?.isWhitespace == true) {
      file.skipped.append("crontab line \(number): @reboot (tfs runs tasks on time rules only)")
      return
    }
    var (ruleText, rest) = try schedule(body, fail: fail)
    let rule: CronRule
    do { rule = try CronRule(ruleText) } catch { throw fail(error.description) }
    let user = state.system ? try userColumn(&rest, fail: fail) : nil
    let (command, stdin) = splitPercent(rest)
    guard !command.allSatisfy({ $0 == " " || $0 == "\t" }) else {
      throw fail("no command after the schedule")
    }
    file.jobs.append(
      CrontabJob(
        line: number, rule: rule, command: command, stdin: stdin, environment: state.env, shell: state.shell,
        timeZone: state.zone, owners: state.owners, user: user))
  }

  /// Takes a system crontab's user column off the front of `rest`.
  private static func userColumn(
    _ rest: inout Substring, fail: (String) -> ValidationError
  ) throws(ValidationError) -> String {
    let word = rest.prefix(while: { $0 != " " && $0 != "\t" })
    guard !word.isEmpty else {
      throw fail("no user after the schedule (system crontab: schedule, user, command)")
    }
    let user: String?
    do { user = try TaskUser.validate(String(word)) } catch { throw fail(error.message) }
    rest = rest.dropFirst(word.count).drop(while: { $0 == " " || $0 == "\t" })
    return user ?? String(word)
  }

  /// `NAME = value` with optional matching quotes around the value, or nil for a job line.
  static func assignment(_ line: Substring) -> (String, String)? {
    guard let eq = line.firstIndex(of: "=") else { return nil }
    let key = String(line[..<eq]).trimmingWhitespace()
    guard (try? EnvironmentPairs.validateKey(key)) != nil else { return nil }
    var value = String(line[line.index(after: eq)...]).trimmingWhitespace()
    if value.count >= 2, let q = value.first, q == "'" || q == "\"", value.last == q {
      value = String(value.dropFirst().dropLast())
    }
    return (key, value)
  }

  /// Splits a job line into its rule (5 fields, or a macro) and the command text after it.
  static func schedule(
    _ line: Substring, fail: (String) -> ValidationError
  ) throws(ValidationError) -> (String, Substring) {
    let fieldCount = line.hasPrefix("@") ? 1 : 5
    var fields: [Substring] = []
    var rest = line
    while fields.count < fieldCount {
      rest = rest.drop(while: { $0 == " " || $0 == "\t" })
      let field = rest.prefix(while: { $0 != " " && $0 != "\t" })
      guard !field.isEmpty else {
        throw fail("'\(line)' is not a job (5 time fields and a command), a comment or NAME=value")
      }
      fields.append(field)
      rest = rest.dropFirst(field.count)
    }
    return (fields.joined(separator: " "), rest.drop(while: { $0 == " " || $0 == "\t" }))
  }

  /// cron's `%`: the first unescaped one ends the command and starts its stdin, later ones are
  /// newlines; `\%` is a literal `%`.
  static func splitPercent(_ text: Substring) -> (command: String, stdin: String?) {
    var command = ""
    var stdin: String?
    func append(_ c: Character) {
      if stdin != nil { stdin?.append(c) } else { command.append(c) }
    }
    var chars = text.makeIterator()
    while let c = chars.next() {
      var out = c
      if c == "\\" {
        guard let n = chars.next() else {
          append("\\")
          break
        }
        if n == "%" {
          append("%")
          continue
        }
        append("\\")
        out = n
      } else if c == "%" {
        if stdin == nil {
          stdin = ""
          continue
        }
        out = "\n"
      }
      append(out)
    }
    return (command, stdin)
  }

  /// The task's `run.sh`: the shebang, where it came from, and the command (with its stdin).
  static func script(for job: CrontabJob, source: String) -> String {
    var lines = [
      "#!" + job.shell,
      "# Imported by 'tfs import crontab' from \(source), line \(job.line).",
    ]
    guard let stdin = job.stdin else { return (lines + [job.command, ""]).joined(separator: "\n") }
    let body = stdin.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var marker = "TFS_CRONTAB_STDIN"
    while body.contains(marker) { marker += "_" }
    lines += ["{", job.command, "} <<'\(marker)'"] + body + [marker, ""]
    return lines.joined(separator: "\n")
  }
}
