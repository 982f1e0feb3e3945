#!/usr/bin/env bash
# `make bench`: every benchmark against the release build; results in bench-out/*.md and stdout.
# Quote medians and ratios from one run: the machine is shared (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/tfs
mkdir -p bench-out
{
  echo "# tfs benchmarks — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(swift --version 2>&1 | head -1)"
  echo
} > bench-out/header.md
sections=()
[ -x scripts/bench-cron.sh ] && { scripts/bench-cron.sh | tee bench-out/cron.md; sections+=(cron); }
[ -x scripts/bench-store.sh ] && { scripts/bench-store.sh "$bin" | tee bench-out/store.md; sections+=(store); }
[ -x scripts/bench-read.sh ] && { scripts/bench-read.sh "$bin" | tee bench-out/read.md; sections+=(read); }
[ -x scripts/bench-taskfile.sh ] && { scripts/bench-taskfile.sh "$bin" | tee bench-out/taskfile.md; sections+=(taskfile); }
# P1 (N=100) and P1b also run APScheduler 3.11 as a peer (venv .build/bench-venv); BENCH_NO_PEERS=1 skips it.
[ -f scripts/bench-daemon.py ] && { python3 scripts/bench-daemon.py "$bin" ${BENCH_QUICK:+--quick} ${BENCH_NO_PEERS:+--no-peers}; sections+=(daemon); }
[ -f scripts/bench-alerts.py ] && { python3 scripts/bench-alerts.py "$bin" ${BENCH_QUICK:+--quick}; sections+=(alerts); }
# BENCH_BASE=REV: also the daemon benchmarks of REV's release build and this one, alternated.
[ -n "${BENCH_BASE:-}" ] && { scripts/bench-ab.sh "$BENCH_BASE" ${BENCH_QUICK:+--quick} ${BENCH_AB_ARGS:-}; sections+=(ab); }
cat bench-out/header.md $(for s in "${sections[@]}"; do echo "bench-out/$s.md"; done) > bench-out/all.md
echo "report: bench-out/all.md"
