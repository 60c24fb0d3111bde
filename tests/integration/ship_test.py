"""Integration test of `redirector ship`: the event log into NATS JetStream exactly once, while
taps keep coming, the NATS server is killed and restarted, and the shipper is killed and
restarted; then a forced re-send of already shipped events must not add a message.

Run: python3 tests/integration/ship_test.py --binary build/bin/redirector
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402
from daemon import Daemon, wait_for  # noqa: E402
from nats_probe import Client, NatsServer  # noqa: E402

BINARY = None
BROWSER = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
                         "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 "
                         "Safari/604.1", "Accept": "text/html", "Accept-Language": "en-US"}
STREAM = "REDIRECTOR_EVENTS"


class ShipTest(unittest.TestCase):
    def test_every_event_exactly_once_through_server_and_shipper_restarts(self):
        nats = NatsServer().start()
        shipper = None
        try:
            with Daemon(BINARY, extra_args=["--demo"]) as d:
                checkpoint = os.path.join(d.data_dir, "consumers", "ship")

                log_path = os.path.join(d.data_dir, "ship.log")

                def start_shipper():
                    with open(log_path, "a") as log:
                        return subprocess.Popen(
                            [BINARY, "ship", "--data-dir", d.data_dir, "--nats", nats.url,
                             "--batch", "50", "--ack-timeout-ms", "1000"],
                            stdout=subprocess.DEVNULL, stderr=log)

                def shipped():
                    try:
                        with open(checkpoint) as f:
                            return int(f.read().strip() or 0)
                    except (FileNotFoundError, ValueError):
                        return 0

                # Taps keep coming on one keep-alive connection while things break.
                stop = threading.Event()
                taps = [0]

                def tapper():
                    conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                    while not stop.is_set():
                        conn.request("GET", "/demo-a" if taps[0] % 2 else "/demo-b",
                                     headers=BROWSER)
                        r = conn.getresponse()
                        r.read()
                        assert r.status == 302
                        taps[0] += 1
                    conn.close()

                t = threading.Thread(target=tapper)
                t.start()
                try:
                    shipper = start_shipper()
                    wait_for(lambda: shipped() >= 200, 30, "first events shipped")
                    nats.kill()  # the server dies mid-stream, for longer than an ack timeout ...
                    time.sleep(3.0)
                    nats.start()  # ... and comes back with its store
                    wait_for(lambda: shipped() >= taps[0] // 2 + 200, 60,
                             "shipping to resume after the server restart")
                    shipper.send_signal(signal.SIGKILL)  # the shipper dies mid-batch ...
                    shipper.wait(timeout=10)
                    time.sleep(0.5)
                    shipper = start_shipper()  # ... and resumes from its checkpoint
                    time.sleep(1.0)
                finally:
                    stop.set()
                    t.join(timeout=30)
                self.assertEqual(d.stop(), 0)
                events = [json.loads(line) for line in subprocess.run(
                    [BINARY, "tail", "--data-dir", d.data_dir], capture_output=True, text=True,
                    timeout=60).stdout.splitlines()]
                self.assertEqual(len(events), taps[0])
                self.assertGreater(len(events), 500)
                wait_for(lambda: shipped() == events[-1]["seq"], 60, "the shipper to catch up")
                shipper.send_signal(signal.SIGTERM)
                self.assertEqual(shipper.wait(timeout=20), 0)
                with open(log_path) as f:
                    log = f.read()
                # The server's death was seen and survived (a failed batch, or no server).
                self.assertRegex(log, "msg=(ship_failed|nats_unavailable)")
                self.check_stream(nats, events)

                # A shipper that lost its checkpoint re-sends: JetStream drops the repeats.
                with open(checkpoint, "w") as f:
                    f.write(str(events[-1]["seq"] - 300))
                r = subprocess.run([BINARY, "ship", "--data-dir", d.data_dir, "--nats", nats.url,
                                    "--once"], capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("shipped=300", r.stderr)
                self.check_stream(nats, events)
        finally:
            if shipper and shipper.poll() is None:
                shipper.kill()
                shipper.wait(timeout=10)
            nats.close()

    def check_stream(self, nats, events):
        client = Client(nats.port)
        try:
            messages = client.stream_messages(STREAM)
        finally:
            client.close()
        ids = [msg_id for msg_id, _ in messages]
        self.assertEqual(len(ids), len(set(ids)), "a message id appears twice")
        want = {f"{e['node']}:{e['seq']}": e for e in events}
        self.assertEqual(set(ids), set(want), "stream and log differ")
        for msg_id, body in messages:
            self.assertEqual(body, want[msg_id])

    def test_ship_needs_a_data_dir_and_has_help(self):
        r = subprocess.run([BINARY, "ship"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--data-dir", r.stderr)
        r = subprocess.run([BINARY, "ship", "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        self.assertIn("--nats", r.stdout + r.stderr)


if __name__ == "__main__":
    daemon.main(__name__)
