import GRDB
import TFSCore

/// The daemon's row: who runs, since when, last heartbeat.
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
  public func daemonInfo() throws(StoreError) -> DaemonInfo? {
    try read { db in
      try Row.fetchOne(
        db,
        sql: "SELECT pid, started_at, heartbeat_at, version, stopped_at, fired_until FROM daemon WHERE id = 1"
      )
      .map { row in
        DaemonInfo(
          pid: row["pid"], startedAt: row["started_at"], heartbeatAt: row["heartbeat_at"],
          version: row["version"], stoppedAt: row["stopped_at"], firedUntil: row["fired_until"])
      }
    }
  }

  /// Claims the daemon row at start-up and records `daemon-started`.
  public func daemonStarted(pid: Int32, version: String, now: Int64, taskCount: Int) throws(StoreError) {
    try write { db in
      try db.execute(
        sql: """
          INSERT INTO daemon (id, pid, started_at, heartbeat_at, version, stopped_at, fired_until)
          VALUES (1, ?, ?, ?, ?, NULL, NULL)
          ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at,
            heartbeat_at = excluded.heartbeat_at, version = excluded.version, stopped_at = NULL,
            fired_until = NULL
          """, arguments: [pid, now, now, version])
      try Store.insertEvent(
        db,
        Event(
          at: now, type: EventType.daemonStarted.rawValue, actor: Actor.current(),
          title: "daemon started (pid \(pid), \(taskCount) tasks)",
          details: JSON.object(["pid": String(pid), "version": version, "tasks": String(taskCount)]),
          delivery: "pending"))
    }
  }

  public func heartbeat(pid: Int32, now: Int64) throws(StoreError) {
    try write { db in
      try db.execute(
        sql: "UPDATE daemon SET heartbeat_at = ? WHERE id = 1 AND pid = ?", arguments: [now, pid])
    }
  }

  /// A clean exit at `now`, having fired occurrences up to `firedUntil` (SIGTERM's arrival).
  public func daemonStopped(pid: Int32, now: Int64, firedUntil: Int64? = nil) throws(StoreError) {
    try write { db in
      try db.execute(
        sql: "UPDATE daemon SET stopped_at = ?, fired_until = ? WHERE id = 1 AND pid = ?",
        arguments: [now, firedUntil ?? now, pid])
    }
  }
}
