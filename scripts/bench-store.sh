#!/usr/bin/env bash
# Times the read commands on a big home: 10,000 tasks (and optionally runs), target < 50 ms each.
#
#   scripts/bench-store.sh BIN [TASKS] [RUNS]      e.g. scripts/bench-store.sh .build/release/tfs
#   KEEP_HOME=/tmp/big scripts/bench-store.sh BIN  keeps the home for profiling
#
# The home is made with `tfs init`, then filled by one SQL script through the sqlite3 CLI (the
# columns are those of migration v1 in Sources/TFSStore/Schema.swift). Uses hyperfine when
# installed (apt-get install -y hyperfine), else a loop timed with `date +%s%N`. Prints a
# markdown table of median and p90 wall-clock milliseconds.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BIN [TASKS] [RUNS]" >&2; exit 64; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TASKS=${2:-10000}
RUNS=${3:-0}
ITERATIONS=${ITERATIONS:-30}
[ -x "$BIN" ] || { echo "bench-store: '$1' is not an executable" >&2; exit 64; }
command -v sqlite3 >/dev/null || { echo "bench-store: needs the sqlite3 CLI" >&2; exit 69; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tfs-bench-store.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# KEEP_HOME=DIR makes the home there and leaves it for profiling (DIR must not exist yet).
export TFS_HOME="${KEEP_HOME:-$WORK/home}" NO_COLOR=1
"$BIN" init >/dev/null

NOW_MS=$(( $(date +%s%N) / 1000000 ))
start=$(date +%s%N)
sqlite3 "$TFS_HOME/tfs.db" >/dev/null <<SQL
PRAGMA busy_timeout = 5000;
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $TASKS)
INSERT INTO task (name, rule, command, entry, title, description, owners, time_zone, timeout_ms,
  on_timeout, overlap, catch_up, catch_up_window_ms, retries, retry_delay_ms, jitter_ms,
  environment, workdir, enabled, created_at, updated_at)
SELECT printf('bench/g%02d/t%05d', i % 100, i),
  CASE i % 4
    WHEN 0 THEN printf('0 %d %d * * *', i % 60, i % 24)
    WHEN 1 THEN '*/30 * * * * *'
    WHEN 2 THEN '@hourly'
    ELSE '0 0 9 * * 1-5' END,
  'sh', 'run.sh', 'bench task ' || i, '', CASE WHEN i % 10 = 0 THEN 'ops@example.com' ELSE '' END,
  CASE i % 3 WHEN 0 THEN 'Europe/London' WHEN 1 THEN 'America/New_York' ELSE NULL END,
  CASE WHEN i % 5 = 0 THEN 60000 ELSE NULL END, 'kill', 'skip', 'none', NULL, i % 3, 10000, 0,
  '{"BENCH":"1"}', NULL, CASE WHEN i % 50 = 0 THEN 0 ELSE 1 END, $NOW_MS, $NOW_MS
FROM n;

-- Run j belongs to task j % TASKS; versions are one minute apart per task, ending before now.
WITH RECURSIVE r(j) AS (SELECT 0 WHERE $RUNS > 0 UNION ALL SELECT j + 1 FROM r WHERE j + 1 < $RUNS)
INSERT INTO run (task, version, trigger, status, scheduled_at, queued_at, started_at, ended_at,
  exit_code, log_path, log_bytes)
SELECT printf('bench/g%02d/t%05d', (j % $TASKS) % 100, j % $TASKS),
  strftime('%Y%m/%d/%H%M%S', ($NOW_MS / 1000) - 86400 + (j / $TASKS) * 60, 'unixepoch'),
  'schedule', CASE WHEN j % 17 = 0 THEN 'failed' ELSE 'succeeded' END,
  $NOW_MS - 86400000 + (j / $TASKS) * 60000, $NOW_MS - 86400000 + (j / $TASKS) * 60000,
  $NOW_MS - 86400000 + (j / $TASKS) * 60000 + 5, $NOW_MS - 86400000 + (j / $TASKS) * 60000 + 1200,
  CASE WHEN j % 17 = 0 THEN 1 ELSE 0 END,
  'logs/' || strftime('%Y%m/%d/%H%M%S', ($NOW_MS / 1000) - 86400 + (j / $TASKS) * 60, 'unixepoch') || '.log',
  120
FROM r;

UPDATE task SET (last_run_id, last_status, last_run_at) =
  (SELECT id, status, ended_at FROM run WHERE run.task = task.name ORDER BY id DESC LIMIT 1)
WHERE $RUNS > 0;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
fill_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sync  # the fresh database's write-back must not land inside the first command's timings
echo "home with $TASKS tasks and $RUNS runs made in ${fill_ms} ms ($(du -h "$TFS_HOME/tfs.db" | cut -f1) database)" >&2

SHOW=$(printf 'bench/g%02d/t%05d' $(( (TASKS / 2) % 100 )) $(( TASKS / 2 )))
COMMANDS=("list --json" "list" "show $SHOW" "show $SHOW --json")
# Sanity: each command works and list sees every task.
count=$("$BIN" list --json | grep -o '"name":' | wc -l)
[ "$count" -eq "$TASKS" ] || { echo "bench-store: list --json printed $count tasks, not $TASKS" >&2; exit 1; }
for c in "${COMMANDS[@]}"; do "$BIN" $c >/dev/null; done

# Prints "median p90" (ms) of the times (seconds, one per line) on stdin.
stats() {
  sort -g | awk '{ t[NR] = $1 * 1000 } END {
    m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
    p = int(NR * 0.9 + 0.999999); if (p < 1) p = 1
    printf "%.1f %.1f\n", m, t[p] }'
}

measure() {
  local cmd=$1
  if command -v hyperfine >/dev/null && command -v jq >/dev/null; then
    hyperfine -N --warmup 3 --runs "$ITERATIONS" --export-json "$WORK/h.json" "$BIN $cmd" >/dev/null 2>&1
    jq -r '.results[0].times[]' "$WORK/h.json" | stats
  else
    for _ in 1 2 3; do "$BIN" $cmd >/dev/null; done
    for _ in $(seq "$ITERATIONS"); do
      local t0 t1
      t0=$(date +%s%N); "$BIN" $cmd >/dev/null; t1=$(date +%s%N)
      echo "scale=6; ($t1 - $t0) / 1000000000" | bc
    done | stats
  fi
}

echo "| command ($TASKS tasks, $RUNS runs) | median ms | p90 ms |"
echo "|---|---:|---:|"
for c in "${COMMANDS[@]}"; do
  read -r median p90 < <(measure "$c")
  echo "| \`tfs $c\` | $median | $p90 |"
done
