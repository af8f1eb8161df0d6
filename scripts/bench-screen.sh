#!/usr/bin/env bash
# Benchmark of transaction screening: rule evaluation of goods declarations
# without party screening, and with party screening (two parties each against
# the bundled UN + OFAC lists). Prints Resolute's figures next to the published
# figure of the nearest anchor.
#
# The benchmark is crates/screening/benches/screen.rs (not in the product binary):
#   cargo bench -p resolute-screening --bench screen -- [--declarations N] [--with-parties N] [--json]
#
# Usage: scripts/bench-screen.sh [DECLARATIONS] [WITH_PARTIES]
#   OLD_RESOLUTE=/path/to/resolute  also runs `resolute bench screen` of that binary (one built
#                                   before the benchmarks left the product, f7f5d82 or earlier),
#                                   alternating with the bench
#   ROUNDS=3                        alternating rounds (default 1); the machine is shared, so
#                                   compare figures of the same round
#
# Measured 2026-12-03, bench profile, 1 thread, 2-core VM shared with other builds (load 15-22,
# so wall-clock rates are mostly waiting for a core), 2,000,000 declarations, five alternating
# rounds of the same bench harness built from ca3549a (before issue 16) and from this branch:
#   rule evaluation, wall clock:        before 0.70-1.04 M/s (median 0.95 M), after 0.88-1.23 M/s (median 1.11 M)
#   rule evaluation, per CPU-second:    before 3.4-4.0 M (median 3.8 M),     after 3.7-4.9 M (median 4.4 M)
#     (thread CPU time from /proc/thread-self/stat, 10 ms ticks)
#   decisions identical: 1,683,583 permitted, 19,904 review, 296,513 prohibited
#   with party screening (2 names each vs 15,968 UN + OFAC entries): 2,000 in 0.66-0.90 s, 1,266 matches
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000000}"
P="${2:-2000}"
ROUNDS="${ROUNDS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo bench -q -p resolute-screening --bench screen --no-run
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: cargo bench -p resolute-screening --bench screen (1 thread; $(nproc) cores on this machine)"
  cargo bench -q -p resolute-screening --bench screen -- --declarations "$N" --with-parties "$P"
  if [ -n "${OLD_RESOLUTE:-}" ]; then
    echo "== round $round: $OLD_RESOLUTE bench screen"
    "$OLD_RESOLUTE" bench screen --declarations "$N" --with-parties "$P"
  fi
done
echo
echo "== anchors (published figures, not measured here: no open-source engine evaluates the UN DPRK regime on HS declarations)"
echo "   Marble + yente screening: 'a full response time of 200-500ms' per name search"
echo "   (checkmarble/docs src/content/docs/screening/configuration-and-response-time.mdx)"
echo "   Target for rule evaluation (issue 4): >= 1,000,000 declarations/s/core"
