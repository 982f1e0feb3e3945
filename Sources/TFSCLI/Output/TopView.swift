import TFSCore
import TFSStore

/// What one frame of `tfs top` shows, gathered once so drawing stays pure.
struct TopModel {
  var report: StatusReport
  var upcoming: [Next.Upcoming]
  /// Per live run: the median duration of its task's recent successful runs.
  var usualMs: [RunID: Int64]
  /// Only tasks whose name contains it (empty: all).
  var filter = ""
  /// Body lines scrolled off the top.
  var offset = 0
  /// Typing a filter (after `/`).
  var editing = false
}

/// A frame of `tfs top` as lines of at most `cols` characters, exactly `rows` of them: a
/// fixed header, then the sections (running runs, next runs, failing tasks, alerts, channels)
/// scrolled by `offset`.
enum TopView {
  static func lines(_ m: TopModel, rows: Int, cols: Int, zone: ZoneRules, interactive: Bool) -> [String] {
    let r = m.report
    let daemon = StatusView.daemonCell(r, zone: zone)
    var head = ["tfs top  \(r.home)  daemon \(daemon)  \(Times.short(epochMs: r.nowMs, zone: zone))"]
    if interactive {
      let filter =
        m.editing ? "filter: \(m.filter)_" : m.filter.isEmpty ? "" : "filter: \(m.filter)  (Esc clears)"
      head.append("q quit  / filter  j/k or arrows scroll  " + filter)
    }
    head.append("")
    let body = sections(m, zone: zone)
    let room = max(0, rows - head.count)
    let offset = min(max(0, m.offset), max(0, body.count - room))
    var out = head + body.dropFirst(offset).prefix(room)
    while out.count < rows { out.append("") }
    return out.prefix(rows).map { cut($0, cols) }
  }

  /// The largest useful scroll offset for `rows`.
  static func maxOffset(_ m: TopModel, rows: Int, zone: ZoneRules, interactive: Bool) -> Int {
    max(0, sections(m, zone: zone).count - (rows - (interactive ? 3 : 2)))
  }

  static func sections(_ m: TopModel, zone: ZoneRules) -> [String] {
    let r = m.report
    let keep = { (task: String) in m.filter.isEmpty || task.contains(m.filter) }
    var out: [String] = []
    out += running(m, keep: keep)
    out.append("")
    let next = m.upcoming.filter { keep($0.task.name.rawValue) && $0.next != nil }
    out.append("NEXT")
    if next.isEmpty {
      out.append("-")
    } else {
      var table = Table(["NEXT", "LEFT", "TASK", "LAST"])
      for row in next.prefix(20) {
        let at = row.next! * 1000
        table.add([
          Times.short(epochMs: at, zone: zone), Durations.format(milliseconds: max(0, at - r.nowMs)),
          row.task.name.rawValue,
          Render.lastRunCell(status: row.task.lastStatus, at: row.task.lastRunAt, nowMs: r.nowMs),
        ])
      }
      out += table.render().split(separator: "\n").map(String.init)
    }
    out.append("")
    let failing = r.failing.filter { keep($0.name) }
    out.append("FAILING (\(failing.count))")
    out +=
      failing.isEmpty
      ? ["-"]
      : failing.map { f in
        "\(f.name)  \(f.status.rawValue)  " + (f.at.map { Render.ago(r.nowMs - $0) } ?? "")
          + (f.enabled ? "" : "  (disabled)")
      }
    out.append("")
    let alerts = r.alerts.filter { keep($0.task ?? "") || m.filter.isEmpty }
    out.append("ALERTS")
    out +=
      alerts.isEmpty
      ? ["-"] : alerts.map { "\(Times.short(epochMs: $0.at, zone: zone))  \($0.type)  \($0.title)" }
    out.append("")
    out.append("CHANNELS")
    out +=
      r.channels.isEmpty
      ? ["none: alerts are recorded, not sent ('tfs channel add')"]
      : r.channels.map { c in
        "\(c.channel.name)  " + (c.isFailing ? "failing (\(c.failures) in a row: \(c.lastError))" : "ok")
          + (c.pending > 0 ? "  \(c.pending) pending" : "")
      }
    return out
  }

  /// RUNNING: each live run, its elapsed time against the task's usual duration.
  static func running(_ m: TopModel, keep: (String) -> Bool) -> [String] {
    let r = m.report
    var out: [String] = []
    let live = r.live.filter { keep($0.task.rawValue) }
    out.append("RUNNING (\(live.count))")
    if live.isEmpty {
      out.append("-")
    } else {
      var table = Table(["ID", "TASK", "STATUS", "ELAPSED", "USUAL", "PROGRESS"])
      for run in live {
        let elapsed = run.startedAt.map { max(0, r.nowMs - $0) }
        let usual = m.usualMs[run.id]
        table.add([
          String(run.id), run.task.rawValue, run.status.rawValue,
          elapsed.map { Durations.format(milliseconds: $0) } ?? "-",
          usual.map { Durations.format(milliseconds: $0) } ?? "-", progress(elapsed, usual),
        ])
      }
      out += table.render().split(separator: "\n").map(String.init)
    }
    return out
  }

  /// `[#####-----] 50%` of the usual duration, or `+40% over` once past it.
  static func progress(_ elapsed: Int64?, _ usual: Int64?) -> String {
    guard let elapsed, let usual, usual > 0 else { return "-" }
    let ratio = Double(elapsed) / Double(usual)
    guard ratio <= 1 else { return "+\(Int(((ratio - 1) * 100).rounded()))% over" }
    let filled = Int((ratio * 10).rounded())
    return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 10 - filled) + "] "
      + "\(Int((ratio * 100).rounded()))%"
  }

  /// At most `cols` characters (Unicode scalars) of `line`.
  static func cut(_ line: String, _ cols: Int) -> String {
    line.unicodeScalars.count <= cols
      ? line : String(String.UnicodeScalarView(line.unicodeScalars.prefix(cols)))
  }
}
