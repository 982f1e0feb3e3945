#!/usr/bin/env bash
# The Python virtual environment of the daemon benchmarks' APScheduler peer (apscheduler_peer.py):
# makes VENV (default .build/bench-venv) with APScheduler 3.11 from PyPI unless it is there
# already, installing python3-venv first when Debian's Python cannot make one (as ensure-deps.sh
# installs things). Prints VENV's python; on failure, one line saying why on stderr and exit 1.
set -uo pipefail
venv=${1:-.build/bench-venv}
py=$venv/bin/python
want='APScheduler==3.11.*'
have() { "$py" -c 'import sys, apscheduler; sys.exit(not apscheduler.__version__.startswith("3.11."))' 2>/dev/null; }
fail() { echo "$1" >&2; exit 1; }
if have; then echo "$py"; exit 0; fi
err=$(mktemp)
trap 'rm -f "$err"' EXIT
make_venv() { rm -rf "$venv" && python3 -m venv "$venv" >/dev/null 2>"$err"; }
if ! make_venv; then
  # Debian ships venv's ensurepip in python3-venv.
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing python3-venv" >&2
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null; } 2>>"$err" \
    || fail "python3 -m venv failed and python3-venv could not be installed: $(grep . "$err" | tail -1)"
  make_venv || fail "python3 -m venv failed: $(grep . "$err" | tail -1)"
fi
echo "installing $want into $venv (pip)" >&2
"$py" -m pip install -q --disable-pip-version-check "$want" >/dev/null 2>"$err" \
  || fail "pip install '$want' failed: $(grep . "$err" | tail -1)"
have || fail "APScheduler 3.11 is not importable in $venv after pip install"
echo "$py"
