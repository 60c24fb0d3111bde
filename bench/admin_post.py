#!/usr/bin/env python3
"""POSTs NDJSON to the admin API in chunks and reports the rate.

  bench/admin_post.py --port 8081 --path /v1/campaigns --per-line FILE   (one request a line)
  bench/admin_post.py --port 8081 --path /v1/links --chunk 100000 FILE   (NDJSON batches)
"""
import argparse
import http.client
import os
import sys
import time


def post(conn, path, body, token):
    headers = {"Content-Type": "application/x-ndjson"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request("POST", path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status not in (200, 201):
        sys.exit("POST %s: %d %s" % (path, r.status, data[:300]))
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--path", default="/v1/links")
    ap.add_argument("--chunk", type=int, default=100000)
    ap.add_argument("--per-line", action="store_true")
    ap.add_argument("--codes-out")
    args = ap.parse_args()
    token = os.environ.get("REDIRECTOR_ADMIN_TOKEN")
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=600)
    lines = open(args.file, "rb").read().splitlines(keepends=True)
    out = open(args.codes_out, "wb") if args.codes_out else None
    t0 = time.monotonic()
    if args.per_line:
        for line in lines:
            post(conn, args.path, line, token)
    else:
        for i in range(0, len(lines), args.chunk):
            data = post(conn, args.path, b"".join(lines[i:i + args.chunk]), token)
            if out:
                out.write(data)
    dt = time.monotonic() - t0
    print("posted %d lines in %.2f s: %.0f lines/s" % (len(lines), dt, len(lines) / dt))


if __name__ == "__main__":
    main()
