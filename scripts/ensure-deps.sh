#!/usr/bin/env bash
# Installs the system packages tfs builds against, and what its tests' peers need, when they are
# missing (Debian/Ubuntu).
set -euo pipefail
missing=()
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
# Webhooks and SMTP go through libcurl (the CTFSCurl target).
[ -f /usr/include/curl/curl.h ] || ls /usr/include/*/curl/curl.h >/dev/null 2>&1 || missing+=(libcurl4-openssl-dev)
# The cluster store (PostgreSQL) goes through libpq, loaded at run time (the CTFSPostgres
# target); its tests start throwaway servers with Debian's initdb and pg_ctl.
ldconfig -p 2>/dev/null | grep -q 'libpq\.so\.5 ' || missing+=(libpq5)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# A node cut off from the database is tested in a network namespace (ip netns, veth).
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
# Test peers: msmtp as a sendmail program, openssl for the webhook peer's self-signed
# certificate, Python for the peers themselves (aiosmtpd comes from PyPI below).
command -v msmtp >/dev/null || missing+=(msmtp)
command -v openssl >/dev/null || missing+=(openssl)
command -v python3 >/dev/null || missing+=(python3)
# The live view (tfs top) is tested in a real terminal: tmux.
command -v tmux >/dev/null || missing+=(tmux)
need_aiosmtpd=0
python3 -c 'import aiosmtpd' 2>/dev/null || need_aiosmtpd=1
if [ "$need_aiosmtpd" -eq 1 ] && ! python3 -m pip --version >/dev/null 2>&1; then missing+=(python3-pip); fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  # Debian's postgresql package would create and start a cluster of its own on port 5432:
  # the tests need only the binaries.
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ "$need_aiosmtpd" -eq 1 ] || exit 0
echo "installing aiosmtpd (pip)" >&2
user=""
[ "$(id -u)" -eq 0 ] || user="--user"
# Debian's own Python refuses pip outside a virtual environment (PEP 668) unless told to.
python3 -m pip install -q $user aiosmtpd 2>/dev/null \
  || python3 -m pip install -q $user --break-system-packages aiosmtpd
