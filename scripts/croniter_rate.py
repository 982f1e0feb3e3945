#!/usr/bin/env python3
"""croniter's next-occurrence rate on the rules `tfs-bench cron` measures (SPEC §8 P7 peer).

Usage: scripts/croniter_rate.py [--json] [--repetitions N] [--seconds S] [--rule RULE]... [--zone ZONE]...

Rules are written the tfs way (`sec min hour dom mon dow`, or 5 fields, or a macro) and
converted to croniter's order, which puts the seconds field last. Like tfs-bench, each run
chains get_next() from 2024-01-01T00:00:00Z in the zone (restarting when it passes 2100) and the
median of the runs is reported. The output (table or --json) has the same shape as
`tfs-bench cron`.

croniter is imported from the current Python; when it is missing, a virtualenv is created at
.build/bench-venv (under the repository) with a pinned croniter and the script reruns there.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

CRONITER = "croniter==7.0.0"  # the version the cron fixtures were compared with
RULES = ["* * * * * *", "*/5 * * * * *", "0 */15 * * * *", "0 30 9 * * 1-5", "0 0 0 * * *", "0 0 12 L * *", "@hourly"]
ZONES = ["UTC", "America/New_York"]
START = 1_704_067_200  # 2024-01-01T00:00:00Z
HORIZON = 4_102_444_800  # 2100-01-01T00:00:00Z
REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".build" / "bench-venv"


def ensure_croniter() -> None:
    """Import croniter, or rerun this script inside .build/bench-venv with croniter installed."""
    try:
        import croniter  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("CRONITER_RATE_IN_VENV"):
        sys.exit(f"croniter_rate: croniter is still missing in {VENV}")
    python = VENV / "bin" / "python3"
    if not python.exists():
        print(f"croniter_rate: installing {CRONITER} into {VENV.relative_to(REPO)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", CRONITER], check=True)
    env = dict(os.environ, CRONITER_RATE_IN_VENV="1")
    os.execve(str(python), [str(python), __file__, *sys.argv[1:]], env)


def to_croniter(rule: str) -> str:
    """`sec min hour dom mon dow` (or 5 fields, or a macro) in croniter's order: seconds last."""
    if rule.startswith("@"):
        return rule
    fields = rule.split()
    if len(fields) == 5:
        return rule
    return " ".join(fields[1:] + fields[:1])


def chain(expr: str, zone, count: int) -> float:
    """Seconds taken by `count` chained get_next() calls."""
    from croniter import croniter

    start = datetime.fromtimestamp(START, zone)
    it = croniter(expr, start)
    began = time.perf_counter()
    for _ in range(count):
        if it.get_next(float) >= HORIZON:
            it = croniter(expr, start)
    return time.perf_counter() - began


def measure(rule: str, zone_name: str, repetitions: int, seconds: float) -> dict:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    expr = to_croniter(rule)
    count = 100
    elapsed = chain(expr, zone, count)
    while elapsed < 0.02:
        count *= 2
        elapsed = chain(expr, zone, count)
    count = max(100, int(count * seconds / elapsed))
    rates = sorted(count / chain(expr, zone, count) for _ in range(repetitions))
    return {
        "rule": rule,
        "zone": zone_name,
        "iterations": count,
        "median_per_second": round(statistics.median(rates)),
        "min_per_second": round(rates[0]),
        "max_per_second": round(rates[-1]),
    }


def table(results: list[dict], repetitions: int) -> str:
    zones = list(dict.fromkeys(r["zone"] for r in results))
    rules = list(dict.fromkeys(r["rule"] for r in results))
    rows = [["RULE"] + [f"{z} /s" for z in zones]]
    for rule in rules:
        cells = {r["zone"]: f"{r['median_per_second']:,}" for r in results if r["rule"] == rule}
        rows.append([rule] + [cells.get(z, "-") for z in zones])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"croniter {version()} get_next() rate: chained; median of {repetitions} runs"]
    for row in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    return "\n".join(lines)


def version() -> str:
    from importlib.metadata import version as package_version

    return package_version("croniter")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object, as tfs-bench cron --json")
    parser.add_argument("--repetitions", type=int, default=7, help="runs per rule and zone (median reported)")
    parser.add_argument("--seconds", type=float, default=0.2, help="length of one run")
    parser.add_argument("--rule", action="append", help="rule in tfs syntax (repeatable; default: the tfs-bench set)")
    parser.add_argument("--zone", action="append", help="IANA zone (repeatable; default: UTC, America/New_York)")
    args = parser.parse_args()
    ensure_croniter()
    results = [
        measure(rule, zone, args.repetitions, args.seconds)
        for rule in args.rule or RULES
        for zone in args.zone or ZONES
    ]
    if args.json:
        report = {
            "benchmark": "cron-next",
            "implementation": f"croniter {version()}",
            "unit": "next occurrences per second",
            "repetitions": args.repetitions,
            "results": results,
        }
        print(json.dumps(report, sort_keys=True))
    else:
        print(table(results, args.repetitions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
