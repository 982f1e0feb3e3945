import GRDB
import TFSCore

/// The daemon's row: who runs, since when, last heartbeat. On the cluster store, a node's row.
public struct DaemonInfo: Sendable, Equatable {
  public var pid: Int32
  public var startedAt: Int64
  public var heartbeatAt: Int64
  public var version: String
  /// When it exited cleanly.
  public var stoppedAt: Int64?
  /// When it stopped firing (SIGTERM): later occurrences are the next daemon's to record missed.
  public var firedUntil: Int64? = nil
}

extension Store {
  /// The home's daemon; on the cluster store, the node's this store writes as (its lease renewal
  /// is its heartbeat), nil for a command's store.
  public func daemonInfo() throws(StoreError) -> DaemonInfo? {
    if postgres != nil {
      guard let member else { return nil }
      return try sqlRead { db in
        try db.row(
          """
          SELECT pid, joined_at AS started_at, renewed_at AS heartbeat_at, version, stopped_at, fired_until
          FROM node WHERE name = ?
          """, [.text(member.name)]
        ).map(Store.daemonInfo)
      }
    }
    return try sqlRead { db in
      try db.row(
        "SELECT pid, started_at, heartbeat_at, version, stopped_at, fired_until FROM daemon WHERE id = 1", []
      ).map(Store.daemonInfo)
    }
  }

  private static func daemonInfo(_ row: SQLRow) -> DaemonInfo {
    DaemonInfo(
      pid: Int32(row.int("pid") ?? 0), startedAt: row.int("started_at") ?? 0,
      heartbeatAt: row.int("heartbeat_at") ?? 0, version: row.text("version") ?? "",
      stoppedAt: row.int("stopped_at"), firedUntil: row.int("fired_until"))
  }

  /// Claims the daemon row at start-up and records `daemon-started`. On the cluster store the
  /// node's row was written when it joined.
  public func daemonStarted(pid: Int32, version: String, now: Int64, taskCount: Int) throws(StoreError) {
    try sqlWrite { db in
      if let member {
        try db.execute(
          "UPDATE node SET stopped_at = NULL, fired_until = NULL WHERE name = ?", [.text(member.name)])
      } else {
        try db.execute(
          """
          INSERT INTO daemon (id, pid, started_at, heartbeat_at, version, stopped_at, fired_until)
          VALUES (1, ?, ?, ?, ?, NULL, NULL)
          ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at,
            heartbeat_at = excluded.heartbeat_at, version = excluded.version, stopped_at = NULL,
            fired_until = NULL
          """, [.int(Int64(pid)), .int(now), .int(now), .text(version)])
      }
      var details = ["pid": String(pid), "version": version, "tasks": String(taskCount)]
      if let member { details["node"] = member.name }
      try Store.insertEvent(
        db,
        Event(
          at: now, type: EventType.daemonStarted.rawValue, actor: Actor.current(),
          title: "daemon started (pid \(pid), \(taskCount) tasks\(member.map { ", node \($0.name)" } ?? ""))",
          details: JSON.object(details), delivery: "pending"))
    }
  }

  /// The daemon's heartbeat, every second; on the cluster store the lease renewal is the node's.
  public func heartbeat(pid: Int32, now: Int64) throws(StoreError) {
    guard postgres == nil else { return }
    try write { db in
      try db.execute(
        sql: "UPDATE daemon SET heartbeat_at = ? WHERE id = 1 AND pid = ?", arguments: [now, pid])
    }
  }

  /// A clean exit at `now`, having fired occurrences up to `firedUntil` (SIGTERM's arrival).
  public func daemonStopped(pid: Int32, now: Int64, firedUntil: Int64? = nil) throws(StoreError) {
    try sqlWrite { db in
      if let member {
        try db.execute(
          "UPDATE node SET stopped_at = ?, fired_until = ? WHERE name = ?",
          [.int(now), .int(firedUntil ?? now), .text(member.name)])
        // Runs asked with `tfs run` that this node took but did not start go back to the
        // cluster: another node (or this one, back) starts them.
        try db.execute(
          """
          UPDATE run SET node = NULL, epoch = NULL
          WHERE node = ? AND status = 'queued' AND trigger = 'manual' AND executor_pid IS NULL
          """, [.text(member.name)])
      } else {
        try db.execute(
          "UPDATE daemon SET stopped_at = ?, fired_until = ? WHERE id = 1 AND pid = ?",
          [.int(now), .int(firedUntil ?? now), .int(Int64(pid))])
      }
    }
  }
}
