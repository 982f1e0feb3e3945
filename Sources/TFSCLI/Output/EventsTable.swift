import Foundation
import TFSCore
import TFSStore

/// The events table of `events` and `status`: ID, AT, TYPE, TASK, ACTOR, DELIVERY, TITLE.
enum EventsTable {
  enum Columns { case full, short }

  static func render(
    _ events: [Event], zone: ZoneRules, columns: Columns = .full, deliveries: [Int64: [DeliveryInfo]] = [:]
  ) -> String {
    var table = Table(
      columns == .full
        ? ["ID", "AT", "TYPE", "TASK", "ACTOR", "DELIVERY", "TITLE"] : ["ID", "AT", "TYPE", "TASK", "TITLE"])
    for e in events { table.add(cells(e, zone: zone, columns: columns, deliveries: deliveries[e.id] ?? [])) }
    table.style = { _, column, text in column == 2 ? style(text) : nil }
    return table.render()
  }

  /// The fixed widths of `events -f`, where rows arrive one by one and cannot be aligned with
  /// later ones: ID, AT, TYPE, TASK (the longest task name now, at least 12), ACTOR, DELIVERY
  /// (wider cells push the line, never cut it); the title last.
  struct Widths {
    var task: Int
    static let fixed = (id: 6, at: 19, type: 14, actor: 8, delivery: 20)

    func header() -> String {
      row(["ID", "AT", "TYPE", "TASK", "ACTOR", "DELIVERY", "TITLE"], styled: nil)
    }

    func line(_ e: Event, zone: ZoneRules, deliveries: [DeliveryInfo]) -> String {
      let cells = EventsTable.cells(e, zone: zone, columns: .full, deliveries: deliveries)
      return row(cells, styled: EventsTable.style(e.type))
    }

    private func row(_ cells: [String], styled: Terminal.Style?) -> String {
      let f = Widths.fixed
      let widths = [f.id, f.at, f.type, task, f.actor, f.delivery]
      var out = ""
      for (i, cell) in cells.enumerated() {
        guard i < widths.count else {
          out += cell
          break
        }
        let padded =
          cell + String(repeating: " ", count: max(0, widths[i] - cell.unicodeScalars.count)) + "  "
        out += i == 2 ? (styled.map { Terminal.paint(padded, $0) } ?? padded) : padded
      }
      return out
    }
  }

  static func cells(_ e: Event, zone: ZoneRules, columns: Columns, deliveries: [DeliveryInfo] = [])
    -> [String]
  {
    let head = [String(e.id), Times.short(epochMs: e.at, zone: zone), e.type, e.task ?? "-"]
    return columns == .full ? head + [e.actor, delivery(e, deliveries), title(e)] : head + [title(e)]
  }

  /// The title, with a `modified` event's changes as people read them:
  /// `task 'a' modified: rule 0 */5 * * * * → 0 */10 * * * *; timeout 10m → (none)`.
  static func title(_ e: Event) -> String {
    guard e.type == EventType.modified.rawValue,
      let object = try? JSONSerialization.jsonObject(with: Data(e.details.utf8)) as? [String: Any],
      let changes = object["changes"] as? [[String: String]], !changes.isEmpty
    else { return e.title }
    let shown = changes.map { change in
      let old = change["old"].flatMap { $0.isEmpty ? nil : $0 } ?? "(none)"
      let new = change["new"].flatMap { $0.isEmpty ? nil : $0 } ?? "(none)"
      return "\(change["field"] ?? "?") \(old) → \(new)".replacingOccurrences(of: "\n", with: "\\n")
    }
    return e.title + ": " + shown.joined(separator: "; ")
  }

  /// `slack:delivered mail:pending(2)`: each channel's state (with attempts while not
  /// delivered), or the event's own (`none`, `suppressed`) when no channel took it.
  static func delivery(_ e: Event, _ deliveries: [DeliveryInfo]) -> String {
    guard !deliveries.isEmpty else { return e.delivery }
    return deliveries.map { d in
      let tries = d.state != "delivered" && d.attempts > 0 ? "(\(d.attempts))" : ""
      return "\(d.channel):\(d.state)\(tries)"
    }.joined(separator: " ")
  }

  static func style(_ type: String) -> Terminal.Style? {
    switch type {
    case "failed", "timeout", "entry-missing", "system-error", "missed": .red
    case "killed", "overlap": .yellow
    case "recovered", "daemon-started": .green
    default: nil
    }
  }
}
