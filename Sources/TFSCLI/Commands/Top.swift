import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Top: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "top",
    abstract: "A live view: running runs against their usual duration, next runs, failures, alerts.",
    discussion: """
      Full screen, refreshed every second: the running runs (elapsed against the median of the \\
      task's recent successful runs), the next runs, the failing tasks, recent alerts and the \\
      alert channels. Keys: q quits; / types a filter on task names (Enter keeps it, Esc \\
      clears it); j and k or the arrows scroll, space and b by a page, g and G to the ends. \\
      The terminal is given back as it was on q, Ctrl-C and SIGTERM. When stdout is not a \\
      terminal the view is printed plainly once a second (--count stops after N). 'tfs status \\
      --watch' is the same.
      """)

  @OptionGroup var global: GlobalOptions
  @Option(parsing: .unconditional, help: ArgumentHelp("Stop after N refreshes.", valueName: "n"))
  var count: String?

  func run() async throws {
    try await runCLI {
      let n = try count.map { text in
        guard let n = Int(text), n >= 1 else {
          throw ValidationError("invalid --count '\(text)'; use a whole number ≥ 1")
        }
        return n
      }
      try await Top.watch(context: try Context(global, create: false), count: n)
    }
  }

  /// The live view on a terminal, else the plain periodic one.
  static func watch(context: Context, count: Int?) async throws {
    guard let terminal = RawTerminal() else {
      try await plain(context: context, count: count)
      return
    }
    defer { terminal.restore() }
    var screen = try TopScreen(context: context, terminal: terminal)
    try screen.run(count: count)
  }

  /// Every second, the whole view as text (no escapes), frames apart by a blank line.
  static func plain(context: Context, count: Int?) async throws {
    let zone = context.localZone
    var frames = 0
    while count.map({ frames < $0 }) ?? true {
      if frames > 0 { try await Task.sleep(for: .seconds(1)) }
      let m = try model(context)
      let r = m.report
      let head =
        "tfs top  \(r.home)  daemon \(StatusView.daemonCell(r, zone: zone))  \(Times.short(epochMs: r.nowMs, zone: zone))"
      Terminal.out(([head, ""] + TopView.sections(m, zone: zone)).joined(separator: "\n") + "\n")
      frames += 1
    }
  }

  /// What the view shows now.
  static func model(_ context: Context) throws -> TopModel {
    let store = context.store
    let now = context.now
    let report = try Status.report(context, nowMs: now, alerts: 10)
    var usual: [RunID: Int64] = [:]
    for run in report.live {
      let durations = try store.runs(RunFilter(task: run.task.rawValue, status: .succeeded, limit: 20))
        .compactMap(\.durationMs).sorted()
      if !durations.isEmpty { usual[run.id] = durations[durations.count / 2] }
    }
    return TopModel(
      report: report, upcoming: try Next.upcoming(context: context, after: now / 1000, all: false),
      usualMs: usual)
  }
}

/// The interactive view: a frame a second, keys in between.
struct TopScreen {
  let context: Context
  let terminal: RawTerminal
  var state: TopModel

  init(context: Context, terminal: RawTerminal) throws {
    self.context = context
    self.terminal = terminal
    state = try Top.model(context)
  }

  /// Draws `count` refreshes (the model `init` read is the first), or until `q`.
  mutating func run(count: Int?) throws {
    var frames = 1
    var due = Date().addingTimeInterval(1)
    while true {
      draw()
      if let count, frames >= count { return }
      let wait = Int32(max(0, due.timeIntervalSinceNow * 1000))
      for key in terminal.keys(timeoutMs: wait) where !handle(key) { return }
      _ = terminal.takeResize()  // the next draw reads the size again
      if Date() >= due {
        let fresh = try Top.model(context)
        state.report = fresh.report
        state.upcoming = fresh.upcoming
        state.usualMs = fresh.usualMs
        due = Date().addingTimeInterval(1)
        frames += 1
      }
    }
  }

  func draw() {
    let size = terminal.size
    terminal.draw(
      TopView.lines(state, rows: size.rows, cols: size.cols, zone: context.localZone, interactive: true))
  }

  /// Applies a key; false to quit.
  mutating func handle(_ key: [UInt8]) -> Bool {
    let rows = terminal.size.rows
    if state.editing {
      switch key {
      case [13], [10]: state.editing = false
      case [27]:
        state.editing = false
        state.filter = ""
      case [127], [8]: if !state.filter.isEmpty { state.filter.removeLast() }
      default:
        if let text = String(bytes: key, encoding: .utf8),
          text.allSatisfy({ !$0.isNewline && $0.isASCII && !$0.isWhitespace || $0 == "/" })
        {
          state.filter += text
        }
      }
      state.offset = 0
      return true
    }
    let last = TopView.maxOffset(state, rows: rows, zone: context.localZone, interactive: true)
    switch key {
    case [UInt8(ascii: "q")], [UInt8(ascii: "Q")], [3]: return false
    case [UInt8(ascii: "/")]:
      state.editing = true
      state.filter = ""
    case [27]: state.filter = ""
    case [UInt8(ascii: "j")], [27, 91, 66]: state.offset = min(last, state.offset + 1)
    case [UInt8(ascii: "k")], [27, 91, 65]: state.offset = max(0, state.offset - 1)
    case [UInt8(ascii: " ")], [27, 91, 54, 126]: state.offset = min(last, state.offset + max(1, rows - 4))
    case [UInt8(ascii: "b")], [27, 91, 53, 126]: state.offset = max(0, state.offset - max(1, rows - 4))
    case [UInt8(ascii: "g")]: state.offset = 0
    case [UInt8(ascii: "G")]: state.offset = last
    default: break
    }
    return true
  }
}
