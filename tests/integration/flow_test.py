"""Integration tests: the real redirector binary on 127.0.0.1 with temp data dirs.

Run: python3 tests/integration/flow_test.py --binary build/bin/redirector
"""
import http.client
import json
import threading
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402
from daemon import Daemon  # noqa: E402

BINARY = None
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
BROWSER = {"User-Agent": IPHONE, "Accept": "text/html", "Accept-Language": "en-US"}
CAMPAIGN = {"id": "spring", "destination": "https://shop.example/s?x=1#top",
            "utm": {"source": "sms", "medium": "sms", "campaign": "spring"},
            "variants": {"A": None, "B": "https://shop.example/s2"}}


def run_cli(*args, stdin=None, timeout=60):
    r = subprocess.run([BINARY, *args], input=stdin, capture_output=True, text=True,
                       timeout=timeout)
    report = daemon.tsan_report(r.stderr)
    assert report is None, "ThreadSanitizer report from %s:\n%s" % (args[:2], report)
    return r


def tail(data_dir, *extra):
    r = run_cli("tail", "--data-dir", data_dir, *extra)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def wait_for_events(data_dir, n, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = tail(data_dir)
        if len(events) >= n:
            return events
        time.sleep(0.05)
    return tail(data_dir)


def links_ndjson(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


class FlowTest(unittest.TestCase):
    def test_campaign_links_taps_restart_tail(self):
        sent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        d = Daemon(BINARY)
        try:
            d.start()
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)
            status, body = d.admin("POST", "/v1/links", links_ndjson([
                {"campaign": "spring", "variant": "A", "recipient": "r-1", "sent_at": sent},
                {"campaign": "spring", "variant": "B", "recipient": "r-2", "sent_at": sent},
                {"campaign": "spring", "variant": "A", "recipient": "r-3", "sent_at": sent,
                 "code": "gone-001", "expires_at": past},
                {"campaign": "spring", "variant": "A", "recipient": "r-4", "sent_at": sent,
                 "code": "off-0001"},
                {"campaign": "spring", "variant": "B", "recipient": "r-5", "sent_at": soon,
                 "code": "fast-001"},
            ]), content_type="application/x-ndjson")
            self.assertEqual(status, 201, body)
            out = [json.loads(line) for line in body.splitlines()]
            self.assertEqual(len(out), 5)
            code_a, code_b = out[0]["code"], out[1]["code"]
            self.assertEqual(len(code_a), 8)
            self.assertEqual(out[2]["code"], "gone-001")
            self.assertTrue(out[0]["url"].endswith("/" + code_a))
            self.assertEqual(d.admin("DELETE", "/v1/links/off-0001")[0], 200)

            status, headers, _ = d.tap("/" + code_a, headers=BROWSER)
            self.assertEqual(status, 302)
            loc = urllib.parse.urlsplit(headers["location"])
            self.assertEqual((loc.scheme, loc.netloc, loc.path, loc.fragment),
                             ("https", "shop.example", "/s", "top"))
            q = urllib.parse.parse_qs(loc.query)
            self.assertEqual(q["x"], ["1"])
            self.assertEqual(q["utm_source"], ["sms"])
            self.assertEqual(q["utm_campaign"], ["spring"])
            self.assertEqual(len(q["smsclid"][0]), 22)
            self.assertEqual(headers["cache-control"], "no-store")

            status, headers, _ = d.tap("/" + code_b, headers=BROWSER)
            self.assertEqual(status, 302)
            self.assertTrue(headers["location"].startswith("https://shop.example/s2?utm_source=sms"))
            self.assertEqual(d.tap("/" + code_b, method="HEAD", headers=BROWSER)[0], 302)
            self.assertEqual(d.tap("/nosuchcode", headers=BROWSER)[0], 404)
            self.assertEqual(d.tap("/gone-001", headers=BROWSER)[0], 410)
            self.assertEqual(d.tap("/off-0001", headers=BROWSER)[0], 410)
            self.assertEqual(d.tap("/" + code_a, method="POST", headers=BROWSER)[0], 405)
            self.assertEqual(d.tap("/fast-001", headers=BROWSER)[0], 302)
            self.assertEqual(d.tap("/healthz")[0], 200)
            self.assertEqual(d.stop(), 0)
            self.assertIn("msg=stopped", d.stderr_text())

            # Restart on the same data dir: links are still there, events continue.
            d2 = Daemon(BINARY, data_dir=d.data_dir)
            try:
                d2.start()
                status, headers, _ = d2.tap("/" + code_a, headers={"User-Agent": "WhatsApp/2.23"})
                self.assertEqual(status, 302)
                self.assertEqual(d2.stop(), 0)
            finally:
                d2.close()

            events = tail(d.data_dir)
            self.assertEqual(len(events), 9, events)  # healthz is not an event
            self.assertEqual([e["seq"] for e in events], list(range(1, 10)))
            by_code = {}
            for e in events:
                by_code.setdefault(e["code"], []).append(e)
            first = by_code[code_a][0]
            for field in ("node", "seq", "ts", "type", "code", "campaign", "variant", "recipient",
                          "verdict", "reasons", "click_id", "ip", "ua", "status"):
                self.assertIn(field, first)
            self.assertEqual(first["node"], "it-node")
            self.assertEqual(first["classifier"], 2)
            self.assertEqual(first["signals"], ["accept", "accept-language"])
            self.assertEqual((first["type"], first["code"], first["campaign"], first["variant"],
                              first["recipient"], first["verdict"], first["status"]),
                             ("click", code_a, "spring", "A", "r-1", "human", 302))
            self.assertEqual(first["click_id"], q["smsclid"][0])
            self.assertEqual(first["ip"], "127.0.0.1")
            self.assertEqual(first["ua"], IPHONE)
            self.assertEqual(by_code[code_b][1]["verdict"], "preview")  # the HEAD
            self.assertIn("head_request", by_code[code_b][1]["reasons"])
            self.assertEqual(by_code["nosuchcode"][0]["status"], 404)
            self.assertEqual(by_code["fast-001"][0]["verdict"], "scanner")
            self.assertIn("too_soon_after_send", by_code["fast-001"][0]["reasons"])
            self.assertEqual(by_code[code_a][-1]["verdict"], "preview")  # WhatsApp, after the restart
            self.assertEqual(by_code[code_a][-1]["seq"], 9)  # the restart resumed the sequence
            self.assertEqual(tail(d.data_dir, "--from", "9")[0]["seq"], 9)
            # A named consumer resumes after its checkpoint.
            self.assertEqual(len(tail(d.data_dir, "--consumer", "agg")), 9)
            self.assertEqual(tail(d.data_dir, "--consumer", "agg"), [])
            d3 = Daemon(BINARY, data_dir=d.data_dir)
            try:
                d3.start()
                d3.tap("/" + code_b, headers=BROWSER)
                self.assertEqual(d3.stop(), 0)
            finally:
                d3.close()
            again = tail(d.data_dir, "--consumer", "agg")
            self.assertEqual([e["seq"] for e in again], [10])
            self.assertNotEqual(run_cli("tail", "--data-dir", d.data_dir, "--consumer", "../x").returncode, 0)
        finally:
            d.close()

    def test_bad_requests_get_4xx_and_change_nothing(self):
        with Daemon(BINARY, extra_args=["--header-limit", "2048", "--header-timeout", "1",
                                        "--max-url-bytes", "1024", "--max-headers", "20"]) as d:
            self.assertTrue(d.raw(b"GET /" + b"a" * 1500 + b" HTTP/1.1\r\n\r\n")
                            .startswith(b"HTTP/1.1 414"))
            many = b"".join(b"X-%d: v\r\n" % i for i in range(25))
            self.assertTrue(d.raw(b"GET /x HTTP/1.1\r\n" + many + b"\r\n").startswith(b"HTTP/1.1 431"))
            self.assertTrue(d.raw(b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400"))
            self.assertTrue(d.raw(b"GET /x HTTP/1.1\r\nX-Big: " + b"a" * 4000 + b"\r\n\r\n")
                            .startswith(b"HTTP/1.1 431"))
            smuggle = (b"GET /x HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"0\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n")
            resp = d.raw(smuggle)
            self.assertTrue(resp.startswith(b"HTTP/1.1 4"), resp)
            self.assertEqual(resp.count(b"HTTP/1.1"), 1)  # the connection closed after it
            self.assertTrue(d.raw(b"GET /x HTTP/1.1\r\nX-A: a\r\n folded\r\n\r\n")
                            .startswith(b"HTTP/1.1 400"))
            # A slow header is cut off with 408 after the header timeout.
            t0 = time.monotonic()
            resp = d.raw(b"GET /x HTTP/1.1\r\nUser-Agent: slow", read_timeout=10)
            self.assertTrue(resp.startswith(b"HTTP/1.1 408"), resp)
            self.assertLess(time.monotonic() - t0, 5)
            # Keep-alive with pipelining: two requests in one write, two answers.
            both = d.raw(b"GET /healthz HTTP/1.1\r\n\r\nGET /nope0001 HTTP/1.1\r\n"
                         b"Connection: close\r\n\r\n")
            self.assertEqual(both.count(b"HTTP/1.1 200"), 1)
            self.assertEqual(both.count(b"HTTP/1.1 404"), 1)
            # Still serving.
            self.assertEqual(d.tap("/healthz")[0], 200)
            # Admin: bad JSON, unknown campaign, are 4xx and store nothing.
            self.assertEqual(d.admin("POST", "/v1/campaigns", "{nope")[0], 400)
            self.assertEqual(d.admin("POST", "/v1/links", '{"campaign":"ghost"}\n')[0], 400)
            self.assertEqual(d.admin("GET", "/v1/campaigns/ghost")[0], 404)

    def test_many_pipelined_requests_in_one_write_are_all_answered(self):
        # 200 requests in one write: their answers (~70 KB) overflow the connection's 16 KB
        # output buffer several times, so the rest must be answered after each flush.
        with Daemon(BINARY, extra_args=["--demo"]) as d:
            n = 200
            with socket.create_connection(("127.0.0.1", d.port), timeout=10) as s:
                s.sendall(b"GET /demo-a HTTP/1.1\r\nHost: x\r\n\r\n" * (n - 1) +
                          b"GET /demo-b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                got = b""
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
            self.assertEqual(got.count(b"HTTP/1.1 302 Found"), n)
            self.assertEqual(got.count(b"smsclid="), n)
            self.assertEqual(d.tap("/healthz")[0], 200)

    def test_a_client_that_reads_late_gets_every_answer(self):
        # 20,000 pipelined requests and nothing read for a second: the answers (~7 MB) fill the
        # socket, sends wait for room (EPOLLOUT, or a pending io_uring send) and reading stops
        # until they go through; then every request is answered once. With --sync always the
        # answers also wait for their events' fsync in between.
        for extra in ([], ["--sync", "always"]):
            with self.subTest(extra=extra), Daemon(BINARY, extra_args=["--demo", *extra]) as d:
                fsync_before = d.metric("redirector_event_log_fsync_seconds_sum")
                n = 20000
                with socket.create_connection(("127.0.0.1", d.port), timeout=30) as s:
                    requests = b"GET /demo-a HTTP/1.1\r\nHost: x\r\n\r\n" * (n - 1) + \
                        b"GET /demo-b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    t0 = time.monotonic()
                    sender = threading.Thread(target=s.sendall, args=(requests,))
                    sender.start()
                    time.sleep(1)
                    got = bytearray()
                    deadline = time.monotonic() + 30
                    while time.monotonic() < deadline:
                        chunk = s.recv(1 << 20)
                        if not chunk:
                            break
                        got += chunk
                    sender.join(timeout=30)
                    elapsed = time.monotonic() - t0
                self.assertEqual(got.count(b"HTTP/1.1 302 Found"), n)
                self.assertEqual(got.count(b"HTTP/1.1 4"), 0)  # (not assertNotIn: 7 MB message)
                # ~1 s of waiting plus ~0.3 s of work, plus (with --sync always) the fsyncs the
                # answers waited for: a disk busy with other writes can make those seconds long
                # (seen under a parallel build). A stall (requests left unanswered until a
                # timeout) shows in what is left.
                fsync_s = d.metric("redirector_event_log_fsync_seconds_sum") - fsync_before
                self.assertLess(elapsed - fsync_s, 6, "%.2f s, of which fsync %.2f s" % (elapsed, fsync_s))
                self.assertEqual(d.tap("/healthz")[0], 200)

    def test_idle_and_connection_limits(self):
        with Daemon(BINARY, extra_args=["--threads", "1", "--idle-timeout", "1",
                                        "--max-connections", "2", "--admin-max-body-mb", "1"]) as d:
            a = socket.create_connection(("127.0.0.1", d.port), timeout=5)
            b = socket.create_connection(("127.0.0.1", d.port), timeout=5)
            time.sleep(0.2)
            third = d.raw(b"GET /healthz HTTP/1.1\r\n\r\n")
            self.assertTrue(third.startswith(b"HTTP/1.1 503"), third)
            # Idle keep-alive connections are closed after the idle timeout (swept each second).
            a.sendall(b"GET /healthz HTTP/1.1\r\n\r\n")
            self.assertTrue(a.recv(4096).startswith(b"HTTP/1.1 200"))
            a.settimeout(5)
            t0 = time.monotonic()
            self.assertEqual(a.recv(4096), b"")  # closed by the server
            self.assertLess(time.monotonic() - t0, 4)
            a.close()
            b.close()
            time.sleep(0.2)
            self.assertEqual(d.tap("/healthz")[0], 200)  # room again
            # An admin body over the limit is refused from its Content-Length alone.
            with socket.create_connection(("127.0.0.1", d.admin_port), timeout=5) as s:
                s.sendall(b"POST /v1/links HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                          % (2 << 20))
                self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 413"))

    def test_metrics_pass_promtool(self):
        with Daemon(BINARY, extra_args=["--demo"]) as d:
            for path in ("/demo-a", "/demo-b", "/nope1234"):
                d.tap(path, headers=BROWSER)
            time.sleep(0.3)  # the writer's next batch and fsync
            status, body = d.admin("GET", "/metrics")
            self.assertEqual(status, 200)
            for name in ('redirector_requests_total{status="302"} 2', "redirector_connections ",
                         'redirector_clicks_total{verdict="human"} 3', "redirector_links 2",
                         "redirector_event_log_appended_total 3",
                         "redirector_event_log_dropped_total 0",
                         'redirector_request_duration_seconds_bucket{le="+Inf"} 3',
                         "redirector_request_duration_seconds_count 3",
                         "redirector_event_log_fsync_seconds_count", "redirector_build_info"):
                self.assertIn(name, body)
            # One browser agent, three classifications: a miss on each worker it reached first
            # (two workers, connections spread by the kernel), hits after.
            lookups = {m.group(1): int(m.group(2)) for m in re.finditer(
                r'^redirector_ua_cache_lookups_total\{result="(hit|miss)"\} (\d+)$', body, re.M)}
            self.assertEqual(lookups.get("hit", 0) + lookups.get("miss", 0), 3, body)
            self.assertIn(lookups["miss"], (1, 2))
            promtool = shutil.which("promtool")
            self.assertIsNotNone(promtool, "deploy/install-deps.sh installs prometheus (promtool)")
            r = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(r.stdout + r.stderr, "")

    def test_admin_token(self):
        with Daemon(BINARY, env={"REDIRECTOR_ADMIN_TOKEN": "t0ken"}) as d:
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 401)
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN), token="bad")[0], 401)
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN), token="t0ken")[0], 201)
            self.assertEqual(d.admin("GET", "/healthz")[0], 200)
            status, body = d.admin("GET", "/metrics", token="t0ken")
            self.assertEqual(status, 200)
            self.assertIn("redirector_requests_total", body)
        r = subprocess.run([BINARY, "serve", "--admin-listen", "0.0.0.0:0", "--listen",
                            "127.0.0.1:0", "--data-dir", "/nonexistent/never"],
                           capture_output=True, text=True, timeout=30,
                           env={k: v for k, v in os.environ.items() if k != "REDIRECTOR_ADMIN_TOKEN"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("token", r.stderr)

    def test_bulk_100k_links_over_http(self):
        with Daemon(BINARY) as d:
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)
            rows = links_ndjson({"campaign": "spring", "variant": "AB"[i % 2], "recipient": "r-%d" % i}
                                for i in range(100000))
            status, body = d.admin("POST", "/v1/links", rows, content_type="application/x-ndjson")
            self.assertEqual(status, 201)
            lines = body.splitlines()
            self.assertEqual(len(lines), 100000)
            code = json.loads(lines[-1])["code"]
            self.assertEqual(d.tap("/" + code, headers=BROWSER)[0], 302)

    def test_sigterm_loses_no_event(self):
        with Daemon(BINARY, extra_args=["--demo"]) as d:
            n = 300
            for _ in range(n):
                self.assertEqual(d.tap("/demo-a", headers=BROWSER)[0], 302)
            self.assertEqual(d.stop(), 0)
            self.assertEqual(len(tail(d.data_dir)), n)

    def test_corrupt_record_is_reported_skipped_and_counted(self):
        with Daemon(BINARY, extra_args=["--demo"]) as d:
            for _ in range(100):
                self.assertEqual(d.tap("/demo-a", headers=BROWSER)[0], 302)
            self.assertEqual(d.stop(), 0)
            events_dir = os.path.join(d.data_dir, "events")
            (segment,) = [os.path.join(events_dir, f) for f in os.listdir(events_dir)]
            with open(segment, "r+b") as f:  # flip a byte in the middle of the segment
                f.seek(os.path.getsize(segment) // 2)
                b = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([b[0] ^ 0xFF]))
            r = run_cli("tail", "--data-dir", d.data_dir)
            self.assertEqual(r.returncode, 0)
            self.assertIn("corruption in " + segment + " at offset", r.stderr)
            self.assertEqual(len(r.stdout.splitlines()), 99)  # one record lost, the rest read
            d2 = Daemon(BINARY, data_dir=d.data_dir)
            try:
                d2.start()
                self.assertRegex(d2.stderr_text(), "msg=event_log_corruption segment=.* offset=")
                self.assertEqual(d2.tap("/demo-a", headers=BROWSER)[0], 302)
                status, body = d2.admin("GET", "/metrics")
                self.assertIn("redirector_event_log_corruptions_total 1", body)
                self.assertEqual(d2.stop(), 0)
            finally:
                d2.close()
            self.assertEqual(len(tail(d.data_dir)), 100)  # 99 old + 1 new, numbering goes on

    def test_sync_always_a_full_disk_gives_no_redirect_even_before_a_bad_request(self):
        with Daemon(BINARY, extra_args=["--demo", "--sync", "always"]) as d:
            self.assertEqual(d.tap("/demo-a", headers=BROWSER)[0], 302)  # the disk still takes it
            # From now on every write to a file fails (EFBIG), as on a full disk.
            resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE, (1, 1))
            # A tap and, in the same segment, a request that does not parse: the error must not
            # carry the tap's redirect out before its event is written (it never will be).
            answer = d.raw(b"GET /demo-a HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n"
                           b"NOT HTTP AT ALL\r\n\r\n")
            self.assertNotIn(b" 302 ", answer, answer)
            self.assertIsNone(d.proc.poll(), "the daemon died on the failed write")

    def test_sync_always_kill_9_loses_no_answered_tap(self):
        with Daemon(BINARY, extra_args=["--demo", "--sync", "always"]) as d:
            answered, lock, stop = [], threading.Lock(), threading.Event()

            def tapper():
                conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
                while not stop.is_set():
                    try:
                        conn.request("GET", "/demo-a", headers=BROWSER)
                        r = conn.getresponse()
                        r.read()
                    except (OSError, http.client.HTTPException):
                        return  # the daemon is gone
                    if r.status == 302:
                        q = urllib.parse.parse_qs(urllib.parse.urlsplit(r.getheader("Location")).query)
                        with lock:
                            answered.append(q["smsclid"][0])

            threads = [threading.Thread(target=tapper) for _ in range(4)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            d.proc.kill()  # SIGKILL under load: no flush, no goodbye
            d.proc.wait(timeout=10)
            stop.set()
            for t in threads:
                t.join(timeout=10)
            logged = {e["click_id"] for e in tail(d.data_dir)}
            self.assertGreater(len(answered), 100)
            missing = [c for c in answered if c not in logged]
            self.assertEqual(missing, [], "%d of %d answered taps are not in the log" % (
                len(missing), len(answered)))

    def test_disk_full_keeps_serving_and_resumes(self):
        """The event log on a 256 KiB tmpfs: taps keep their 302s while the disk is full, the loss is
        counted and logged, and writing resumes once there is room again."""
        d = Daemon(BINARY, extra_args=["--demo"])
        events_dir = os.path.join(d.data_dir, "events")
        os.makedirs(events_dir)
        mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", events_dir],
                               capture_output=True, text=True)
        if mount.returncode != 0:
            d.close()
            self.skipTest("cannot mount a tmpfs here: " + mount.stderr.strip())
        try:
            d.start()
            conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
            for _ in range(1500):
                conn.request("GET", "/demo-a", headers=BROWSER)
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 302)
            time.sleep(0.3)
            dropped = d.metric("redirector_event_log_dropped_total")
            failures = d.metric("redirector_event_log_write_failures_total")
            self.assertGreater(dropped, 0)
            self.assertGreater(failures, 0)
            self.assertIn("msg=event_log_write_failed", d.stderr_text())
            logged_before = len(tail(d.data_dir))
            self.assertGreater(logged_before, 0)
            self.assertEqual(logged_before + dropped, 1500)  # each tap logged or counted as lost
            # Room again: writing resumes.
            subprocess.run(["mount", "-o", "remount,size=4m", events_dir], check=True)
            for _ in range(20):
                conn.request("GET", "/demo-b", headers=BROWSER)
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 302)
            conn.close()
            self.assertEqual(d.stop(), 0)
            after = tail(d.data_dir)
            self.assertEqual(sum(1 for e in after if e["code"] == "demo-b"), 20)
        finally:
            d.kill()
            subprocess.run(["umount", events_dir], capture_output=True)
            d.close()

    def test_offline_import_then_serve(self):
        with Daemon(BINARY) as d:
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)
            self.assertEqual(d.stop(), 0)
            rows = links_ndjson([{"campaign": "spring", "recipient": "r-%d" % i} for i in range(1000)])
            r = run_cli("links", "import", "-", "--data-dir", d.data_dir, stdin=rows)
            self.assertEqual(r.returncode, 0, r.stderr)
            codes = r.stdout.split()
            self.assertEqual(len(codes), 1000)
            self.assertIn("imported 1000 links", r.stderr)
            bad = run_cli("links", "import", "-", "--data-dir", d.data_dir,
                          stdin=rows[:200] + '{"campaign":"nope"}\n')
            self.assertNotEqual(bad.returncode, 0)
            # A campaign with coupons: each line is the code, a tab, its coupon.
            d2 = Daemon(BINARY, data_dir=d.data_dir)
            try:
                d2.start()
                self.assertEqual(d2.tap("/" + codes[500], headers=BROWSER)[0], 302)
                self.assertIn("links=1000", d2.stderr_text())
                coupons = dict(CAMPAIGN, id="autumn", coupons={"prefix": "AUT-"})
                self.assertEqual(d2.admin("POST", "/v1/campaigns", json.dumps(coupons))[0], 201)
                self.assertEqual(d2.stop(), 0)
            finally:
                d2.close()
            r = run_cli("links", "import", "-", "--data-dir", d.data_dir,
                        stdin=links_ndjson([{"campaign": "autumn", "recipient": "r-1"}]))
            self.assertEqual(r.returncode, 0, r.stderr)
            code, coupon = r.stdout.strip().split("\t")
            self.assertTrue(coupon.startswith("AUT-"), r.stdout)

    def test_config_file_flags_override_and_check_config(self):
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        example = os.path.join(repo, "deploy", "redirector.toml")
        r = run_cli("check-config", example)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('sync = "interval"', r.stdout)
        with tempfile.TemporaryDirectory(prefix="redirector-it-") as tmp:
            path = os.path.join(tmp, "r.toml")
            with open(path, "w") as f:
                f.write('public_url = "https://s.from-config.example"\nthreads = 7\n'
                        '[event_log]\nsync = "none"\n[log]\nformat = "kv"\n')
            # --threads on the command line beats the file's 7; public_url comes from the file.
            with Daemon(BINARY, extra_args=["--config", path, "--demo"]) as d:
                self.assertIn("threads=2", d.stderr_text())
                status, body = d.admin("GET", "/v1/links/demo-a")
                self.assertEqual(json.loads(body)["url"], "https://s.from-config.example/demo-a")
                self.assertEqual(d.stop(), 0)
            with open(path, "a") as f:
                f.write("[limits]\nheader_bytez = 1\n")
            r = run_cli("check-config", path)
            self.assertEqual(r.returncode, 1)
            self.assertIn("limits.header_bytez: unknown key", r.stderr)
            r = run_cli("serve", "--config", path, "--data-dir", os.path.join(tmp, "d"))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("limits.header_bytez", r.stderr)

    def test_sighup_reloads_config_and_keeps_it_on_a_bad_file(self):
        with tempfile.TemporaryDirectory(prefix="redirector-it-") as tmp:
            conf, token = os.path.join(tmp, "r.toml"), os.path.join(tmp, "token")

            def write(max_url, secret, sync="interval", extra="", io=""):
                with open(token, "w") as f:
                    f.write(secret + "\n")
                with open(conf, "w") as f:
                    f.write((f'io = "{io}"\n' if io else "") +
                            f'[admin]\ntoken_file = "{token}"\n[limits]\nmax_url_bytes = {max_url}\n'
                            f'[event_log]\nsync = "{sync}"\n{extra}')

            write(2048, "old-token")
            long_path = "/" + "x" * 1500
            with Daemon(BINARY, extra_args=["--config", conf]) as d:
                self.assertEqual(d.tap(long_path)[0], 404)
                self.assertEqual(d.admin("GET", "/metrics", token="old-token")[0], 200)
                # (--io on the command line, as the epoll run passes it, wins over the file)
                write(1024, "new-token", sync="none", io="" if daemon.IO_ARGS else "epoll")
                d.proc.send_signal(signal.SIGHUP)
                d.wait_log("msg=reloaded")
                self.assertIn("msg=reload_needs_restart key=event_log.sync", d.stderr_text())
                if not daemon.IO_ARGS:
                    self.assertIn("msg=reload_needs_restart key=io", d.stderr_text())
                self.assertEqual(d.tap(long_path)[0], 414)  # the new limit, on a new connection
                self.assertEqual(d.admin("GET", "/metrics", token="old-token")[0], 401)
                self.assertEqual(d.admin("GET", "/metrics", token="new-token")[0], 200)
                # A bad file: logged, and the running configuration stays.
                write(1024, "newer-token", extra="[limits]\nbogus = 1\n")
                d.proc.send_signal(signal.SIGHUP)
                d.wait_log("msg=reload_failed")
                self.assertEqual(d.admin("GET", "/metrics", token="new-token")[0], 200)
                self.assertEqual(d.tap(long_path)[0], 414)
                self.assertEqual(d.stop(), 0)

    def test_classifier_data_files_load_and_reload(self):
        """Ops' token and network files take effect at start and on SIGHUP; a bad one is refused
        and the running data stays."""
        ua = IPHONE + " ZorpGate/2.1"
        with tempfile.TemporaryDirectory(prefix="redirector-it-") as tmp:
            tokens, nets = os.path.join(tmp, "tokens.txt"), os.path.join(tmp, "nets.txt")
            with open(tokens, "w") as f:
                f.write("# ours\n")
            with open(nets, "w") as f:
                f.write("198.51.100.0/24  # a mail gateway that pre-clicks links\n")
            bing = os.path.join(tmp, "bingbot.json")  # the publisher's format, as downloaded
            with open(bing, "w") as f:
                json.dump({"creationTime": "2024-01-03T10:00:00.121331",
                           "prefixes": [{"ipv4Prefix": "157.55.39.0/24"}]}, f)
            args = ["--ua-tokens-file", tokens, "--network-file", "scanner:" + nets,
                    "--network-file", "crawler:" + bing, "--trusted-proxy", "127.0.0.1/32"]
            with Daemon(BINARY, extra_args=args) as d:
                self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)
                sent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
                status, body = d.admin("POST", "/v1/links", json.dumps(
                    {"campaign": "spring", "recipient": "r", "code": "data-001",
                     "sent_at": sent}) + "\n", content_type="application/x-ndjson")
                self.assertEqual(status, 201, body)

                def tap(user_agent, forwarded=None):
                    headers = dict(BROWSER, **{"User-Agent": user_agent})
                    if forwarded:
                        headers["X-Forwarded-For"] = forwarded
                    self.assertEqual(d.tap("/data-001", headers=headers)[0], 302)
                    event = wait_for_events(d.data_dir, tap.n + 1)[tap.n]
                    tap.n += 1
                    return event["verdict"], event["reasons"]
                tap.n = 0

                self.assertEqual(tap(ua), ("human", []))
                # Networks: ops' file (a scanner range) and the built-in Googlebot ranges.
                self.assertEqual(tap(IPHONE, "198.51.100.23"), ("scanner", ["network_scanner"]))
                self.assertEqual(tap(IPHONE, "66.249.66.1"), ("bot", ["network_crawler"]))
                self.assertEqual(tap(IPHONE, "157.55.39.9"), ("bot", ["network_crawler"]))
                self.assertEqual(tap(IPHONE, "2001:4860:4801:10::9"), ("bot", ["network_crawler"]))
                self.assertEqual(tap(IPHONE, "203.0.113.9"), ("human", []))

                with open(tokens, "w") as f:
                    f.write('scanner "zorpgate/"\n')
                d.proc.send_signal(signal.SIGHUP)
                d.wait_log("msg=reloaded")
                self.assertIn("msg=classifier_loaded", d.stderr_text())
                self.assertEqual(tap(ua), ("scanner", ["ua_scanner"]))

                with open(tokens, "w") as f:
                    f.write('scanner "zorpgate/"\nnonsense "x"\n')
                d.proc.send_signal(signal.SIGHUP)
                d.wait_log("msg=reload_failed")
                self.assertIn("tokens.txt:2: unknown group 'nonsense'", d.stderr_text())
                self.assertEqual(tap(ua), ("scanner", ["ua_scanner"]))  # the old data stays
                self.assertEqual(d.stop(), 0)

            # A bad file at start is a clear error naming the flag, file and line.
            with open(nets, "w") as f:
                f.write("10.0.0.0/8\n10.0.0/33\n")
            r = run_cli("serve", "--data-dir", tmp, "--network-file", "scanner:" + nets,
                        "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0")
            self.assertEqual(r.returncode, 1)
            self.assertIn("nets.txt:2: bad CIDR '10.0.0/33'", r.stderr)
            r = run_cli("serve", "--data-dir", tmp, "--network-file", "bogus:" + nets)
            self.assertIn("KIND crawler, scanner or preview", r.stderr)

    def test_inline_sweep_flags_from_the_tenth_code_and_hindsight_the_rest(self):
        with Daemon(BINARY, extra_args=["--sweep-codes", "10", "--sweep-window-s", "30"]) as d:
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)
            sent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
            rows = [{"campaign": "spring", "variant": "A", "recipient": f"r{i}", "code": f"swp-{i:03d}",
                     "sent_at": sent} for i in range(12)]
            self.assertEqual(d.admin("POST", "/v1/links", links_ndjson(rows),
                                     content_type="application/x-ndjson")[0], 201)
            for r in rows:  # one address, twelve codes, a browser's headers: a scanner's walk
                self.assertEqual(d.tap("/" + r["code"], headers=BROWSER)[0], 302)
            self.assertEqual(d.tap("/swp-000", headers=BROWSER)[0], 302)  # a repeat
            events = wait_for_events(d.data_dir, 13)
            self.assertEqual([e["verdict"] for e in events],
                             ["human"] * 9 + ["scanner"] * 4)
            self.assertEqual(events[9]["reasons"], ["sweep"])
            self.assertEqual(d.stop(), 0)
            # Hindsight re-judges the first nine too (it groups by /24 over 60 s).
            r = run_cli("report", "--data-dir", d.data_dir, "--format", "json", "--reclassify")
            self.assertEqual(r.returncode, 0, r.stderr)
            report = json.loads(r.stdout)
            counts = [(v["human_clicks"], v["scanners"]) for v in report["campaigns"][0]["variants"]]
            self.assertEqual((sum(c[0] for c in counts), sum(c[1] for c in counts)), (0, 13), report)
            self.assertEqual(report["verdicts_changed"], 9)

    def test_json_log_lines(self):
        with tempfile.TemporaryDirectory(prefix="redirector-it-") as tmp:
            p = subprocess.Popen([BINARY, "serve", "--data-dir", tmp, "--listen", "127.0.0.1:0",
                                  "--admin-listen", "127.0.0.1:0", "--log-format", "json"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                first = json.loads(p.stderr.readline())
                while first.get("msg") != "listening":
                    first = json.loads(p.stderr.readline())
                self.assertEqual(first["level"], "info")
                self.assertTrue(first["public"].startswith("127.0.0.1:"))
                p.send_signal(signal.SIGTERM)
                rest = [json.loads(line) for line in p.stderr.read().splitlines()]
                self.assertIn("stopped", [line["msg"] for line in rest])
                self.assertEqual(p.wait(timeout=20), 0)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait(timeout=10)
                p.stderr.close()

    def test_classify_command_matches_the_contract(self):
        lines = "\n".join([
            json.dumps({"method": "GET", "ua": IPHONE, "headers": {"accept-language": "en-US"},
                        "ip": "203.0.113.9", "seconds_since_sent": 3600}),
            json.dumps({"method": "GET", "ua": "WhatsApp/2.23.20.0", "headers": {}}),
            json.dumps({"method": "HEAD", "ua": IPHONE, "headers": {"accept": "*/*"}}),
            "{broken",
        ]) + "\n"
        r = run_cli("classify", stdin=lines)
        out = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual(out[0], {"verdict": "human", "reasons": []})
        self.assertEqual(out[1]["verdict"], "preview")
        self.assertIn("ua_preview", out[1]["reasons"])
        self.assertEqual(out[2]["verdict"], "preview")
        self.assertIn("error", out[3])
        self.assertEqual(r.returncode, 1)

    def test_help_and_bad_flags(self):
        for args in (["--help"], ["serve", "--help"], ["tail", "--help"], ["classify", "--help"],
                     ["links", "import", "--help"]):
            r = run_cli(*args)
            self.assertEqual(r.returncode, 0, args)
            self.assertIn("usage", r.stdout)
        for args in (["serve", "--bogus"], ["serve", "--threads", "x"], ["tail"], ["frobnicate"],
                     ["serve", "--sync", "sometimes"]):
            r = run_cli(*args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertTrue(r.stderr.strip(), args)


if __name__ == "__main__":
    daemon.main(__name__)
