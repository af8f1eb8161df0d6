#!/usr/bin/env bash
# Name-matching speed, Resolute next to OpenSanctions' logic-v2, on the same machine.
#
#   scripts/bench-match.sh [ANCHOR_PYTHON] [ANCHORS_DIR]
#   SCALES=1,10,100 QUERIES=4000 BASELINE_BIN=old/resolute ROUNDS=5 scripts/bench-match.sh
#
# Resolute: crates/matching/benches/match.rs (`cargo bench -p resolute-matching --bench match`) over the
# bundled UN + OFAC SDN lists (~16,000 entries): index build, batch throughput on one thread (wall clock and
# per CPU-second, which stays meaningful on a loaded machine), single-query p50/p99 latency, the cost of
# non-Latin queries (Arabic, Cyrillic, Han, Hangul names of the lists), huge inputs (a 200,000-character
# name, a one-word 1 MB name), RSS, and per-query cost at the SCALES (synthetic entries; default 1,10 — 100x
# needs about 5 GB and the benchmark says so before it starts).
# BASELINE_BIN (optional): the match benchmark built from an older checkout (`cargo bench -p resolute-matching
# --bench match --no-run` there), or a `resolute` binary from before the benchmarks left the product (it has
# a `bench match` subcommand); either generates the same queries (same seed); the two run alternately ROUNDS times (default 5) on one thread at scale 1 and the medians of
# their queries/s are printed side by side.
# Anchor (optional): nomenklatura logic-v2 by brute force over the UN list with the anchors' match_anchor.py
# on the DPRK queries (pairs/s); yente's documented figure is ~4 /match requests per second per vCPU.
#
# Measured 2026-12-03 on the shared 2-vCPU VM at load average 13-21 (wall figures are noisy there; compare
# medians of alternating rounds), A/B at scale 1, 40,000 queries, 5 rounds, main's binary (ca3549a) against
# this benchmark (26c57e4, mimalloc like the binary): wall queries/s on 1 thread, old 6302/5314/6910/9080/8937
# (median 6910) vs new 6454/8296/6734/13962/6353 (median 6734, -2.5%); per CPU-second old median 24,242, new
# median 20,942 (-13.6%; the CPU figure has 10 ms resolution over 2-6 s runs). Non-Latin queries (3,930: the
# lists' Arabic, Cyrillic and Han names, Korean Hangul/Hanja/Cyrillic names): p50 56 us against 42 us for
# the Latin queries in the same run. Huge inputs without limits: one-word 1 MB name 197 ms, 200,000-character
# name of 50,000 words 2.8 s (wall, while another build ran). logic-v2 on name_bench: see eval-match.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-${ANCHOR_PYTHON:-}}"
ANCHORS="${2:-${ANCHORS_DIR:-}}"
SCALES="${SCALES:-1,10}"
QUERIES="${QUERIES:-4000}"
echo "== building the benchmark (release)"
BENCH=$(cargo bench -p resolute-matching --bench match --no-run --message-format json 2>/dev/null \
  | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable") and m.get("target", {}).get("name") == "match":
        print(m["executable"])' | tail -n 1)
echo "== Resolute ($BENCH), load average $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
"$BENCH" --queries "$QUERIES" --scales "$SCALES"
if [[ -n "${BASELINE_BIN:-}" ]]; then
  echo "== A/B on one thread, scale 1, ${AB_QUERIES:-40000} queries: baseline $BASELINE_BIN vs this tree, alternately, ${ROUNDS:-5} rounds"
  base=(); ours=()
  qps() { sed -n 's/^throughput \([0-9]*\) queries\/s wall.*/\1/p'; }
  baseline=("$BASELINE_BIN")
  if "$BASELINE_BIN" bench match --help >/dev/null 2>&1; then baseline+=(bench match); fi
  for ((i = 1; i <= ${ROUNDS:-5}; i++)); do
    b=$("${baseline[@]}" --queries "${AB_QUERIES:-40000}" --scales 1 | qps)
    o=$("$BENCH" --queries "${AB_QUERIES:-40000}" --scales 1 | qps)
    echo "  round $i: baseline $b queries/s, this tree $o queries/s (load $(cut -d' ' -f1 /proc/loadavg))"
    base+=("$b"); ours+=("$o")
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
  mb=$(median "${base[@]}"); mo=$(median "${ours[@]}")
  echo "  median: baseline $mb, this tree $mo queries/s ($(awk -v b="$mb" -v o="$mo" 'BEGIN {printf "%+.1f%%", (o - b) * 100 / b}'))"
fi
if [[ -n "$PY" && -n "$ANCHORS" && -f "$ANCHORS/match_anchor.py" ]]; then
  echo "== logic-v2 (nomenklatura, brute force over the UN list, same machine)"
  tmp=$(mktemp -d)
  head -n "${ANCHOR_QUERIES:-10}" tests/fixtures/matching/dprk-queries.jsonl > "$tmp/q.jsonl"
  /usr/bin/time -f "anchor CPU %U s user, max RSS %M kB" "$PY" "$ANCHORS/match_anchor.py" data/lists/un/consolidated-2026-02-27.xml "$tmp/q.jsonl" "$tmp/out.jsonl" 2>&1 | tail -n 2
  rm -rf "$tmp"
else
  echo "(anchor skipped: pass ANCHOR_PYTHON with nomenklatura installed and ANCHORS_DIR with match_anchor.py)"
fi
