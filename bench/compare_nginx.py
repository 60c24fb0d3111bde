#!/usr/bin/env python3
"""redirector vs nginx on the redirect path, side by side in one run.

  bench/compare_nginx.py [--codes 1000000] [--seconds 8] [--rounds 3] [--connections 64]
      [--binary build/bin/redirector] [--baseline OLD_BINARY] [--canned build/bin/canned_server]
      [--ua-mix] [--memory]

Generates N codes with ~100-byte destinations; loads them into redirector through the admin API
(1,000 campaigns, one link per code) and into nginx (nginx-light) as `map $uri $target` with
`return 302 $target` (access_log off, one process). Pins each server to CPU 0 and wrk to CPU 1;
drives both with the same wrk script (random codes, keep-alive); alternates redirector,
[baseline,] nginx and bench/canned_server (the kernel-cost anchor: one canned 302 per request,
no lookup, no log) `--rounds` times, each round starting with the next server. With --ua-mix
each request carries one of the corpus's 3,311 human user agents at random (a worst case for the
classifier's user-agent cache). Per run it prints requests/s, p50/p99 latency and the server's
CPU time per request (utime+stime of all its threads from /proc/PID/task/*/stat, before and
after, over the requests served) and the run-queue wait per request of its busiest thread (from
/proc/PID/task/*/schedstat: time it was ready but another thread had the CPU); then RSS, load
times, the medians with their ratios, the best round of each (highest requests/s, lowest p99)
and the per-round paired ratios of CPU per request and p99 (with how many rounds came out at or
below 1). Every process it starts is stopped by PID. Needs: deploy/install-deps.sh --bench, and a built build (for
build/bin/redirector and build/bin/canned_server).
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    total = 0
    for stat in glob.glob("/proc/%d/task/*/stat" % pid):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def schedstats(pid):
    """{tid: (ns on the CPU, ns runnable but waiting for it)} from /proc/PID/task/*/schedstat."""
    stats = {}
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            run_ns, wait_ns = open(path).read().split()[:2]
        except (OSError, ValueError):
            continue
        stats[path.split("/")[4]] = (int(run_ns), int(wait_ns))
    return stats


def busiest_wait_ns(before, after):
    """Run-queue wait, over the run, of the thread that ran most (the server's worker): time it
    was ready to answer but another thread (its own writer, or the host's) had the CPU."""
    deltas = [(a[0] - before.get(tid, (0, 0))[0], a[1] - before.get(tid, (0, 0))[1])
              for tid, a in after.items()]
    return max(deltas)[1] if deltas else 0


def rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_by_mapping(pid):
    """RSS in MB per mapping from /proc/PID/smaps: file-backed ones by file name, anonymous
    ones as [anon] (heap, arenas, rings), largest first."""
    sizes, name = {}, None
    for line in open("/proc/%d/smaps" % pid):
        fields = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            name = os.path.basename(fields[5]) if len(fields) > 5 else "[anon]"
        elif fields[0] == "Rss:":
            sizes[name] = sizes.get(name, 0) + int(fields[1]) / 1024
    return sorted(sizes.items(), key=lambda kv: -kv[1])


def stop_process(proc, sig):
    """Sends `sig` to a server still running and waits for it (60 s, then SIGKILL)."""
    if proc and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_port(port, timeout=120):
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_wrk(port, codes_file, seconds, connections, agents_file=None):
    out = subprocess.run(
        ["taskset", "-c", "1", "wrk", "-t1", "-c%d" % connections, "-d%ds" % seconds, "--latency",
         "-s", os.path.join(ROOT, "bench", "random_codes.lua"), "http://127.0.0.1:%d" % port,
         "--", codes_file] + ([agents_file] if agents_file else []),
        capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))

    def pct(p):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
        v, unit = float(m.group(1)), m.group(2)
        return v * {"us": 1, "ms": 1000, "s": 1e6}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "requests": requests, "p50_us": pct(50), "p99_us": pct(99),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def measure(pid, port, codes_file, args):
    before, sched_before = cpu_seconds(pid), schedstats(pid)
    r = run_wrk(port, codes_file, args.seconds, args.connections, args.agents_file)
    r["cpu_us_per_req"] = (cpu_seconds(pid) - before) / r["requests"] * 1e6
    r["wait_us_per_req"] = busiest_wait_ns(sched_before, schedstats(pid)) / r["requests"] / 1e3
    return r


class Redirector:
    name = "redirector"

    def __init__(self, work, args, binary, name="redirector"):
        self.work, self.args, self.binary, self.name, self.proc = work, args, binary, name, None

    def start(self):
        self.port, self.admin_port = free_port(), free_port()
        self.err = open(os.path.join(self.work, self.name + ".err"), "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0", self.binary, "serve",
             "--data-dir", os.path.join(self.work, "data-" + self.name), "--threads", "1",
             "--listen", "127.0.0.1:%d" % self.port, "--admin-listen", "127.0.0.1:%d" % self.admin_port,
             "--node-id", "bench"], stdout=subprocess.DEVNULL, stderr=self.err)
        if not wait_port(self.port):
            sys.exit("redirector did not start")
        self.load_s = time.monotonic() - t0
        return self.proc.pid

    def stop(self):
        stop_process(self.proc, signal.SIGTERM)


class Canned:
    """bench/canned_server: the same 302 for every request over plain epoll, no lookup, no log.
    Its CPU per request is the kernel's share, the floor for any server on these system calls."""
    name = "canned"

    def __init__(self, work, binary):
        self.work, self.binary, self.proc = work, binary, None

    def start(self):
        self.port = free_port()
        t0 = time.monotonic()
        self.proc = subprocess.Popen(["taskset", "-c", "0", self.binary, str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            sys.exit("canned_server did not start")
        self.load_s = time.monotonic() - t0
        return self.proc.pid

    def stop(self):
        stop_process(self.proc, signal.SIGKILL)


class Nginx:
    name = "nginx"

    def __init__(self, work, args, map_file):
        self.work, self.args, self.map_file, self.proc = work, args, map_file, None

    def start(self):
        self.port = free_port()
        conf = os.path.join(self.work, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""
worker_processes 1;
master_process off;
daemon off;
pid %(w)s/nginx.pid;
error_log %(w)s/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %(w)s/tmp;
  proxy_temp_path %(w)s/tmp;
  fastcgi_temp_path %(w)s/tmp;
  uwsgi_temp_path %(w)s/tmp;
  scgi_temp_path %(w)s/tmp;
  keepalive_requests 100000000;
  map_hash_max_size 4194304;
  map_hash_bucket_size 256;
  map $uri $target { default ""; include %(map)s; }
  server {
    listen 127.0.0.1:%(port)d;
    location / {
      if ($target = "") { return 404; }
      return 302 $target;
    }
  }
}
""" % {"w": self.work, "map": self.map_file, "port": self.port})
        os.makedirs(os.path.join(self.work, "tmp"), exist_ok=True)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(["taskset", "-c", "0", "nginx", "-p", self.work, "-c", conf,
                                      "-e", os.path.join(self.work, "nginx-error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            sys.exit("nginx did not start: " + open(os.path.join(self.work, "nginx-error.log")).read())
        self.load_s = time.monotonic() - t0
        return self.proc.pid

    def stop(self):
        stop_process(self.proc, signal.SIGQUIT)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--codes", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build/bin/redirector"))
    ap.add_argument("--baseline", help="a previous redirector binary to measure in the same run")
    ap.add_argument("--canned", default=os.path.join(ROOT, "build/bin/canned_server"),
                    help="the canned-response anchor server ('' to skip it)")
    ap.add_argument("--ua-mix", action="store_true",
                    help="each request carries one of the corpus's 3,311 human user agents at random "
                         "(tests/data/ua-corpus.tsv) instead of one iPhone Safari agent")
    ap.add_argument("--memory", action="store_true",
                    help="after the last round print each server's RSS by mapping (smaps)")
    args = ap.parse_args()
    for tool in ("nginx", "wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit("%s is missing: run deploy/install-deps.sh --bench" % tool)
    work = tempfile.mkdtemp(prefix="redirector-vs-nginx-")
    servers = []
    try:
        args.agents_file = None
        if args.ua_mix:
            args.agents_file = os.path.join(work, "agents.txt")
            with open(os.path.join(ROOT, "tests/data/ua-corpus.tsv")) as corpus, \
                    open(args.agents_file, "w") as agents:
                for line in corpus:
                    fields = line.rstrip("\n").split("\t")
                    if len(fields) > 2 and fields[0] == "human":
                        agents.write(fields[2] + "\n")
        links = os.path.join(work, "links.ndjson")
        campaigns = os.path.join(work, "campaigns.ndjson")
        codes = os.path.join(work, "codes.txt")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/gen_links.py"), "--links",
                        str(args.codes), "--out", links, "--campaigns-out", campaigns,
                        "--codes-out", codes], check=True)
        # nginx map: the same code → the campaign's destination with its UTM (static; nginx adds
        # no click id and classifies nothing).
        dest = {}
        for line in open(campaigns):
            c = json.loads(line)
            dest[c["id"]] = c["destination"] + "&utm_source=sms&utm_medium=sms&utm_campaign=" + c["id"]
        map_file = os.path.join(work, "map.conf")
        with open(map_file, "w") as m, open(links) as l:
            for line in l:
                row = json.loads(line)
                m.write('/%s "%s";\n' % (row["code"], dest[row["campaign"]]))

        def load(server):
            # Each build loads its own data dir through its own API (formats may differ).
            server.start()
            post = [sys.executable, os.path.join(ROOT, "bench/admin_post.py"), "--port",
                    str(server.admin_port)]
            subprocess.run(post + ["--path", "/v1/campaigns", "--per-line", campaigns], check=True,
                           capture_output=True)
            bulk = subprocess.run(post + ["--path", "/v1/links", "--chunk", "100000", links],
                                  check=True, capture_output=True, text=True).stdout.strip()
            print("admin bulk load (%s): %s" % (server.name, bulk))
            server.stop()

        red = Redirector(work, args, args.binary)
        servers.append(red)
        load(red)

        ngx = Nginx(work, args, map_file)
        servers.append(ngx)
        order = [red, ngx]
        if args.baseline:
            base = Redirector(work, args, os.path.abspath(args.baseline), "baseline")
            servers.append(base)
            load(base)
            order.insert(1, base)
        if args.canned:
            canned = Canned(work, os.path.abspath(args.canned))
            servers.append(canned)
            order.append(canned)
        results = {s.name: [] for s in order}
        for rnd in range(args.rounds):
            # Each round starts with the next server, so no server always runs first (or right
            # after the same neighbour) when the host's load drifts within a round.
            for server in order[rnd % len(order):] + order[:rnd % len(order)]:
                pid = server.start()
                time.sleep(0.5)
                r = measure(pid, server.port, codes, args)
                r["rss_mb"] = rss_mb(pid)
                if args.memory and rnd == args.rounds - 1 and server.name != "canned":
                    print("  %s RSS by mapping (MB): %s" % (server.name, ", ".join(
                        "%s %.1f" % kv for kv in rss_by_mapping(pid) if kv[1] >= 0.5)))
                r["load_s"] = server.load_s
                server.stop()
                results[server.name].append(r)
                print("round %d %-10s %8.0f req/s  p50 %6.0f us  p99 %7.0f us  cpu %5.2f us/req"
                      "  wait %4.2f us/req  rss %6.1f MB  load %5.2f s  non-3xx %d" % (
                          rnd + 1, server.name, r["rps"], r["p50_us"], r["p99_us"],
                          r["cpu_us_per_req"], r["wait_us_per_req"], r["rss_mb"], r["load_s"],
                          r["errors"]), flush=True)

        def med(name, key):
            return statistics.median(r[key] for r in results[name])
        print("\nmedians over %d rounds (%d codes, %d connections, %d s runs):" % (
            args.rounds, args.codes, args.connections, args.seconds))
        for key, label in (("rps", "requests/s"), ("p50_us", "p50 latency us"),
                           ("p99_us", "p99 latency us"), ("cpu_us_per_req", "server CPU us/request"),
                           ("wait_us_per_req", "run-queue wait us/req"),
                           ("rss_mb", "RSS MB"), ("load_s", "start-up load s")):
            a, b = med("redirector", key), med("nginx", key)
            line = "  %-24s redirector %10.2f   nginx %10.2f   ratio %.3f" % (label, a, b, a / b if b else 0)
            if args.baseline:
                c = med("baseline", key)
                line += "   baseline %10.2f   vs baseline %.3f" % (c, a / c if c else 0)
            print(line)
        best_rps = [max(r["rps"] for r in results[n]) for n in ("redirector", "nginx")]
        best_p99 = [min(r["p99_us"] for r in results[n]) for n in ("redirector", "nginx")]
        print("  best round: requests/s redirector %.0f nginx %.0f ratio %.3f; p99 us redirector "
              "%.0f nginx %.0f ratio %.3f" % (best_rps[0], best_rps[1], best_rps[0] / best_rps[1],
                                              best_p99[0], best_p99[1], best_p99[0] / best_p99[1]))
        # Paired ratios: each round's servers ran back to back, so their ratio cancels most of
        # the machine's drift between rounds.
        def paired(key, a, b):
            ratios = [x[key] / y[key] for x, y in zip(results[a], results[b])]
            print("  %s %s vs %s, per round: %s; median %.3f; %d of %d rounds <= 1" % (
                {"cpu_us_per_req": "CPU/request", "p99_us": "p99"}[key], a, b,
                ", ".join("%.3f" % p for p in ratios), statistics.median(ratios),
                sum(p <= 1 for p in ratios), len(ratios)))
        for key in ("cpu_us_per_req", "p99_us"):
            paired(key, "redirector", "nginx")
            for other in ("baseline", "canned"):
                if other in results:
                    paired(key, "redirector", other)
            if "canned" in results:
                paired(key, "nginx", "canned")
    finally:
        for s in servers:
            s.stop()
        if args.keep:
            print("work directory kept:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
