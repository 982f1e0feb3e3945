import ArgumentParser
import TFSCore
import TFSStore

struct Show: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show every field of a task, its next 5 occurrences and its last 5 runs.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Task name.", completion: Completions.taskNames) var name: String
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let name = try taskName(name)
      let context = try Context(global, create: false)
      let record = try context.task(name)
      let now = context.now
      let zone = context.localZone
      let taskZone = ZoneRules.forZone(context.settings.zone(for: record.spec))
      var next: [Int64] = []
      var cursor = now / 1000
      while next.count < 5, let t = record.spec.rule.next(after: cursor, in: taskZone) {
        next.append(t)
        cursor = t
      }
      let runs = try context.store.runs(RunFilter(task: name.rawValue, limit: 5))
      if output.json {
        var fields = try context.store.withTaskRow(name) { row in
          guard let row else { throw StoreError.noSuchTask(name.rawValue) }
          return try Render.task(row, settings: context.settings, nowMs: now, zone: zone)
        }
        fields.append(
          (
            "next_runs",
            .array(
              record.spec.enabled ? next.map { .string(Times.iso(epochSeconds: $0, zone: taskZone)) } : [])
          ))
        fields.append(("runs", .array(runs.map { Render.run($0, zone: zone) })))
        Terminal.out(JSONValue.object(fields).render())
        return
      }
      var table = Show.fields(record, settings: context.settings)
      table.add(["last run", Render.lastRunCell(record, nowMs: now)])
      var lines = [table.render(), "", "NEXT RUNS"]
      lines +=
        record.spec.enabled
        ? next.map { Times.iso(epochSeconds: $0, zone: taskZone) } : ["- (disabled)"]
      lines += ["", "LAST RUNS"]
      if let picture = Sparkline.line(try context.store.runs(RunFilter(task: name.rawValue, limit: 20))) {
        lines.append(picture)
      }
      if runs.isEmpty {
        lines.append("-")
      } else {
        lines.append(HistoryTable.render(runs, zone: zone, reasons: true))
      }
      Terminal.out(lines.joined(separator: "\n"))
    }
  }
}

extension Show {
  /// The FIELD/VALUE table: every field, the effective zone said once, env values quoted.
  static func fields(_ record: TaskRecord, settings: EffectiveSettings) -> Table {
    let name = record.spec.name
    var table = Table(["FIELD", "VALUE"])
    table.add(["name", name.rawValue])
    for (field, value) in record.spec.fields {
      switch field {
      case "timezone":
        let zone = settings.zone(for: record.spec).identifier
        table.add([field, record.spec.timeZone == nil ? "\(zone) (the default)" : zone])
      case "env":
        let env = record.spec.environment
        table.add([
          field,
          env.isEmpty
            ? "-" : env.keys.sorted().map { "\($0)=\(Show.quoted(env[$0]!))" }.joined(separator: " "),
        ])
      default: table.add([field, value.isEmpty ? "-" : value])
      }
    }
    table.add(["folder", settings.paths(name).folder])
    return table
  }

  /// A value as a shell would need it: bare when it is plain, else in single quotes.
  static func quoted(_ value: String) -> String {
    let plain =
      !value.isEmpty
      && value.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || "@%_+=:,./-".unicodeScalars.contains($0)
      }
    return plain ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
