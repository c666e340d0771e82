#!/usr/bin/env bash
# Runs one fuzz target for SECONDS over a scratch copy of its seed corpus and its regression
# inputs, with its dictionary, and prints one summary line:
#   fuzz_<name>: <execs> execs in <s> s (<n>/s), cov <c>, ft <f>, corpus <k>, crashes <x>
# Exit status non-zero when the target crashed, leaked, timed out or trapped on a property.
# Used by the ctest smoke (tests/fuzz/CMakeLists.txt) and scripts/setup.sh fuzz.
#   run_fuzzer.sh FUZZER NAME FUZZ_SOURCE_DIR WORK_DIR SECONDS [extra libFuzzer flags...]
# Nothing is written outside WORK_DIR: the corpus grows in WORK_DIR/corpus, artifacts
# (crash-*, leak-*, timeout-*) land in WORK_DIR/artifacts, the log in WORK_DIR/log.
set -uo pipefail
fuzzer=$1 name=$2 src=$3 work=$4 seconds=$5
shift 5

rm -rf "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
# The seeds and every input that ever crashed are where each run starts.
cp -f "$src/corpus/$name"/* "$work/corpus/" 2>/dev/null || true
inputs=("$work/corpus")
[ -d "$src/regressions/$name" ] && inputs+=("$src/regressions/$name")
dict=()
[ -f "$src/dict/$name.dict" ] && dict=(-dict="$src/dict/$name.dict")

export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/../lsan.supp}
"$fuzzer" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" "${inputs[@]}" \
  >"$work/log" 2>&1
rc=$?

stat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$work/log" | tail -1; }
last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
field() { sed -n "s/.* $1: \([0-9]*\).*/\1/p" <<<"$last"; }
execs=$(stat number_of_executed_units)
secs=$(stat average_exec_per_sec)
crashes=$(find "$work/artifacts" -type f | wc -l)
corpus=$(find "$work/corpus" -type f | wc -l)
echo "fuzz_$name: ${execs:-?} execs in ${seconds} s (${secs:-?}/s), cov ${cov:-$(field cov)}," \
  "ft $(field ft), corpus $corpus, crashes $crashes"
if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
  echo "fuzz_$name FAILED (exit $rc); the end of $work/log:" >&2
  tail -40 "$work/log" >&2
  exit 1
fi
