#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine:
#   scripts/setup.sh run    install what is missing, build, start the gateway on its demo default
#   scripts/setup.sh test   install what is missing, build, run the whole test suite (ctest)
#   scripts/setup.sh build  install and build only
# Options (env): BUILD_DIR (default build), CHECKIN_SANITIZE=ON for an ASan+UBSan build,
#                CHECKIN_SLOW=1 to include tests labelled slow, JOBS (default: all cores).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mode=${1:-build}
shift || true
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libsodium-dev liblmdb-dev lmdb-utils libzxing-dev
  libcairo2-dev libpango1.0-dev fonts-noto-cjk
  libtomlplusplus-dev libcli11-dev libspdlog-dev
  libgtest-dev libbenchmark-dev
  libpq-dev postgresql libssl-dev openssl
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages present"
    return
  fi
  echo "setup: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DCHECKIN_SANITIZE="${CHECKIN_SANITIZE:-OFF}" >/dev/null
  cmake --build "$build_dir" -j "$jobs"
}

case "$mode" in
  build)
    install_missing; build ;;
  test)
    install_missing; build
    exclude=(-LE slow)
    [ "${CHECKIN_SLOW:-0}" = 1 ] && exclude=()
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" "${exclude[@]}" "$@" ;;
  run)
    install_missing; build
    exec "$build_dir/bin/checkin-gateway" serve --demo "$@" ;;
  *)
    echo "usage: scripts/setup.sh run|test|build [args]" >&2; exit 2 ;;
esac
