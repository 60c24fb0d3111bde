#!/usr/bin/env bash
# Installs everything redirector needs to build, test and benchmark, from Debian's packages.
# Idempotent and quiet: packages already present are skipped; prints one line when done.
# Usage: deploy/install-deps.sh [--bench]   (--bench adds nginx-light, wrk and slowhttptest)
set -euo pipefail

packages=(cmake ninja-build g++ clang libclang-rt-14-dev pkg-config libboost1.81-dev libboost-json1.81-dev
          librocksdb-dev libabsl-dev catch2 libbenchmark-dev libssl-dev zlib1g-dev
          libnats-dev nats-server libtomlplusplus-dev liburing-dev prometheus
          curl python3)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(nginx-light wrk slowhttptest)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: ${#packages[@]} packages present (${#missing[@]} installed now)"
