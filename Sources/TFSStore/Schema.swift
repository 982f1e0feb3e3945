import Foundation
import GRDB
import TFSCore

/// Append-only migrations: a shipped migration is never edited; changes are new migrations.
enum Schema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1", migrate: v1)
    migrator.registerMigration("v2", migrate: v2)
    migrator.registerMigration("v3", migrate: v3)
    migrator.registerMigration("v4", migrate: v4)
    migrator.registerMigration("v5", migrate: v5)
    migrator.registerMigration("v6", migrate: v6)
    migrator.registerMigration("v7", migrate: v7)
    return migrator
  }

  /// The first schema: tasks, runs, events, settings and the daemon's row, one table (with its
  /// indexes) at a time.
  private static func v1(_ db: Database) throws {
    try db.execute(sql: v1Task)
    try db.execute(sql: v1Run)
    try db.execute(sql: v1Event)
    try db.execute(sql: v1Setting)
    try db.execute(sql: v1Daemon)
  }

  /// The task table: each task's definition and a copy of its last run's outcome.
  private static let v1Task = """
    CREATE TABLE task (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      rule TEXT NOT NULL,
      command TEXT NOT NULL,
      entry TEXT NOT NULL,
      title TEXT NOT NULL DEFAULT '',
      description TEXT NOT NULL DEFAULT '',
      owners TEXT NOT NULL DEFAULT '',
      time_zone TEXT,
      timeout_ms INTEGER CHECK (timeout_ms > 0),
      on_timeout TEXT NOT NULL CHECK (on_timeout IN ('kill', 'alert')),
      overlap TEXT NOT NULL CHECK (overlap IN ('skip', 'queue', 'replace', 'allow')),
      catch_up TEXT NOT NULL CHECK (catch_up IN ('none', 'once', 'all')),
      catch_up_window_ms INTEGER CHECK (catch_up_window_ms > 0),
      retries INTEGER NOT NULL CHECK (retries >= 0),
      retry_delay_ms INTEGER NOT NULL CHECK (retry_delay_ms >= 0),
      jitter_ms INTEGER NOT NULL CHECK (jitter_ms >= 0),
      environment TEXT NOT NULL DEFAULT '{}',
      workdir TEXT,
      enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      last_run_id INTEGER,
      last_status TEXT,
      last_run_at INTEGER
    );
    """

  /// One row per run (an occurrence, a manual start, a retry or a catch-up) and its indexes.
  private static let v1Run = """
    CREATE TABLE run (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      task TEXT NOT NULL,
      version TEXT NOT NULL,
      trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'retry', 'catch-up')),
      status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed',
        'killed', 'timed-out', 'lost', 'skipped', 'missed')),
      scheduled_at INTEGER,
      queued_at INTEGER NOT NULL,
      started_at INTEGER,
      ended_at INTEGER,
      exit_code INTEGER,
      signal INTEGER,
      pid INTEGER,
      process_start INTEGER,
      attempt INTEGER NOT NULL DEFAULT 0,
      stderr_head TEXT NOT NULL DEFAULT '',
      reason TEXT NOT NULL DEFAULT '',
      log_path TEXT,
      log_bytes INTEGER NOT NULL DEFAULT 0,
      published TEXT NOT NULL DEFAULT '[]',
      actor TEXT,
      force INTEGER NOT NULL DEFAULT 0,
      kill_requested_at INTEGER,
      kill_signal INTEGER,
      kill_actor TEXT,
      executor_pid INTEGER,
      UNIQUE (task, version),
      CHECK (status NOT IN ('succeeded', 'failed', 'killed', 'timed-out', 'lost')
             OR ended_at IS NOT NULL)
    );
    CREATE INDEX run_by_task ON run(task, id);
    CREATE INDEX run_live ON run(status, id) WHERE status IN ('queued', 'running');
    CREATE INDEX run_by_queued_at ON run(queued_at);
    """

  /// The event log (alerts among them) and its indexes.
  private static let v1Event = """
    CREATE TABLE event (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      type TEXT NOT NULL,
      task TEXT,
      run_id INTEGER,
      actor TEXT NOT NULL,
      title TEXT NOT NULL,
      details TEXT NOT NULL DEFAULT '{}',
      delivery TEXT NOT NULL DEFAULT 'none'
        CHECK (delivery IN ('none', 'pending', 'delivered', 'failed', 'suppressed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER
    );
    CREATE INDEX event_by_task ON event(task, id);
    CREATE INDEX event_by_type ON event(type, id);
    CREATE INDEX event_pending ON event(next_attempt_at) WHERE delivery = 'pending';
    """

  /// Stored settings, by key.
  private static let v1Setting = """
    CREATE TABLE setting (
      key TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL
    ) WITHOUT ROWID;
    """

  /// The one row of the daemon running (or last run) on the home.
  private static let v1Daemon = """
    CREATE TABLE daemon (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      pid INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      heartbeat_at INTEGER NOT NULL,
      version TEXT NOT NULL,
      stopped_at INTEGER
    );
    """

  /// Indexes for the read commands (`history --status/--exit-code`, `history/events --since`,
  /// `status`), found by `EXPLAIN QUERY PLAN` on a home with 1,000,000 runs
  /// (scripts/bench-read.sh). The partial ones cost the daemon a write only for failures.
  private static func v2(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE INDEX run_by_status ON run(status, id);
        CREATE INDEX run_by_failed_exit ON run(exit_code, id) WHERE exit_code != 0;
        CREATE INDEX event_by_at ON event(at);
        CREATE INDEX task_failing ON task(name) WHERE last_status IN ('failed', 'timed-out', 'lost');
        """)
  }

  /// Alert delivery (SPEC §7): channels, one delivery row per (alert, channel) — the outbox the
  /// worker claims from — and each task's alert policy and state. The unused settings
  /// `notify-command`, `webhook-url` and `mail-command` become channels.
  private static func v3(_ db: Database) throws {
    try db.execute(
      sql: """
        ALTER TABLE task ADD COLUMN alert_after INTEGER NOT NULL DEFAULT 1 CHECK (alert_after >= 1);
        ALTER TABLE task ADD COLUMN realert_ms INTEGER CHECK (realert_ms > 0);
        ALTER TABLE task ADD COLUMN alert_on TEXT;
        ALTER TABLE task ADD COLUMN fail_streak INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE task ADD COLUMN failing_since INTEGER;
        ALTER TABLE task ADD COLUMN alerted_at INTEGER;
        ALTER TABLE task ADD COLUMN realerted_at INTEGER;
        CREATE INDEX task_realert ON task(name) WHERE alerted_at IS NOT NULL AND realert_ms IS NOT NULL;

        CREATE TABLE channel (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL CHECK (kind IN ('command', 'webhook', 'email')),
          target TEXT NOT NULL,
          on_types TEXT NOT NULL,
          tasks TEXT,
          created_at INTEGER NOT NULL,
          failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
          last_error TEXT NOT NULL DEFAULT '',
          last_attempt_at INTEGER,
          last_success_at INTEGER
        );

        CREATE TABLE delivery (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
          channel TEXT NOT NULL,
          task TEXT,
          type TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'suppressed')),
          created_at INTEGER NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
          next_attempt_at INTEGER,
          last_error TEXT NOT NULL DEFAULT '',
          folded INTEGER NOT NULL DEFAULT 0 CHECK (folded >= 0),
          delivered_at INTEGER,
          digest_id INTEGER,
          claimed_by TEXT,
          claimed_until INTEGER,
          UNIQUE (event_id, channel),
          CHECK (state != 'pending' OR next_attempt_at IS NOT NULL),
          CHECK (state != 'delivered' OR delivered_at IS NOT NULL)
        );
        CREATE INDEX delivery_due ON delivery(next_attempt_at) WHERE state = 'pending';
        CREATE INDEX delivery_pending ON delivery(channel) WHERE state = 'pending';
        CREATE INDEX delivery_dedup ON delivery(channel, task, type, id);
        CREATE INDEX delivery_sent ON delivery(channel, delivered_at) WHERE delivered_at IS NOT NULL;
        """)
    try migrateAlertSettings(db)
  }

  /// The v1 settings `notify-command`, `webhook-url` and `mail-command` as channels named
  /// `notify-command`, `webhook` and `mail` (with the default alert types).
  private static func migrateAlertSettings(_ db: Database) throws {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let old = try Dictionary(
      Row.fetchAll(
        db,
        sql: "SELECT key, value FROM setting WHERE key IN ('notify-command', 'webhook-url', 'mail-command')"
      ).map { ($0["key"] as String, $0["value"] as String) }, uniquingKeysWith: { a, _ in a })
    var channels: [Channel] = []
    if let command = old["notify-command"], !command.isEmpty {
      channels.append(Channel(name: "notify-command", target: .command(command)))
    }
    if let url = old["webhook-url"], !url.isEmpty {
      channels.append(Channel(name: "webhook", target: .webhook(url: url, preset: .generic, headers: [])))
    }
    if let command = old["mail-command"], !command.isEmpty {
      channels.append(Channel(name: "mail", target: .email(addresses: [], via: .sendmail(command))))
    }
    for c in channels {
      try db.execute(
        sql: "INSERT INTO channel (name, kind, target, on_types, created_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [c.name, c.kind, Store.encodeTarget(c.target), AlertTypes.text(c.on), now])
    }
    try db.execute(sql: "DELETE FROM setting WHERE key IN ('notify-command', 'webhook-url', 'mail-command')")
  }

  /// When each task was last enabled (added enabled, or `enable`d): the daemon counts missed
  /// occurrences from there, so a `modify` while no daemon runs no longer hides them. Runs by
  /// occurrence: which occurrences of a window have a record (after a store outage). The daemon
  /// row keeps when firing stopped (SIGTERM) apart from when the daemon exited (`stopped_at`).
  private static func v4(_ db: Database) throws {
    try db.execute(
      sql: """
        ALTER TABLE task ADD COLUMN enabled_at INTEGER;
        UPDATE task SET enabled_at = CASE WHEN enabled = 1 THEN created_at ELSE NULL END;
        CREATE INDEX run_by_occurrence ON run(task, scheduled_at);
        ALTER TABLE daemon ADD COLUMN fired_until INTEGER;
        UPDATE daemon SET fired_until = stopped_at;
        """)
  }

  /// One scheduled run per task and occurrence, kept by the schema: the store is the record of
  /// which occurrences were handled (a daemon starting after another, or after a store outage,
  /// records the others missed; daemons sharing a store cannot both run one). Duplicates an
  /// earlier version may have left are resolved first: a `missed` or `skipped` row beside
  /// another row of its occurrence was wrong and goes; of two runs that both started (never
  /// made by this daemon), the later keeps its record but no longer claims the occurrence.
  private static func v5(_ db: Database) throws {
    try db.execute(
      sql: """
        DELETE FROM run WHERE trigger = 'schedule' AND status IN ('missed', 'skipped') AND EXISTS (
          SELECT 1 FROM run AS other WHERE other.task = run.task AND other.scheduled_at = run.scheduled_at
            AND other.trigger = 'schedule' AND other.id != run.id
            AND (other.status NOT IN ('missed', 'skipped') OR other.id < run.id));
        UPDATE run SET scheduled_at = NULL WHERE trigger = 'schedule' AND EXISTS (
          SELECT 1 FROM run AS other WHERE other.task = run.task AND other.scheduled_at = run.scheduled_at
            AND other.trigger = 'schedule' AND other.id < run.id);
        CREATE UNIQUE INDEX run_occurrence ON run(task, scheduled_at) WHERE trigger = 'schedule';
        """)
  }

  /// Per-task retention (`--keep N`, `--keep-for DUR`; NULL: the setting `retention`) and the
  /// account a task runs as (`--user`, a system crontab's user column; NULL: the daemon's).
  private static func v6(_ db: Database) throws {
    try db.execute(
      sql: """
        ALTER TABLE task ADD COLUMN keep_runs INTEGER CHECK (keep_runs >= 1);
        ALTER TABLE task ADD COLUMN keep_for_ms INTEGER CHECK (keep_for_ms > 0);
        ALTER TABLE task ADD COLUMN run_as TEXT CHECK (run_as != '');
        """)
  }

  /// A cluster's placement of a task (`--on-node`, `--on-label`; NULL: any node) and whether a
  /// run lost with its node is run again (`--rerun-lost`). A home's single daemon ignores them.
  private static func v7(_ db: Database) throws {
    try db.execute(
      sql: """
        ALTER TABLE task ADD COLUMN on_node TEXT CHECK (on_node != '');
        ALTER TABLE task ADD COLUMN on_label TEXT CHECK (on_label != '');
        ALTER TABLE task ADD COLUMN rerun_lost INTEGER NOT NULL DEFAULT 0 CHECK (rerun_lost IN (0, 1));
        """)
  }
}
