"""A minimal NATS client for tests (no dependencies): starts nats-server with JetStream on
127.0.0.1, and reads a stream back through the JetStream API with the plain text protocol,
independently of the C client the shipper uses."""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NatsServer:
    """nats-server -js on 127.0.0.1:port with a temp store dir that survives restarts."""

    def __init__(self, binary=None):
        self.binary = binary or shutil.which("nats-server") or "/usr/sbin/nats-server"
        self.port = free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="redirector-nats-")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", self._tmp.name],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(4096).startswith(b"INFO"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def close(self):
        self.kill()
        self._tmp.cleanup()

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self._line()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,'
                          b'"protocol":1}\r\nSUB _INBOX.probe 1\r\nPING\r\n')
        while self._line() != b"PONG":
            pass

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("nats closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def request(self, subject, payload):
        body = json.dumps(payload).encode() if payload is not None else b""
        self.sock.sendall(b"PUB %s _INBOX.probe %d\r\n%s\r\n" % (subject.encode(), len(body), body))
        while True:
            line = self._line()
            if line == b"PING":
                self.sock.sendall(b"PONG\r\n")
            elif line.startswith(b"MSG "):
                return json.loads(self._exact(int(line.split()[-1])))
            elif line.startswith(b"HMSG "):
                parts = line.split()
                raw = self._exact(int(parts[-1]))
                return json.loads(raw[int(parts[-2]):])
            elif line.startswith(b"-ERR"):
                raise RuntimeError(line.decode())

    def stream_messages(self, stream):
        """Every message in the stream: a list of (msg id, event dict), in stream order."""
        info = self.request(f"$JS.API.STREAM.INFO.{stream}", None)
        if "error" in info:
            raise RuntimeError(info["error"])
        state = info["state"]
        out = []
        for seq in range(state["first_seq"], state["last_seq"] + 1):
            r = self.request(f"$JS.API.STREAM.MSG.GET.{stream}", {"seq": seq})
            m = r["message"]
            headers = base64.b64decode(m.get("hdrs", "")).decode()
            msg_id = next((h.split(":", 1)[1].strip() for h in headers.split("\r\n")
                           if h.lower().startswith("nats-msg-id:")), None)
            out.append((msg_id, json.loads(base64.b64decode(m["data"]))))
        return out
