#!/usr/bin/env bash
# Builds the daemon and the unit tests with ThreadSanitizer and runs the tests of the code that
# threads share: the unit tests tagged [store][index] (the lock-free link index), [redirector][ring]
# (SpscRing), [sweep] (two workers racing on the sweep detector's slots), [sink] (the event
# writer's outcomes for --sync always) and [uring], and, against the instrumented daemon,
# integration_flow (the event sink, the workers' rings and io_uring, SIGHUP reloads) and
# integration_report (its conversions go through the sink's SubmitDurable queue and waiters).
# Any report fails: halt_on_error stops the process (exit 66), and a report in a daemon's stderr
# (tests/integration/daemon.py) or in a flow test command's fails the test even where it does not
# check the exit code. deploy/tsan.supp holds suppressions for uninstrumented libraries only.
# Usage: deploy/tsan.sh [BUILD_DIR]   (default build-tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-tsan}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREDIRECTOR_SANITIZE=thread -DREDIRECTOR_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target unit_tests redirector
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$PWD/deploy/tsan.supp"
ctest --test-dir "$build" --output-on-failure --timeout 600 -j2 -R '^tsan_|^integration_(flow|report)$'
