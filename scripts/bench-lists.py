#!/usr/bin/env python3
"""Parse the bundled lists with Resolute and with Python, side by side.

Resolute: `resolute bench lists --json --threads 1,2 FILES` (parse into the
entity model, median of N runs), reported twice: on one thread, and on two
(what a load does by default for files of 256 KB and more on a machine with
two cores: the SHA-256 content hash on a second thread, and a UN list read in
parts by both threads; the result is the one-thread result). Python, on the
same files, median of N runs:
  - "etree": `xml.etree.ElementTree.parse` of the UN XML / `csv.reader` over
    the SDN CSV (just the parse);
  - "etree+map": the same plus walking every record into a dict of names,
    aliases, dates, nationality, documents, addresses (UN) or splitting the
    remarks into key/value pairs (SDN) — the closest Python equivalent of
    what Resolute's loader does.
The speed-up column is Python "etree+map" time / Resolute time (and the plain
parse ratio in brackets). `--rounds K` repeats the whole comparison and ends
with the min / median / max speed-up: the host's speed drifts by up to 1.5x
from one minute to the next (on Resolute's and on Python's side, not always
together), so one round proves little.

Usage: scripts/bench-lists.py [--bin target/release/resolute] [--runs 20] [--rounds 1] [FILES...]
Build first: cargo build --release -p resolute-cli

Both sides time building the result; freeing it is not timed (Resolute
drops the parsed list after the clock stops, Python deletes its result after
the clock stops). Resolute's time includes format detection and the SHA-256
content hash of the file (part of the list version identity; `hash_ms` in the
JSON, ~1.4 ms for the UN file here; with two threads it runs alongside).

Measured 2026-11-28 20:18 UTC, release build, mimalloc, Python 3.11.7, 2 cores
(load average 1.3-1.5: this script plus light work by others), UN file,
`--runs 20 --rounds 8`, speed-up vs Python parse+map (vs plain parse):
  1 thread   min 8.2x  median 11.1x  max 14.9x   (5.3x / 6.2x / 9.7x)
  2 threads  min 14.8x median 19.1x  max 24.0x   (9.6x / 10.7x / 15.7x)
Again at 20:25 UTC (load average 1.3-1.7, 6 rounds): 1 thread 9.4x / 12.1x /
16.1x, 2 threads 16.7x / 19.0x / 22.9x (3 of 6 rounds at 20x or more).
Typical round: Resolute 1 thread 14.4 ms, 2 threads 7.8 ms; Python parse
104 ms, parse+map 160 ms. Resolute's one-thread time itself swings between
~10 ms and ~15 ms here from minute to minute; the two-thread time is steadier
(6.5-9 ms). SDN, one round at 20:21: Resolute 94 ms (2 threads 96 ms: the
hash is 2.7 ms of it), Python parse 72 ms, parse+map 269 ms: 2.9x (0.8x).

The 20x goal on the UN file: NOT met on one thread (median 11.1x); on two
threads met in 4 rounds of 8 (20.0x-24.0x) and missed in 4 (14.8x-18.2x),
median 19.1x. Before this work (19:17 UTC, one round, load average 3.4):
9.9x (5.9x), one thread only; an A/B of the one-thread load alone, old and
new code alternating: median 12.3 ms -> 11.4 ms, min 10.4 -> 9.4 ms. Where one thread's time goes (perf): the scanner about a quarter,
the SHA-256 a tenth, mapping 1003 records into the entity model the rest,
most of it allocating and writing the ~44,000 heap values the model holds
(3.2 MB per parse, BTreeMap nodes a quarter of it).
"""

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_FILES = [
    os.path.join(ROOT, "data/lists/un/consolidated-2026-02-27.xml"),
    os.path.join(ROOT, "data/lists/ofac/sdn-2024-05-03.csv"),
]


def un_parse(data: bytes):
    return ET.parse(io.BytesIO(data)).getroot()


def un_parse_map(data: bytes):
    root = ET.parse(io.BytesIO(data)).getroot()
    out = []
    for rec in list(root.iter("INDIVIDUAL")) + list(root.iter("ENTITY")):
        t = lambda tag: (rec.findtext(tag) or "").strip()
        e = {
            "ref": t("REFERENCE_NUMBER"),
            "name": " ".join(p for p in (t("FIRST_NAME"), t("SECOND_NAME"), t("THIRD_NAME"), t("FOURTH_NAME")) if p),
            "programs": [t("UN_LIST_TYPE")],
            "listed_on": t("LISTED_ON"),
            "comments": t("COMMENTS1"),
            "aliases": [],
            "dob": [],
            "nationality": [(v.text or "").strip() for v in rec.findall("NATIONALITY/VALUE")],
            "docs": [],
            "addresses": [],
        }
        for a in rec.findall("INDIVIDUAL_ALIAS") + rec.findall("ENTITY_ALIAS"):
            name = (a.findtext("ALIAS_NAME") or "").strip()
            if name:
                e["aliases"].append((name, (a.findtext("QUALITY") or "").strip()))
        for d in rec.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            e["dob"].append(tuple((d.findtext(k) or "").strip() for k in ("TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR")))
        for d in rec.findall("INDIVIDUAL_DOCUMENT"):
            e["docs"].append(((d.findtext("TYPE_OF_DOCUMENT") or "").strip(), (d.findtext("NUMBER") or "").strip()))
        for a in rec.findall("INDIVIDUAL_ADDRESS") + rec.findall("ENTITY_ADDRESS"):
            e["addresses"].append(", ".join((c.text or "").strip() for c in a if (c.text or "").strip()))
        out.append(e)
    return out


def sdn_parse(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def sdn_parse_map(data: bytes):
    out = []
    for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")):
        if len(row) != 12:
            continue
        v = [("" if c.strip() == "-0-" else c.strip()) for c in row]
        e = {"ref": v[0], "name": v[1], "type": v[2], "programs": [p.strip() for p in v[3].replace("[", "]").split("]") if p.strip()], "remarks": {}}
        for seg in v[11].rstrip(".").split(";"):
            seg = seg.strip()
            if seg.startswith("alt. "):
                seg = seg[5:]
            key, _, val = seg.partition(" ")
            e["remarks"].setdefault(key, []).append(val)
        out.append(e)
    return out


def median_ms(fn, data, runs):
    """Median wall time of fn(data). Freeing the returned object is not timed,
    as on the Resolute side (its bench drops the parsed list after the clock)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn(data)
        times.append((time.perf_counter() - t) * 1e3)
        del result
    return statistics.median(times)


def resolute_times(args, f, runs):
    """Resolute's median ms on one file: {1: one thread, 2: two threads, "hash": SHA-256 alone, "records": n}."""
    cmd = [args.bin, "bench", "lists", "--json", "--runs", str(runs), "--threads", "1,2", f]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{args.bin} failed: {res.stderr.strip()}")
    rows = {r.get("threads", 1): r for r in json.loads(res.stdout)}
    return {
        1: rows[1]["median_ms"],
        2: rows[2]["median_ms"],
        "parse1": rows[1]["parse_median_ms"],
        "parse2": rows[2]["parse_median_ms"],
        "hash": rows[1]["hash_ms"],
        "records": rows[1]["entities"],
    }


def one_round(args):
    """Resolute (1 and 2 threads) and Python on every file: {file: row}.

    The two sides are measured in `--pairs` alternating turns (Resolute's
    median of `--runs` runs, then Python's parse+map and plain parse once
    each), and each speed-up is the median of the per-turn ratios: the
    host's speed changes from one second to the next, and a turn is short
    enough (well under a second) that both sides of it see the same host."""
    rows = {}
    for f in args.files:
        with open(f, "rb") as fh:
            data = fh.read()
        is_xml = data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<")
        parse, parse_map = (un_parse, un_parse_map) if is_xml else (sdn_parse, sdn_parse_map)
        turns = []
        for _ in range(args.pairs):
            ours = resolute_times(args, f, args.runs)
            ours["py_map"] = median_ms(parse_map, data, 1)
            ours["py_parse"] = median_ms(parse, data, 1)
            turns.append(ours)
        med = lambda key: statistics.median(t[key] for t in turns)
        rows[f] = {
            "mb": len(data) / 1e6,
            "records": turns[0]["records"],
            "one": med(1),
            "two": med(2),
            "parse1": med("parse1"),
            "parse2": med("parse2"),
            "hash": med("hash"),
            "py_parse": med("py_parse"),
            "py_map": med("py_map"),
            # Median of the per-turn ratios, vs parse+map and vs plain parse.
            "ratio": {
                n: (statistics.median(t["py_map"] / t[n] for t in turns), statistics.median(t["py_parse"] / t[n] for t in turns))
                for n in (1, 2, "parse1", "parse2")
            },
        }
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", default=DEFAULT_FILES)
    ap.add_argument("--bin", default=os.environ.get("RESOLUTE_BIN", os.path.join(ROOT, "target/release/resolute")))
    ap.add_argument("--runs", type=int, default=5, help="Resolute runs per turn (their median is the turn's time)")
    ap.add_argument("--pairs", type=int, default=10, help="alternating turns of Resolute and Python per file and round")
    ap.add_argument("--rounds", type=int, default=1, help="repeat the whole comparison; prints the min/median/max speed-up")
    args = ap.parse_args()

    ratios = {}  # (file, threads) -> [(vs parse+map, vs parse)]
    for n in range(args.rounds):
        rows = one_round(args)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        if args.rounds > 1:
            print(f"round {n + 1}/{args.rounds}, load average {load}")
        print(f"{'file':<30} {'MB':>5} {'records':>7} {'threads':>7} {'load ms':>8} {'parse ms':>8} {'python parse ms':>15} {'parse+map ms':>12} {'speed-up load':>14} {'speed-up parse':>15}")
        for f, r in rows.items():
            for threads, load_ms, parse_ms, pkey in ((1, r["one"], r["parse1"], "parse1"), (2, r["two"], r["parse2"], "parse2")):
                ratio, pratio = r["ratio"][threads], r["ratio"][pkey]
                ratios.setdefault((f, threads, "load"), []).append(ratio)
                ratios.setdefault((f, threads, "parse"), []).append(pratio)
                print(f"{os.path.basename(f):<30} {r['mb']:>5.2f} {r['records']:>7} {threads:>7} {load_ms:>8.2f} {parse_ms:>8.2f} {r['py_parse']:>15.2f} {r['py_map']:>12.2f}"
                      f" {ratio[0]:>6.1f}x ({ratio[1]:.1f}x) {pratio[0]:>6.1f}x ({pratio[1]:.1f}x)")
        hashes = ", ".join(f"{r['hash']:.2f} ms" for r in rows.values())
        print(f"(medians over {args.pairs} alternating turns, Resolute's time in a turn the median of {args.runs} runs; Python {sys.version.split()[0]};")
        print(" speed-up = median over the turns of Python parse+map / Resolute, vs Python's plain parse in brackets;")
        print(" load = parse into the model + the SHA-256 content hash that identifies the list version")
        print(f" ({hashes} alone; with two threads it runs on the second one); parse = the parse into the model alone; load average {load})")
    if args.rounds > 1:
        print(f"speed-up over {args.rounds} rounds, min / median / max (vs Python parse+map; vs plain parse):")
        for (f, threads, what), rs in ratios.items():
            m = sorted(x[0] for x in rs)
            p = sorted(x[1] for x in rs)
            print(f"  {os.path.basename(f):<30} {what:<5} {threads} thread{'s' if threads > 1 else ' '}  {m[0]:5.1f}x / {statistics.median(m):5.1f}x / {m[-1]:5.1f}x"
                  f"   ({p[0]:.1f}x / {statistics.median(p):.1f}x / {p[-1]:.1f}x)")


if __name__ == "__main__":
    main()
