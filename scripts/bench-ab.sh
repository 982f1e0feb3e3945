#!/usr/bin/env bash
# `make bench-ab [BASE=REV]`: the daemon benchmarks (P1, P1b, P2, P3, P4, P6) of REV's release
# build and of this tree's, alternated in one run (scripts/bench-daemon.py --against); report in
# bench-out/ab.md, ab.json and ab-runs.md.
#
# Usage: scripts/bench-ab.sh [BASE_REV] [bench-daemon.py options: --rounds R --only P2 --quick ...]
#
# BASE_REV defaults to what this tree changes: HEAD when Sources/ or Package.swift have
# uncommitted changes; else the commit where HEAD left origin/main (or main when there is no
# origin/main); else, on main itself, HEAD~1.
#
# REV is built with the same flags as `make bench`, in a temporary git worktree with its own
# scratch path; its binary is kept in .build-ab-base/<commit>-<toolchain>/ so that a later A/B
# against the same commit skips the build. The worktree and its build are deleted only after the
# A/B: deleting many files slows file creation on some file systems for minutes (BENCHMARKS.md),
# and the daemon creates a log file per run.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
flags=(-c release --static-swift-stdlib --product tfs)

default_base() {
  if [ -n "$(git status --porcelain -- Sources Package.swift)" ]; then
    echo HEAD
    return
  fi
  local ref
  for ref in origin/main main; do
    if git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
      local fork
      fork=$(git merge-base HEAD "$ref")
      if [ "$fork" != "$(git rev-parse HEAD)" ]; then
        echo "$fork"
        return
      fi
      break
    fi
  done
  echo HEAD~1
}

base=${1:-}
if [ -z "$base" ] || [[ $base == -* ]]; then
  base=$(default_base)
else
  shift
fi
sha=$(git rev-parse --verify --quiet "$base^{commit}") || { echo "bench-ab: not a commit: $base" >&2; exit 2; }
short=$(git rev-parse --short "$sha")

echo "bench-ab: building this tree" >&2
$SWIFT build "${flags[@]}"
new="$($SWIFT build "${flags[@]}" --show-bin-path)/tfs"
head=$(git rev-parse --short HEAD)
if [ -n "$(git status --porcelain -- Sources Package.swift)" ]; then
  new_label="$head + uncommitted changes"
else
  new_label="$head"
fi

toolchain=$($SWIFT --version 2>&1 | cksum | cut -d' ' -f1)
cache=".build-ab-base/$sha-$toolchain"
tmp=""
cleanup() {
  if [ -n "$tmp" ]; then
    git worktree remove --force "$tmp/src" 2>/dev/null || true
    rm -rf "$tmp"
    # SwiftPM's lock files for that scratch path, named after it in the temp dir
    rm -f "${TMPDIR:-/tmp}/$(printf %s "$tmp/.build" | tr / _)"*.lock
    git worktree prune
  fi
}
trap cleanup EXIT
if [ -x "$cache/tfs" ]; then
  echo "bench-ab: $base ($short) already built: $cache/tfs" >&2
else
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/tfs-bench-ab.XXXXXX")
  echo "bench-ab: building $base ($short) in a temporary worktree" >&2
  git worktree add --detach --quiet "$tmp/src" "$sha"
  (cd "$tmp/src" && $SWIFT build "${flags[@]}" --scratch-path "$tmp/.build")
  built="$(cd "$tmp/src" && $SWIFT build "${flags[@]}" --scratch-path "$tmp/.build" --show-bin-path)/tfs"
  mkdir -p "$cache"
  cp -p "$built" "$cache/tfs.partial"
  mv "$cache/tfs.partial" "$cache/tfs"
fi

label="$short"
[ "$base" != "$sha" ] && [ "$base" != "$short" ] && label="$base = $short"
python3 scripts/bench-daemon.py "$new" --against "$cache/tfs" --old-label "$label" --new-label "$new_label" "$@"
