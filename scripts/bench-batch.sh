#!/usr/bin/env bash
# Batch screening speed and scale, next to `resolute match`'s single-thread throughput, in one run.
#
#   scripts/bench-batch.sh [RESOLUTE_BIN]      (ROWS, CLUSTER_ROWS, STREAM_ROWS override the sizes)
#
# RESOLUTE_BIN must be built with batch screening:
#   cargo build --release -p resolute-cli --features batch
#
# 1. Anchor: the matching crate's benchmark (crates/matching/benches/match.rs: search over the
#    bundled UN + OFAC SDN lists, one thread), which also writes its generated queries (real list
#    names perturbed, plus unrelated names).
# 2. The same queries as a Parquet table, screened by `resolute batch` with embedded DataFusion
#    on one partition (one core): rows/s next to the anchor's queries/s.
# 3. Ballista on loopback: a scheduler and 1, then 2 executors (one task slot each), the same job;
#    rows/s with 2 executors over 1, the scheduler's overhead per job (a 1-row job), and each
#    executor's resident memory (one copy of the index).
# 4. STREAM_ROWS (default 10,000,000) rows through the embedded engine: peak RSS of the process.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(realpath "${1:-${RESOLUTE_BIN:-target/release/resolute}}")"
ROWS="${ROWS:-1000000}"
CLUSTER_ROWS="${CLUSTER_ROWS:-200000}"
STREAM_ROWS="${STREAM_ROWS:-10000000}"
tmp=$(mktemp -d /tmp/bench-batch-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
secs() { python3 -c "import sys,time; print(f'{time.time():.3f}')"; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.readlines()[-1])['$1'])"; }

echo "== load average $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores, $ROWS rows"
echo "== anchor: cargo bench -p resolute-matching --bench match (one thread) over the same generated queries"
MATCH_BENCH=$(cargo bench -p resolute-matching --bench match --no-run --message-format json 2>/dev/null \
  | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("executable") and m.get("target", {}).get("name") == "match":
        print(m["executable"])' | tail -n 1)
"$MATCH_BENCH" --queries "$ROWS" --scales 1 --dump-queries "$tmp/q.jsonl" | tee "$tmp/anchor.txt"
anchor=$(grep -oE '[0-9,]+ queries/s wall on 1 thread' "$tmp/anchor.txt" | head -1 | tr -d , | cut -d' ' -f1 || true)

"$BIN" batch --input "$tmp/q.jsonl" --progress none --output "$tmp/rows.parquet" --sql \
  "SELECT id, schema, properties['name'][1] AS name FROM input"

echo "== embedded DataFusion, one partition: screen_name over $ROWS rows"
"$BIN" batch --input "$tmp/rows.parquet" --threads 1 --progress none --json --output "$tmp/hits.parquet" \
  --sql "SELECT id, screen_name(schema, name, NULL, NULL, NULL) AS hits FROM input" 2> "$tmp/embedded.json"
embedded=$(field rows_per_s < "$tmp/embedded.json")
load=$(field load_seconds < "$tmp/embedded.json")
python3 - "$anchor" "$embedded" "$load" <<'PY'
import sys
anchor, embedded, load = (float(x) if x else 0.0 for x in sys.argv[1:])
print(f"embedded screen_name: {embedded:,.0f} rows/s on one core (lists+index load {load:.2f} s, not counted)")
if anchor:
    print(f"match benchmark:      {anchor:,.0f} queries/s on one thread -> batch = {100*embedded/anchor:.0f} % of match")
PY

echo "== Ballista on loopback: $CLUSTER_ROWS rows, 1 then 2 executors with one task slot each"
"$BIN" batch --input "$tmp/rows.parquet" --progress none --output "$tmp/crows.parquet" \
  --sql "SELECT * FROM input LIMIT $CLUSTER_ROWS"
# Eight files: Ballista schedules a task per file (and row group).
for k in 0 1 2 3 4 5 6 7; do
  "$BIN" batch --input "$tmp/crows.parquet" --progress none --output "$tmp/part$k.parquet" \
    --sql "SELECT * FROM input WHERE CAST(substr(id, 2) AS BIGINT) % 8 = $k"
done
"$BIN" batch --input "$tmp/crows.parquet" --progress none --output "$tmp/one.parquet" --sql "SELECT * FROM input LIMIT 1"
tables=(); sql=""
for k in 0 1 2 3 4 5 6 7; do
  tables+=(--table "p$k=$tmp/part$k.parquet")
  sql+="${sql:+ UNION ALL }SELECT id, screen_name(schema, name, NULL, NULL, NULL) AS hits FROM p$k"
done
port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
sport=$(port)
"$BIN" cluster scheduler --bind "127.0.0.1:$sport" 2> "$tmp/scheduler.log" & pids+=($!)
sleep 2
start_executor() {
  "$BIN" cluster executor --scheduler "df://127.0.0.1:$sport" --port "$(port)" --grpc-port "$(port)" \
    --concurrent-tasks 1 --work-dir "$tmp" 2> "$tmp/executor$1.log" & pids+=($!)
  sleep 4
  rss=$(awk '/VmRSS/{print $2}' "/proc/${pids[-1]}/status")
  echo "executor $1: resident $((rss / 1024)) MB after start (one copy of the index)"
}
cluster_job() {
  "$BIN" batch --cluster "df://127.0.0.1:$sport" --input "$tmp/part0.parquet" "${tables[@]}" --progress none --json \
    --output "$tmp/chits.parquet" --sql "$sql" 2> "$tmp/cluster.json"
  field rows_per_s < "$tmp/cluster.json"
}
overhead() {
  local t0 t1; t0=$(secs)
  "$BIN" batch --cluster "df://127.0.0.1:$sport" --input "$tmp/one.parquet" --progress none --output "$tmp/o.parquet" \
    --sql "SELECT id, screen_name(schema, name, NULL, NULL, NULL) AS hits FROM input" 2>/dev/null
  t1=$(secs); local c0 c1; c0=$(secs)
  "$BIN" batch --input "$tmp/one.parquet" --progress none --output "$tmp/o.parquet" \
    --sql "SELECT id, screen_name(schema, name, NULL, NULL, NULL) AS hits FROM input" 2>/dev/null
  c1=$(secs)
  python3 -c "print(f'scheduler overhead per job: {($t1-$t0)-($c1-$c0):.3f} s (1-row job: cluster {$t1-$t0:.3f} s, embedded {$c1-$c0:.3f} s, both including the client loading the lists)')"
}
start_executor 1
one=$(cluster_job); echo "1 executor:  $one rows/s"
overhead
start_executor 2
two=$(cluster_job); echo "2 executors: $two rows/s"
python3 -c "print(f'speed-up with 2 executors: {$two/$one:.2f}x')"

if [[ "$STREAM_ROWS" -gt 0 ]]; then
  echo "== streaming $STREAM_ROWS rows through the embedded engine (all cores)"
  reps=$(( (STREAM_ROWS + ROWS - 1) / ROWS ))
  "$BIN" batch --input "$tmp/rows.parquet" --progress none --output "$tmp/big.parquet" \
    --sql "SELECT concat(id, '-', CAST(k AS VARCHAR)) AS id, schema, name FROM input CROSS JOIN (SELECT unnest(range($reps)) AS k) LIMIT $STREAM_ROWS"
  /usr/bin/time -f "peak RSS %M kB, %e s wall, %U s user" "$BIN" batch --names --input "$tmp/big.parquet" --progress none --json \
    --output "$tmp/bighits.parquet" 2> "$tmp/stream.txt" || true
  tail -n 2 "$tmp/stream.txt"
fi
