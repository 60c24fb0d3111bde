#!/usr/bin/env bash
# Sets up, builds and runs every test, as CI does:
#   1. a Release build with warnings as errors: unit, allocation, fuzz-corpus and integration
#      tests (ctest);
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (deploy/sanitize.sh);
#   3. the concurrency tests (link index, SpscRing, sweep detector, event sink outcomes, io_uring;
#      the flow and report integration tests) under ThreadSanitizer (deploy/tsan.sh);
#   4. each libFuzzer target for a bounded time (deploy/fuzz.sh, 30 s each).
# Ends with one summary line, "tests: N passed, 0 failed" (any failure stops it earlier).
# Usage: deploy/test.sh [--quick]   (--quick: step 1 only, no sanitizer or fuzz stage)
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp /tmp/redirector-test-XXXXXX)
trap 'rm -f "$log"' EXIT
count() { grep -o 'tests passed, 0 tests failed out of [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$'; }

deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DREDIRECTOR_WERROR=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure --timeout 600 -j2 | tee "$log"
total=$(count)
if [[ "${1:-}" != "--quick" ]]; then
  deploy/sanitize.sh build-asan | tee "$log"
  total=$((total + $(count)))
  deploy/tsan.sh build-tsan | tee "$log"
  total=$((total + $(count)))
  deploy/fuzz.sh 30 | tee "$log"
  total=$((total + $(grep -c 'no crash$' "$log")))
fi
echo "tests: $total passed, 0 failed"
