#!/usr/bin/env bash
# `make run`: a demo home with three example tasks, then the daemon in the foreground.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
home=$2
mkdir -p "$home"
export TFS_HOME=$home
"$bin" init >/dev/null

task() {  # task NAME RULE SCRIPT [flags…]
  local name=$1 rule=$2 script=$3
  shift 3
  mkdir -p "$home/tasks/$name"
  printf '#!/bin/sh\n%s\n' "$script" > "$home/tasks/$name/run.sh"
  if "$bin" show "$name" >/dev/null 2>&1; then
    "$bin" modify "$name" --rule "$rule" "$@" >/dev/null
  else
    "$bin" add "$name" --rule "$rule" "$@" >/dev/null
  fi
}

task demo/publish '*/5 * * * * *' 'echo "building report for run $TFS_RUN_ID ($TFS_RUN_VERSION)"
date > "$TFS_PUBLISH_DIR/report.txt"
echo "published report.txt"' --title 'publishes a file every 5 s'
task demo/failing '*/10 * * * * *' 'echo "fetching upstream…"
echo "error: upstream returned 503" >&2
exit 3' --title 'fails every 10 s (exit 3)'
task demo/slow '*/10 * * * * *' 'echo "slow job started"; sleep 12; echo "slow job done"' \
  --title 'takes 12 s every 10 s: overlapping occurrences are skipped' --overlap skip

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
  $bin logs demo/publish
  $bin history demo/publish --files
  $bin run demo/failing --wait
  $bin events
  $bin channel list                     # alerts go to $home/alerts/alerts.log
  tail -f $home/alerts/alerts.log
Stop the daemon with Ctrl-C.
MSG
exec "$bin" daemon
