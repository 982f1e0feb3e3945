#!/usr/bin/env bash
# P7 (SPEC §8): next-occurrence computations per second, tfs next to croniter on the same rules.
#
# Usage: scripts/bench-cron.sh [TFS_BENCH]
#   TFS_BENCH  the tfs-bench binary (default .build/release/tfs-bench). This script builds
#              nothing: `make bench` does, or: swift build -c release --product tfs-bench
# Env: BENCH_REPETITIONS runs per rule and zone (default 7), BENCH_SECONDS length of one run
#      (default 0.2), BENCH_SKIP_CRONITER=1 to leave croniter out.
#
# Prints a markdown table of the median rates and the tfs/croniter ratio, both taken in this run.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-.build/release/tfs-bench}
reps=${BENCH_REPETITIONS:-7}
seconds=${BENCH_SECONDS:-0.2}
[ -x "$bin" ] || {
  echo "bench-cron: '$bin' not found; build it: swift build -c release --product tfs-bench" >&2
  exit 1
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfs-bench-cron.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$bin" cron --json --repetitions "$reps" --seconds "$seconds" > "$tmp/tfs.json"
if [ -z "${BENCH_SKIP_CRONITER:-}" ]; then
  python3 scripts/croniter_rate.py --json --repetitions "$reps" --seconds "$seconds" > "$tmp/croniter.json" \
    || echo "bench-cron: croniter could not be measured" >&2
fi

python3 - "$tmp/tfs.json" "$tmp/croniter.json" "$reps" <<'PY'
import json, sys

tfs = json.load(open(sys.argv[1]))["results"]
try:
    peer = json.load(open(sys.argv[2]))
except (OSError, ValueError):
    peer = {}
name = peer.get("implementation", "croniter")
rates = {(r["rule"], r["zone"]): r["median_per_second"] for r in peer.get("results", [])}
target = 1_000_000
print("## P7: next occurrences per second")
print()
print(f"Chained `next(after:)` on epoch seconds with the zone's rules cached, against {name}'s")
print(f"chained `get_next()`; medians of {sys.argv[3]} runs each, taken in the same run. Target: ≥ {target:,}/s.")
print()
print(f"| rule | zone | tfs /s | {name} /s | ratio |")
print("|---|---|---:|---:|---:|")
for r in tfs:
    other = rates.get((r["rule"], r["zone"]))
    mark = "" if r["median_per_second"] >= target else " (below target)"
    ratio = f"{r['median_per_second'] / other:,.0f}x" if other else "-"
    other_text = f"{other:,}" if other else "-"
    print(f"| `{r['rule']}` | {r['zone']} | {r['median_per_second']:,.0f}{mark} | {other_text} | {ratio} |")
PY
