#!/usr/bin/env bash
# Sets up, builds and runs every test, as CI does:
#   1. a Release build with warnings as errors: unit, allocation, fuzz-corpus and integration
#      tests (ctest);
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (deploy/sanitize.sh);
#   3. each libFuzzer target for a bounded time (deploy/fuzz.sh, 30 s each).
# Usage: deploy/test.sh [--quick]   (--quick: step 1 only)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DREDIRECTOR_WERROR=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure --timeout 600 -j2
if [[ "${1:-}" == "--quick" ]]; then
  exit 0
fi
deploy/sanitize.sh build-asan
deploy/fuzz.sh 30
