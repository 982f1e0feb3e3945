#!/usr/bin/env bash
# Task files (issue 13): `tfs apply` and `tfs export` with 1,000 tasks.
#
# Usage: scripts/bench-taskfile.sh BIN [RUNS]
#   BIN   the tfs binary to measure (build it with: swift build -c release --product tfs)
#   RUNS  timed runs per case (default 10)
#
# Cases, each timed RUNS times (median and max wall time in ms, start-up included):
#   add 1,000      apply of a 1,000-task file to an empty home (a fresh home each time)
#   no change      the same file again: the plan is empty and nothing is written
#   change 100     the file with 100 tasks' timeout changed (and back, alternately)
#   export 1,000   `tfs export` of the 1,000 tasks
set -euo pipefail

bin=${1:?usage: scripts/bench-taskfile.sh BIN [RUNS]}
runs=${2:-10}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d "${TMPDIR:-/tmp}/tfs-bench-taskfile.XXXXXX")
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1

# 1,000 tasks in 10 groups, each with a rule, a timeout, an owner and an environment variable.
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
def task_file(minutes):
    out = []
    for i in range(1000):
        timeout = minutes if i % 10 == 0 else i % 30 + 1
        out.append(f'[[task]]\nname = "g{i % 10}/t{i}"\nrule = "*/{i % 59 + 1} * * * * *"\n'
                   f'timeout = "{timeout}m"\nowners = ["ops@example.com"]\n[task.env]\nK = "v{i}"\n')
    return "\n".join(out)
open(f"{work}/a.toml", "w").write(task_file(45))
open(f"{work}/b.toml", "w").write(task_file(50))
PY

# Prints "median | max" in ms of the nanosecond durations on stdin.
stats() {
  python3 -c '
import sys
t = sorted(int(x) / 1e6 for x in sys.stdin.read().split())
n = len(t)
median = t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2
print(f"{median:.0f} | {t[-1]:.0f}")'
}

# Times `tfs ARGS…` once with TFS_HOME=$home, printing nanoseconds; fails on a non-zero exit.
timed() {
  local start end
  start=$(date +%s%N)
  TFS_HOME=$home "$bin" "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $((end - start))
}

echo "| case (1,000 tasks) | median ms | max ms |"
echo "|---|---:|---:|"
add=$(for i in $(seq "$runs"); do
  home=$work/home-$i
  timed apply "$work/a.toml"
done | stats)
echo "| \`tfs apply\`: add 1,000 | $add |"
home=$work/home-1
same=$(for _ in $(seq "$runs"); do timed apply "$work/a.toml"; done | stats)
echo "| \`tfs apply\`: no change | $same |"
change=$(for i in $(seq "$runs"); do
  if ((i % 2)); then timed apply "$work/b.toml"; else timed apply "$work/a.toml"; fi
done | stats)
echo "| \`tfs apply\`: change 100 | $change |"
export_=$(for _ in $(seq "$runs"); do timed export; done | stats)
echo "| \`tfs export\` | $export_ |"
