#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/setup.sh run    install what is missing, build, start the gateway on its demo default
#   scripts/setup.sh test   install what is missing (npm ci for tests/browser and tests/openapi
#                           too), build, run the whole test suite (ctest); then build it again
#                           with ASan+UBSan (build-asan) and run it there too; then build the fuzz
#                           targets with clang (build-fuzz) and run each for 10 s from its seeds
#                           (ctest -L fuzz)
#   scripts/setup.sh fuzz [SECONDS]
#                           build the fuzz targets (build-fuzz, clang) and run each for SECONDS
#                           (default 60) from its seeds and dictionary; a line per target
#                           (docs/testing.md). The grown corpora stay in build-fuzz/fuzz-work.
#   scripts/setup.sh build  install and build only
#   scripts/setup.sh bench  Release build of the benchmarks (in build-bench), run them all,
#                           medians of 3 into bench/results/<name>.json; args go to each bench
# Options (env): BUILD_DIR (default build; build-bench for bench), CHECKIN_SANITIZE=ON for an
#                ASan+UBSan build (without mimalloc), CHECKIN_SANITIZE_PASS=0 for `test`
#                without its second pass, CHECKIN_FUZZ_SMOKE=0 for `test` without the fuzz
#                smoke, CHECKIN_MIMALLOC=OFF to build the gateway on the system malloc,
#                CHECKIN_SLOW=1 to include tests labelled slow, JOBS (default: all cores).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mode=${1:-build}
shift || true
build_dir=${BUILD_DIR:-build}
if [ "$mode" = bench ]; then build_dir=${BUILD_DIR:-build-bench}; fi
jobs=${JOBS:-$(nproc)}

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libsodium-dev liblmdb-dev lmdb-utils libzxing-dev
  libcairo2-dev libpango1.0-dev fonts-noto-cjk
  libtomlplusplus-dev libcli11-dev libspdlog-dev libmimalloc-dev
  libgtest-dev libbenchmark-dev
  libpq-dev postgresql libssl-dev openssl
  chromium ccache
  clang-14 libclang-rt-14-dev
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  # Node.js runs the browser tests. A machine that has it already (e.g. from NodeSource, with
  # its own npm) keeps it: Debian's npm package would clash with that one.
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages and Node.js present"
    return
  fi
  echo "setup: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The npm packages of a test folder, exactly as its package-lock.json pins them
# (tests/browser: playwright-core; tests/openapi: @redocly/cli); installed again only when
# node_modules is missing or the lock file changed since the last install.
test_node_modules() {
  local dir=$1
  local stamp=$dir/node_modules/.checkin-package-lock.json
  if cmp -s "$dir/package-lock.json" "$stamp"; then
    return
  fi
  echo "setup: npm ci --prefix $dir"
  npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  cp "$dir/package-lock.json" "$stamp"
}

# ccache keeps compiled objects across builds and clones (paths are taken relative to the
# checkout, so a second clone hits the cache): a rebuild after a small change, or the
# sanitizer pass after the main build, costs what changed.
compiler_launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=true
  compiler_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

# build [DIR [SANITIZE]]: configure and build the whole tree.
build() {
  local dir=${1:-$build_dir} sanitize=${2:-${CHECKIN_SANITIZE:-OFF}}
  cmake -S . -B "$dir" -G Ninja "${compiler_launcher[@]}" \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DCHECKIN_SANITIZE="$sanitize" \
    -DCHECKIN_MIMALLOC="${CHECKIN_MIMALLOC:-ON}" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

# The fuzz tree: clang (libFuzzer, ASan+UBSan), the fuzz targets only (tests/fuzz).
fuzz_dir=${FUZZ_BUILD_DIR:-build-fuzz}
fuzz_build() {
  cmake -S . -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHECKIN_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++-14 "${compiler_launcher[@]}" >/dev/null
  cmake --build "$fuzz_dir" -j "$jobs" --target checkin_fuzzers
}

case "$mode" in
  build)
    install_missing; build ;;
  test)
    install_missing; build
    for dir in tests/browser tests/openapi; do test_node_modules "$dir"; done
    exclude=(-LE slow)
    [ "${CHECKIN_SLOW:-0}" = 1 ] && exclude=()
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "${exclude[@]}" "$@"
    # The same suite under ASan+UBSan, assertions on (CMakeLists: CHECKIN_SANITIZE), but for
    # the browser test, whose pages the first pass checked against the same code.
    if [ "${CHECKIN_SANITIZE_PASS:-1}" = 1 ] && [ "${CHECKIN_SANITIZE:-OFF}" != ON ]; then
      echo "setup: the suite again under ASan+UBSan (build-asan)"
      build build-asan ON
      ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE "slow|browser" "$@"
    fi
    if [ "${CHECKIN_FUZZ_SMOKE:-1}" = 1 ]; then
      fuzz_build
      ctest --test-dir "$fuzz_dir" --output-on-failure -j "$jobs" -L fuzz
    fi ;;
  fuzz)
    install_missing; fuzz_build
    seconds=${1:-60}
    failed=0
    for corpus in tests/fuzz/corpus/*/; do
      name=$(basename "$corpus")
      tests/fuzz/run_fuzzer.sh "$fuzz_dir/bin/fuzz_$name" "$name" tests/fuzz \
        "$fuzz_dir/fuzz-work/$name" "$seconds" || failed=1
    done
    exit $failed ;;
  run)
    install_missing; build
    exec "$build_dir/bin/checkin-gateway" serve --demo "$@" ;;
  bench)
    install_missing
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHECKIN_SANITIZE=OFF \
      -DCHECKIN_MIMALLOC="${CHECKIN_MIMALLOC:-ON}" -DCHECKIN_BUILD_BENCH=ON -DCHECKIN_BUILD_TESTS=OFF >/dev/null
    cmake --build "$build_dir" -j "$jobs" --target checkin_benches
    mkdir -p bench/results "$build_dir/tmp"
    # The LMDB benches fsync: keep their files on this disk, not on a tmpfs /tmp.
    TMPDIR=$(cd "$build_dir/tmp" && pwd)
    export TMPDIR
    for src in bench/bench_*.cpp; do
      name=$(basename "$src" .cpp)
      echo "== $name"
      "$build_dir/bench/$name" --benchmark_format=console \
        --benchmark_out="bench/results/$name.json" --benchmark_out_format=json \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "$@"
    done ;;
  *)
    echo "usage: scripts/setup.sh run|test|build|bench|fuzz [args]" >&2; exit 2 ;;
esac
