#!/usr/bin/env bash
# Makes v1.db: a database as tfs with only migration "v1" left it, with a few rows in every
# table, for StoreMigrationTests. The schema below is a copy of Schema.v1 (shipped migrations
# are never edited, so it stays valid); the test checks that it matches what Schema.v1 creates.
# Run it from anywhere: ./make-v1-fixture.sh  (needs the sqlite3 CLI)
set -euo pipefail
cd "$(dirname "$0")"
rm -f v1.db v1.db-wal v1.db-shm
sqlite3 v1.db >/dev/null <<'SQL'
PRAGMA journal_mode = WAL;
CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
INSERT INTO grdb_migrations VALUES ('v1');

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

CREATE TABLE setting (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE daemon (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  version TEXT NOT NULL,
  stopped_at INTEGER
);

-- 2024-01-05T12:00:00Z = 1704456000000 ms
INSERT INTO task (name, rule, command, entry, title, owners, time_zone, timeout_ms, on_timeout,
  overlap, catch_up, retries, retry_delay_ms, jitter_ms, environment, enabled, created_at,
  updated_at, last_run_id, last_status, last_run_at)
VALUES
  ('demo/node', '0 */5 * * * *', 'node', 'index.js', 'Demo', 'ops@example.com', 'Europe/London',
   90000, 'kill', 'skip', 'none', 2, 10000, 0, '{"MODE":"fixture"}', 1, 1704456000000,
   1704456000000, 2, 'failed', 1704456301000),
  ('backup', '@daily', 'sh', 'run.sh', '', '', NULL, NULL, 'alert', 'queue', 'once', 0, 10000,
   5000, '{}', 0, 1704456000000, 1704456000000, NULL, NULL, NULL);

INSERT INTO run (task, version, trigger, status, scheduled_at, queued_at, started_at, ended_at,
  exit_code, log_path, log_bytes, published)
VALUES
  ('demo/node', '202401/05/120000', 'schedule', 'succeeded', 1704456000000, 1704456000000,
   1704456000010, 1704456001000, 0, 'logs/202401/05/120000.log', 12,
   '[{"path":"out.txt","size":3}]'),
  ('demo/node', '202401/05/120500', 'schedule', 'failed', 1704456300000, 1704456300000,
   1704456300010, 1704456301000, 3, 'logs/202401/05/120500.log', 40, '[]'),
  ('demo/node', '202401/05/121000', 'schedule', 'missed', 1704456600000, 1704456600000,
   NULL, NULL, NULL, NULL, 0, '[]');

INSERT INTO event (at, type, task, actor, title, details, delivery)
VALUES (1704456000000, 'added', 'demo/node', 'fixture', 'task ''demo/node'' added', '{}', 'none');

INSERT INTO setting (key, value) VALUES ('retention', '7d');
SQL
sqlite3 v1.db 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
rm -f v1.db-wal v1.db-shm
echo "wrote v1.db"
