#!/usr/bin/env python3
"""Fill a tfs home with a large, realistic history for read benchmarks (SPEC §8, P5).

Usage: scripts/gen-runs.py HOME [--tasks N] [--runs N] [--days D] [--seed S]

HOME must have been created by `tfs init --home HOME` (the schema is the one tfs migrated; this
script only inserts rows). Default: 10,000 tasks, 1,000,000 runs over the last 30 days, events for
task additions, changes, failures, recoveries and daemon starts. Deterministic for a given seed.
Runs only exist in the database: their log files are not written.
"""

import argparse
import math
import os
import random
import sqlite3
import sys
import time

GROUPS = ["etl", "reports", "backup", "sync", "ml", "billing", "ops", "web", "mail", "search"]
RULES = [
    ("0 */5 * * * *", 300), ("0 0 * * * *", 3600), ("0 30 2 * * *", 86400), ("*/30 * * * * *", 30),
    ("0 0 9 * * 1-5", 86400), ("@daily", 86400), ("0 15 */6 * * *", 21600), ("0 */1 * * * *", 60),
    ("0 0 3 * * 0", 604800), ("0 10,40 * * * *", 1800),
]
COMMANDS = [("sh", "run.sh"), ("node", "index.js"), ("python3", "job.py"), ("bash", "run.sh")]
FAILURE_EXITS = [1] * 12 + [2] * 4 + [3, 64, 70, 127, 126, 255]


def _below(rng, n):
    """A random int in [0, n): random() is several times cheaper than randrange()."""
    return int(rng.random() * n)


def args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("home")
    p.add_argument("--tasks", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=1_000_000)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=42)
    return p.parse_args()


DAYS = {}


def version(ms):
    """`YYYYMM/DD/HHmmss` in UTC (the tasks have no zone; UTC is what a TZ=UTC daemon writes)."""
    sec = ms // 1000
    day, rest = divmod(sec, 86400)
    prefix = DAYS.get(day)
    if prefix is None:
        prefix = DAYS[day] = time.strftime("%Y%m/%d/", time.gmtime(day * 86400))
    h, rest = divmod(rest, 3600)
    return "%s%02d%02d%02d" % (prefix, h, rest // 60, rest % 60)


def task_rows(n, now_ms, rng):
    rows = []
    for i in range(n):
        rule, _ = RULES[i % len(RULES)]
        command, entry = COMMANDS[i % len(COMMANDS)]
        name = f"{GROUPS[i % len(GROUPS)]}/job-{i:05d}"
        created = now_ms - 40 * 86_400_000 + i * 1000
        enabled = 0 if rng.random() < 0.05 else 1
        rows.append([name, rule, command, entry, f"job {i}", enabled, created])
    return rows


def run_counts(n_tasks, n_runs, rng):
    # Skewed: a few tasks run very often, most rarely (weights ~ 1/rank^0.7, shuffled).
    weights = [1 / (r + 5) ** 0.7 for r in range(n_tasks)]
    rng.shuffle(weights)
    total = sum(weights)
    counts = [max(1, int(w / total * n_runs)) for w in weights]
    i = 0
    while sum(counts) < n_runs:
        counts[i % n_tasks] += 1
        i += 1
    while sum(counts) > n_runs:
        if counts[i % n_tasks] > 1:
            counts[i % n_tasks] -= 1
        i += 1
    return counts


def outcome(rng):
    x = rng.random()
    if x < 0.895:
        return "succeeded", 0, None
    if x < 0.955:
        return "failed", rng.choice(FAILURE_EXITS), None
    if x < 0.960:
        return "timed-out", None, 15
    if x < 0.966:
        return "killed", None, rng.choice([15, 15, 9, 2])
    if x < 0.968:
        return "lost", None, None
    if x < 0.984:
        return "skipped", None, None
    return "missed", None, None


def generate_runs(tasks, counts, now_ms, days, rng):
    span = days * 86_400_000
    runs = []
    for (name, *_), count in zip(tasks, counts):
        step = span // count
        seconds_used = set()
        for k in range(count):
            queued = now_ms - span + k * step + _below(rng, max(1, step // 2))
            sec = queued // 1000
            while sec in seconds_used:
                sec += 1
            seconds_used.add(sec)
            queued = sec * 1000 + queued % 1000
            runs.append((queued, name))
    runs.sort()
    return runs


def run_row(run_id, queued, name, now_ms, rng):
    status, code, sig = outcome(rng)
    x = rng.random()
    trigger = "schedule" if x < 0.93 else "manual" if x < 0.96 else "retry" if x < 0.99 else "catch-up"
    scheduled = None if trigger in ("manual", "retry") else queued - queued % 1000
    ver = version(queued)
    if status in ("skipped", "missed"):
        return (run_id, name, ver, trigger, status, scheduled, queued, None, None, None, None, None,
                None, 0, "", "previous run still running" if status == "skipped" else "", None, 0, "[]",
                None)
    started = queued + 1 + _below(rng, 39)
    duration = int(math.exp(rng.gauss(7.5, 1.6)))  # median ~1.8 s, long tail
    if status == "timed-out":
        duration = 3_600_000 + _below(rng, 10_000)
    ended = max(started, min(started + duration, now_ms - 1))  # nothing ends in the future
    pid = 1000 + _below(rng, 3_999_000)
    stderr = "" if status == "succeeded" else f"error: step {_below(rng, 9)} failed\n"
    reason = {"killed": "killed by root", "lost": "daemon stopped while running",
              "timed-out": "timed out after 1h"}.get(status, "")
    log_bytes = int(math.exp(rng.gauss(8, 2)))
    published = '[{"path":"report.csv","size":%d}]' % (100 + _below(rng, 10**6))
    published = published if rng.random() < 0.2 else "[]"
    actor = "root" if trigger == "manual" else None
    return (run_id, name, ver, trigger, status, scheduled, queued, started, ended, code, sig, pid,
            started * 1000, 0, stderr, reason, f"logs/{ver}.log", log_bytes, published, actor)


def main():
    a = args()
    db_path = os.path.join(a.home, "tfs.db")
    if not os.path.exists(db_path):
        sys.exit(f"gen-runs: no database at '{db_path}'; run 'tfs init --home {a.home}' first")
    rng = random.Random(a.seed)
    now_ms = int(time.time() * 1000)
    started = time.time()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -1000000")  # 1 GB: keeps the run indexes in memory
    db.execute("BEGIN IMMEDIATE")
    if db.execute("SELECT count(*) FROM task").fetchone()[0]:
        sys.exit("gen-runs: the home already has tasks; use a fresh one")

    # Secondary indexes are dropped and rebuilt afterwards (one sort each instead of a million
    # random inserts); their definitions are read from the database, so the schema stays tfs's.
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('run', 'event')").fetchall()
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')

    tasks = task_rows(a.tasks, now_ms, rng)
    db.executemany(
        """INSERT INTO task (name, rule, command, entry, title, on_timeout, overlap, catch_up, retries,
           retry_delay_ms, jitter_ms, enabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'kill', 'skip', 'none', 0, 10000, 0, ?, ?, ?)""",
        ([n, r, c, e, t, en, cr, cr] for n, r, c, e, t, en, cr in tasks))

    counts = run_counts(a.tasks, a.runs, rng)
    order = generate_runs(tasks, counts, now_ms, a.days, rng)
    last = {}  # task -> (run id, status, ended) of its last finished run
    events = []
    failing = set()
    running_left = 20
    rows = []
    for run_id, (queued, name) in enumerate(order, start=1):
        row = list(run_row(run_id, queued, name, now_ms, rng))
        if now_ms - queued < 3_600_000 and running_left > 0 and row[4] not in ("skipped", "missed"):
            # A few recent runs are still running: no end, no exit code.
            row[4], row[8], row[9], row[10] = "running", None, None, None
            running_left -= 1
        rows.append(row)
        status, ended = row[4], row[8]
        if status in ("succeeded", "failed", "timed-out", "killed", "lost"):
            last[name] = (run_id, status, ended)
            if status in ("failed", "timed-out", "lost"):
                kind = {"failed": "failed", "timed-out": "timeout", "lost": "failed"}[status]
                events.append((ended, kind, name, run_id, "tfsd", f"{name} {status}"))
                failing.add(name)
            elif status == "succeeded" and name in failing:
                failing.discard(name)
                events.append((ended, "recovered", name, run_id, "tfsd", f"{name} recovered"))
        if len(rows) == 50_000:
            insert_runs(db, rows)
            rows = []
    insert_runs(db, rows)

    failing_now = sum(1 for _, st, _ in last.values() if st in ("failed", "timed-out", "lost"))
    db.executemany(
        "UPDATE task SET last_run_id = ?, last_status = ?, last_run_at = ? WHERE name = ?",
        ((rid, st, at, name) for name, (rid, st, at) in last.items()))

    for n, _, _, _, _, _, created in tasks:
        events.append((created, "added", n, None, "root", f"task '{n}' added"))
    for i in range(0, a.tasks, 5):
        events.append((now_ms - _below(rng, a.days * 86_400_000), "modified", tasks[i][0], None, "root",
                       f"task '{tasks[i][0]}' modified"))
    for d in range(a.days):
        events.append((now_ms - d * 86_400_000, "daemon-started", None, None, "root", "daemon started"))
    events.sort(key=lambda e: e[0])
    db.executemany(
        """INSERT INTO event (at, type, task, run_id, actor, title, details, delivery)
           VALUES (?, ?, ?, ?, ?, ?, '{}', 'delivered')""", events)
    for _, sql in indexes:
        db.execute(sql)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"gen-runs: {a.tasks} tasks, {len(order)} runs, {len(events)} events, "
          f"{failing_now} failing tasks in {time.time() - started:.1f}s", file=sys.stderr)


def insert_runs(db, rows):
    db.executemany(
        """INSERT INTO run (id, task, version, trigger, status, scheduled_at, queued_at, started_at,
           ended_at, exit_code, signal, pid, process_start, attempt, stderr_head, reason, log_path,
           log_bytes, published, actor)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)


if __name__ == "__main__":
    main()
