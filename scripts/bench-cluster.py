#!/usr/bin/env python3
"""Cluster benchmarks for tfs (SPEC §10), each beside a single node in the same run.

Usage: scripts/bench-cluster.py BIN [--quick] [--only C3,P2,C1,C2] [--out FILE] [--keep]

BIN is a release build of `tfs`. A PostgreSQL server (Debian's initdb/pg_ctl, as the `postgres`
user when root) is started on a free loopback port in a temp folder, with synchronous_commit=off
(SQLite's WAL with synchronous=NORMAL does not wait for the disk either). Tasks are bash scripts
in one task root that every node sees; each appends "$EPOCHREALTIME $TFS_SCHEDULED_AT
$TFS_TASK_NAME $TFS_RUN_ID $TFS_NODE" to a file: the tasks' own witness, with no unique key.
Every process started here (server, daemons, their runs, the namespace) is stopped at the end.

  C3  firing lag (occurrence -> the child's first $EPOCHREALTIME) of N every-second tasks: one
      node on the home's SQLite store, one node on PostgreSQL, three nodes on PostgreSQL, in
      blocks run one after the other (never at once), repeated. Target: cluster p99 <= 1.2x the
      single node's.
  P2  `tfs run` -> the run's first $EPOCHREALTIME (CLI start-up included), 100 times (quick: 20):
      one node on SQLite (its SIGUSR1 nudge) beside three nodes on PostgreSQL (LISTEN/NOTIFY).
      Target on a cluster: P2's 100 ms plus 100 ms.
  C1  3 nodes, 300 every-second tasks, 5 min (quick: 1 min), one node SIGKILLed every 30 s and
      started again at once. Counts occurrences started twice (witness lines) and occurrences
      of the window without a record in the run table. Target: 0 and 0.
  C2  3 nodes, one of them (c) in its own network namespace; 30 every-second tasks that run
      1.5 s. c is cut off, by its link set down, then (second round) by every packet the server
      sends it dropped (a blackhole route: a half-open connection). Measures when c's runs are
      recorded lost after its last lease renewal (target <= 12 s, never before its lease ended),
      when c fenced itself, and that c wrote nothing under its old epoch after its peers' verdict.
"""

import argparse
import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = ('printf "%s %s %s %s %s\\n" "$EPOCHREALTIME" "${TFS_SCHEDULED_AT:--}" "$TFS_TASK_NAME" '
         '"${TFS_RUN_ID:--}" "${TFS_NODE:--}" >> "$BENCH_OUT"')
BIN = "tfs"
CLEANUP = []  # callables run at exit, last first


def log(msg):
    print(f"[bench-cluster {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    return s[max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def ms(x):
    return "–" if x != x else f"{x * 1000:.1f}"


def run(argv, check=True, env=None):
    r = subprocess.run(argv, capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {r.returncode}: {r.stderr.strip()}")
    return r


class Postgres:
    """A throwaway server; `listen` adds addresses (a namespace's host side)."""

    def __init__(self, listen=()):
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.dir = tempfile.mkdtemp(prefix="tfs-bench-pg-")
        os.chmod(self.dir, 0o755)
        self.root = os.getuid() == 0
        if self.root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.as_owner(["initdb", "-D", self.dir + "/data", "-A", "trust", "-U", "tfs", "--no-sync",
                       "-E", "UTF8", "--locale=C"])
        if listen:
            with open(self.dir + "/data/pg_hba.conf", "a") as f:
                f.write("host all all 0.0.0.0/0 trust\n")
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        addresses = ",".join(["127.0.0.1", *listen])
        self.as_owner(["pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/server.log", "-w", "-o",
                       f"-p {self.port} -k {self.dir} -c listen_addresses={addresses} "
                       "-c synchronous_commit=off -c max_connections=300", "start"])
        CLEANUP.append(self.stop)

    def as_owner(self, words):
        argv = [self.bin + "/" + words[0], *words[1:]]
        return run((["runuser", "-u", "postgres", "--"] if self.root else []) + argv)

    def url(self, host="127.0.0.1"):
        return f"postgres://tfs@{host}:{self.port}/postgres"

    def rows(self, sql):
        out = run([self.bin + "/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "tfs", "-d", "postgres",
                   "-At", "-F", "\t", "-c", sql]).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows and rows[0] and rows[0][0] != "" else None

    def reset(self):
        """An empty store for the next block (the schema is made again by the first command)."""
        self.rows("DROP SCHEMA public CASCADE; CREATE SCHEMA public")

    def stop(self):
        self.as_owner(["pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


class Node:
    """`tfs daemon` as a node (or, without a database, the home's single daemon)."""

    def __init__(self, name, home, database=None, wrap=(), extra=()):
        self.name, self.home, self.database, self.wrap, self.extra = name, home, database, list(wrap), list(extra)
        self.proc = None
        self.start()

    def start(self):
        argv = [*self.wrap, BIN, "daemon", "--home", self.home, "--shutdown-grace", "2s", *self.extra]
        if self.database:
            argv += ["--database", self.database, "--node", self.name]
        self.logfile = open(f"{self.home}.log", "ab")
        self.proc = subprocess.Popen(argv, stdout=self.logfile, stderr=self.logfile, start_new_session=True)

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Bench:
    def __init__(self, args):
        self.dir = tempfile.mkdtemp(prefix="tfs-bench-cluster-")
        self.keep = args.keep
        self.nodes = []
        CLEANUP.append(self.cleanup)

    def cleanup(self):
        for node in self.nodes:
            node.stop()
        kill_runs(self.dir)
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def tasks(self, store, names, out, body=STAMP):
        """Adds every-second bash tasks (one task file through `tfs apply`) in this run's task root."""
        root = self.dir + "/tasks"
        for name in names:
            os.makedirs(f"{root}/{name}", exist_ok=True)
            with open(f"{root}/{name}/run.sh", "w") as f:
                f.write(body + "\n")
        lines = []
        for name in names:
            lines += ["[[task]]", f'name = "{name}"', 'rule = "* * * * * *"', 'command = "bash"',
                      "[task.env]", f'BENCH_OUT = "{out}"', ""]
        path = f"{self.dir}/tasks.toml"
        with open(path, "w") as f:
            f.write("\n".join(lines))
        if "--database" not in store:
            run([BIN, "init", *store])
        run([BIN, "config", "set", "task-root", root, *store])
        run([BIN, "config", "set", "timezone", "UTC", *store])
        run([BIN, "apply", path, *store])

    def start_nodes(self, count, database, extra=(), wrap=None):
        self.nodes = []
        for i in range(count):
            name = "abcdefgh"[i]
            w = (wrap or {}).get(name, ())
            db = database(name) if callable(database) else database
            self.nodes.append(Node(name, f"{self.dir}/home-{name}-{time.time_ns()}", db, w, extra))

    def stop_nodes(self):
        for node in self.nodes:
            node.stop()
        self.nodes = []
        kill_runs(self.dir)


def kill_runs(root):
    """Every process whose environment names a task folder under `root` (runs a SIGKILLed node left)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if any(v.startswith(b"TFS_TASK_DIR=" + root.encode()) for v in env):
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass


def stamps(path):
    """(ts, occurrence epoch s, task, run id, node) of each witness line."""
    import datetime
    out = []
    if os.path.exists(path):
        for line in open(path):
            p = line.split()
            if len(p) == 5 and p[1] != "-":
                out.append((float(p[0]), datetime.datetime.fromisoformat(p[1]).timestamp(), p[2], p[3], p[4]))
    return out


def wait_until(cond, timeout, every=0.2):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(every)
    return cond()


class Namespace:
    """A network namespace joined to this host by a veth pair: a node in it reaches the server
    through a link that can be cut, or whose answers can be dropped."""

    def __init__(self):
        i = random.randint(1, 200)
        self.name, self.host_link, inner = f"tfsb{os.getpid()}", f"tfbh{i}", f"tfbn{i}"
        self.host, self.inner = f"10.214.{i}.1", f"10.214.{i}.2"
        steps = [
            ["ip", "netns", "add", self.name],
            ["ip", "link", "add", self.host_link, "type", "veth", "peer", "name", inner],
            ["ip", "link", "set", inner, "netns", self.name],
            ["ip", "addr", "add", self.host + "/30", "dev", self.host_link],
            ["ip", "link", "set", self.host_link, "up"],
            ["ip", "netns", "exec", self.name, "ip", "addr", "add", self.inner + "/30", "dev", inner],
            ["ip", "netns", "exec", self.name, "ip", "link", "set", inner, "up"],
            ["ip", "netns", "exec", self.name, "ip", "link", "set", "lo", "up"],
        ]
        CLEANUP.append(self.remove)
        for step in steps:
            run(step)

    def wrap(self):
        return ["ip", "netns", "exec", self.name]

    def link(self, up):
        run(["ip", "link", "set", self.host_link, "up" if up else "down"])

    def drop(self, on):
        """Every packet this host sends to the node is dropped (its own still arrive)."""
        run(["ip", "route", "add" if on else "del", "blackhole", self.inner + "/32"], check=on)

    def remove(self):
        run(["ip", "route", "del", "blackhole", self.inner + "/32"], check=False)
        run(["ip", "link", "del", self.host_link], check=False)
        run(["ip", "netns", "del", self.name], check=False)


def window_stats(lines, n, first, last):
    """Lags of the witness lines whose occurrence is in [first, last] (epoch s), occurrences
    started twice, occurrences with no start."""
    lags, seen = [], {}
    for ts, occ, task, _, _ in lines:
        if first <= occ <= last:
            lags.append(ts - occ)
            seen[(task, occ)] = seen.get((task, occ), 0) + 1
    twice = sum(c - 1 for c in seen.values())
    expected = n * int(last - first + 1)
    return lags, twice, expected - len(seen)


def c3(b, pg, n, seconds, rounds):
    names = [f"c3t{i:03d}" for i in range(n)]
    result = {"1 node, SQLite": [], "1 node, PostgreSQL": [], "3 nodes, PostgreSQL": []}
    gaps = {k: [0, 0] for k in result}
    for r in range(rounds):
        order = list(result)
        if r % 2:
            order.reverse()
        for kind in order:
            out = f"{b.dir}/c3-{r}-{len(result[kind])}-{kind[0]}{kind[-1]}.txt"
            if kind.endswith("SQLite"):
                home = f"{b.dir}/single-{r}"
                b.tasks(["--home", home], names, out)
                b.nodes = [Node("single", home)]
            else:
                pg.reset()
                b.tasks(["--database", pg.url(), "--home", b.dir + "/cli"], names, out)
                b.start_nodes(3 if kind.startswith("3") else 1, pg.url())
            log(f"C3 round {r + 1}: {kind}, {n} tasks, {seconds} s")
            t0 = time.time()
            time.sleep(seconds)
            b.stop_nodes()
            lags, twice, missing = window_stats(stamps(out), n, int(t0) + 5, int(t0 + seconds) - 2)
            result[kind] += lags
            gaps[kind][0] += twice
            gaps[kind][1] += missing
    base = pct(result["1 node, SQLite"], 99)
    lines = ["## C3 — firing lag, cluster beside one node\n",
             f"{n} every-second tasks, {seconds} s a block, {rounds} round(s) of the three blocks "
             "(order reversed every other round); lag = the child's first `$EPOCHREALTIME` − the "
             "occurrence, from 5 s after the daemons started.\n",
             "| store | runs | p50 ms | p99 ms | max ms | p99 / 1 node SQLite | started twice | not started |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, lags in result.items():
        p99 = pct(lags, 99)
        lines.append(f"| {kind} | {len(lags)} | {ms(pct(lags, 50))} | {ms(p99)} | {ms(max(lags) if lags else float('nan'))} "
                     f"| {p99 / base:.2f} | {gaps[kind][0]} | {gaps[kind][1]} |")
    return "\n".join(lines) + "\n"


def c1(b, pg, n, seconds, every):
    pg.reset()
    names = [f"c1t{i:03d}" for i in range(n)]
    out = f"{b.dir}/c1.txt"
    b.tasks(["--database", pg.url(), "--home", b.dir + "/cli"], names, out)
    b.start_nodes(3, pg.url())
    log(f"C1: 3 nodes, {n} tasks, {seconds} s, a node SIGKILLed every {every} s")
    t0 = time.time()
    kills = 0
    while time.time() < t0 + seconds:
        if time.time() >= t0 + every * (kills + 1):
            node = b.nodes[kills % len(b.nodes)]
            node.kill()
            node.start()
            kills += 1
        time.sleep(0.1)
    t1 = time.time()
    b.stop_nodes()
    first, last = int(t0) + 5, int(t1) - 3
    lags, twice, unstarted = window_stats(stamps(out), n, first, last)
    expected = n * (last - first + 1)
    records = pg.rows(f"""SELECT status, count(*) FROM run WHERE trigger = 'schedule'
                         AND scheduled_at BETWEEN {first * 1000} AND {last * 1000} GROUP BY status ORDER BY 1""")
    recorded = int(pg.value(f"""SELECT count(*) FROM (SELECT DISTINCT task, scheduled_at FROM run
                     WHERE trigger = 'schedule' AND scheduled_at BETWEEN {first * 1000} AND {last * 1000}) AS o""") or 0)
    double = int(pg.value(f"""SELECT count(*) FROM (SELECT task, scheduled_at FROM run WHERE trigger = 'schedule'
                     GROUP BY task, scheduled_at HAVING count(*) > 1) AS d""") or 0)
    live = int(pg.value("SELECT count(*) FROM run WHERE status IN ('queued', 'running')") or 0)
    statuses = ", ".join(f"{s} {c}" for s, c in records)
    return "\n".join([
        "## C1 — 3 nodes, a node SIGKILLed and restarted every "
        f"{every} s\n",
        f"{n} every-second tasks for {seconds} s; {kills} kills. Window: occurrences from 5 s after "
        "the start to 3 s before the end.\n",
        "| measure | value | target |", "|---|---:|---|",
        f"| occurrences in the window | {expected} | |",
        f"| started twice (witness lines, no unique key) | {twice} | 0 |",
        f"| without a record in the run table | {expected - recorded} | 0 |",
        f"| recorded twice | {double} | 0 |",
        f"| runs still live after the nodes stopped | {live} | 0 |",
        f"| started (witness) | {expected - unstarted} | |",
        f"| records by status | {statuses} | |",
        f"| lag p50 / p99 / max (ms), kills included | {ms(pct(lags, 50))} / {ms(pct(lags, 99))} / "
        f"{ms(max(lags) if lags else float('nan'))} | |",
    ]) + "\n"


def p2(b, pg, count):
    """`tfs run` -> the run's first `$EPOCHREALTIME`, CLI start-up included: through one node on
    the home's SQLite (the SIGUSR1 nudge) and through three nodes on PostgreSQL (LISTEN/NOTIFY)."""
    import re
    rows = []
    for kind in ("1 node, SQLite", "3 nodes, PostgreSQL"):
        out = f"{b.dir}/p2-{kind[0]}.txt"
        if kind.endswith("SQLite"):
            store = ["--home", f"{b.dir}/p2-single"]
            b.tasks(store, ["p2t"], out)
            b.nodes = [Node("single", store[1])]
        else:
            pg.reset()
            store = ["--database", pg.url(), "--home", b.dir + "/cli"]
            b.tasks(store, ["p2t"], out)
            b.start_nodes(3, pg.url())
        run([BIN, "modify", "p2t", "--rule", "0 0 0 1 1 *", "--overlap", "allow", *store])
        time.sleep(3)
        lags = []
        for _ in range(count):
            t0 = time.time()
            said = run([BIN, "run", "p2t", *store]).stdout
            run_id = re.search(r"run (\d+) of", said).group(1)
            seen = lambda: [line for line in open(out)] if os.path.exists(out) else []
            found = []
            wait_until(lambda: found.extend(l for l in seen() if l.split()[3:4] == [run_id]) or found, 5, every=0.002)
            if found:
                lags.append(float(found[0].split()[0]) - t0)
            time.sleep(0.2)
        b.stop_nodes()
        rows.append(f"| {kind} | {len(lags)} of {count} | {ms(pct(lags, 50))} | {ms(pct(lags, 99))} | "
                    f"{ms(max(lags) if lags else float('nan'))} |")
    return "\n".join([
        "## P2 on a cluster — `tfs run` → the run's first `$EPOCHREALTIME`\n",
        f"{count} `tfs run` one after another, CLI start-up included. Target: P2's (100 ms) plus 100 ms.\n",
        "| daemons | started | p50 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|", *rows]) + "\n"


def log_time(path, needle):
    """The `time=` of the first line of a daemon log containing `needle` (epoch s), else None."""
    import datetime
    try:
        for line in open(path, errors="replace"):
            if needle in line and line.startswith("time="):
                stamp = line.split()[0][5:].replace("Z", "+00:00")
                return datetime.datetime.fromisoformat(stamp).timestamp()
    except OSError:
        pass
    return None


def c2(b, variant):
    ns = Namespace()
    pg = Postgres(listen=[ns.host])
    try:
        names = [f"c2t{i:02d}" for i in range(30)]
        out = f"{b.dir}/c2-{variant}.txt"
        b.tasks(["--database", pg.url(), "--home", b.dir + "/cli"], names, out, body=STAMP + "\nsleep 1.5")
        b.start_nodes(3, lambda name: pg.url(ns.host if name == "c" else "127.0.0.1"), wrap={"c": ns.wrap()})
        node_c = b.nodes[2]
        ok = wait_until(lambda: int(pg.value("SELECT count(*) FROM run WHERE node = 'c' AND status = 'succeeded'") or 0) >= 5, 60)
        if not ok:
            raise RuntimeError(f"node c ran nothing; its log: {node_c.home}.log")
        running = lambda: int(pg.value("SELECT count(*) FROM run WHERE node = 'c' AND status = 'running'") or 0)
        if not wait_until(lambda: running() >= 3, 30, every=0.05):
            raise RuntimeError(f"node c runs nothing; its log: {node_c.home}.log")
        log(f"C2 ({variant}): cutting c off")
        t_cut = time.time()
        ns.link(False) if variant == "link down" else ns.drop(True)
        lost = lambda: int(pg.value("SELECT count(*) FROM run WHERE node = 'c' AND status = 'lost'") or 0)
        if not wait_until(lambda: lost() >= 1, 40):
            nodes = pg.rows("SELECT name, epoch, state, lease_until - tfs_now_ms() FROM node")
            runs = pg.rows("SELECT status, epoch, count(*) FROM run WHERE node = 'c' GROUP BY 1, 2")
            activity = pg.rows("SELECT application_name, state, wait_event_type, left(query, 60) "
                               "FROM pg_stat_activity WHERE datname = 'postgres'")
            raise RuntimeError(f"no run of c recorded lost within 40 s; nodes {nodes}; c's runs {runs}; {activity}")
        time.sleep(2.5)  # every reaper has passed
        timing = pg.rows("""SELECT max(r.ended_at) - n.renewed_at, min(r.ended_at) - n.lease_until, n.renewed_at,
                              min(r.ended_at), count(*)
                            FROM run AS r JOIN node AS n ON n.name = r.node
                            WHERE r.node = 'c' AND r.status = 'lost' GROUP BY n.renewed_at, n.lease_until""")[0]
        after_renewal, after_lease, renewed_at, verdict, lost_runs = (int(x) for x in timing)
        fenced = log_time(f"{node_c.home}.log", "node fenced")
        time.sleep(3)
        ns.link(True) if variant == "link down" else ns.drop(False)
        back = wait_until(lambda: int(pg.value("SELECT epoch FROM node WHERE name = 'c'") or 0) >= 2, 60)
        rejoined = time.time() if back else None
        time.sleep(2)
        stale = int(pg.value(f"""SELECT count(*) FROM run WHERE node = 'c' AND epoch = 1 AND status <> 'lost'
                               AND (coalesce(ended_at, 0) > {verdict} OR coalesce(started_at, 0) > {verdict})""") or 0)
        b.stop_nodes()
        starts_while_out = [s for s in stamps(out) if s[4] == "c" and fenced and fenced < s[0] < (rejoined or 1e12)]
        _, twice, _ = window_stats(stamps(out), 30, 0, 1e12)
        fence_after = f"{(fenced - renewed_at / 1000) * 1000:.0f}" if fenced else "never"
        return (f"| {variant} | {after_renewal} | {after_lease} | {fence_after} | {lost_runs} | {stale} "
                f"| {len(starts_while_out)} | {'yes' if back else 'no'} | {twice} |")
    finally:
        b.stop_nodes()
        pg.stop()
        ns.remove()


def main():
    global BIN
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="C3,P2,C1,C2")
    parser.add_argument("--out", default="bench-out/cluster.md")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    BIN = os.path.abspath(args.bin)
    only = set(args.only.split(","))
    b = Bench(args)
    report = ["# tfs cluster benchmarks (SPEC §10)\n",
              f"`scripts/bench-cluster.py {' '.join(sys.argv[1:])}`; {os.cpu_count()} cores; "
              f"PostgreSQL {os.path.basename(os.path.dirname(sorted(glob.glob('/usr/lib/postgresql/*/bin'))[-1]))} "
              "on the same machine.\n"]
    def flush():
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            f.write("\n".join(report))

    try:
        if "C3" in only or "C1" in only or "P2" in only:
            pg = Postgres()
            if "C3" in only:
                report.append(c3(b, pg, 100, 15 if args.quick else 40, 1 if args.quick else 2))
                flush()
            if "P2" in only:
                report.append(p2(b, pg, 20 if args.quick else 100))
                flush()
            if "C1" in only:
                report.append(c1(b, pg, 300, 60 if args.quick else 300, 30))
                flush()
        if "C2" in only:
            if os.getuid() != 0 or not shutil.which("ip"):
                report.append("## C2\n\nskipped: needs root and ip(8) for a network namespace\n")
            else:
                rows = []
                for variant in os.environ.get("C2_VARIANTS", "link down,packets dropped").split(","):
                    try:
                        rows.append(c2(b, variant))
                    except RuntimeError as e:
                        rows.append(f"| {variant} | failed: {e} | | | | | | | |")
                report.append("\n".join([
                    "## C2 — a node cut off from the database\n",
                    "Node c runs in its own network namespace; 30 every-second tasks of 1.5 s. Times in ms; "
                    "\"lost after renewal\" is the last of c's runs recorded lost − c's last lease renewal "
                    "(target ≤ 12,000), \"after lease end\" the first of them − the end of c's lease (≥ 0: "
                    "never before), \"fenced after renewal\" when c stopped its runs (its log).\n",
                    "| cut | lost after renewal | after lease end | fenced after renewal | runs lost "
                    "| c's writes under epoch 1 after the verdict | c's starts while fenced | rejoined (epoch 2) "
                    "| started twice |",
                    "|---|---:|---:|---:|---:|---:|---:|---|---:|", *rows]) + "\n")
    finally:
        for step in reversed(CLEANUP):
            try:
                step()
            except Exception as e:  # cleanup goes on
                log(f"cleanup: {e}")
    flush()
    print("\n".join(report))


if __name__ == "__main__":
    main()
