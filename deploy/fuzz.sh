#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (+ ASan/UBSan) and runs each for a bounded time.
# New crashers are written to build-fuzz/crashers/<target>/ and the script fails; keep each as a
# regression input in tests/fuzz/corpus/<target>/ once fixed.
# Usage: deploy/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREDIRECTOR_FUZZ=ON -DREDIRECTOR_SANITIZE=address,undefined -DREDIRECTOR_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target fuzz_request fuzz_admin_json fuzz_classify fuzz_log_reader fuzz_conversion
status=0
for t in request admin_json classify log_reader conversion; do
  work="$build/fuzz-corpus/$t"   # grows across runs; the checked-in seeds stay untouched
  crashers="$build/crashers/$t"
  mkdir -p "$work" "$crashers"
  if ! "$build/bin/fuzz_$t" "$work" "tests/fuzz/corpus/$t" -max_total_time="$seconds" \
       -max_len=16384 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashers/" \
       -print_final_stats=1 >"$build/fuzz-$t.log" 2>&1; then
    echo "fuzz_$t: FAILED (see $build/fuzz-$t.log and $crashers/)"
    tail -30 "$build/fuzz-$t.log"
    status=1
  else
    echo "fuzz_$t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-$t.log" | grep -o '[0-9]*$') runs in ${seconds}s, no crash"
  fi
done
exit $status
