"""Starts and stops a real `redirector serve` on 127.0.0.1 for integration tests.

Every daemon binds port 0 on loopback, gets a temp data dir (unless one is given), and is
stopped (SIGTERM, then SIGKILL after a bound) by stop() or by the context manager.
"""
import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

START_TIMEOUT_S = 20
# REDIRECTOR_IT_IO=epoll runs every daemon with --io epoll (ctest runs the flow tests both ways).
IO_ARGS = ["--io", os.environ["REDIRECTOR_IT_IO"]] if os.environ.get("REDIRECTOR_IT_IO") else []
STOP_TIMEOUT_S = 20
# How a ThreadSanitizer report starts. deploy/tsan.sh sets halt_on_error, so the daemon also
# dies; close() fails the test on a report even where the test does not check the exit code.
TSAN_REPORT = "WARNING: ThreadSanitizer"


def tsan_report(text):
    """The first ThreadSanitizer report in `text` (a process's stderr), or None."""
    at = text.find(TSAN_REPORT)
    if at < 0:
        return None
    start = text.rfind("==================", 0, at)
    return text[start if start >= 0 else at:][:20000]


def wait_for(predicate, timeout, what, poll_s=0.05):
    """Polls `predicate` until it is true; AssertionError naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll_s)
    raise AssertionError("timed out waiting for " + what)


class Daemon:
    def __init__(self, binary, data_dir=None, extra_args=(), env=None):
        self.binary = binary
        self._tmp = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="redirector-it-")
            data_dir = self._tmp.name
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.port = None
        self.admin_port = None
        self.stderr_path = None

    def start(self):
        fd, self.stderr_path = tempfile.mkstemp(prefix="redirector-it-stderr-")
        self._stderr = os.fdopen(fd, "w+")
        args = [self.binary, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0",
                "--admin-listen", "127.0.0.1:0", "--threads", "2", "--node-id", "it-node",
                *IO_ARGS, *self.extra_args]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, env=self.env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            text = self.stderr_text()
            m = re.search(r"msg=listening public=127\.0\.0\.1:(\d+) admin=127\.0\.0\.1:(\d+)", text)
            if m:
                self.port, self.admin_port = int(m.group(1)), int(m.group(2))
                if IO_ARGS and f"msg=io engine={IO_ARGS[1]}" not in text:
                    raise AssertionError(f"daemon not on {IO_ARGS[1]}:\n{text}")
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited early:\n" + text)
            time.sleep(0.02)
        self.kill()
        raise RuntimeError("daemon did not start in time:\n" + self.stderr_text())

    def stderr_text(self):
        with open(self.stderr_path) as f:
            return f.read()

    def wait_log(self, text, count=1, timeout=10):
        """Waits until `text` is in the daemon's stderr `count` times; fails showing stderr."""
        try:
            wait_for(lambda: self.stderr_text().count(text) >= count, timeout,
                     f"{text!r} in the log")
        except AssertionError as e:
            raise AssertionError(f"{e}:\n{self.stderr_text()}") from None

    def stop(self):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError("daemon did not stop on SIGTERM:\n" + self.stderr_text())

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)

    def close(self):
        report = None
        try:
            self.kill()
        finally:
            if self.proc and self.proc.stdout:
                self.proc.stdout.close()
            if getattr(self, "_stderr", None):
                self._stderr.close()
            if self.stderr_path and os.path.exists(self.stderr_path):
                report = tsan_report(self.stderr_text())
                os.unlink(self.stderr_path)
            if self._tmp:
                self._tmp.cleanup()
        if report:
            raise AssertionError("ThreadSanitizer report in the daemon's stderr:\n" + report)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # --- HTTP helpers ---------------------------------------------------------------------
    def tap(self, path, method="GET", headers=None):
        """One request on the public listener; returns (status, headers dict, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def admin(self, method, path, body=None, token=None, content_type="application/json"):
        conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=60)
        try:
            headers = {"Content-Type": content_type}
            if token:
                headers["Authorization"] = "Bearer " + token
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def metric(self, name, token=None):
        """The value of one unlabelled sample (`name value`) from /metrics."""
        status, body = self.admin("GET", "/metrics", token=token)
        if status != 200:
            raise AssertionError("GET /metrics answered %d" % status)
        m = re.search(r"^%s (\S+)$" % re.escape(name), body, re.M)
        if not m:
            raise AssertionError("no sample %s in /metrics" % name)
        return float(m.group(1))

    def raw(self, data, read_timeout=5.0):
        """Sends raw bytes on the public port and returns everything read until close/timeout."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as s:
            s.sendall(data)
            chunks = []
            try:
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    chunks.append(b)
            except socket.timeout:
                pass
            return b"".join(chunks)


def main(module_name):
    """Entry point of a test file: takes --binary, sets the module's BINARY, runs its tests."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args, rest = parser.parse_known_args()
    module = sys.modules[module_name]
    module.BINARY = os.path.abspath(args.binary)
    unittest.main(module=module, argv=[sys.argv[0], "-v", *rest])
