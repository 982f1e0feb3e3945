import ArgumentParser
import Foundation
import TFSCore
import TFSStore

struct List: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List tasks: NAME, RULE, NEXT RUN, LAST RUN, STATE (sorted by name).")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let context = try Context(global)
      let now = context.now
      let zone = context.localZone
      if output.json {
        var list = Render.TaskListJSON(settings: context.settings, nowMs: now, zone: zone) {
          Terminal.writeAll(STDOUT_FILENO, $0)
        }
        try context.store.forEachTaskRow { try list.add($0) }
        list.finish()
        Terminal.writeAll(STDOUT_FILENO, [10])
        return
      }
      let defaultZone = ZoneRules.forZone(context.settings.timeZone)
      var zones: [String: ZoneRules] = [:]
      var table = Table(["NAME", "RULE", "NEXT RUN (\(zone.identifier))", "LAST RUN", "STATE"])
      for task in try context.store.taskSummaries() {
        var rules = defaultZone
        if let id = task.timeZone {
          rules = zones[id] ?? ZoneRules.forZone(TimeZone(identifier: id) ?? context.settings.timeZone)
          zones[id] = rules
        }
        let next = task.enabled ? task.rule.next(after: now / 1000, in: rules) : nil
        table.add([
          task.name.rawValue, task.rule.text, next.map { Times.short(epochMs: $0 * 1000, zone: zone) } ?? "-",
          Render.lastRunCell(status: task.lastStatus, at: task.lastRunAt, nowMs: now),
          task.enabled ? "enabled" : "disabled",
        ])
      }
      table.style = { _, column, text in column >= 3 ? Render.statusStyle(text) : nil }
      Terminal.out(bytes: table.renderBytes())
    }
  }
}
