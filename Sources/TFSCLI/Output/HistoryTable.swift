import TFSCore

/// The runs table of `history` and `show`: ID, TASK, VERSION, TRIGGER, STARTED, DURATION, STATUS, EXIT.
enum HistoryTable {
  /// `reasons` adds a REASON column (`show`'s last runs): why a run ended as it did.
  static func render(_ runs: [Run], zone: ZoneRules, reasons: Bool = false) -> String {
    var table = Table(
      ["ID", "TASK", "VERSION", "TRIGGER", "STARTED", "DURATION", "STATUS", "EXIT"]
        + (reasons ? ["REASON"] : []))
    for r in runs {
      let reason = r.reason.isEmpty ? "-" : r.reason.replacingOccurrences(of: "\n", with: " ")
      table.add(
        [
          String(r.id), r.task.rawValue, r.version, r.trigger.rawValue,
          r.startedAt.map { Times.short(epochMs: $0, zone: zone) } ?? "-",
          r.durationMs.map { Durations.format(milliseconds: $0) } ?? "-", r.status.rawValue, exitCell(r),
        ] + (reasons ? [reason] : []))
    }
    table.style = { _, column, text in column == 6 ? Render.statusStyle(text) : nil }
    return table.render()
  }

  static func exitCell(_ r: Run) -> String {
    if let signal = r.signal { return "sig \(signal)" }
    return r.exitCode.map(String.init) ?? "-"
  }
}
