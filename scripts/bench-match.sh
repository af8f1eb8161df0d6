#!/usr/bin/env bash
# Name-matching speed, Resolute next to OpenSanctions' logic-v2, on the same machine.
#
#   scripts/bench-match.sh [RESOLUTE_BIN] [ANCHOR_PYTHON] [ANCHORS_DIR]
#
# Resolute: `resolute bench match` over the bundled UN + OFAC SDN lists (~16,000 entries): index build,
# batch throughput on one thread (wall clock and per CPU-second, which stays meaningful on a loaded
# machine), single-query p50/p99 latency, RSS, and per-query cost at 1x/10x/100x entries (synthetic).
# Anchor (optional): nomenklatura logic-v2 by brute force over the UN list with the anchors' match_anchor.py
# on the DPRK queries (pairs/s); yente's documented figure is ~4 /match requests per second per vCPU.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${RESOLUTE_BIN:-target/release/resolute}}"
PY="${2:-${ANCHOR_PYTHON:-}}"
ANCHORS="${3:-${ANCHORS_DIR:-}}"
SCALES="${SCALES:-1,10,100}"
echo "== Resolute ($BIN), load average $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
"$BIN" bench match --queries "${QUERIES:-4000}" --scales "$SCALES"
if [[ -n "$PY" && -n "$ANCHORS" && -f "$ANCHORS/match_anchor.py" ]]; then
  echo "== logic-v2 (nomenklatura, brute force over the UN list, same machine)"
  tmp=$(mktemp -d)
  head -n "${ANCHOR_QUERIES:-10}" tests/fixtures/matching/dprk-queries.jsonl > "$tmp/q.jsonl"
  /usr/bin/time -f "anchor CPU %U s user, max RSS %M kB" "$PY" "$ANCHORS/match_anchor.py" data/lists/un/consolidated-2026-02-27.xml "$tmp/q.jsonl" "$tmp/out.jsonl" 2>&1 | tail -n 2
  rm -rf "$tmp"
else
  echo "(anchor skipped: pass ANCHOR_PYTHON with nomenklatura installed and ANCHORS_DIR with match_anchor.py)"
fi
