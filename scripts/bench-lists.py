#!/usr/bin/env python3
"""Load the bundled lists with Resolute and with Python, side by side.

Resolute: the `load` benchmark of the lists crate (`crates/lists/benches/load.rs`,
median of `--runs` runs, `--threads 1,2`), found with
`cargo bench -p resolute-lists --bench load --no-run` (or given with `--bench-exe`),
and, with `--old-bin`, an older `resolute` binary's `bench lists` (the same JSON)
for a side-by-side of two builds. Each is timed twice per file:
  - "load": format detection, parse into the entity model, and the SHA-256
    content hash that identifies the list version (`load_bytes_with`);
    with "2 threads" the hash runs on a second thread (the parse is on one
    thread; in builds before the one-path reader, a UN list was also parsed
    in two parts);
  - "parse": the same without the hash (`parse_bytes_with`): the parse into
    the model alone, which is what the Python side does.
Python, on the same file (one run per turn):
  - "etree": `xml.etree.ElementTree.parse` of the UN XML / `csv.reader` over
    the SDN CSV (just the parse);
  - "etree+map": the same plus walking every record into a dict of names,
    aliases, dates, nationality, documents, addresses (UN) or splitting the
    remarks into key/value pairs (SDN) — the closest Python equivalent of
    what Resolute's loader does (which does more: country names to ISO
    codes, dates with their precision, scripts, passports and IMO numbers
    from comments).

The host's speed changes from one second to the next, so the sides are
measured in `--pairs` alternating turns of well under a second each, and
each speed-up is the median of the per-turn ratios: Python parse+map time /
Resolute time (Python's plain parse in brackets). A list load is not a hot
path (it runs at start and on upload); these figures are informational.

Usage: scripts/bench-lists.py [--bench-exe PATH] [--old-bin OLD_RESOLUTE] [--runs 5] [--pairs 10] [FILES...]

Measured 2026-12-03 16:08 UTC, `--old-bin` the build before the one-path reader (ca3549a),
`--pairs 5 --runs 5`, load average ~20 on 2 cores (every figure several times its quiet-machine
value: Python's parse took 695 ms here, 77-112 ms on 2026-11-28), UN file 2.03 MB / 1003 records,
median ms (speed-up vs Python parse+map, vs plain parse in brackets):
  one-path reader  load 245 (3.8x / 3.3x), parse 188 (3.9x / 3.3x); hash on a 2nd thread: load 232
  before (ca3549a) load 73 (16.8x / 8.6x), parse 72; two threads: load 86, parse 60 (14.4x)
  SDN 3.91 MB / 14,965 records: one-path 1,002 / 861 ms, before 902 / 743 ms (Python parse+map 1,619)
The one-path reader is about three times slower than the fast scanner on the UN file and still
faster than Python's etree; a list is loaded at start and on upload, not per screening.
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


def resolute_times(cmd, f, runs):
    """One side's median ms on one file: {1: load on one thread, 2: load with the hash on a
    second thread, "parse1"/"parse2": the parse alone, "hash": SHA-256 alone, "records": n}."""
    res = subprocess.run(cmd + ["--json", "--runs", str(runs), "--threads", "1,2", f], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {res.stderr.strip()}")
    rows = {r.get("threads", 1): r for r in json.loads(res.stdout)}
    return {
        1: rows[1]["median_ms"],
        2: rows[2]["median_ms"],
        "parse1": rows[1]["parse_median_ms"],
        "parse2": rows[2]["parse_median_ms"],
        "hash": rows[1]["hash_ms"],
        "records": rows[1]["entities"],
    }


def bench_exe():
    """The path of the lists crate's `load` benchmark, built (release profile) if needed."""
    res = subprocess.run(
        ["cargo", "bench", "-p", "resolute-lists", "--bench", "load", "--no-run", "--message-format=json"],
        cwd=ROOT, capture_output=True, text=True,
    )
    if res.returncode != 0:
        sys.exit(f"cargo bench --no-run failed: {res.stderr.strip()[-2000:]}")
    for line in res.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "load" and msg.get("executable"):
            return msg["executable"]
    sys.exit("cargo bench --no-run did not name the load benchmark's executable")


def one_round(args, sides):
    """Every side (name -> command) and Python on every file: {file: {side: row}}.

    The sides and Python are measured in `--pairs` alternating turns, and
    each speed-up is the median of the per-turn ratios."""
    rows = {}
    for f in args.files:
        with open(f, "rb") as fh:
            data = fh.read()
        is_xml = data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<")
        parse, parse_map = (un_parse, un_parse_map) if is_xml else (sdn_parse, sdn_parse_map)
        turns = []
        for _ in range(args.pairs):
            turn = {name: resolute_times(cmd, f, args.runs) for name, cmd in sides.items()}
            turn["py_map"] = median_ms(parse_map, data, 1)
            turn["py_parse"] = median_ms(parse, data, 1)
            turns.append(turn)
        rows[f] = {"mb": len(data) / 1e6, "py_parse": statistics.median(t["py_parse"] for t in turns),
                   "py_map": statistics.median(t["py_map"] for t in turns), "sides": {}}
        for name in sides:
            med = lambda key: statistics.median(t[name][key] for t in turns)
            rows[f]["sides"][name] = {
                "records": turns[0][name]["records"],
                **{k: med(k) for k in (1, 2, "parse1", "parse2", "hash")},
                # Median of the per-turn ratios, vs parse+map and vs plain parse.
                "ratio": {
                    n: (statistics.median(t["py_map"] / t[name][n] for t in turns), statistics.median(t["py_parse"] / t[name][n] for t in turns))
                    for n in (1, 2, "parse1", "parse2")
                },
            }
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", default=DEFAULT_FILES)
    ap.add_argument("--bench-exe", help="the lists crate's load benchmark (default: built with cargo bench --no-run)")
    ap.add_argument("--old-bin", help="an older resolute binary: its `bench lists` runs in the same turns")
    ap.add_argument("--runs", type=int, default=5, help="Resolute runs per turn (their median is the turn's time)")
    ap.add_argument("--pairs", type=int, default=10, help="alternating turns of Resolute and Python per file")
    args = ap.parse_args()

    sides = {"new": [args.bench_exe or bench_exe()]}
    if args.old_bin:
        sides["old"] = [args.old_bin, "bench", "lists"]
    rows = one_round(args, sides)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{'file':<30} {'side':<4} {'MB':>5} {'records':>7} {'threads':>7} {'load ms':>8} {'parse ms':>8} {'python parse ms':>15} {'parse+map ms':>12} {'speed-up load':>14} {'speed-up parse':>15}")
    for f, r in rows.items():
        for name, side in r["sides"].items():
            for threads, pkey in ((1, "parse1"), (2, "parse2")):
                ratio, pratio = side["ratio"][threads], side["ratio"][pkey]
                print(f"{os.path.basename(f):<30} {name:<4} {r['mb']:>5.2f} {side['records']:>7} {threads:>7} {side[threads]:>8.2f} {side[pkey]:>8.2f} {r['py_parse']:>15.2f} {r['py_map']:>12.2f}"
                      f" {ratio[0]:>6.1f}x ({ratio[1]:.1f}x) {pratio[0]:>6.1f}x ({pratio[1]:.1f}x)")
    hashes = ", ".join(f"{r['sides']['new']['hash']:.2f} ms" for r in rows.values())
    print(f"(medians over {args.pairs} alternating turns, Resolute's time in a turn the median of {args.runs} runs; Python {sys.version.split()[0]};")
    print(" speed-up = median over the turns of Python parse+map / Resolute, vs Python's plain parse in brackets;")
    print(" load = parse into the model + the SHA-256 content hash that identifies the list version")
    print(f" ({hashes} alone; with two threads on the second one); parse = the parse into the model alone; load average {load})")


if __name__ == "__main__":
    main()
