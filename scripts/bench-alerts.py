#!/usr/bin/env python3
"""Alert benchmarks for tfs: A1 (alert latency) and P1h (firing lag with a hung channel).

Usage: scripts/bench-alerts.py BIN [--quick] [--only A1,P1h] [--settle S] [--out FILE] [--keep]

BIN is a release build of `tfs`. Homes, daemons, settling and the P1 measure come from
scripts/bench-daemon.py (imported, not copied). Prints a markdown report and writes it to
bench-out/alerts.md (or --out). Every process started here (daemons, their runs, the webhook
peers) is stopped at the end, also on errors and Ctrl-C.

  A1   alert latency. K tasks fail (`exit 1`) at staggered instants, each every 10 s, with
       setting alert-interval 0s (every failure is sent). Task k has its own webhook channel
       (the test peer's /ok) and its own command channel (a bash script whose first action
       appends $EPOCHREALTIME and $TFS_ALERT_ID to a file), both `--on failed --tasks fk`: 6
       messages a minute per channel, below the 10 a minute beyond which alerts are merged into
       a deferred digest, so every sample is the single-alert path. Latency = the webhook peer's
       receive time (or the command's first timestamp) - the alert's `at` (= the run's ended_at,
       epoch ms); also from the failing script's own last timestamp (the process's last act).
  P1h  P1 (N=1 and N=100 `bash` tasks on `* * * * * *` stamping $EPOCHREALTIME) on two daemons
       running side by side: A with no channel, B with a webhook channel on the peer's /hang
       (never answers: each attempt hangs 10 s, then is retried). Both homes also run F tasks
       failing every second (alert-interval 0s), so B's channel gets a steady stream of alerts
       and a growing backlog of retries; A records the same failures with no delivery. Only the
       P1 tasks are switched between A and B, in blocks alternating A/B then B/A, so both sides
       see the same machine load; the ratio B/A of p99 lag is the cost of alert delivery.
"""

import argparse
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def load_bench_daemon():
    """bench-daemon.py has a dash in its name: load it from its path as a module."""
    spec = importlib.util.spec_from_file_location("bench_daemon", os.path.join(HERE, "bench-daemon.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bd = load_bench_daemon()
log, tfs, now = bd.log, bd.tfs, bd.now
PEERS = []  # webhook peers started here (stopped in cleanup)
RETRY_BASE = "1s"  # B's backlog retried often: a busier worker than the 5 s default gives


# MARK: the webhook peer


class Peer:
    """scripts/peers/webhook.py with --timestamps: one JSON line per request, received_at in it."""

    def __init__(self, folder, name):
        self.record = os.path.join(folder, f"{name}.jsonl")
        # stdin is a pipe we hold: the peer exits when it closes, even if this script is killed.
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "peers", "webhook.py"), "--record", self.record, "--timestamps"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        PEERS.append(self)
        self.port = int(self.proc.stdout.readline())

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the peer made itself a group leader
            except OSError:
                self.proc.terminate()
            self.proc.wait(5)
        self.proc.stdin.close()
        if self in PEERS:
            PEERS.remove(self)


def cleanup(keep):
    for p in list(PEERS):
        try:
            p.stop()
        except Exception as e:  # keep cleaning the rest
            log(f"cleanup: {e}")
            p.proc.kill()
    bd.cleanup(keep)


def seconds_rule(offset, every):
    """A rule firing at second `offset` and every `every` s after it within each minute."""
    return ",".join(str(s) for s in range(offset, 60, every)) + " * * * * *"


# MARK: A1 — alert latency


def setup_a1(tasks, every):
    """Home, peer and channels for A1: task fk fails every `every` s, 2 s after f(k-1)."""
    home = bd.make_home("a1")
    tfs(home, "config", "set", "alert-interval", "0s")
    peer = Peer(home, "a1-hook")
    cause = os.path.join(home, "cause.out")
    started = os.path.join(home, "command.out")
    stamp = os.path.join(home, "stamp.sh")
    with open(stamp, "w") as f:  # its first action is the stamp: bash builtins, no fork
        f.write(f'#!/bin/bash\nprintf "%s %s %s\\n" "$EPOCHREALTIME" "$TFS_ALERT_ID" "$TFS_ALERT_CHANNEL" >> "{started}"\n')
    os.chmod(stamp, 0o755)
    for k in range(tasks):
        name = f"f{k}"
        bd.write_script(home, name, f'printf "%s %s\\n" "$EPOCHREALTIME" "$TFS_RUN_ID" >> "{cause}"\nexit 1')
        tfs(home, "add", name, "--rule", seconds_rule(1 + 2 * k, every), "--command", "bash", "--entry", "run.sh")
        tfs(home, "channel", "add", f"hook{k}", "--webhook", peer.url("/ok"), "--on", "failed", "--tasks", name)
        tfs(home, "channel", "add", f"cmd{k}", "--command", stamp, "--on", "failed", "--tasks", name)
    return home, peer, cause, started


def a1_received(peer, started):
    """{(alert id, channel): received time} from the peer's records and the command's stamps;
    and how many messages were digests (none expected below 10 a minute)."""
    got, digests = {}, 0
    for r in peer.requests():
        body = json.loads(r["body"])
        if body.get("schema") != "tfs.alert/1":
            digests += 1
            continue
        got[(body["id"], body["channel"])] = r["received_at"]
    if os.path.exists(started):
        with open(started) as f:
            for line in f:
                ts, alert, channel = line.split()
                got.setdefault((int(alert), channel), float(ts))
    return got, digests


def a1_samples(home, got, cause):
    """Per transport: latencies from the alert's `at` and from the script's last timestamp."""
    with open(cause) as f:
        last_act = {int(run): float(ts) for ts, run in (line.split() for line in f if line.strip())}
    c = bd.db(home)
    alerts = c.execute("SELECT e.id, e.at, e.task, e.run_id, r.ended_at FROM event e JOIN run r ON r.id = e.run_id "
                       "WHERE e.type = 'failed' ORDER BY e.id").fetchall()
    states = c.execute("SELECT state, attempts, count(*) FROM delivery GROUP BY state, attempts").fetchall()
    c.close()
    out = {"webhook": ([], [], 0), "command": ([], [], 0)}
    same_as_end = sum(1 for _, at, _, _, ended in alerts if at == ended)
    for eid, at, task, run, _ in alerts:
        k = task[1:]
        for kind, channel in (("webhook", f"hook{k}"), ("command", f"cmd{k}")):
            lat, from_exit, missing = out[kind]
            t = got.get((eid, channel))
            if t is None:
                out[kind] = (lat, from_exit, missing + 1)
                continue
            lat.append(t - at / 1000)
            if run in last_act:
                from_exit.append(t - last_act[run])
    return out, len(alerts), same_as_end, states


def bench_a1(results, seconds, tasks=5, every=10):
    bd.SECTION[0] = "A1"
    bd.settle()
    home, peer, cause, started = setup_a1(tasks, every)
    d = bd.Daemon(home, pipe=False)
    d.wait_started()
    log(f"A1: {tasks} tasks failing every {every} s, staggered, for {seconds} s")
    meter = bd.Meter()
    meter.start([d.pid, peer.proc.pid])  # the peer is ours: not "background"
    time.sleep(seconds)
    meter.stop()
    c = bd.db(home)
    c.execute("UPDATE task SET enabled = 0")
    c.commit()
    c.close()
    os.kill(d.pid, signal.SIGUSR1)
    time.sleep(3)  # the last alerts' deliveries
    d.stop()
    got, digests = a1_received(peer, started)
    samples, alerts, same_as_end, states = a1_samples(home, got, cause)
    results["A1"] = {"samples": samples, "alerts": alerts, "same_as_end": same_as_end, "states": states,
                     "digests": digests, "seconds": seconds, "tasks": tasks, "every": every,
                     "errors": d.errors(), "background": meter.background}
    peer.stop()


def report_a1(results, out):
    r = results.get("A1")
    if not r:
        return
    out.append("## A1 — alert latency (cause → webhook received, cause → command started)\n")
    out.append(f"{r['tasks']} tasks (`bash run.sh`: a `printf` of `$EPOCHREALTIME`, then `exit 1`) each failing every "
               f"{r['every']} s, 2 s apart, for {r['seconds']} s; setting alert-interval 0s. Each task has a webhook channel "
               "(the test peer's `/ok`, stamping `time.time()` once a request's headers are read) and a command channel "
               "(a bash script whose first action appends `$EPOCHREALTIME $TFS_ALERT_ID`), both `--on failed --tasks fK`: "
               f"{60 // r['every']} messages a minute per channel, under the digest threshold (10), so every alert takes the "
               "single-alert path; a failure's two deliveries go out at the same time, on the channels' own threads. "
               "Cause = the alert's `at` (epoch ms; "
               f"equal to the run's `ended_at` for {r['same_as_end']} of {r['alerts']} alerts); the last columns start "
               "instead from the failing script's own last timestamp (so they add the daemon's reaping and recording). "
               + bd.probe_note("A1") + f" Background CPU (other users) {r['background']:.0f}% of a core.\n")
    out.append("| transport | samples | missing | p50 ms | p99 ms | max ms | from the script's last act: p50 / p99 ms |")
    out.append("|---|---|---|---|---|---|---|")
    verdicts = []
    for kind, label in (("webhook", "webhook (cause → received)"), ("command", "command (cause → its first timestamp)")):
        lat, from_exit, missing = r["samples"][kind]
        p50, p99, mx = bd.summary_ms(lat)
        e50, e99, _ = bd.summary_ms(from_exit)
        out.append(f"| {label} | {len(lat)} | {missing} | {p50} | {p99} | {mx} | {e50} / {e99} |")
        if lat:
            ok = bd.pct(lat, 99) <= 1.0 and missing == 0
            verdicts.append(f"- {kind}: p99 {bd.pct(lat, 99) * 1000:.1f} ms, target ≤ 1 s → **{'met' if ok else 'MISSED'}**")
    out.append("")
    out.extend(verdicts)
    firsts = [f"{k} {r['samples'][k][0][0] * 1000:.1f} ms" for k in ("webhook", "command") if r["samples"][k][0]]
    out.append(f"- the first alert (the daemon's first webhook transfer loads libcurl): {', '.join(firsts)}")
    out.append(f"- deliveries by (state, attempts): {[tuple(s) for s in r['states']]}; digests received: {r['digests']}")
    if r["errors"]:
        out.append(f"- daemon log errors: {r['errors'][:3]}")
    out.append("")


# MARK: P1h — firing lag with a hung channel


def p1h_home(label, names, failing):
    """A home with the P1 tasks and `failing` tasks running /bin/false every second, all disabled."""
    home = bd.make_home(f"p1h-{label}")
    tfs(home, "config", "set", "alert-interval", "0s")
    for n in names:
        bd.write_script(home, n, bd.STAMP)
    for n in failing:
        bd.write_script(home, n, "exit 1")
    bd.insert_tasks(home, [{"name": n, "rule": "* * * * * *", "command": "bash", "enabled": 0} for n in names]
                    + [{"name": n, "rule": "* * * * * *", "command": "/bin/false", "enabled": 0} for n in failing])
    return home


def setup_p1h(n_max, n_failing):
    """Two homes alike but for B's channel on the peer's /hang; a daemon on each, kept running."""
    names = [f"t{i:04d}" for i in range(n_max)]
    failing = [f"x{i:02d}" for i in range(n_failing)]
    env = {"names": names, "failing": failing, "daemons": {}, "homes": {}}
    for side in ("A", "B"):
        env["homes"][side] = p1h_home(side, names, failing)
    env["peer"] = Peer(env["homes"]["B"], "p1h-hang")
    tfs(env["homes"]["B"], "channel", "add", "hung", "--webhook", env["peer"].url("/hang"), "--on", "failed")
    for side, home in env["homes"].items():
        d = bd.Daemon(home, env={"BENCH_OUT": os.path.join(home, "p1.out")}, pipe=False,
                      args=("--alert-retry-base", RETRY_BASE))
        d.wait_started()
        env["daemons"][side] = d
    return env


def set_failing(env, enabled):
    for side in ("A", "B"):
        bd.set_enabled(env["homes"][side], env["failing"], enabled, env["daemons"][side])


def p1h_block(env, side, names, seconds, cpu, meters):
    """P1's tasks on `side` for `seconds` whole seconds; returns the window of occurrences."""
    d = env["daemons"][side]
    bd.set_enabled(env["homes"][side], names, 1, d)
    first = int(now()) + 2
    last = first + seconds - 1
    bd.wait_until(first - 0.5)
    c0, w0 = bd.proc_cpu(d.pid)[0], now()
    meters[side].start([x.pid for x in env["daemons"].values()] + [env["peer"].proc.pid])
    bd.wait_until(last + 0.5)
    bd.set_enabled(env["homes"][side], names, 0, d)
    bd.wait_until(last + 0.95)
    meters[side].stop()
    cpu[side][0] += bd.proc_cpu(d.pid)[0] - c0
    cpu[side][1] += now() - w0
    return first, last


def p1h_round(env, names, block, pairs, flip, windows, cpu, meters):
    """Settle with every task off, start the failures on both sides, then `pairs` A/B pairs
    (B first when `flip`, and every other pair swapped: ABBA cancels drift)."""
    bd.settle()
    set_failing(env, 1)
    # B's worker must be in its hung steady state before we measure: a request hanging, retries due.
    warm = now() + (12 if not env.get("warm") else 3)
    bd.wait_for(lambda: len(env["peer"].requests()) >= 1 and now() >= warm, 60, 0.2)
    env["warm"] = True
    for i in range(pairs):
        order = ("B", "A") if (i % 2 == 1) != flip else ("A", "B")
        for side in order:
            windows[side].append(p1h_block(env, side, names, block, cpu, meters))
    set_failing(env, 0)


def bench_p1h(results, env, n, seconds, block, pairs):
    bd.SECTION[0] = f"P1h-{n}"
    names = env["names"][:n]
    windows, cpu = {"A": [], "B": []}, {"A": [0.0, 0.0], "B": [0.0, 0.0]}
    meters = {"A": bd.Meter(), "B": bd.Meter()}
    hung0 = len(env["peer"].requests())
    log(f"P1h N={n}: {seconds} s a side in {block} s blocks, {pairs} A/B pairs a round")
    r = 0
    while len(windows["A"]) * block < seconds:
        p1h_round(env, names, block, pairs, r % 2 == 1, windows, cpu, meters)
        r += 1
    time.sleep(1)
    stats = {s: bd.lag_stats(bd.read_stamps(os.path.join(env["homes"][s], "p1.out")), n, windows[s])
             for s in ("A", "B")}
    results[f"P1h-{n}"] = {"stats": stats, "seconds": len(windows["A"]) * block, "block": block,
                           "cpu": {s: c / w * 100 if w else float("nan") for s, (c, w) in cpu.items()},
                           "hung_requests": len(env["peer"].requests()) - hung0,
                           "busy": {s: (m.machine, m.background) for s, m in meters.items()}}


def outbox_state(home):
    """B's deliveries: by state, the largest attempt count, and the failed-attempt log lines."""
    c = bd.db(home)
    states = dict(c.execute("SELECT state, count(*) FROM delivery GROUP BY state").fetchall())
    attempts = c.execute("SELECT max(attempts), sum(attempts) FROM delivery").fetchone()
    c.close()
    return {"states": states, "max_attempts": attempts[0], "attempts": attempts[1]}


def run_p1h(results, quick):
    """Both P1h measures on one pair of daemons (B's backlog keeps growing across them)."""
    failing = 5
    env = setup_p1h(100, failing)
    # (N, seconds a side, block s, A/B pairs a round). N=1's p99 is decided by its few slowest
    # fires (lags of 5-20 ms on this machine): 300 fires a side so that p99 is not the maximum.
    steps = [(100, 10 if quick else 30, 5, 2), (1, 20 if quick else 300, 10, 3)]
    for n, seconds, block, pairs in steps:
        if f"P1H-{n}" in ONLY or "P1H" in ONLY:
            bench_p1h(results, env, n, seconds, block, pairs)
    for side, d in env["daemons"].items():
        d.stop()
        # Failed attempts on the hung channel are logged as warnings with error=…: expected here.
        errors = [e for e in d.errors() if "alert delivery failed" not in e and "channel failing" not in e]
        results.setdefault("P1h-env", {})[side] = {"errors": errors, "outbox": outbox_state(env["homes"][side]),
                                                   "failed_lines": len(d.errors()) - len(errors)}
    results["P1h-env"]["failing"] = failing
    results["P1h-env"]["hung_total"] = env["peer"].requests()
    env["peer"].stop()


def p1h_rows(r, n):
    rows = []
    for side, label in (("A", "A: no channel"), ("B", "B: hung webhook channel")):
        lags, early, lost, dups, expected = r["stats"][side]
        p50, p99, mx = bd.summary_ms(lags)
        rows.append(f"| {n} | {label} | {len(lags)}/{expected} | {p50} | {p99} | {mx} | {early} | {lost} | {dups} | "
                    f"{r['cpu'][side]:.1f} | {r['busy'][side][0]:.0f} | {r['busy'][side][1]:.0f} |")
    return rows


def p1h_verdict(r, n):
    a, b = r["stats"]["A"][0], r["stats"]["B"][0]
    if not a or not b:
        return [f"- N={n}: **no samples**"]
    a99, b99 = bd.pct(a, 99) * 1000, bd.pct(b, 99) * 1000
    ratio = b99 / a99
    ok = ratio <= 1.05
    clean = all(r["stats"][s][1] == 0 and r["stats"][s][2] == 0 and r["stats"][s][3] == 0 for s in "AB")
    return [f"- N={n}: p99 B {b99:.1f} ms vs A {a99:.1f} ms: ratio {ratio:.2f} (p50 ratio "
            f"{bd.pct(b, 50) / bd.pct(a, 50):.2f}); target ≤ 1.05 → **{'met' if ok else 'MISSED'}**; "
            f"early/lost/twice {'none' if clean else 'SOME (see table)'}; hung requests during it: {r['hung_requests']}"]


def report_p1h(results, out):
    keys = [n for n in (100, 1) if f"P1h-{n}" in results]
    if not keys:
        return
    env = results.get("P1h-env", {})
    out.append("## P1h — P1 firing lag with a hung channel, side by side with no channel\n")
    out.append("Two daemons run side by side for the whole measure, on two homes alike but for one thing: B has a webhook "
               "channel `--on failed` on the peer's `/hang` (never answers; tfs gives each attempt 10 s, then retries, "
               f"first retry after {RETRY_BASE} via `--alert-retry-base`, doubling). In both homes "
               f"{env.get('failing', '?')} tasks run `/bin/false` every second (alert-interval 0s), so B's channel gets a "
               "steady stream of alerts and a growing backlog; A records the same failures with no channel. P1's `bash` "
               "tasks (first action a `printf` of `$EPOCHREALTIME`) are switched on one side at a time, in blocks "
               "alternating A,B,B,A… within rounds; each round starts after a settle with every task off. Lag = the "
               "child's timestamp − TFS_SCHEDULED_AT. Daemon CPU = that side's daemon during its own blocks; machine = every "
               "process; background = the machine minus this script, both daemons, their children and the peer (other "
               "users); all in % of one core (200 = both cores).\n")
    for n in keys:
        if bd.probe_note(f"P1h-{n}"):
            out.append(f"N={n} ({results[f'P1h-{n}']['seconds']} s a side, {results[f'P1h-{n}']['block']} s blocks): "
                       + bd.probe_note(f"P1h-{n}"))
    out.append("")
    out.append("| N | side | fires/expected | p50 ms | p99 ms | max ms | early | lost | twice | daemon CPU % | machine CPU % | background CPU % |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in keys:
        out.extend(p1h_rows(results[f"P1h-{n}"], n))
    out.append("")
    for n in keys:
        out.extend(p1h_verdict(results[f"P1h-{n}"], n))
    report_hung_channel(env, out)
    out.append("")


def report_hung_channel(env, out):
    if "B" not in env:
        return
    reqs = env["hung_total"]
    digests = sum(1 for q in reqs if json.loads(q["body"]).get("schema") == "tfs.digest/1")
    times = sorted(q["received_at"] for q in reqs)
    gaps = [b - a for a, b in zip(times, times[1:])]
    ob = env["B"]["outbox"]
    out.append(f"- B's channel: {len(reqs)} requests reached `/hang` ({digests} digests), median gap "
               f"{statistics.median(gaps) if gaps else float('nan'):.1f} s; B's outbox at the end: {ob['states']}, "
               f"{ob['attempts']} attempts in all, at most {ob['max_attempts']} for one alert; "
               f"{env['B']['failed_lines']} failed-attempt lines in B's log")
    for side in ("A", "B"):
        if env[side]["errors"]:
            out.append(f"- daemon {side} log errors ({len(env[side]['errors'])}): {env[side]['errors'][:2]}")


# MARK: main


def header(t_start, quick):
    shown, rev = bd.describe_bin()
    built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(bd.BIN)))
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 1048576
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    swift = swift[0] if swift else "swift ?"
    return [
        "# Alert benchmarks (A1, P1h)\n",
        f"`scripts/bench-alerts.py {shown}{' --quick' if quick else ''}` — binary built {built}; repository at commit "
        f"{rev} when run; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(t_start))}, {(now() - t_start) / 60:.1f} min. "
        f"Machine: {os.cpu_count()} cores, {mem:.0f} GiB, {os.uname().sysname} {os.uname().release}, {swift}.\n",
        f"Before each measure the script waited for a quiet machine (< {bd.SETTLE['cpu']}% of a core busy, an empty file "
        f"created in < {bd.SETTLE['fs_us']} µs; up to {bd.SETTLE['limit']:.0f} s): waited {bd.SETTLE['waited']:.0f} s in all, "
        f"measured {bd.SETTLE['gave_up']} time(s) on a busy machine.\n",
    ]


ONLY = set()


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("bin")
    p.add_argument("--quick", action="store_true", help="short durations (smoke run)")
    p.add_argument("--only", default="A1,P1h", help="comma-separated subset of A1,P1h, or P1h-1 / P1h-100")
    p.add_argument("--out", default=os.path.join(REPO, "bench-out", "alerts.md"),
                   help="markdown report (default bench-out/alerts.md)")
    p.add_argument("--keep", action="store_true", help="keep the temp homes")
    p.add_argument("--settle", type=float, default=None, metavar="S",
                   help="before each measure wait up to S seconds for a quiet machine; default 120, 20 with --quick")
    return p.parse_args()


def run_steps(a, results):
    failures = []
    steps = [("A1", lambda: bench_a1(results, 60 if a.quick else 480)),
             ("P1H", lambda: run_p1h(results, a.quick))]
    for key, step in steps:
        if not any(o == key or o.startswith(key + "-") for o in ONLY):
            continue
        try:
            step()
        except KeyboardInterrupt:
            raise
        except Exception as e:  # report it, stop what it started, go on with the next measure
            import traceback
            traceback.print_exc()
            failures.append(f"{key}: {e}")
            for p in list(PEERS):
                p.stop()
            for d in list(bd.DAEMONS):
                d.stop()
    return failures


def main():
    a = parse_args()
    bd.BIN = os.path.abspath(a.bin) if os.sep in a.bin else shutil.which(a.bin) or a.bin
    bd.QUICK = a.quick
    bd.SETTLE["limit"] = a.settle if a.settle is not None else (20 if a.quick else 120)
    ONLY.update(x.strip().upper() for x in a.only.split(","))
    if not os.access(bd.BIN, os.X_OK):
        sys.exit(f"not an executable: {a.bin}")

    def on_signal(signo, _frame):
        raise KeyboardInterrupt(f"signal {signo}")

    signal.signal(signal.SIGTERM, on_signal)
    results, t_start = {}, now()
    try:
        failures = run_steps(a, results)
    finally:
        cleanup(a.keep)
    out = header(t_start, a.quick)
    report_a1(results, out)
    report_p1h(results, out)
    return bd.write_report(out, failures, a.out)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:  # cleanup already ran in main's finally
        log(f"interrupted ({e or 'Ctrl-C'}); every process started here was stopped")
        sys.exit(130)
