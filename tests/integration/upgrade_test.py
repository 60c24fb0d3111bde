"""Binary upgrade (SIGUSR2): new connections keep coming through two upgrades in a row and
every one is answered; every answered tap is in the event log; admin writes work after; a new
binary that fails to start leaves the old one serving; an admin request under way is answered or
closed, never handed to the new process; a stop asked for during the upgrade stops everything.

Run: python3 tests/integration/upgrade_test.py --binary build/bin/redirector
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import daemon  # noqa: E402
from daemon import Daemon, wait_for  # noqa: E402

BINARY = None
BROWSER = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
           "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
           "Accept": "text/html", "Accept-Language": "en-US"}
CAMPAIGN = {"id": "up", "destination": "https://shop.example/up"}
UPGRADE_TIMEOUT_S = 60


def socket_inodes(pid):
    """The inodes of the sockets process `pid` holds."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            continue
        if link.startswith("socket:["):
            inodes.add(int(link[8:-1]))
    return inodes


def tcp_inode(local_port, remote_port):
    """The inode of the IPv4 TCP socket from `local_port` to `remote_port` (0 once closed)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if (int(local.split(":")[1], 16) == local_port and
                    int(remote.split(":")[1], 16) == remote_port):
                return int(fields[9])
    return 0


def half_sent_admin_request(d):
    """An admin request whose headers arrived (the server said 100 Continue: it is under way)
    and whose body is half sent; returns the client's socket."""
    client = socket.create_connection(("127.0.0.1", d.admin_port), timeout=5)
    client.sendall(b"POST /v1/links HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                   b"Content-Type: application/x-ndjson\r\nContent-Length: 1000\r\n\r\n")
    assert client.recv(4096).startswith(b"HTTP/1.1 100 Continue"), "no 100 Continue"
    client.sendall(b'{"campaign":')
    return client


def pid_gone(pid):
    """True once `pid` has exited (a zombie counts: it is not our child to reap)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


class Load:
    """Threads that each open a new connection per tap until stopped."""

    def __init__(self, port, codes, threads=4):
        self.port, self.codes = port, codes
        self.ok, self.failures, self.click_ids = 0, [], set()
        self.slowest_s = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, i):
        n = i
        while not self._stop.is_set():
            code = self.codes[n % len(self.codes)]
            n += 1
            t0 = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/" + code, headers=BROWSER)
                r = conn.getresponse()
                r.read()
                loc = r.getheader("Location") or ""
                conn.close()
                with self._lock:
                    self.slowest_s = max(self.slowest_s, time.monotonic() - t0)
                    if r.status != 302:
                        self.failures.append(f"{code}: status {r.status}")
                        continue
                    self.ok += 1
                    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
                    self.click_ids.add(q["smsclid"][0])
            except Exception as e:  # refused, reset, timeout: all failures
                with self._lock:
                    self.failures.append(f"{code}: {type(e).__name__}: {e} "
                                         f"({time.monotonic() - t0:.3f} s after connecting)")

    def count(self):
        with self._lock:
            return self.ok

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)


class UpgradeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="redirector-upgrade-")
        self.exe = os.path.join(self.tmp.name, "redirector")
        shutil.copy2(BINARY, self.exe)
        self.pids = []  # every process started, stopped in tearDown

    def tearDown(self):
        for pid in self.pids:
            if not pid_gone(pid):
                os.kill(pid, signal.SIGKILL)
                wait_for(lambda: pid_gone(pid), 20, f"pid {pid} to die")
        self.tmp.cleanup()

    def new_pid_after(self, d, old_pid):
        """Waits for the process that took over from `old_pid`; returns its pid."""
        pattern = r"msg=listening .* pid=(\d+) upgraded=true"
        def taken():
            pids = [int(p) for p in re.findall(pattern, d.stderr_text())]
            return [p for p in pids if p not in self.pids]
        wait_for(lambda: taken(), UPGRADE_TIMEOUT_S, "the new process to listen")
        pid = taken()[0]
        self.pids.append(pid)
        wait_for(lambda: pid_gone(old_pid), UPGRADE_TIMEOUT_S, f"old pid {old_pid} to exit")
        return pid

    def replace_binary(self):
        """Installs a fresh copy at the same path, as a package upgrade does (new inode)."""
        shutil.copy2(BINARY, self.exe + ".new")
        os.replace(self.exe + ".new", self.exe)

    def test_new_connections_through_two_upgrades_are_all_answered(self):
        notify_path = os.path.join(self.tmp.name, "notify")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(0.2)
        d = Daemon(self.exe, env={"NOTIFY_SOCKET": notify_path})
        try:
            d.start()
            first = d.proc.pid
            self.pids.append(first)
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)
            rows = [{"campaign": "up", "recipient": f"r-{i}", "code": f"up-{i:04d}"}
                    for i in range(200)]
            status, body = d.admin("POST", "/v1/links", "".join(json.dumps(r) + "\n" for r in rows),
                                   content_type="application/x-ndjson")
            self.assertEqual(status, 201, body)
            codes = [r["code"] for r in rows]

            with Load(d.port, codes) as load:
                wait_for(lambda: load.count() > 200, 30, "taps before the upgrade")
                self.replace_binary()
                os.kill(first, signal.SIGUSR2)
                self.assertEqual(d.proc.wait(timeout=UPGRADE_TIMEOUT_S), 0, d.stderr_text())
                second = self.new_pid_after(d, first)
                self.assertFalse(os.readlink(f"/proc/{second}/exe").endswith("(deleted)"))
                before = load.count()
                wait_for(lambda: load.count() > before + 200, 30, "taps on the new process")

                # Admin writes go to the new process, which owns the database now.
                status, body = d.admin("POST", "/v1/links", json.dumps(
                    {"campaign": "up", "recipient": "late", "code": "up-late"}) + "\n",
                    content_type="application/x-ndjson")
                self.assertEqual(status, 201, body)
                self.assertEqual(d.tap("/up-late", headers=BROWSER)[0], 302)
                load.codes = codes + ["up-late"]

                os.kill(second, signal.SIGUSR2)  # an upgraded process upgrades again
                third = self.new_pid_after(d, second)
                before = load.count()
                wait_for(lambda: load.count() > before + 200, 30, "taps on the third process")
            self.assertEqual(load.failures, [], d.stderr_text())
            served = load.ok + 1  # the up-late tap

            self.assertEqual(d.tap("/up-late", headers=BROWSER)[0], 302)
            served += 1
            os.kill(third, signal.SIGTERM)
            wait_for(lambda: pid_gone(third), 30, "the last process to stop")

            # Nothing lost: every answered tap is in the log, numbered on without a gap.
            r = subprocess.run([BINARY, "tail", "--data-dir", d.data_dir], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            events = [json.loads(line) for line in r.stdout.splitlines()]
            self.assertEqual(len(events), served)
            self.assertEqual([e["seq"] for e in events], list(range(1, served + 1)))
            logged = {e["click_id"] for e in events}
            self.assertTrue(load.click_ids <= logged)

            messages = []
            try:
                while True:
                    messages.append(notify.recv(4096).decode())
            except socket.timeout:
                pass
            self.assertEqual(messages.count("READY=1"), 3, messages)
            self.assertIn(f"MAINPID={second}", messages)
            self.assertIn(f"MAINPID={third}", messages)
            text = d.stderr_text()
            self.assertEqual(text.count("msg=upgrade_handing_over"), 2, text)
            print(f"\n{served} taps through two upgrades, 0 failed; slowest "
                  f"{load.slowest_s * 1000:.0f} ms", file=sys.stderr)
        finally:
            notify.close()
            d.close()

    def test_a_new_binary_that_fails_leaves_the_old_one_serving(self):
        config = os.path.join(self.tmp.name, "redirector.toml")
        with open(config, "w") as f:
            f.write("threads = 2\n")
        d = Daemon(self.exe, extra_args=["--config", config])
        try:
            d.start()
            self.pids.append(d.proc.pid)
            with open(config, "w") as f:
                f.write("threads = 2\nnot_a_key = 1\n")  # the new process refuses it
            os.kill(d.proc.pid, signal.SIGUSR2)
            d.wait_log("msg=upgrade_failed", timeout=UPGRADE_TIMEOUT_S)
            self.assertIsNone(d.proc.poll())
            self.assertIn("exit code 1", d.stderr_text())
            # The admin API resumed and the old process still owns the database.
            self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)
            status, body = d.admin("POST", "/v1/links", json.dumps(
                {"campaign": "up", "recipient": "r", "code": "still-01"}) + "\n",
                content_type="application/x-ndjson")
            self.assertEqual(status, 201, body)
            self.assertEqual(d.tap("/still-01", headers=BROWSER)[0], 302)
            self.assertEqual(d.stop(), 0)
        finally:
            d.close()

    def start(self, *extra_args):
        """A daemon of this test's binary, closed at cleanup; its pid is stopped in tearDown."""
        d = Daemon(self.exe, extra_args=list(extra_args))
        self.addCleanup(d.close)
        d.start()
        self.pids.append(d.proc.pid)
        return d

    def test_an_admin_request_under_way_is_not_handed_to_the_new_process(self):
        d = self.start("--upgrade-admin-pause-s", "1")
        first = d.proc.pid
        client = half_sent_admin_request(d)
        self.addCleanup(client.close)
        server_side = tcp_inode(d.admin_port, client.getsockname()[1])
        self.assertIn(server_side, socket_inodes(first))
        os.kill(first, signal.SIGUSR2)
        self.assertEqual(d.proc.wait(timeout=UPGRADE_TIMEOUT_S), 0, d.stderr_text())
        second = self.new_pid_after(d, first)
        self.assertIn("msg=upgrade_admin_busy", d.stderr_text())
        # The client hears the end (EOF, a reset or an answer) instead of hanging ...
        client.settimeout(10)
        try:
            answer = client.recv(4096)
        except ConnectionResetError:
            answer = b"reset"
        except socket.timeout:
            self.fail("the admin client hangs after the upgrade")
        self.assertTrue(answer == b"" or answer == b"reset" or answer.startswith(b"HTTP/1.1"),
                        answer)
        # ... and the new process holds no descriptor of that connection.
        self.assertNotIn(server_side, socket_inodes(second))
        # The new process's admin API works.
        self.assertEqual(d.admin("POST", "/v1/campaigns", json.dumps(CAMPAIGN))[0], 201)

    def test_a_stop_during_an_upgrade_stops_and_nothing_serves_on(self):
        d = Daemon(self.exe)
        try:
            d.start()
            first = d.proc.pid
            self.pids.append(first)
            port = d.port
            # Both at once: the upgrade is taken first (lower signal number), the stop waits.
            os.kill(first, signal.SIGUSR2)
            os.kill(first, signal.SIGTERM)
            self.assertEqual(d.proc.wait(timeout=UPGRADE_TIMEOUT_S), 0, d.stderr_text())
            text = d.stderr_text()
            for pid in re.findall(r"msg=upgrade_handing_over new_pid=(\d+)", text):
                self.pids.append(int(pid))  # stopped in tearDown should the check below fail
            self.assertIn("msg=upgrade_abandoned", text)
            self.assertNotIn("msg=upgrade_handing_over", text)
            self.assertNotIn("upgraded=true", text)
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
        finally:
            d.close()

    def test_a_stop_during_the_admin_pause_stops_without_waiting_for_it(self):
        d = self.start()  # the default pause: 30 s
        first = d.proc.pid
        self.addCleanup(half_sent_admin_request(d).close)
        os.kill(first, signal.SIGUSR2)
        d.wait_log("msg=upgrade_starting")
        t0 = time.monotonic()
        os.kill(first, signal.SIGTERM)
        self.assertEqual(d.proc.wait(timeout=UPGRADE_TIMEOUT_S), 0, d.stderr_text())
        self.assertLess(time.monotonic() - t0, 10, "the stop waited for the admin pause")
        text = d.stderr_text()
        self.assertIn("msg=upgrade_abandoned", text)
        self.assertNotIn("upgraded=true", text)

if __name__ == "__main__":
    daemon.main(__name__)
