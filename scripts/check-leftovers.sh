#!/usr/bin/env bash
# Fails when a process started for a test home outlived the tests.
#
#   scripts/check-leftovers.sh [--kill] [PREFIX]
#
# The tests make their homes under PREFIX (default: $TMPDIR/tfs-, TempDir's labels all start
# with tfs-). A process is a leftover when its environment carries TFS_TASK_DIR (every run, and
# what it started, has it), TFS_HOME (a tfs the tests started: a daemon, `logs -f`…) or
# TFS_TEST_DIR (a PostgreSQL server a test started) under PREFIX. Processes being killed get up to 5 s to go; then each leftover is printed (pid, command
# line) and the script exits 1; with --kill they are also killed (with the process group they
# lead), so that a failing check leaves nothing behind either. Exits 0 when there is none.
# `make test` runs it with --kill after `swift test`, on the private TMPDIR it gave the tests.
set -uo pipefail

kill=false
if [[ ${1:-} == --kill ]]; then
  kill=true
  shift
fi
tmp=${TMPDIR:-/tmp}
while [[ $tmp == */ && $tmp != / ]]; do tmp=${tmp%/}; done
prefix=${1:-$tmp/tfs-}

# The pids whose TFS_TASK_DIR, TFS_HOME or TFS_TEST_DIR starts with $prefix (zombies have no environment).
leftovers() {
  local environ pid value
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    while IFS= read -r -d '' value; do
      case $value in
        TFS_TASK_DIR="$prefix"* | TFS_HOME="$prefix"* | TFS_TEST_DIR="$prefix"*)
          echo "$pid"
          break
          ;;
      esac
    done 2>/dev/null <"$environ"
  done
}

deadline=$((SECONDS + 5))
found=$(leftovers)
while [[ -n $found && $SECONDS -lt $deadline ]]; do
  sleep 0.1
  found=$(leftovers)
done
[[ -z $found ]] && exit 0

echo "processes left behind by the tests (environment under $prefix):" >&2
for pid in $found; do
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
  echo "  pid $pid: ${cmdline:-(gone)}" >&2
done
$kill || exit 1
for pid in $found; do
  pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')
  [[ -n $pgid && $pgid == "$pid" ]] && kill -KILL -- "-$pgid" 2>/dev/null
  kill -KILL "$pid" 2>/dev/null
done
exit 1
