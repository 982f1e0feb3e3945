import TFSCore
import TFSStore

/// What `tfs status` reports, gathered once so rendering stays pure.
struct StatusReport {
  /// A daemon is *up* when it holds the lock and its heartbeat is younger than this (SPEC §6).
  static let heartbeatLimitMs: Int64 = 10_000

  var home: String
  var nowMs: Int64
  /// The pid holding `daemon.lock` (`DaemonLock.holder`), nil when no daemon holds it.
  var lockPid: Int32?
  /// The `daemon` row, if a daemon ever started in this home.
  var daemon: Daemon?
  /// Live runs (running and queued), oldest first.
  var live: [Run]
  var failing: [FailingTask]
  var alerts: [Event]
  /// Alert channels with their health (a failing one fails `--check`).
  var channels: [ChannelRecord] = []
  /// On a cluster: its nodes (the cluster is up while one of them holds its lease).
  var nodes: [NodeStatus]? = nil

  /// Nodes renewing their lease (younger than the lease).
  var liveNodes: [NodeStatus] {
    (nodes ?? []).filter { $0.state == "live" && $0.leaseAgeMs < StatusReport.heartbeatLimitMs }
  }

  enum DaemonState: String { case up, down, stale }

  /// The daemon's row as last written (`DaemonInfo`).
  struct Daemon {
    var pid: Int32
    var startedAt: Int64
    var heartbeatAt: Int64
    var version: String
    var stoppedAt: Int64?

    init(pid: Int32, startedAt: Int64, heartbeatAt: Int64, version: String, stoppedAt: Int64? = nil) {
      self.pid = pid
      self.startedAt = startedAt
      self.heartbeatAt = heartbeatAt
      self.version = version
      self.stoppedAt = stoppedAt
    }

    init(_ info: DaemonInfo) {
      self.init(
        pid: info.pid, startedAt: info.startedAt, heartbeatAt: info.heartbeatAt, version: info.version,
        stoppedAt: info.stoppedAt)
    }
  }

  var heartbeatAgeMs: Int64? { daemon.map { nowMs - $0.heartbeatAt } }

  var state: DaemonState {
    if nodes != nil { return liveNodes.isEmpty ? .down : .up }
    guard let lockPid else { return .down }
    guard let daemon, daemon.stoppedAt == nil, daemon.pid == lockPid || lockPid < 0,
      let age = heartbeatAgeMs, age < StatusReport.heartbeatLimitMs
    else { return .stale }
    return .up
  }

  /// Why `status --check` fails; empty when the daemon is up and no task is failing.
  var problems: [String] {
    var out: [String] = []
    switch state {
    case .up: break
    case .down where nodes != nil:
      out.append("no node of the cluster '\(home)' is live; start one with 'tfs daemon --database URL'")
    case .down: out.append("no daemon is running for \(home); start one with 'tfs daemon'")
    case .stale:
      let age = heartbeatAgeMs.map { "for \(Durations.format(milliseconds: max(0, $0)))" } ?? "yet"
      out.append("the daemon (pid \(lockPid ?? 0)) holds the lock but has sent no heartbeat \(age)")
    }
    // A disabled task is someone's decision, not an emergency: shown, but it passes --check.
    let failing = failing.filter(\.enabled)
    if !failing.isEmpty {
      let shown = failing.prefix(5).map { "\($0.name) (\($0.status.rawValue))" }
      let more = failing.count > 5 ? ", …" : ""
      let noun = failing.count == 1 ? "task" : "tasks"
      out.append("\(failing.count) \(noun) failing: " + shown.joined(separator: ", ") + more)
    }
    for c in channels where c.isFailing {
      out.append(
        "alert channel '\(c.channel.name)' failing: \(c.failures) failed attempts in a row (\(c.lastError))")
    }
    return out
  }
}

/// `tfs status` as text and JSON. Pure, so tests compare exact strings.
enum StatusView {
  /// Failing tasks listed in the text output; JSON lists them all.
  static let failingShown = 20

  static func text(_ r: StatusReport, zone: ZoneRules) -> String {
    let running = r.live.filter { $0.status == .running }
    let daemon = daemonCell(r, zone: zone)
    let word = String(daemon.prefix(while: { $0 != " " }))
    let summary =
      [
        (
          "daemon",
          Render.statusStyle(word).map { Terminal.paint(word, $0) + daemon.dropFirst(word.count) }
            ?? daemon
        ),
        ("running", String(running.count)), ("queued", String(r.live.count - running.count)),
        ("failing", String(r.failing.count)),
      ] + channelSummary(r)
    var lines = summary.map { $0.0 + String(repeating: " ", count: 9 - $0.0.count) + $0.1 }
    if !r.live.isEmpty {
      var table = Table(["ID", "TASK", "VERSION", "STATUS", "STARTED", "ELAPSED", "PID"])
      for run in r.live {
        table.add([
          String(run.id), run.task.rawValue, run.version, run.status.rawValue,
          run.startedAt.map { Times.short(epochMs: $0, zone: zone) } ?? "-",
          run.startedAt.map { Durations.format(milliseconds: max(0, r.nowMs - $0)) } ?? "-",
          run.pid.map(String.init) ?? "-",
        ])
      }
      table.style = { _, column, text in column == 3 ? Render.statusStyle(text) : nil }
      lines += ["", "RUNNING", table.render()]
    }
    if !r.failing.isEmpty {
      var table = Table(["TASK", "STATUS", "ENDED", "RUN", "STATE"])
      for f in r.failing.prefix(StatusView.failingShown) {
        table.add([
          f.name, f.status.rawValue, f.at.map { Times.short(epochMs: $0, zone: zone) } ?? "-",
          f.runID.map(String.init) ?? "-", f.enabled ? "enabled" : "disabled",
        ])
      }
      table.style = { _, column, text in column == 1 ? Render.statusStyle(text) : nil }
      lines += ["", "FAILING", table.render()]
      if r.failing.count > StatusView.failingShown {
        lines.append(
          "… and \(r.failing.count - StatusView.failingShown) more ('tfs status --json' lists them all)")
      }
    }
    let failingChannels = r.channels.filter(\.isFailing)
    if !failingChannels.isEmpty {
      var table = Table(["CHANNEL", "KIND", "FAILURES", "PENDING", "LAST ERROR"])
      for c in failingChannels {
        table.add([c.channel.name, c.channel.kind, String(c.failures), String(c.pending), c.lastError])
      }
      table.style = { _, column, _ in column == 0 ? .red : nil }
      lines += ["", "FAILING CHANNELS", table.render()]
    }
    if !r.alerts.isEmpty {
      lines += ["", "RECENT ALERTS", EventsTable.render(r.alerts, zone: zone, columns: .short)]
    }
    return lines.joined(separator: "\n")
  }

  /// `channels 3 (1 failing, 4 pending)`; with none, a hint that alerts reach nobody.
  static func channelSummary(_ r: StatusReport) -> [(String, String)] {
    guard !r.channels.isEmpty else {
      return [("channels", "none: alerts are recorded, not sent ('tfs channel add')")]
    }
    let failing = r.channels.filter(\.isFailing).count
    let pending = r.channels.map(\.pending).reduce(0, +)
    var notes: [String] = []
    if failing > 0 { notes.append("\(failing) failing") }
    if pending > 0 { notes.append("\(pending) pending") }
    return [
      (
        "channels",
        String(r.channels.count) + (notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")")
      )
    ]
  }

  static func daemonCell(_ r: StatusReport, zone: ZoneRules) -> String {
    if let nodes = r.nodes {
      let live = r.liveNodes.map(\.name)
      return live.isEmpty
        ? "down (no node live; \(nodes.count) known, see 'tfs nodes')"
        : "up (\(live.count) of \(nodes.count) nodes live: \(live.joined(separator: ", ")))"
    }
    let age = r.heartbeatAgeMs.map { "heartbeat \(Render.ago($0))" }
    switch r.state {
    case .up:
      let d = r.daemon
      let parts: [String?] = [
        "pid \(r.lockPid ?? d?.pid ?? 0)",
        d.map { "since \(Times.short(epochMs: $0.startedAt, zone: zone))" },
        age, d.map { "version \($0.version)" },
      ]
      return "up (" + parts.compactMap { $0 }.joined(separator: ", ") + ")"
    case .stale:
      return "down (pid \(r.lockPid ?? 0) holds the lock; " + (age ?? "no heartbeat yet") + ")"
    case .down:
      guard let d = r.daemon else { return "down (never started)" }
      let last =
        d.stoppedAt.map { "stopped \(Times.short(epochMs: $0, zone: zone))" }
        ?? "last heartbeat \(Times.short(epochMs: d.heartbeatAt, zone: zone))"
      return "down (pid \(d.pid) \(last))"
    }
  }

  static func json(_ r: StatusReport, zone: ZoneRules) -> JSONValue {
    let d = r.daemon
    let daemon: JSONValue = .object([
      ("state", .string(r.state.rawValue)), ("up", .bool(r.state == .up)),
      ("pid", .int(r.lockPid.flatMap { $0 > 0 ? $0 : nil } ?? d?.pid)),
      ("started_at", Render.iso(d?.startedAt, zone)), ("heartbeat_at", Render.iso(d?.heartbeatAt, zone)),
      ("heartbeat_age_ms", .int(r.heartbeatAgeMs)), ("version", .string(d?.version)),
      ("stopped_at", Render.iso(d?.stoppedAt, zone)),
    ])
    let runs = r.live.map { run -> JSONValue in
      guard case .object(var fields) = Render.run(run, zone: zone) else { return .null }
      fields.append(("elapsed_ms", .int(run.startedAt.map { max(0, r.nowMs - $0) })))
      return .object(fields)
    }
    let failing = r.failing.map { f -> JSONValue in
      .object([
        ("task", .string(f.name)), ("status", .string(f.status.rawValue)), ("run_id", .int(f.runID)),
        ("ended_at", Render.iso(f.at, zone)), ("enabled", .bool(f.enabled)),
      ])
    }
    return .object([
      ("ok", .bool(r.problems.isEmpty)), ("problems", .array(r.problems.map { .string($0) })),
      ("daemon", daemon), ("nodes", r.nodes.map { .array($0.map(Nodes.json)) } ?? .null),
      ("runs", .array(runs)), ("failing", .array(failing)),
      ("alerts", .array(r.alerts.map { Render.event($0, zone: zone) })),
      (
        "channels",
        .array(
          r.channels.map { c in
            .object([
              ("name", .string(c.channel.name)), ("kind", .string(c.channel.kind)),
              ("failing", .bool(c.isFailing)),
              ("failures", .int(c.failures)), ("pending", .int(c.pending)),
              ("last_error", .string(c.lastError.isEmpty ? nil : c.lastError)),
              ("last_success_at", Render.iso(c.lastSuccessAt, zone)),
            ])
          })
      ),
    ])
  }
}
