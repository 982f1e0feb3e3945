#!/usr/bin/env bash
# P5 (SPEC §8): read commands on a home with 10,000 tasks and 1,000,000 runs.
#
# Usage: scripts/bench-read.sh BIN [RUNS]
#   BIN   the tfs binary to measure (build it with: swift build -c release --product tfs)
#   RUNS  timed runs per command (default 30)
# Env: BENCH_HOME=DIR reuses (or keeps) a generated home instead of a fresh temp one.
#
# Fills the home once with scripts/gen-runs.py, then times each command with hyperfine when it
# is installed (else a plain loop) and prints a markdown table: median and p90 wall time in ms,
# and (hyperfine only) the mean CPU time, which a busy shared machine inflates much less.
set -euo pipefail

bin=${1:?usage: scripts/bench-read.sh BIN [RUNS]}
runs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

if [ -n "${BENCH_HOME:-}" ]; then
  home=$BENCH_HOME
else
  home=$(mktemp -d "${TMPDIR:-/tmp}/tfs-bench-read.XXXXXX")
  trap 'rm -rf "$home"' EXIT
fi
if [ ! -f "$home/tfs.db" ] || [ "$(sqlite3 "$home/tfs.db" 'SELECT count(*) FROM run' 2>/dev/null)" = 0 ]; then
  "$bin" init --home "$home" >/dev/null
  python3 "$here/gen-runs.py" "$home"
fi
export TFS_HOME=$home NO_COLOR=1

# The busiest task (most runs) for `history NAME`.
task=$(sqlite3 "$home/tfs.db" 'SELECT task FROM run GROUP BY task ORDER BY count(*) DESC LIMIT 1')
commands=(
  "--version"
  "status"
  "list"
  "history --limit 50"
  "history $task"
  "history --status failed --limit 50"
  "history --since 1d --limit 50"
  "events --limit 50"
)

# "median | p90" (nearest rank) in ms of the wall times (seconds) on stdin, then " | cpu" when a
# CPU time (seconds, user + system, mean) is given as $1.
stats() {
  python3 -c '
import math, sys
t = sorted(float(x) * 1000 for x in sys.stdin.read().split())
p90 = t[max(0, math.ceil(0.9 * len(t)) - 1)]
n = len(t)
median = t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2
cpu = f"{float(sys.argv[1]) * 1000:.1f}" if len(sys.argv) > 1 else "-"
print(f"{median:.1f} | {p90:.1f} | {cpu}")' "$@"
}

echo "| command | median ms | p90 ms | CPU ms (user+sys, mean) |"
echo "|---|---:|---:|---:|"
for args in "${commands[@]}"; do
  if command -v hyperfine >/dev/null; then
    out=$(mktemp)
    # -N: no shell in between, so the figures are tfs's own (start-up included).
    hyperfine -N --style none --warmup 3 --runs "$runs" --output null --export-json "$out" \
      "$bin $args" >/dev/null
    cpu=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print(r["user"] + r["system"])' "$out")
    line=$(python3 -c 'import json, sys; print("\n".join(map(str, json.load(open(sys.argv[1]))["results"][0]["times"])))' "$out" | stats "$cpu")
    rm -f "$out"
  else
    for _ in 1 2 3; do "$bin" $args >/dev/null; done
    line=$(for _ in $(seq "$runs"); do
      start=$(date +%s%N)
      "$bin" $args >/dev/null
      awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { print (b - a) / 1e9 }'
    done | stats)
  fi
  echo "| \`tfs $args\` | $line |"
done
