#!/usr/bin/env bash
# What each --sync policy costs a tap: the demo link under wrk (64 connections, 5 s), server on
# CPU 0, wrk on CPU 1, one policy after another in the same run.
#   bench/sync_policies.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
work=$(mktemp -d /tmp/redirector-sync-XXXXXX)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for policy in none interval always; do
  rm -rf "$work/data"
  taskset -c 0 build/bin/redirector serve --demo --sync "$policy" --threads 1 \
    --data-dir "$work/data" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    >/dev/null 2>"$work/err" &
  pid=$!
  for _ in $(seq 1 100); do grep -q msg=listening "$work/err" && break; sleep 0.05; done
  port=$(grep -o 'public=127.0.0.1:[0-9]*' "$work/err" | cut -d: -f2)
  out=$(taskset -c 1 wrk -t1 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port/demo-a")
  kill -TERM "$pid"; wait "$pid" || true; pid=""
  events=$(build/bin/redirector tail --data-dir "$work/data" | wc -l)
  printf '%-9s %10s req/s   p50 %8s   p99 %8s   events logged %s\n' "$policy" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1 == "50%" {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')" \
    "$events"
done
