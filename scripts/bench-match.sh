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
#
# Measured 2026-11-28 on the 2-vCPU AMD EPYC VM shared with other agents; each "after" run was followed
# by the "before" binary in the same minute (`resolute bench match --scales 1,10[,100]`, 4,000 queries,
# limit 5, 15,968 entries). The host's speed drifts: the before binary gave 11,131 queries/s on a quiet
# machine earlier in the day, 6,370-10,071 during these runs.
#   before (8611aae), load 0.8-2.6: 6,370-10,071 queries/s on 1 thread, p50 72-112 µs, p99 436-660 µs;
#                     1x 106-156 µs/query, 10x 407-519 µs, 100x 4,972 µs (build 11 s, RSS 4.1 GB)
#   after  (fc8bd78), load 0.8-2.6: 18,690-28,884 queries/s on 1 thread (19,048-28,571 per CPU-second),
#                     34,914-49,807 on 2 threads, p50 23-38 µs, p99 124-195 µs, index build 184-257 ms,
#                     RSS after build 177-238 MB; 1x 32-50 µs/query, 10x 62-97 µs, 100x 414-471 µs
#                     (1,596,800 entries, build 10 s, RSS 5.0-5.1 GB)
#   Same minute, same host: 2.0-4.4x the before binary's throughput (typically 2.5-3x). Results are
#   byte-identical before/after (`--dump-queries` + `resolute match`/`compare` outputs compared).
#   Profile after (perf, search only): scoring of the 24 candidate names ~50% (token alignment, weighted
#   edit distance after a letter-count bound), query analysis ~13%, candidate retrieval ~9%, memory
#   latency touching candidate tokens ~8%, explanations of reported results ~5%, qualifiers ~3%.
#   logic-v2 (nomenklatura 4.17.4): ~4,900 pairs/s per core brute force (anchors README).
#   Final (3cf789c, CI-built release binary, 18:22 UTC, load 1.0-1.1), 8 runs of `bench match --scales 1
#   --queries 40000`: 19,273 / 19,408 / 20,203 / 20,715 / 25,472 / 26,871 / 27,998 / 28,771 queries/s on 1
#   thread (median 23,094); 37,187-49,278 on 2 threads; p50 26-34 µs, p99 133-176 µs; build 162-246 ms;
#   peak RSS 237 MB. `--scales 1,10,100`: 49.5 / 82.9 / 422.0 µs/query for 15,968 / 159,680 / 1,596,800
#   entries (build 143 ms / 1.2 s / 10.6 s, RSS 160 MB / 638 MB / 5.0 GB). logic-v2 brute force over the UN
#   list in the same script at 17:58: 546 pairs/s (7,300 pairs in 13.4 s) on this host at that moment.
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
