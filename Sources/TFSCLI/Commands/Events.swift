import ArgumentParser
import TFSCore
import TFSStore

struct Events: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "events",
    abstract: "List alerts and audit entries, newest first; -f follows new ones.",
    discussion: """
      Columns: ID, AT, TYPE, TASK, ACTOR, DELIVERY, TITLE. DELIVERY is each channel's state \
      (channel:pending|delivered|failed|suppressed, with attempts while not delivered), or none \
      (an audit entry, or no channel takes the alert) or suppressed (the task's alert policy). \
      With -f, like tail -f, the last 10 entries (or --limit N) are printed oldest first under a \
      header, then each new one as it is recorded, in the same columns, until interrupted; \
      --json then prints one object per line (JSON Lines).
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Only this task's events.", completion: Completions.taskNames) var name: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Only events of this type (\(Events.types)).", valueName: "type"),
    completion: Completions.eventTypes)
  var type: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Events at or after this time (ISO-8601, a date, or an age: 2h).", valueName: "time"))
  var since: String?
  @Option(
    parsing: .unconditional, help: ArgumentHelp("At most N events (default 50; 0 = all).", valueName: "n"))
  var limit: String?
  @Flag(name: [.customShort("f"), .long], help: "Keep printing new events until interrupted.")
  var follow = false
  @OptionGroup var output: JSONOption

  static let types = EventType.allCases.map(\.rawValue).joined(separator: ", ")
  static let pollNs: UInt64 = 200_000_000

  func run() async throws {
    try await runCLI {
      let name = try name.map(taskName)
      let zone = ZoneRules.forZone(.current)
      let filter = try self.filter(task: name, nowMs: try global.clock().nowMs(), zone: zone)
      let context = try Context(global, create: false)
      let store = context.store
      // Read before the query: an event recorded in between is then followed, not skipped.
      let newest = follow ? try store.lastEventID() : 0
      let events = try store.events(filter)
      guard follow else {
        let deliveries = try store.deliveries(of: events.map(\.id))
        if output.json {
          Terminal.out(
            JSONValue.array(events.map { Render.event($0, zone: zone, deliveries: deliveries[$0.id] ?? []) })
              .render())
        } else {
          Terminal.out(EventsTable.render(events, zone: zone, deliveries: deliveries))
        }
        return
      }
      var last = max(events.map(\.id).max() ?? 0, newest)
      var batch = Array(events.reversed())
      var next = filter
      next.limit = 1000
      let longest = try store.taskSummaries().map { $0.name.rawValue.count }.max() ?? 0
      let widths = EventsTable.Widths(task: max(12, longest))
      if !output.json { Terminal.out(widths.header()) }
      while true {
        let deliveries = try store.deliveries(of: batch.map(\.id))
        for e in batch {
          let d = deliveries[e.id] ?? []
          Terminal.out(
            output.json
              ? Render.event(e, zone: zone, deliveries: d).render()
              : widths.line(e, zone: zone, deliveries: d))
          last = max(last, e.id)
        }
        if batch.count < next.limit { try await Task.sleep(nanoseconds: Events.pollNs) }
        next.afterID = last
        batch = try store.events(next)
      }
    }
  }

  func filter(task: TaskName?, nowMs: Int64, zone: ZoneRules) throws -> EventFilter {
    var filter = EventFilter(task: task?.rawValue)
    filter.type = try type.map { try EventType.parse($0, flag: "--type").rawValue }
    filter.sinceMs = try since.map { try Times.parse($0, now: nowMs, zone: zone) }
    if let limit {
      guard let n = Int(limit), n >= 0 else {
        throw CLIError.usage("invalid --limit '\(limit)'; use a number of events (0 = all)")
      }
      filter.limit = n == 0 ? -1 : n
    } else if follow {
      filter.limit = 10  // like tail -f
    }
    return filter
  }
}
