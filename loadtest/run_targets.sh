#!/usr/bin/env bash
# Runs the measured targets of loadtest/README.md, RUNS times each (default 3), one JSON per run
# into OUT (default loadtest/results), then prints the medians (needs jq).
#   loadtest/run_targets.sh [BUILD_DIR]      default BUILD_DIR: build-load-rel (a Release build)
#   env: RUNS=3, OUT=DIR, ONLY="max-throughput crash-20-kills" (a subset, by name)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-load-rel}
bin=$build/bin/checkin-loadtest
out=${OUT:-$here/loadtest/results}
runs=${RUNS:-3}
mkdir -p "$out"

common=(--members 10000 --sessions 100 --verify)
declare -A target_args=(
  [max-throughput]="--connections 1000 --duration 10 --healthz-seconds 10"
  [open-loop-20k]="--connections 1000 --rate 20000 --duration 15 --healthz-seconds 0"
  [connections-10k]="--connections 10000 --duration 10 --healthz-seconds 5"
  [distinct-tokens]="--scenario distinct --connections 1000 --duration 10 --healthz-seconds 0"
  [distinct-public-key]="--scenario distinct --connections 1000 --duration 10 --healthz-seconds 0 --public-key-only"
  [crash-20-kills]="--connections 1000 --duration 20 --kills 20 --healthz-seconds 0"
)
order=(max-throughput open-loop-20k connections-10k distinct-tokens distinct-public-key crash-20-kills)
selected=(${ONLY:-${order[@]}})

for name in "${selected[@]}"; do
  for i in $(seq 1 "$runs"); do
    echo "== $name, run $i (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2086  # the target's arguments are meant to split
    "$bin" "${common[@]}" ${target_args[$name]} --label "$name" --json "$out/$name-$i.json" \
      2>/dev/null || echo "(exit status $?)"
  done
done

command -v jq >/dev/null || exit 0
echo
echo "medians of $runs runs (lost / duplicated: sums over the runs)"
for name in "${selected[@]}"; do
  jq -s -c --arg name "$name" '
    def median: map(select(. != null)) | sort | if length == 0 then null else .[length / 2 | floor] end;
    { target: $name, runs: length,
      recorded_per_s: map(.scans.recorded_per_second) | median,
      answers_per_s: map(.scans.answers_per_second) | median,
      healthz_per_s: map(.healthz.answers_per_second) | median,
      ratio: map(.healthz_ratio) | median,
      p50_ms: map(.scans.latency_ms.p50) | median,
      p90_ms: map(.scans.latency_ms.p90) | median,
      p99_ms: map(.scans.latency_ms.p99) | median,
      p99_9_ms: map(.scans.latency_ms.p99_9) | median,
      max_ms: map(.scans.latency_ms.max) | median,
      rss_mb: map(.gateway_memory_mb.rss) | median,
      rss_anon_mb: map(.gateway_memory_mb.rss_anon) | median,
      rss_file_mb: map(.gateway_memory_mb.rss_file) | median,
      scans_answered: map(.scans.answered) | median,
      gateway_cpu_us: map(.scans.cpu_us_per_answer.gateway) | median,
      gateway_io_cpu_us: map(.scans.cpu_us_per_answer.gateway_io) | median,
      writer_cpu_us: map(.scans.cpu_us_per_answer.gateway_writer) | median,
      generator_cpu_us: map(.scans.cpu_us_per_answer.generator) | median,
      healthz_gateway_cpu_us: map(.healthz.cpu_us_per_answer.gateway) | median,
      memo_hits: map(.gateway_counters.token_memo_hits) | median,
      lost: map(.verify.lost // 0) | add,
      duplicated: map(.verify.duplicated // 0) | add,
      passed: map(.passed) | all }' "$out/$name"-*.json
done
