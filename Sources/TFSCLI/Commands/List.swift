import ArgumentParser
import TFSCore
import TFSStore

struct List: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List tasks: NAME, RULE, NEXT RUN, LAST RUN, STATE (sorted by name).")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let context = try Context(global)
      let records = try context.store.tasks()
      let now = context.now
      let zone = context.localZone
      if output.json {
        Terminal.out(bytes: Render.tasksJSON(records, settings: context.settings, nowMs: now, zone: zone))
        return
      }
      var table = Table(["NAME", "RULE", "NEXT RUN", "LAST RUN", "STATE"])
      for r in records {
        let next = Render.nextRun(r, settings: context.settings, nowMs: now)
        table.add([
          r.spec.name.rawValue, r.spec.rule.text, next.map { Times.short(epochMs: $0, zone: zone) } ?? "-",
          Render.lastRunCell(r, nowMs: now), r.spec.enabled ? "enabled" : "disabled",
        ])
      }
      table.style = { _, column, text in column >= 3 ? Render.statusStyle(text) : nil }
      Terminal.out(table.render())
    }
  }
}
