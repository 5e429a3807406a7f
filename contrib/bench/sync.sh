#!/usr/bin/env bash
# Initial sync throughput: a fresh regtest node syncs a BLOCKS-block chain
# with TXS_PER_BLOCK transfers per block from one peer on loopback; prints
# blocks/s and tx/s. Next to it, in the same run, -reindex of the same chain
# from the synced node's own block files (the no-network limit) when depind
# supports it; the target is sync >= 0.7x reindex.
#
#   contrib/bench/sync.sh [bindir]                 # default build/bin
#   BLOCKS=10000 TXS_PER_BLOCK=50 contrib/bench/sync.sh
#
# Building the source chain (signing BLOCKS * TXS_PER_BLOCK txs with
# depin-txtool) is set-up and not timed; it is slow for the full size, so
# keep CHAIN_DIR to reuse a chain between runs.
set -euo pipefail
BINDIR=${1:-build/bin}
BLOCKS=${BLOCKS:-10000}
TXS_PER_BLOCK=${TXS_PER_BLOCK:-50}
CHAIN_DIR=${CHAIN_DIR:-}
MINER=0xa0Ee7A142d267C1f36714E4a8F75612F20a79720
KEYS=(0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
      0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
      0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a
      0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6
      0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a)
TO=0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "sync.sh: $tool not found"; exit 1; }
done
[ -x "$BINDIR/depind" ] || { echo "sync.sh: no depind in $BINDIR"; exit 1; }
TMP=$(mktemp -d /tmp/depin_sync_bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# rpc <datadir> <port> <method> [json params]
rpc() {
  local cookie
  cookie=$(cat "$1/regtest/.cookie")
  curl -s --user "$cookie" -H 'content-type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$3\",\"params\":${4:-[]}}" "http://127.0.0.1:$2/"
}
result() { python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])'; }
start_node() {  # datadir rpcport p2pport [args...]
  local dir=$1 rport=$2 pport=$3
  shift 3
  mkdir -p "$dir"
  "$BINDIR/depind" -regtest -datadir="$dir" -rpcport="$rport" -port="$pport" "$@" \
    >"$dir/stdout" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do
    [ -f "$dir/regtest/.cookie" ] && rpc "$dir" "$rport" getblockcount >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "sync.sh: depind in $dir did not start"; exit 1
}
stop_node() {  # datadir rpcport
  rpc "$1" "$2" stop >/dev/null || true
  while pgrep -f "datadir=$1 " >/dev/null; do sleep 0.1; done
}

SRC=${CHAIN_DIR:-$TMP/src}
SRC_RPC=$(free_port); SRC_P2P=$(free_port)
start_node "$SRC" "$SRC_RPC" "$SRC_P2P"
HAVE=$(rpc "$SRC" "$SRC_RPC" getblockcount | result)
if [ "$HAVE" -lt "$BLOCKS" ]; then
  echo "building a $BLOCKS-block chain with $TXS_PER_BLOCK transfers per block (not timed)..."
  declare -a NONCE=(0 0 0 0 0)
  for ((b = HAVE; b < BLOCKS; b++)); do
    for ((t = 0; t < TXS_PER_BLOCK; t++)); do
      k=$((t % 5))
      raw=$("$BINDIR/depin-txtool" --key="${KEYS[$k]}" --chainid=1337 --nonce="${NONCE[$k]}" \
            --to=$TO --value=1 --gas=21000 --maxfee=100000000000 --tip=1000000000 | head -1)
      NONCE[$k]=$((NONCE[$k] + 1))
      rpc "$SRC" "$SRC_RPC" sendrawtransaction "[\"$raw\"]" >/dev/null
    done
    rpc "$SRC" "$SRC_RPC" generatetoaddress "[1, \"$MINER\"]" >/dev/null
  done
fi
TIP=$(rpc "$SRC" "$SRC_RPC" getbestblockhash | result)
TXS=$((BLOCKS * TXS_PER_BLOCK))

DST=$TMP/dst
DST_RPC=$(free_port); DST_P2P=$(free_port)
start_node "$DST" "$DST_RPC" "$DST_P2P" -connect=127.0.0.1:"$SRC_P2P"
T0=$(date +%s.%N)
until [ "$(rpc "$DST" "$DST_RPC" getbestblockhash | result)" = "$TIP" ]; do sleep 0.2; done
T1=$(date +%s.%N)
SYNC=$(python3 -c "print($T1 - $T0)")
python3 -c "s=$SYNC; print(f'sync:    {$BLOCKS} blocks in {s:.1f} s: {$BLOCKS/s:.1f} blocks/s, {$TXS/s:.0f} tx/s')"

stop_node "$DST" "$DST_RPC"
if "$BINDIR/depind" -help | grep -q -- '-reindex'; then
  T0=$(date +%s.%N)
  start_node "$DST" "$DST_RPC" "$DST_P2P" -reindex -listen=0
  until [ "$(rpc "$DST" "$DST_RPC" getbestblockhash | result)" = "$TIP" ]; do sleep 0.2; done
  T1=$(date +%s.%N)
  REINDEX=$(python3 -c "print($T1 - $T0)")
  python3 -c "r=$REINDEX; s=$SYNC; print(f'reindex: {$BLOCKS} blocks in {r:.1f} s: {$BLOCKS/r:.1f} blocks/s, {$TXS/r:.0f} tx/s'); print(f'sync / reindex = {r/s:.2f}x (target >= 0.7x)')"
else
  echo "reindex: this depind has no -reindex; no-network limit not measured"
fi
