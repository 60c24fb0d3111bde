"""A small slowloris attack against the real daemon: legitimate clients keep their throughput.

Run: python3 tests/integration/slowloris_test.py --binary build/bin/redirector
300 connections from 127.0.0.1 send a request header one byte at a time; a legitimate client
on 127.0.0.2 (its own address, so the per-address cap tells them apart) makes keep-alive
requests for 2 s before and 2 s during the attack. Bounded: about 10 s in all.
"""
import http.client
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402
from daemon import Daemon  # noqa: E402

BINARY = None


def legit_rate(port, seconds):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=("127.0.0.2", 0))
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn.request("GET", "/demo-a", headers={"User-Agent": "Mozilla/5.0 (iPhone) Safari/604.1",
                                                 "Accept-Language": "en"})
        r = conn.getresponse()
        r.read()
        if r.status != 302:
            raise AssertionError("legit request got %d" % r.status)
        done += 1
    conn.close()
    return done / seconds


class SlowlorisTest(unittest.TestCase):
    def test_slow_headers_do_not_starve_real_clients(self):
        with Daemon(BINARY, extra_args=["--demo", "--header-timeout", "3",
                                        "--max-connections-per-ip", "100"]) as d:
            baseline = legit_rate(d.port, 2)
            stop = threading.Event()
            socks, refused = [], [0]

            def attack():
                for _ in range(300):
                    try:
                        s = socket.create_connection(("127.0.0.1", d.port), timeout=2)
                        s.sendall(b"GET /demo-a HTTP/1.1\r\nHost: x\r\n")
                        socks.append(s)
                    except OSError:
                        refused[0] += 1
                while not stop.is_set():
                    for s in list(socks):
                        try:
                            s.send(b"X")
                        except OSError:
                            socks.remove(s)
                    stop.wait(0.5)

            t = threading.Thread(target=attack)
            t.start()
            try:
                time.sleep(1)
                under_attack = legit_rate(d.port, 2)
            finally:
                stop.set()
                t.join(timeout=10)
                for s in socks:
                    s.close()
            print("legit requests/s: %.0f before, %.0f under attack (%.0f%%)" % (
                baseline, under_attack, 100 * under_attack / baseline))
            self.assertGreaterEqual(under_attack, baseline / 2)
            # The per-address cap answered the excess with 503 and closed it.
            self.assertGreaterEqual(d.metric("redirector_connections_refused_total"), 150)
            self.assertEqual(d.tap("/healthz")[0], 200)


if __name__ == "__main__":
    daemon.main(__name__)
