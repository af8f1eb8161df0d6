#!/usr/bin/env bash
# Load test of the service on loopback: POST /match/default with one query,
# every request audited (committed to the hash-chained log before the answer).
# Prints req/s and latency percentiles next to yente's documented throughput.
#
#   scripts/loadtest.sh                 # 20 s, 32 connections, 2 wrk threads, --sync full
#   DURATION=30s CONNECTIONS=64 SYNC=normal scripts/loadtest.sh
#
# Needs wrk (apt-get install wrk). Client and server share this machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
SYNC=${SYNC:-full}
PORT=${PORT:-18181}
NAME=${NAME:-Foreign Trade Bank}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=${BIN:-"$TARGET_DIR/release/resolute"}

command -v wrk >/dev/null || { echo "loadtest: wrk not found (apt-get install wrk)" >&2; exit 1; }
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

wrk -t2 -c8 -d3s -s "$LUA" "http://127.0.0.1:$PORT/match/default" >/dev/null   # warm-up
BEFORE=$(audit_total)
OUT=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "http://127.0.0.1:$PORT/match/default")
AFTER=$(audit_total)
echo "$OUT"
VERIFY=$(curl -fs -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/audit/verify")

RPS=$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')
P50=$(echo "$OUT" | awk '$1=="50%" {print $2}')
P99=$(echo "$OUT" | awk '$1=="99%" {print $2}')
NON2XX=$(echo "$OUT" | awk '/Non-2xx/ {print $5}')
REQS=$(echo "$OUT" | awk '/requests in/ {print $1}')
CPUS=$(nproc)
echo
echo "== POST /match/default, one query, audited (sync=$SYNC), $CONNECTIONS connections, $DURATION, $CPUS cores shared by server and wrk"
printf "%-44s %12s %10s %10s\n" "" "req/s" "p50" "p99"
printf "%-44s %12s %10s %10s\n" "Resolute (this run)" "$RPS" "$P50" "$P99"
printf "%-44s %12s %10s %10s\n" "yente logic-v2, documented (~4 req/s/vCPU)" "~$((4 * CPUS))" "-" "-"
echo "audit records written during the run: $((AFTER - BEFORE)) (wrk counted $REQS requests${NON2XX:+, $NON2XX non-2xx})"
echo "audit chain after the run: $VERIFY"
echo "(yente figure: yente docs/deploy/scaling.md, logic-v2 ~4 requests/s per vCPU; see shared/reference/screening-anchors.md §0)"
