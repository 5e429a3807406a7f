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
NAME=txindex.sh
# shellcheck source=contrib/bench/common.sh
. "$(dirname "$0")/common.sh"
[ -x "$BINDIR/depin-chaingen" ] || { echo "txindex.sh: no depin-chaingen in $BINDIR"; exit 1; }
start_node() {  # datadir rpcport [args...]
  local dir=$1 rport=$2
  shift 2
  launch_node "$dir" "$rport" -port=0 -listen=0 "$@"
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
python3 - "$LINE" "$TXS_PER_BLOCK" "$TMP/rate" <<'PY'
import re, sys
m = re.search(r"synced at height (\d+) \((\d+) blocks in ([0-9.]+) s\)", sys.argv[1])
# The log has 0.1 s resolution: a tiny chain reads "0.0 s".
n, t = int(m.group(2)), max(float(m.group(3)), 0.05)
print(f"txindex: {n} blocks in {t:.2f} s: {n/t:.1f} blocks/s, {n*int(sys.argv[2])/t:.0f} tx/s")
open(sys.argv[3], "w").write(str(n / t))
PY
stop_node "$DIR" "$RPC"

# 2. -reindex of the same chain, without the index.
rm -f "$DIR/regtest/debug.log"
start_node "$DIR" "$RPC" -reindex -txindex=0
wait_log "$DIR" "reindex: [0-9]+ blocks read, [0-9]+ stored"
python3 - "$DIR/regtest/debug.log" "$BLOCKS" "$TXS_PER_BLOCK" "$TMP/rate" <<'PY'
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
rate = float(open(sys.argv[4]).read())
print(f"txindex / reindex = {rate / (n / t):.2f}x (target >= 1x)")
PY
stop_node "$DIR" "$RPC"
