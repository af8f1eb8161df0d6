#!/usr/bin/env bash
# Benchmark of transaction screening: rule evaluation of goods declarations
# without party screening, and with party screening (two parties each against
# the bundled UN + OFAC lists). Prints Resolute's figures next to the published
# figure of the nearest anchor.
#
# Usage: scripts/bench-screen.sh [DECLARATIONS] [WITH_PARTIES]
#
# Measured 2026-11-28 (release, 1 thread, 2-core VM shared with other builds, load ~13):
#   rule evaluation, no party screening: 2,000,000 declarations in 1.298 s = 1,540,978 /s/core
#     (1,683,583 permitted, 19,904 review, 296,513 prohibited)
#   with party screening (2 names each vs 15,968 UN + OFAC entries): 2,000 in 1.485 s = 1,347 /s/core
#     (1,266 matches; lists loaded and indexed in 0.98 s)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000000}"
P="${2:-2000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p resolute-cli
BIN="$CARGO_TARGET_DIR/release/resolute"
echo "== resolute bench screen (release, 1 thread; $(nproc) cores on this machine)"
"$BIN" bench screen --declarations "$N" --with-parties "$P"
echo
echo "== anchors (published figures, not measured here: no open-source engine evaluates the UN DPRK regime on HS declarations)"
echo "   Marble + yente screening: 'a full response time of 200-500ms' per name search"
echo "   (checkmarble/docs src/content/docs/screening/configuration-and-response-time.mdx)"
echo "   Target for rule evaluation (issue 4): >= 1,000,000 declarations/s/core"
