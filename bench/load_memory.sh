#!/usr/bin/env bash
# Memory and load time of the link table: N per-recipient links (default 1,000,000) over 1,000
# campaigns, imported offline, then the daemon started and measured.
#   bench/load_memory.sh [N]
# Prints: import time, load time, index bytes per link, and the daemon's RSS (total and per link
# beyond an empty daemon's).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
bin=build/bin/redirector
work=$(mktemp -d /tmp/redirector-bench-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start() {  # start DATA_DIR → sets pid, admin_port
  "$bin" serve --data-dir "$1" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --threads 1 \
    2>"$work/serve.err" &
  pid=$!; pids+=("$pid")
  for _ in $(seq 1 600); do
    grep -q "msg=listening" "$work/serve.err" 2>/dev/null && break; sleep 0.05
  done
  admin_port=$(grep -o 'admin=127.0.0.1:[0-9]*' "$work/serve.err" | cut -d: -f2)
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

python3 bench/gen_links.py --links "$n" --campaigns 1000 --out "$work/links.ndjson" \
  --campaigns-out "$work/campaigns.ndjson"
start "$work/data"
empty_rss=$(rss_kb "$pid")
python3 bench/admin_post.py --port "$admin_port" --path /v1/campaigns --per-line "$work/campaigns.ndjson" >/dev/null
kill -TERM "$pid"; wait "$pid" || true
"$bin" links import "$work/links.ndjson" --data-dir "$work/data" >/dev/null 2>"$work/import.err"
tail -1 "$work/import.err"
start "$work/data"
sleep 0.5
rss=$(rss_kb "$pid")
line=$(grep msg=links_loaded "$work/serve.err")
echo "$line"
links=$(echo "$line" | grep -o ' links=[0-9]*' | cut -d= -f2)
index=$(echo "$line" | grep -o 'index_bytes=[0-9]*' | cut -d= -f2)
awk -v n="$links" -v idx="$index" -v rss="$rss" -v empty="$empty_rss" 'BEGIN {
  printf "links=%d index_bytes_per_link=%.1f rss_mb=%.1f empty_rss_mb=%.1f rss_bytes_per_link=%.1f\n",
    n, idx / n, rss / 1024, empty / 1024, (rss - empty) * 1024 / n }'
kill -TERM "$pid"; wait "$pid" || true
