#!/usr/bin/env bash
# Sets up, builds and starts the daemon on its embedded defaults with a demo campaign.
# Public listener 127.0.0.1:8080, admin 127.0.0.1:8081, data in ./redirector-data.
# Extra arguments go to `redirector serve` (e.g. --listen 127.0.0.1:9090).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target redirector
exec build/bin/redirector serve --demo "$@"
