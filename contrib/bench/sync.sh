#!/usr/bin/env bash
# Initial sync throughput: a fresh regtest node syncs a BLOCKS-block chain
# with TXS_PER_BLOCK transfers per block from one peer on loopback; prints
# blocks/s and tx/s. Next to it, in the same run, -reindex of the same chain
# from the synced node's own block files (the no-network limit); the target
# is sync >= 0.7x reindex.
#
#   contrib/bench/sync.sh [bindir]                 # default build/bin
#   BLOCKS=10000 TXS_PER_BLOCK=50 contrib/bench/sync.sh
#   PEERS=3 DST_ARGS="-maxorphanblocks=0" contrib/bench/sync.sh
#
# PEERS (default 1) source nodes serve copies of the chain, so blocks come
# from several peers and arrive out of order (the orphan block pool);
# DST_ARGS go to the syncing node.
#
# Building the source chain with depin-chaingen is set-up and not timed; set
# CHAIN_DIR to keep it between runs.
set -euo pipefail
BINDIR=${1:-build/bin}
BLOCKS=${BLOCKS:-10000}
TXS_PER_BLOCK=${TXS_PER_BLOCK:-50}
PEERS=${PEERS:-1}
read -r -a DST_EXTRA <<<"${DST_ARGS:-}"
CHAIN_DIR=${CHAIN_DIR:-}
NAME=sync.sh
# shellcheck source=contrib/bench/common.sh
. "$(dirname "$0")/common.sh"
start_node() {  # datadir rpcport p2pport [args...]
  local dir=$1 rport=$2 pport=$3
  shift 3
  launch_node "$dir" "$rport" -port="$pport" "$@"
  wait_up "$dir" "$rport"
}

SRC=${CHAIN_DIR:-$TMP/src}
# The source chain is written by depin-chaingen (set-up, not timed; about
# 5 s per 1,000 blocks of 50 transfers here). It extends a kept CHAIN_DIR.
[ -x "$BINDIR/depin-chaingen" ] || { echo "sync.sh: no depin-chaingen in $BINDIR"; exit 1; }
echo "writing a $BLOCKS-block chain with $TXS_PER_BLOCK transfers per block (not timed)..."
"$BINDIR/depin-chaingen" --datadir="$SRC" --blocks="$BLOCKS" --txs="$TXS_PER_BLOCK" >/dev/null
# Extra sources: copies of the chain made before any node opens it.
CONNECT=()
for i in $(seq 2 "$PEERS"); do
  rm -rf "$TMP/src$i" && cp -r "$SRC" "$TMP/src$i"
done
SRC_RPC=$(free_port); SRC_P2P=$(free_port)
start_node "$SRC" "$SRC_RPC" "$SRC_P2P"
wait_ready "$SRC" "$SRC_RPC"
CONNECT+=(-connect=127.0.0.1:"$SRC_P2P")
for i in $(seq 2 "$PEERS"); do
  r=$(free_port); p=$(free_port)
  start_node "$TMP/src$i" "$r" "$p"
  wait_ready "$TMP/src$i" "$r"
  CONNECT+=(-connect=127.0.0.1:"$p")
done
TIP=$(rpc "$SRC" "$SRC_RPC" getbestblockhash | result)
TXS=$((BLOCKS * TXS_PER_BLOCK))
# Waits until the node's best block is TIP. Polls with curl alone (no Python
# per poll): the measured node shares the machine's cores with the poller.
at_tip() {  # datadir rpcport
  until rpc "$1" "$2" getbestblockhash | grep -q "$TIP"; do sleep 0.25; done
}

DST=$TMP/dst
DST_RPC=$(free_port); DST_P2P=$(free_port)
T0=$(date +%s.%N)
start_node "$DST" "$DST_RPC" "$DST_P2P" "${CONNECT[@]}" "${DST_EXTRA[@]}"
at_tip "$DST" "$DST_RPC"
T1=$(date +%s.%N)
SYNC=$(python3 -c "print($T1 - $T0)")
python3 -c "s=$SYNC; print(f'sync:    {$BLOCKS} blocks from $PEERS peer(s) in {s:.1f} s: {$BLOCKS/s:.1f} blocks/s, {$TXS/s:.0f} tx/s')"
# With -debug=net in DST_ARGS: how many blocks that arrived out of order
# went to disk because the orphan block pool was full.
if grep -q "net:debug" "$DST/regtest/debug.log"; then
  echo "orphan blocks past the pool's caps, to disk: $(grep -c 'to the chainstate' "$DST/regtest/debug.log")"
fi

stop_node "$DST" "$DST_RPC"
T0=$(date +%s.%N)
start_node "$DST" "$DST_RPC" "$DST_P2P" -reindex -listen=0
at_tip "$DST" "$DST_RPC"
T1=$(date +%s.%N)
REINDEX=$(python3 -c "print($T1 - $T0)")
python3 -c "r=$REINDEX; s=$SYNC; print(f'reindex: {$BLOCKS} blocks in {r:.1f} s: {$BLOCKS/r:.1f} blocks/s, {$TXS/r:.0f} tx/s'); print(f'sync / reindex = {r/s:.2f}x (target >= 0.7x)')"
