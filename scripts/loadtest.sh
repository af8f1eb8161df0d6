#!/usr/bin/env bash
# Load test of the service on loopback: POST /match/default with one query,
# every request audited (committed to the hash-chained log before the answer).
# Two measurements, both against the same server:
#   1. open loop at a fixed rate (the issue's target: sustain RATE req/s with
#      p99 < 10 ms): oha -q RATE --latency-correction, so a slow answer does
#      not hide the requests that should have been sent meanwhile
#      (coordinated omission);
#   2. closed loop at full speed (wrk, CONNECTIONS connections): the most
#      the server answers per second and its latency when saturated.
# Prints req/s and latency percentiles next to yente's documented throughput.
#
#   scripts/loadtest.sh                        # 20 s each, RATE=2000, 32 connections, --sync normal (the default)
#   RATE=3000 DURATION=30s SYNC=full scripts/loadtest.sh
#   SKIP_BUILD=1 BIN=/path/to/resolute scripts/loadtest.sh
#
# Needs wrk (apt-get install wrk) and oha (cargo install oha --locked; set
# OHA=/path/to/oha). Client and server share this machine's cores.
#
# Measured 2026-11-28 20:27-20:36 UTC (2 vCPU VM, release build, 15 s per run, load average 0.6-1.6 before):
# --sync normal, open loop at 2,000 req/s: p99 4.24 / 4.14 / 9.22 / 4.30 / 4.63 / 5.55 ms in six runs (p50
# 0.77-1.00 ms, p99.9 8.1-19.2 ms, every request answered 200 and audited, chain verified); closed loop 32
# connections 5,172-6,122 req/s, p99 12.2-15.7 ms. The build before that day's service work (954b2bd), run
# alternately with it at 20:32-20:36: open loop p99 8.86 / 8.34 / 16.87 ms, closed loop 2,778-3,440 req/s
# (server CPU per request 550-630 us then, 240-265 us now: results written as JSON text around cached entity
# JSON instead of serde_json::Value trees, audit payloads canonicalised before the writer thread, the
# writer's statements cached). --sync full: open loop p99 11.4 ms (p99.9 48.6 ms: each group commit waits
# for the virtual disk's fsync), closed loop 4,618 req/s.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
SYNC=${SYNC:-normal}
PORT=${PORT:-18181}
NAME=${NAME:-Foreign Trade Bank}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=${BIN:-"$TARGET_DIR/release/resolute"}

RATE=${RATE:-2000}
OHA=${OHA:-$(command -v oha || true)}
command -v wrk >/dev/null || { echo "loadtest: wrk not found (apt-get install wrk)" >&2; exit 1; }
[ -x "$OHA" ] || { echo "loadtest: oha not found (cargo install oha --locked, or set OHA=)" >&2; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cargo build --release -q -p resolute-cli
fi

DATA=$(mktemp -d)
KEY="rsk_10ad7e57_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LUA=$(mktemp --suffix=.lua)
cat >"$LUA" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.body = '{"queries":{"q1":{"schema":"Company","properties":{"name":["$NAME"]}}}}'
LUA

RESOLUTE_ADMIN_KEY="$KEY" "$BIN" serve --data-dir "$DATA" --addr "127.0.0.1:$PORT" --sync "$SYNC" 2>"$DATA/serve.log" &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA" "$LUA"; }
trap cleanup EXIT

for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "server not ready"; cat "$DATA/serve.log"; exit 1; }

audit_total() { curl -fs -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/audit?limit=1" | sed -E 's/.*"total":([0-9]+).*/\1/'; }

# One request to show what is being answered.
SAMPLE=$(curl -fs -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"queries\":{\"q1\":{\"schema\":\"Company\",\"properties\":{\"name\":[\"$NAME\"]}}}}" \
    "http://127.0.0.1:$PORT/match/default")
echo "${SAMPLE:0:200} ..."

LOAD0=$(cut -d" " -f1 /proc/loadavg)
wrk -t2 -c8 -d3s -s "$LUA" "http://127.0.0.1:$PORT/match/default" >/dev/null   # warm-up
BODY="{\"queries\":{\"q1\":{\"schema\":\"Company\",\"properties\":{\"name\":[\"$NAME\"]}}}}"
BEFORE=$(audit_total)
OPEN=$("$OHA" --no-tui --output-format json -z "$DURATION" -q "$RATE" --latency-correction -c "$CONNECTIONS" \
    -m POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$BODY" \
    "http://127.0.0.1:$PORT/match/default")
MID=$(audit_total)
OUT=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "http://127.0.0.1:$PORT/match/default")
AFTER=$(audit_total)
echo "$OUT"
VERIFY=$(curl -fs -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/audit/verify")

read -r O_RPS O_P50 O_P90 O_P99 O_P999 O_MAX O_OK O_ALL < <(echo "$OPEN" | python3 -c '
import json, sys
d = json.load(sys.stdin)
s, p = d["summary"], d["latencyPercentiles"]
codes = d.get("statusCodeDistribution", {})
ms = lambda v: "%.2fms" % (1000 * (v or 0))
print("%.0f" % s["requestsPerSec"], ms(p["p50"]), ms(p["p90"]), ms(p["p99"]), ms(p["p99.9"]), ms(s["slowest"]),
      codes.get("200", 0), sum(codes.values()))')
RPS=$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')
P50=$(echo "$OUT" | awk '$1=="50%" {print $2}')
P90=$(echo "$OUT" | awk '$1=="90%" {print $2}')
P99=$(echo "$OUT" | awk '$1=="99%" {print $2}')
NON2XX=$(echo "$OUT" | awk '/Non-2xx/ {print $5}')
REQS=$(echo "$OUT" | awk '/requests in/ {print $1}')
CPUS=$(nproc)
echo
echo "== POST /match/default, one query, audited (sync=$SYNC), $DURATION each, $CPUS cores shared by server and load generator, load average before: $LOAD0"
printf "%-52s %9s %9s %9s %9s %9s\n" "" "req/s" "p50" "p90" "p99" "p99.9"
printf "%-52s %9s %9s %9s %9s %9s\n" "Resolute, open loop at $RATE req/s (oha, corrected)" "$O_RPS" "$O_P50" "$O_P90" "$O_P99" "$O_P999"
printf "%-52s %9s %9s %9s %9s %9s\n" "Resolute, closed loop, $CONNECTIONS connections (wrk)" "$RPS" "$P50" "$P90" "$P99" "-"
printf "%-52s %9s %9s %9s %9s %9s\n" "yente logic-v2, documented (~4 req/s/vCPU)" "~$((4 * CPUS))" "-" "-" "-" "-"
echo "open loop: $O_OK of $O_ALL answered 200, slowest $O_MAX; audit records written: $((MID - BEFORE))"
echo "closed loop: audit records written: $((AFTER - MID)) (wrk counted $REQS requests${NON2XX:+, $NON2XX non-2xx})"
echo "audit chain after both runs: $VERIFY"
echo "(yente figure: yente docs/deploy/scaling.md, logic-v2 ~4 requests/s per vCPU; see shared/reference/screening-anchors.md §0)"
