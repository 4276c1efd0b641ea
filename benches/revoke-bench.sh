#!/usr/bin/env bash
# Loopback benchmark of `leakguard serve` (issue #4): POST /v1/revoke_tokens, one new token per
# request, durability on (SQLite WAL + synchronous=FULL; 204 only after commit), while the
# dispatcher forwards everything to the example partner receiver (signed, verified).
#
# Usage: benches/revoke-bench.sh [DURATION_SECS=20] [CONNECTIONS=32] [WRK_THREADS=1]
#   BENCH_DELAY_MS=N paces each connection (N ms between requests) to measure latency at a
#   fixed offered load instead of at saturation, e.g. 32 connections and 20 ms = ~1,600 req/s.
#   BENCH_SYNC=normal runs the outbox with synchronous=NORMAL (default: full).
# Needs: wrk (Debian: apt-get install -y wrk), a release build (built if missing).
# Prints one RESULT line (req/s, p50/p90/p99) and the outbox/partner counts that prove every
# acknowledged request was recorded and delivered.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-20}
CONNS=${2:-32}
THREADS=${3:-1}
TARGET=${CARGO_TARGET_DIR:-target}
BIN="$TARGET/release/leakguard"
[ -x "$BIN" ] || cargo build --release --bin leakguard
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 2; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$(( (RANDOM << 1) % 20000 + 30000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
wait_addr() { # file marker
  for _ in $(seq 1 200); do
    if grep -q "$2" "$1" 2>/dev/null; then grep -o "$2[^ ]*" "$1" | head -1 | sed "s|$2||"; return; fi
    sleep 0.05
  done
  echo "timeout waiting for $2 in $1" >&2; cat "$1" >&2; exit 1
}

SVC_PORT=$(free_port)
TOKEN="bench-$RANDOM$RANDOM"
echo "$TOKEN" > "$WORK/service-token.txt"
"$BIN" partner serve --public-keys "http://127.0.0.1:$SVC_PORT/v1/public_keys" \
  --listen 127.0.0.1:0 --record "$WORK/partner.jsonl" 2> "$WORK/partner.err" &
PIDS+=($!)
PARTNER=$(wait_addr "$WORK/partner.err" "listening on ")
cat > "$WORK/serve.toml" <<TOML
listen = "127.0.0.1:$SVC_PORT"
auth_token_file = "service-token.txt"
state_dir = "state"
[outbox]
synchronous = "${BENCH_SYNC:-full}"
[rate_limit]
requests_per_second = 1000000
burst = 1000000
[[partners]]
types = ["bench_type"]
url = "$PARTNER/revoke"
TOML
"$BIN" serve --config "$WORK/serve.toml" 2> "$WORK/serve.err" &
PIDS+=($!)
SVC_PID=$!
SVC=$(wait_addr "$WORK/serve.err" "listening on ")

echo "machine: $(nproc) cores, $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pacing: ${BENCH_DELAY_MS:-none} ms per connection; outbox synchronous=${BENCH_SYNC:-full}"
echo "command: wrk -t$THREADS -c$CONNS -d${DUR}s --latency -s benches/revoke-bench.lua $SVC"
BENCH_TOKEN="$TOKEN" BENCH_RUN="$RANDOM" wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency \
  -s benches/revoke-bench.lua "$SVC" | tee "$WORK/wrk.out" | grep -E "RESULT|Latency|Requests/sec|Non-2xx"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# let the dispatcher drain, then check durability and delivery
ACCEPTED=$(grep -o 'requests=[0-9]*' "$WORK/wrk.out" | cut -d= -f2)
for _ in $(seq 1 600); do
  PENDING=$("$BIN" serve status --config "$WORK/serve.toml" --json | grep -o '"pending": [0-9]*' | grep -o '[0-9]*$')
  [ "$PENDING" = 0 ] && break
  sleep 0.1
done
kill -TERM "$SVC_PID"; wait "$SVC_PID" || true
"$BIN" serve status --config "$WORK/serve.toml" | grep "^outbox"
DELIVERED=$(grep -o '"token_sha256"' "$WORK/partner.jsonl" | wc -l)
echo "slow outbox commits/updates (> 50 ms) logged by the service: $(grep -c 'slow outbox' "$WORK/serve.err" || true)"
grep 'slow outbox' "$WORK/serve.err" | head -5 || true
echo "wrk requests completed: $ACCEPTED; partner received (verified): $DELIVERED"
