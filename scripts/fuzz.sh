#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer (`swiftc -sanitize=fuzzer,address`), then minimizes the
# corpus. See docs/FUZZING.md.
#
# Usage: scripts/fuzz.sh [--build-only] [--no-merge] [FUZZER...]
#   FUZZER      cron, duration, time, command-words, settings, taskfile (default: all of them)
#   --build-only  build the fuzzers into .build/fuzz and stop
#   --no-merge    leave Fuzz/corpus as it is (the new inputs stay in .build/fuzz/found)
# Env: FUZZ_RUNS inputs per fuzzer (default 10000000), FUZZ_TIME at most this many seconds per
#      fuzzer (default 3600), FUZZ_TIMEOUT seconds one input may take before it counts as a hang
#      (default 5), FUZZ_NICE niceness of the runs (default 10), SWIFTC (default swiftc).
#
# TFSCore is compiled on its own here, with -enable-testing so the checks (shared with the unit
# tests: Tests/TFSCoreTests/ParserProperties*.swift) see its internals; `swift build` never gets
# the fuzzer flags. A failed check aborts, so libFuzzer keeps the input in
# .build/fuzz/artifacts/ and this script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(cron duration time command-words settings taskfile)
runs=${FUZZ_RUNS:-10000000}
max_time=${FUZZ_TIME:-3600}
timeout=${FUZZ_TIMEOUT:-5}
niceness=${FUZZ_NICE:-10}
swiftc=${SWIFTC:-swiftc}
build_only=0
merge=1
fuzzers=()
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    --no-merge) merge=0 ;;
    -*) echo "fuzz: unknown option '$arg'" >&2; exit 64 ;;
    *)
      [ -f "Fuzz/Targets/$arg.swift" ] || { echo "fuzz: no fuzzer '$arg'; use one of ${all[*]}" >&2; exit 64; }
      fuzzers+=("$arg")
      ;;
  esac
done
[ ${#fuzzers[@]} -gt 0 ] || fuzzers=("${all[@]}")

out=.build/fuzz
flags=(-O -swift-version 6 -parse-as-library -sanitize=fuzzer,address -use-ld=lld)
mkdir -p "$out/lib" "$out/artifacts" "$out/found"

echo "fuzz: building TFSCore" >&2
mapfile -t core < <(find Sources/TFSCore -name '*.swift' | sort)
"$swiftc" "${flags[@]}" -enable-testing -module-name TFSCore -emit-library -static \
  -emit-module -emit-module-path "$out/lib/TFSCore.swiftmodule" -o "$out/lib/libTFSCore.a" "${core[@]}"
for f in "${fuzzers[@]}"; do
  echo "fuzz: building $f" >&2
  "$swiftc" "${flags[@]}" -module-name "Fuzz_${f//-/_}" -I "$out/lib" -L "$out/lib" -lTFSCore \
    -lswiftSynchronization Tests/TFSCoreTests/ParserProperties*.swift "Fuzz/Targets/$f.swift" -o "$out/$f"
done
[ "$build_only" -eq 0 ] || exit 0

# Swift's backtracer, reading the crashed process's memory, trips AddressSanitizer and can hang;
# libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no
status=0
for f in "${fuzzers[@]}"; do
  found="$out/found/$f"
  mkdir -p "$found" "Fuzz/corpus/$f"
  dict=()
  [ -f "Fuzz/dict/$f.dict" ] && dict=(-dict="Fuzz/dict/$f.dict")
  # Inputs that once failed stay in Fuzz/regressions, read at start and never merged away.
  seeds=("Fuzz/corpus/$f")
  [ -d "Fuzz/regressions/$f" ] && seeds+=("Fuzz/regressions/$f")
  echo "fuzz: $f, $runs inputs at most, $max_time s at most" >&2
  if ! nice -n "$niceness" "$out/$f" -runs="$runs" -max_total_time="$max_time" -timeout="$timeout" \
    -max_len=256 -print_final_stats=1 -artifact_prefix="$out/artifacts/$f-" "${dict[@]}" \
    "$found" "${seeds[@]}" 2> "$out/$f.log"; then
    status=1
    echo "fuzz: $f FAILED; the input is in $out/artifacts, the report in $out/$f.log:" >&2
    grep -E -A3 'ERROR|Fatal error|deadly signal|timeout' "$out/$f.log" | head -20 >&2 || true
    continue
  fi
  grep -E '^#[0-9]+ +DONE|^Done|stat::number_of_executed_units|stat::average_exec_per_sec' \
    "$out/$f.log" >&2 || true
  if [ "$merge" -eq 1 ]; then
    rm -rf "$out/merged/$f" && mkdir -p "$out/merged/$f"
    # Set-cover merge: the same features as -merge=1 from about half the files.
    nice -n "$niceness" "$out/$f" -set_cover_merge=1 -max_len=256 -timeout="$timeout" "$out/merged/$f" \
      "Fuzz/corpus/$f" "$found" 2> "$out/$f.merge.log"
    rm -f "Fuzz/corpus/$f"/* && cp "$out/merged/$f"/* "Fuzz/corpus/$f/"
    echo "fuzz: $f corpus: $(ls "Fuzz/corpus/$f" | wc -l) files, $(cat "Fuzz/corpus/$f"/* | wc -c) bytes" >&2
  fi
done
exit "$status"
