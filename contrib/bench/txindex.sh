#!/usr/bin/env bash
# Tx index catch-up throughput: a regtest node starts on a BLOCKS-block chain
# (TXS_PER_BLOCK transfers per block, written by depin-chaingen) that has no
# tx index yet, and builds indexes/txindex/ in the background; prints its
# blocks/s and tx/s. Next to it, in the same run, -reindex -txindex=0 of the
# same chain (blocks/s). The target is index catch-up >= 1x reindex.
#
#   contrib/bench/txindex.sh [bindir]                 # default build/bin
#   BLOCKS=10000 TXS_PER_BLOCK=50 contrib/bench/txindex.sh
#
# Both figures come from the node's own log lines (the index's "synced at
# height H (N blocks in T s)", the reindex's start and end), so start-up and
# polling do not count. Building the chain is set-up and not timed; set
# CHAIN_DIR to keep it between runs (it is copied, never changed).
set -euo pipefail
BINDIR=${1:-build/bin}
BLOCKS=${BLOCKS:-10000}
TXS_PER_BLOCK=${TXS_PER_BLOCK:-50}
CHAIN_DIR=${CHAIN_DIR:-}
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "txindex.sh: $tool not found"; exit 1; }
done
[ -x "$BINDIR/depind" ] || { echo "txindex.sh: no depind in $BINDIR"; exit 1; }
[ -x "$BINDIR/depin-chaingen" ] || { echo "txindex.sh: no depin-chaingen in $BINDIR"; exit 1; }
TMP=$(mktemp -d /tmp/depin_txindex_bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
rpc() {  # datadir rpcport method [json params]
  local cookie
  cookie=$(cat "$1/regtest/.cookie" 2>/dev/null) || return 1
  curl -s --user "$cookie" -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$3\",\"params\":${4:-[]}}" "http://127.0.0.1:$2/"
}
start_node() {  # datadir rpcport [args...]
  local dir=$1 rport=$2
  shift 2
  "$BINDIR/depind" -regtest -datadir="$dir" -rpcport="$rport" -port=0 -listen=0 "$@" \
    >"$dir/stdout" 2>&1 &
  PIDS+=($!)
}
stop_node() {  # datadir rpcport
  rpc "$1" "$2" stop >/dev/null || true
  while pgrep -f "datadir=$1 " >/dev/null; do sleep 0.1; done
}
# Waits for a log line matching a pattern (extended regex) in debug.log.
wait_log() {  # datadir pattern
  until grep -Eq "$2" "$1/regtest/debug.log" 2>/dev/null; do sleep 0.2; done
}

SRC=${CHAIN_DIR:-$TMP/src}
if [ ! -f "$SRC/regtest/chainstate/CURRENT" ]; then
  echo "writing a $BLOCKS-block chain with $TXS_PER_BLOCK transfers per block (not timed)..."
  "$BINDIR/depin-chaingen" --datadir="$SRC" --blocks="$BLOCKS" --txs="$TXS_PER_BLOCK" >/dev/null
fi
TXS=$((BLOCKS * TXS_PER_BLOCK))

# 1. Index catch-up on a copy of the chain without an index.
DIR=$TMP/node
rm -rf "$DIR"
cp -r "$SRC" "$DIR"
rm -rf "$DIR/regtest/indexes" "$DIR/regtest/debug.log"
RPC=$(free_port)
start_node "$DIR" "$RPC" -txindex=1
wait_log "$DIR" "index txindex: synced at height"
LINE=$(grep -E "index txindex: synced at height" "$DIR/regtest/debug.log" | tail -1)
python3 - "$LINE" "$TXS_PER_BLOCK" <<'PY'
import re, sys
m = re.search(r"synced at height (\d+) \((\d+) blocks in ([0-9.]+) s\)", sys.argv[1])
n, t = int(m.group(2)), float(m.group(3))
print(f"txindex: {n} blocks in {t:.2f} s: {n/t:.1f} blocks/s, {n*int(sys.argv[2])/t:.0f} tx/s")
open("/tmp/depin_txindex_rate", "w").write(str(n / t))
PY
stop_node "$DIR" "$RPC"

# 2. -reindex of the same chain, without the index.
rm -f "$DIR/regtest/debug.log"
start_node "$DIR" "$RPC" -reindex -txindex=0
wait_log "$DIR" "reindex: [0-9]+ blocks read, [0-9]+ stored"
python3 - "$DIR/regtest/debug.log" "$BLOCKS" "$TXS_PER_BLOCK" <<'PY'
import datetime, re, sys
lines = open(sys.argv[1]).read().splitlines()
def ts(pattern):
    for l in lines:
        if re.search(pattern, l):
            return datetime.datetime.strptime(l.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
    raise SystemExit("txindex.sh: no log line matching " + pattern)
t = (ts(r"reindex: [0-9]+ blocks read, [0-9]+ stored") - ts(r"reindex: rebuilding the chainstate")).total_seconds()
n = int(sys.argv[2])
print(f"reindex: {n} blocks in {t:.2f} s: {n/t:.1f} blocks/s, {n*int(sys.argv[3])/t:.0f} tx/s")
rate = float(open("/tmp/depin_txindex_rate").read())
print(f"txindex / reindex = {rate / (n / t):.2f}x (target >= 1x)")
PY
rm -f /tmp/depin_txindex_rate
stop_node "$DIR" "$RPC"
