import TFSCore

/// The runs table of `history` and `show`: ID, TASK, VERSION, TRIGGER, STARTED, DURATION, STATUS, EXIT.
enum HistoryTable {
  static func render(_ runs: [Run], zone: ZoneRules) -> String {
    var table = Table(["ID", "TASK", "VERSION", "TRIGGER", "STARTED", "DURATION", "STATUS", "EXIT"])
    for r in runs {
      table.add([
        String(r.id), r.task.rawValue, r.version, r.trigger.rawValue,
        r.startedAt.map { Times.short(epochMs: $0, zone: zone) } ?? "-",
        r.durationMs.map { Durations.format(milliseconds: $0) } ?? "-", r.status.rawValue, exitCell(r),
      ])
    }
    table.style = { _, column, text in column == 6 ? Render.statusStyle(text) : nil }
    return table.render()
  }

  static func exitCell(_ r: Run) -> String {
    if let signal = r.signal { return "sig \(signal)" }
    return r.exitCode.map(String.init) ?? "-"
  }
}
