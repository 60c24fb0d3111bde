#!/usr/bin/env python3
"""Slowloris against redirector: do legitimate clients keep their throughput?

  bench/slowloris.py [--connections 2000] [--seconds 10]

Starts `redirector serve --demo` (temp data dir, defaults otherwise), measures a legitimate
client's keep-alive request rate from 127.0.0.2 (its own address, as a real client would have)
for --seconds, then starts Debian's slowhttptest (slow headers, --connections connections from
127.0.0.1), waits for the connections to build, measures again, stops everything by PID, and
prints both rates and their ratio. The bar: at least half the throughput under attack.
Needs: deploy/install-deps.sh --bench.
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def legit_rate(port, seconds, clients=4):
    counts = [0] * clients

    def run(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                          source_address=("127.0.0.2", 0))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            conn.request("GET", "/demo-a", headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari",
                                                     "Accept-Language": "en"})
            r = conn.getresponse()
            r.read()
            if r.status == 302:
                counts[i] += 1
        conn.close()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    if not shutil.which("slowhttptest"):
        sys.exit("slowhttptest is missing: run deploy/install-deps.sh --bench")
    work = tempfile.mkdtemp(prefix="redirector-slowloris-")
    procs = []
    try:
        err = open(os.path.join(work, "serve.err"), "w+")
        server = subprocess.Popen([os.path.join(ROOT, "build/bin/redirector"), "serve", "--demo",
                                   "--data-dir", os.path.join(work, "data"), "--listen", "127.0.0.1:0",
                                   "--admin-listen", "127.0.0.1:0"],
                                  stdout=subprocess.DEVNULL, stderr=err)
        procs.append(server)
        port = None
        for _ in range(200):
            m = re.search(r"public=127\.0\.0\.1:(\d+)", open(err.name).read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        if port is None:
            sys.exit("redirector did not start")
        before = legit_rate(port, args.seconds)
        attack = subprocess.Popen(
            ["slowhttptest", "-H", "-c", str(args.connections), "-i", "10", "-r", "500",
             "-l", str(args.seconds + 30), "-x", "24", "-p", "3", "-s", "8192",
             "-u", "http://127.0.0.1:%d/demo-a" % port],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(attack)
        time.sleep(5)  # let the slow connections build up
        during = legit_rate(port, args.seconds)
        print("legit requests/s: %.0f before, %.0f under a %d-connection slowloris: ratio %.2f" % (
            before, during, args.connections, during / before))
        print("redirector's log:")
        print("".join(l for l in open(err.name) if "msg=" in l)[-2000:])
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
