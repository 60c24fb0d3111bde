#!/usr/bin/env bash
# Times `redirector report` over a log of EVENTS events (default 10,000,000) and LINKS links
# (default 1,000,000), written by make_report_data into a temp dir that is removed afterwards.
# Target (issue #6): ≤ 10 s for 10M events.
#
#   bench/report_10m.sh [EVENTS] [LINKS] [BUILD_DIR=build]
set -euo pipefail
events=${1:-10000000}
links=${2:-1000000}
build=${3:-build}
dir=$(mktemp -d /tmp/redirector-report-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$build/bin/make_report_data" "$dir" "$events" "$links"
du -sh "$dir/events" | awk '{print "event log: " $1}'
for format in json table; do
  /usr/bin/time -f "report --format $format: %e s wall, %U s user, %M KB max RSS" \
    "$build/bin/redirector" report --data-dir "$dir" --format "$format" > "$dir/out.$format"
done
head -c 600 "$dir/out.json"; echo
