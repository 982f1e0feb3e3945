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

  /// One event as a line for `events -f`, where rows arrive one by one and cannot be aligned
  /// with later ones: the fixed-width cells first, the free text last.
  static func line(_ e: Event, zone: ZoneRules) -> String {
    let type = e.type.count < 14 ? e.type + String(repeating: " ", count: 14 - e.type.count) : e.type
    let styled = style(e.type).map { Terminal.paint(type, $0) } ?? type
    return [String(e.id), Times.short(epochMs: e.at, zone: zone), styled, e.task ?? "-", e.actor, e.title]
      .joined(separator: "  ")
  }

  static func cells(_ e: Event, zone: ZoneRules, columns: Columns, deliveries: [DeliveryInfo] = [])
    -> [String]
  {
    let head = [String(e.id), Times.short(epochMs: e.at, zone: zone), e.type, e.task ?? "-"]
    return columns == .full ? head + [e.actor, delivery(e, deliveries), e.title] : head + [e.title]
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
