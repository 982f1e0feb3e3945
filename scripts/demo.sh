#!/usr/bin/env bash
# `make run`: a demo home with the tasks of examples/demo, then the daemon in the foreground.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
home=$2
mkdir -p "$home"
export TFS_HOME=$home
"$bin" init >/dev/null

examples=$(cd "$(dirname "$0")/../examples" && pwd)

# task NAME RULE COMMAND ENTRY [flags…]: the example's folder (examples/NAME) copied into the
# home (its entry file refreshed, what runs left there kept), and the task added or updated.
task() {
  local name=$1 rule=$2 command=$3 entry=$4
  shift 4
  mkdir -p "$home/tasks/$name"
  cp "$examples/$name/$entry" "$home/tasks/$name/$entry"
  if "$bin" show "$name" >/dev/null 2>&1; then
    "$bin" modify "$name" --rule "$rule" --command "$command" --entry "$entry" "$@" >/dev/null
  else
    "$bin" add "$name" --rule "$rule" --command "$command" --entry "$entry" "$@" >/dev/null
  fi
}

task demo/shell '*/5 * * * * *' sh run.sh --title 'publishes a report every 5 s'
task demo/python '*/15 * * * * *' python3 main.py --title 'counts the published files every 15 s'
task demo/failing '*/10 * * * * *' sh run.sh --title 'fails every 10 s (exit 3)'
task demo/slow '*/10 * * * * *' sh run.sh --overlap skip \
  --title 'takes 12 s every 10 s: overlapping occurrences are skipped'
if command -v node >/dev/null 2>&1; then
  task demo/node '*/30 * * * * *' node index.js --title "TFSchedule's demo: publishes gold_rate.json every 30 s"
else
  echo "node is not installed: the example demo/node (examples/demo/node) is left out" >&2
fi

# An alert channel: a command appending each alert's JSON to a file of the demo home.
mkdir -p "$home/alerts"
cat > "$home/alerts/to-file.sh" <<'SH'
#!/bin/sh
{ printf '%s %s: ' "$(date +%T)" "$TFS_ALERT_TYPE"; cat; echo; } >> "$(dirname "$0")/alerts.log"
SH
chmod +x "$home/alerts/to-file.sh"
"$bin" channel show demo-file >/dev/null 2>&1 || "$bin" channel add demo-file --command "'$home/alerts/to-file.sh'" >/dev/null

cat >&2 <<MSG
tfs demo home: $home
In another terminal try:
  export TFS_HOME=$home
  $bin list
  $bin status
  $bin history --limit 10
  $bin logs demo/shell
  $bin history demo/shell --files
  ls -l $home/tasks/demo/shell/history/latest/
  $bin run demo/failing --wait
  $bin events
  $bin channel list                     # alerts go to $home/alerts/alerts.log
  tail -f $home/alerts/alerts.log
Stop the daemon with Ctrl-C.
MSG
exec "$bin" daemon
