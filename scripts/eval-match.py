#!/usr/bin/env python3
"""Name-matching quality, Resolute next to OpenSanctions' logic-v2, on the same inputs.

  python3 scripts/eval-match.py [--resolute target/release/resolute] [--baseline OLD_BIN]
                                [--anchor-python PY] [--anchors-dir DIR] [--folds 5]

1. Pairs (nomenklatura name_bench format) scored by `resolute compare` and, when an interpreter with
   nomenklatura is given (--anchor-python, e.g. a venv made with `pip install nomenklatura==4.17.4`),
   by logic-v2 through nomenklatura's public API (get_algorithm("logic-v2").compare):
   - tests/fixtures/matching/opensanctions-name-bench-cases.csv: precision / recall / F1 at 0.7 (the dev figure),
     and k-fold cross-validated F1 (--folds, default 5): the rows are dealt into folds by a fixed shuffle (seed
     17), for each fold the threshold that maximises F1 on the other folds (0.50-0.95 by 0.01) is applied to
     the held-out fold; Resolute and logic-v2 use the same folds and choose their own thresholds the same way
   - tests/fixtures/matching/dprk-pairs.csv (scripts/eval-dprk-build.py): recall per positive group,
     false-alert rate per hard-negative group
   - tests/fixtures/matching/cross-script-pairs.csv (tests/fixtures/matching/build-cross-script-pairs.py: one
     entry's name in a non-Latin script against its Latin name, from the UN list): recall at 0.7 per script,
     and the false-alert rate: each non-Latin name screened with `resolute match` against the whole UN list,
     the share of names that flag another entry (match=true) and the other entries flagged per name. With
     --baseline the same figures for an older binary (before/after).
2. Search: tests/fixtures/matching/dprk-queries.jsonl (OFAC DPRK individuals with their DOB and nationality)
   against the UN list with `resolute match`, and with the anchors' brute-force `match_anchor.py` when
   --anchors-dir holds it: recall (the linked UN entry is returned with match=true) and false alerts
   (other entries with match=true) per query.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests/fixtures/matching"
UN = ROOT / "data/lists/un/consolidated-2026-02-27.xml"

ANCHOR_SNIPPET = r"""
import csv, json, sys
from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig
alg = get_algorithm(sys.argv[3] if len(sys.argv) > 3 else "logic-v2"); cfg = ScoringConfig(weights={}, config={})
with open(sys.argv[2], "w") as out:
    for i, r in enumerate(csv.DictReader(open(sys.argv[1], newline="")), 1):
        a = model.make_entity(r["schema"]); a.id = f"a{i}"; a.add("name", r["name1"])
        b = model.make_entity(r["schema"]); b.id = f"b{i}"; b.add("name", r["name2"])
        s = alg.compare(a, b, cfg).score
        out.write(json.dumps({"id": str(i), "score": s, "match": s >= 0.7}) + "\n")
"""


def read_cases(path):
    return list(csv.DictReader(open(path, newline="")))


def read_results(path):
    out = {}
    for line in open(path):
        if line.strip():
            o = json.loads(line)
            out[str(o["id"])] = o
    return out


def resolute_pairs(bin_, cases_path, tmp):
    out = Path(tmp) / (cases_path.stem + ".resolute.jsonl")
    subprocess.run([bin_, "compare", "--input", str(cases_path), "--output", str(out)], check=True, stderr=subprocess.DEVNULL)
    return read_results(out)


def anchor_pairs(py, cases_path, tmp):
    if not py:
        return None
    script = Path(tmp) / "anchor_pairs.py"
    script.write_text(ANCHOR_SNIPPET)
    out = Path(tmp) / (cases_path.stem + ".anchor.jsonl")
    r = subprocess.run([py, str(script), str(cases_path), str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"(anchor failed: {r.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return None
    return read_results(out)


def prf(cases, res):
    tp = fp = fn = 0
    for i, c in enumerate(cases, 1):
        gold = c["is_match"].strip().lower() == "true"
        pred = bool(res.get(str(i), {}).get("match"))
        tp += gold and pred
        fp += (not gold) and pred
        fn += gold and not pred
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def by_group(cases, res):
    g = defaultdict(lambda: [0, 0])
    for i, c in enumerate(cases, 1):
        k = (c["case_group"], c["is_match"].strip().lower() == "true")
        g[k][0] += bool(res.get(str(i), {}).get("match"))
        g[k][1] += 1
    return g


def fmt(x):
    return "   -  " if x is None else f"{x:6.3f}"


def scores_of(res, n):
    return [float(res.get(str(i), {}).get("score", 0.0)) for i in range(1, n + 1)]


def f1_at(labels, scores, idx, t):
    tp = sum(1 for i in idx if labels[i] and scores[i] >= t)
    fp = sum(1 for i in idx if not labels[i] and scores[i] >= t)
    fn = sum(1 for i in idx if labels[i] and scores[i] < t)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def cross_validate(labels, scores, folds, seed=17):
    """Per fold: (threshold chosen on the other folds, F1 on the fold)."""
    order = list(range(len(labels)))
    random.Random(seed).shuffle(order)
    parts = [order[k::folds] for k in range(folds)]
    grid = [round(0.5 + 0.01 * i, 2) for i in range(46)]
    out = []
    for k in range(folds):
        train = [i for j, part in enumerate(parts) if j != k for i in part]
        t = max(grid, key=lambda t: (f1_at(labels, scores, train, t), -abs(t - 0.7)))
        out.append((t, f1_at(labels, scores, parts[k], t)))
    return out


def screen_names(bin_, names, schemas, tmp, tag):
    """Screen each name against the UN list; results by row id."""
    q = Path(tmp) / f"xs-{tag}.jsonl"
    with open(q, "w") as f:
        for i, (n, s) in enumerate(zip(names, schemas), 1):
            f.write(json.dumps({"id": str(i), "schema": s, "properties": {"name": [n]}}) + "\n")
    out = Path(tmp) / f"xs-{tag}.out.jsonl"
    subprocess.run([bin_, "match", "--list", str(UN), "--input", str(q), "--output", str(out)], check=True, stderr=subprocess.DEVNULL)
    return read_results(out)


def cross_script(bins, anchor_py, tmp):
    path = FIX / "cross-script-pairs.csv"
    cases = read_cases(path)
    n = len(cases)
    print(f"\nCross-script pairs ({n}, {path.name}): recall at 0.7 per script; false alerts of the non-Latin name screened against the UN list")
    groups = sorted({c["case_group"] for c in cases})
    head = "  ".join(f"{g:>9}" for g in groups)
    print(f"  {'':<22} {head}  {'recall':>7}  {'names flagging another entry':>29}  {'other entries flagged per name':>30}")
    rows = [(label, resolute_pairs(b, path, tmp), b) for label, b in bins]
    anc = anchor_pairs(anchor_py, path, tmp)
    if anc is not None:
        rows.append(("logic-v2", anc, None))
    for label, res, b in rows:
        per = []
        for g in groups:
            idx = [i for i, c in enumerate(cases, 1) if c["case_group"] == g]
            per.append(sum(1 for i in idx if res.get(str(i), {}).get("match")) / len(idx))
        rec = sum(1 for i in range(1, n + 1) if res.get(str(i), {}).get("match")) / n
        if b is not None:
            hits = screen_names(b, [c["name1"] for c in cases], [c["schema"] for c in cases], tmp, label.split()[0])
            flagged = others = 0
            for i, c in enumerate(cases, 1):
                wrong = [r for r in hits.get(str(i), {}).get("results", []) if r.get("match") and r.get("ref", "").strip() != c["notes"].strip()]
                flagged += bool(wrong)
                others += len(wrong)
            fa = f"{flagged / n:29.3f}  {others / n:30.2f}"
        else:
            fa = f"{'-':>29}  {'-':>30}"
        print(f"  {label:<22} " + "  ".join(f"{x:9.3f}" for x in per) + f"  {rec:7.3f}  {fa}")


def search_eval(results, queries):
    found = alerts = 0
    for q in queries:
        rs = results.get(q["id"], {}).get("results", [])
        found += any(r.get("ref", "").strip() == q["expected"] and r.get("match") for r in rs)
        alerts += sum(1 for r in rs if r.get("match") and r.get("ref", "").strip() != q["expected"])
    return found, alerts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resolute", default=os.environ.get("RESOLUTE_BIN", str(ROOT / "target/release/resolute")))
    ap.add_argument("--anchor-python", default=os.environ.get("ANCHOR_PYTHON"))
    ap.add_argument("--anchors-dir", default=os.environ.get("ANCHORS_DIR"))
    ap.add_argument("--baseline", default=os.environ.get("BASELINE_BIN"), help="an older resolute binary, for before/after figures")
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nb = FIX / "opensanctions-name-bench-cases.csv"
        cases = read_cases(nb)
        ours = resolute_pairs(a.resolute, nb, tmp)
        anc = anchor_pairs(a.anchor_python, nb, tmp)
        print(f"name_bench ({len(cases)} pairs), threshold 0.7      F1      P      R")
        f, p, r = prf(cases, ours)
        print(f"  Resolute                                  {f:6.3f} {p:6.3f} {r:6.3f}")
        if anc is not None:
            f, p, r = prf(cases, anc)
            print(f"  logic-v2 (nomenklatura)                   {f:6.3f} {p:6.3f} {r:6.3f}")
        base = resolute_pairs(a.baseline, nb, tmp) if a.baseline else None
        if base is not None:
            f, p, r = prf(cases, base)
            print(f"  baseline ({Path(a.baseline).name})".ljust(44) + f"{f:6.3f} {p:6.3f} {r:6.3f}")
        labels = [c["is_match"].strip().lower() == "true" for c in cases]
        print(f"\nname_bench {a.folds}-fold cross-validation (threshold chosen on the other folds, F1 on the held-out fold)")
        print("  " + " " * 22 + "".join(f"   fold {k + 1}    " for k in range(a.folds)) + "   mean F1")
        for label, res in (("Resolute", ours), ("logic-v2", anc), ("baseline", base)):
            if res is None:
                continue
            cv = cross_validate(labels, scores_of(res, len(cases)), a.folds)
            cells = "".join(f" {f:.3f} @{t:.2f}  " for t, f in cv)
            print(f"  {label:<22}{cells}  {sum(f for _, f in cv) / len(cv):.3f}")
        dp = FIX / "dprk-pairs.csv"
        cases = read_cases(dp)
        ours = resolute_pairs(a.resolute, dp, tmp)
        anc = anchor_pairs(a.anchor_python, dp, tmp)
        go, ga = by_group(cases, ours), (by_group(cases, anc) if anc is not None else None)
        print(f"\nDPRK pairs ({len(cases)}): share flagged as match (recall for true groups, false-alert rate for false groups)")
        print(f"  {'group':<18} {'label':<6} {'n':>4}  Resolute  logic-v2")
        tot = {True: [0, 0, 0], False: [0, 0, 0]}
        for (grp, label), (hit, n) in sorted(go.items(), key=lambda kv: (not kv[0][1], kv[0][0])):
            ah = ga[(grp, label)][0] if ga is not None else None
            tot[label][0] += hit
            tot[label][1] += n
            tot[label][2] += ah or 0
            print(f"  {grp:<18} {str(label).lower():<6} {n:>4}  {hit / n:8.3f}  {fmt(ah / n if ah is not None else None)}")
        for label, name in ((True, "recall (all positives)"), (False, "false-alert rate (all negatives)")):
            hit, n, ah = tot[label]
            print(f"  {name:<30} {n:>4}  {hit / n:8.3f}  {fmt(ah / n if ga is not None else None)}")

        bins = [("Resolute", a.resolute)] + ([(f"baseline {Path(a.baseline).name}", a.baseline)] if a.baseline else [])
        cross_script(bins, a.anchor_python, tmp)

        qpath = FIX / "dprk-queries.jsonl"
        queries = [json.loads(l) for l in open(qpath) if l.strip()]
        out = Path(tmp) / "q.resolute.jsonl"
        subprocess.run([a.resolute, "match", "--list", str(UN), "--input", str(qpath), "--output", str(out)], check=True, stderr=subprocess.DEVNULL)
        found, alerts = search_eval(read_results(out), queries)
        print(f"\nDPRK search: {len(queries)} OFAC individuals (name, DOB, nationality) against the UN list, limit 5, threshold 0.7")
        print(f"  Resolute: linked UN entry found as match {found}/{len(queries)} = {found / len(queries):.3f}; other entries flagged {alerts} ({alerts / len(queries):.2f} per query)")
        anchor_script = Path(a.anchors_dir) / "match_anchor.py" if a.anchors_dir else None
        if a.anchor_python and anchor_script and anchor_script.exists():
            aout = Path(tmp) / "q.anchor.jsonl"
            r = subprocess.run([a.anchor_python, str(anchor_script), str(UN), str(qpath), str(aout)], capture_output=True, text=True)
            if r.returncode == 0:
                found, alerts = search_eval(read_results(aout), queries)
                print(f"  logic-v2: linked UN entry found as match {found}/{len(queries)} = {found / len(queries):.3f}; other entries flagged {alerts} ({alerts / len(queries):.2f} per query)  [{r.stderr.strip()}]")
            else:
                print(f"  logic-v2: failed ({r.stderr.strip().splitlines()[-1:]})")


if __name__ == "__main__":
    main()
