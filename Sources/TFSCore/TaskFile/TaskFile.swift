import Foundation

/// The task file of `tfs export`, `tfs apply` and `tfs edit` (docs/TASKFILE.md): TOML with one
/// `[[task]]` table per task, whose keys are the `TaskField`s plus `name`. A key left out means
/// the default `add` would give (`command` and `entry`: the settings `default-command` and
/// `default-entry`), so `export` writes only what differs and `export | apply` changes nothing.
public enum TaskFile {
  /// What an absent `command` and `entry` mean: the settings in force.
  public struct Defaults: Sendable {
    public var command: String
    public var entry: String
    public init(command: String, entry: String) {
      self.command = command
      self.entry = entry
    }
  }

  /// A task read from a file, with the line of its `[[task]]`.
  public struct Entry: Sendable {
    public var spec: TaskSpec
    public var line: Int
  }

  /// A problem in the file, at a 1-based line.
  public struct Problem: Error, Equatable, Sendable {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
      self.line = line
      self.message = message
    }
  }

  /// The rule a task has until its own is read.
  private static let everySecond = (try? CronRule("* * * * * *"))!

  public static let integerFields: Set<TaskField> = [.retries, .alertAfter, .keep]

  // MARK: writing

  /// The file for `specs`, in their order; `header` (comment lines) comes first.
  public static func encode(_ specs: [TaskSpec], defaults: Defaults, header: [String] = []) -> String {
    var lines = header.map { "# " + $0 }
    for spec in specs {
      if !lines.isEmpty { lines.append("") }
      lines += ["[[task]]", "name = " + TOMLWriter.string(spec.name.rawValue)]
      let plain = TaskSpec(name: spec.name, rule: spec.rule, command: defaults.command, entry: defaults.entry)
      for ((key, value), (_, standard)) in zip(spec.fields, plain.fields) {
        guard let field = TaskField(rawValue: key), field == .rule || value != standard, field != .env else {
          continue
        }
        lines.append(TOMLWriter.key(key) + " = " + encode(field, of: spec, text: value))
      }
      guard !spec.environment.isEmpty else { continue }
      lines.append("[task.env]")
      for key in spec.environment.keys.sorted() {
        lines.append(TOMLWriter.key(key) + " = " + TOMLWriter.string(spec.environment[key]!))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func encode(_ field: TaskField, of spec: TaskSpec, text: String) -> String {
    switch field {
    case .enabled: spec.enabled ? "true" : "false"
    case .rerunLost: spec.rerunLost ? "true" : "false"
    case .owners: TOMLWriter.array(spec.owners)
    case .alertOn: TOMLWriter.array(spec.alertPolicy.alertOn?.map(\.rawValue) ?? [])
    case .description: TOMLWriter.text(text)
    case _ where integerFields.contains(field): text.isEmpty ? TOMLWriter.string("none") : text
    default: TOMLWriter.string(text)
    }
  }

  // MARK: reading

  /// The tasks of `text`, in file order, and every problem found (syntax, unknown keys,
  /// invalid values, a name given twice), each at its line.
  public static func decode(_ text: String, defaults: Defaults) -> (tasks: [Entry], problems: [Problem]) {
    let (root, syntax) = TOMLReader.read(text)
    var problems = syntax.map { Problem(line: $0.line, message: $0.message) }
    var tasks: [Entry] = []
    var seen: [TaskName: Int] = [:]
    for entry in root.entries {
      guard entry.key == "task" else {
        problems.append(
          Problem(line: entry.line, message: "unknown key '\(entry.key)'; each task is a [[task]] table"))
        continue
      }
      guard case .tables(let tables) = entry.value else {
        problems.append(Problem(line: entry.line, message: "'task' must be written [[task]], once per task"))
        continue
      }
      for table in tables {
        let (name, spec) = decodeTask(table, defaults: defaults, problems: &problems)
        guard let name else { continue }
        if let first = seen[name] {
          problems.append(
            Problem(line: table.line, message: "task '\(name)' is defined twice (first on line \(first))"))
          continue
        }
        seen[name] = table.line
        if let spec { tasks.append(Entry(spec: spec, line: table.line)) }
      }
    }
    return (tasks, problems.sorted { $0.line < $1.line })
  }

  /// The task of a `[[task]]` table, or nil with its problems noted; its name when it has a valid one.
  private static func decodeTask(
    _ table: TOMLTable, defaults: Defaults, problems: inout [Problem]
  ) -> (TaskName?, TaskSpec?) {
    func note(_ line: Int, _ message: String) { problems.append(Problem(line: line, message: message)) }
    guard let nameEntry = table["name"] else {
      note(table.line, "a [[task]] without a name; add name = \"group/task\"")
      return (nil, nil)
    }
    guard case .string(let nameText) = nameEntry.value else {
      note(nameEntry.line, "name must be a string, not \(nameEntry.value.kind)")
      return (nil, nil)
    }
    let name: TaskName
    do { name = try TaskName(nameText) } catch {
      note(nameEntry.line, error.message)
      return (nil, nil)
    }
    let before = problems.count
    if table["rule"] == nil {
      note(table.line, "task '\(name)' has no rule; add e.g. rule = \"0 */5 * * * *\"")
    }
    var spec = TaskSpec(name: name, rule: everySecond, command: defaults.command, entry: defaults.entry)
    for entry in table.entries where entry.key != "name" {
      guard let field = TaskField(rawValue: entry.key) else {
        note(entry.line, "task '\(name)': unknown field '\(entry.key)'\(hint(entry.key))")
        continue
      }
      do {
        try set(field, entry.value, on: &spec)
      } catch {
        let message =
          error.message.contains(field.rawValue) ? error.message : "\(field.rawValue): \(error.message)"
        note(entry.line, "task '\(name)': \(message)")
      }
    }
    return (name, problems.count == before ? spec : nil)
  }

  private static func set(_ field: TaskField, _ value: TOMLValue, on spec: inout TaskSpec)
    throws(ValidationError)
  {
    let label = field.rawValue
    switch (field, value) {
    case (.env, .table(let table)):
      for item in table.entries {
        guard case .string(let text) = item.value else {
          throw ValidationError("variable '\(item.key)' must be a string, not \(item.value.kind)")
        }
        try EnvironmentPairs.validateKey(item.key)
        spec.environment[item.key] = text
      }
    case (.enabled, .bool(let on)): spec.enabled = on
    case (.rerunLost, .bool(let on)): spec.rerunLost = on
    case (.owners, .array(let items)): spec.owners = try Owners.parse(try strings(items, label))
    case (.alertOn, .array(let items)):
      try spec.set(field, text: try strings(items, label).joined(separator: ","), label: label)
    case (_, .integer(let n)) where integerFields.contains(field):
      try spec.set(field, text: String(n), label: label)
    case (_, .string(let text)) where field != .env && field != .enabled && field != .rerunLost:
      try spec.set(field, text: text, label: label)
    default:
      throw ValidationError("\(label) must be \(expected(field)), not \(value.kind)")
    }
  }

  private static func strings(_ items: [TOMLValue], _ label: String) throws(ValidationError) -> [String] {
    var out: [String] = []
    for item in items {
      guard case .string(let text) = item else {
        throw ValidationError("\(label) must be an array of strings; found \(item.kind)")
      }
      out.append(text)
    }
    return out
  }

  private static func expected(_ field: TaskField) -> String {
    switch field {
    case .env: "a table of strings ([task.env] or env = { KEY = \"value\" })"
    case .enabled, .rerunLost: "true or false"
    case .owners, .alertOn: "an array of strings"
    case .retries, .alertAfter: "an integer"
    case .keep: "an integer or \"none\""
    case .timeout, .catchUpWindow, .retryDelay, .jitter, .realert, .keepFor: "a duration string like \"90s\""
    default: "a string"
    }
  }

  private static func hint(_ key: String) -> String {
    let renamed = [
      "tz": "timezone", "owner": "owners", "disabled": "enabled", "environment": "env",
    ]
    if let field = renamed[key] { return "; write '\(field)'" }
    if let close = TaskField.allCases.first(where: {
      $0.rawValue.replacingOccurrences(of: "-", with: "_") == key
    }) {
      return "; write '\(close.rawValue)'"
    }
    return "; known fields: name, " + TaskField.allCases.map(\.rawValue).joined(separator: ", ")
  }
}
