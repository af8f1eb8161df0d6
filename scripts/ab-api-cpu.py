#!/usr/bin/env python3
"""Server CPU per POST /match request, two `resolute` binaries side by side.

Usage: scripts/ab-api-cpu.py NEW_BIN [OLD_BIN] [--requests 3000] [--rounds 3] [--name "Foreign Trade Bank"]

Each round starts each binary in turn (`serve` on loopback, a fresh data directory, an admin key from
RESOLUTE_ADMIN_KEY), sends a warm-up, then REQUESTS sequential /match/default requests with one query over
one keep-alive connection, every one audited, and reads the server's CPU time (user + system, from
/proc/PID/stat) before and after. CPU per request is the figure that survives a shared, loaded machine
(wall time includes waiting for a core); wall requests/s is printed too. Rounds alternate the binaries so
load from other processes affects both alike; the medians are compared at the end.

Needs only the Python standard library. The open-loop latency test with oha/wrk is scripts/loadtest.sh.
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def run(binary, requests, name):
    key = "rsk_10ad7e57_" + secrets.token_hex(24)
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, RESOLUTE_ADMIN_KEY=key)
        server = subprocess.Popen(
            [binary, "serve", "--data-dir", data, "--addr", f"127.0.0.1:{port}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 120
            while True:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    c.request("GET", "/readyz")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline:
                    raise SystemExit(f"{binary}: not ready in 120 s")
                time.sleep(0.2)
            body = json.dumps({"queries": {"q1": {"schema": "Company", "properties": {"name": [name]}}}})
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

            def one():
                conn.request("POST", "/match/default", body=body, headers=headers)
                r = conn.getresponse()
                payload = r.read()
                if r.status != 200:
                    raise SystemExit(f"{binary}: /match answered {r.status}: {payload[:200]!r}")
                return payload

            sample = one()
            for _ in range(200):
                one()
            c0, t0 = cpu_seconds(server.pid), time.perf_counter()
            for _ in range(requests):
                one()
            c1, t1 = cpu_seconds(server.pid), time.perf_counter()
            hits = len(json.loads(sample)["responses"]["q1"]["results"])
            return (c1 - c0) / requests * 1e6, requests / (t1 - t0), hits
        finally:
            server.terminate()
            server.wait(timeout=30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("new")
    ap.add_argument("old", nargs="?")
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--name", default="Foreign Trade Bank")
    a = ap.parse_args()
    sides = {"new": a.new}
    if a.old:
        sides["old"] = a.old
    cpu = {k: [] for k in sides}
    rate = {k: [] for k in sides}
    print(f"== {a.requests} sequential POST /match/default ({a.name!r}), {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    for r in range(1, a.rounds + 1):
        for side, binary in sides.items():
            us, rps, hits = run(binary, a.requests, a.name)
            cpu[side].append(us)
            rate[side].append(rps)
            print(f"round {r} {side}: server CPU {us:.0f} us/request, {rps:,.0f} requests/s wall "
                  f"({hits} results per answer; load {os.getloadavg()[0]:.2f})")
    for side in sides:
        print(f"median {side}: server CPU {statistics.median(cpu[side]):.0f} us/request, "
              f"{statistics.median(rate[side]):,.0f} requests/s wall")
    if a.old:
        n, o = statistics.median(cpu["new"]), statistics.median(cpu["old"])
        print(f"new vs old server CPU per request: {100 * (n - o) / o:+.1f} %")


if __name__ == "__main__":
    main()
