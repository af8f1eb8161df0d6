#!/usr/bin/env python3
"""AIS benchmarks: Resolute's decoder and event detectors next to pyais, in one run.

Usage: scripts/bench-ais.py [--scales 1,10,100] [--seconds 3] [--json]

1. pyais (PyPI, `pip install pyais==3.3.1`) decodes every line of each real NMEA sample in
   data/ais/ the way its file stream does (`IterMessages`: fragments assembled, then
   `decode()`, which decodes every field of the message), pass after pass for `--seconds` of
   CPU time; messages per CPU second.
2. `cargo bench -p resolute-maritime --bench ais -- --json` does the same with Resolute's
   decoder on the same files, then builds tracks and detects every event over 100·S vessels x
   1,000 positions for each scale S (made by replaying the real NOAA tracks), with CPU time,
   wall time and peak RSS.

Throughput is per CPU second of the process (Python `time.process_time`, /proc/self/stat for
Rust): the machine is shared by several builds, and wall-clock rates would measure the load.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = ["pyais-nmea-data-sample.nmea", "kystverket-ais-1000-lines-2019-08-07.nm4"]


def pyais_decode(name, seconds):
    import pyais
    from pyais.stream import IterMessages

    with open(os.path.join(ROOT, "data", "ais", name), "rb") as f:
        lines = [line.strip() for line in f if line.strip()]
    messages = passes = 0
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    while time.process_time() - start_cpu < seconds or passes < 3:
        for msg in IterMessages(lines):
            try:
                msg.decode()
                messages += 1
            except Exception:  # noqa: BLE001 - empty payloads fail, as in the tests
                pass
        passes += 1
    cpu = time.process_time() - start_cpu
    wall = time.perf_counter() - start_wall
    return {
        "file": name,
        "pyais": pyais.__version__,
        "passes": passes,
        "messages_per_pass": messages // passes,
        "cpu_seconds": cpu,
        "messages_per_second": messages / cpu,
        "messages_per_wall_second": messages / wall,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    python = [pyais_decode(name, args.seconds) for name in SAMPLES]
    cmd = ["cargo", "bench", "-q", "-p", "resolute-maritime", "--bench", "ais", "--",
           "--json", "--scales", args.scales, "--seconds", str(args.seconds)]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    rust = json.loads(out.strip().splitlines()[-1])
    load = os.getloadavg()
    result = {"pyais": python, "resolute": rust, "loadavg": load}
    if args.json:
        print(json.dumps(result))
        return
    print(f"load average during the run: {load[0]:.1f} (2 cores); rates are per CPU second\n")
    print(f"{'file':45} {'messages':>8} {'pyais msg/s':>12} {'Resolute msg/s':>15} {'ratio':>7}")
    for p, r in zip(python, rust["decode"]):
        assert p["messages_per_pass"] == r["messages_per_pass"], (p, r)
        ratio = r["messages_per_second"] / p["messages_per_second"]
        print(f"{p['file']:45} {p['messages_per_pass']:>8} {p['messages_per_second']:>12,.0f} "
              f"{r['messages_per_second']:>15,.0f} {ratio:>6.1f}x")
    print()
    print(f"{'scale':>5} {'vessels':>8} {'positions':>11} {'ingest s':>9} {'build+detect s':>15} "
          f"{'(wall s)':>9} {'peak RSS MB':>12}  events")
    for e in rust["events"]:
        print(f"{e['scale']:>5} {e['vessels']:>8} {e['positions']:>11,} {e['ingest_cpu_seconds']:>9.2f} "
              f"{e['build_and_detect_cpu_seconds']:>15.2f} {e['build_and_detect_wall_seconds']:>9.2f} "
              f"{(e['peak_rss_bytes'] or 0) / 1e6:>12.0f}  {json.dumps(e['events'])}")


if __name__ == "__main__":
    sys.exit(main())
