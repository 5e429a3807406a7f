#!/usr/bin/env bash
# Ethereum RPC figures: requests/s of eth_blockNumber, eth_getBalance and
# eth_call (a test-module view) under wrk over keep-alive HTTP, next to the
# native getblockcount in the same run; then the time from
# eth_sendRawTransaction to an available receipt on a -dev node (signing with
# ethers from tests/interop, polling eth_getTransactionReceipt every 10 ms).
#
#   contrib/bench/eth.sh [bindir]          # default build/bin
#   DURATION=10 CONNECTIONS=32 WRK_THREADS=2 RPC_THREADS=4 SENDS=20 DEV_BLOCK_TIME=2 \
#     contrib/bench/eth.sh
#
# The receipt latency is bounded below by the dev miner's block interval
# (-devblocktime, 2 s by default as `make run`; a tx waits on average half of
# it).
#
# Starts its own depind nodes (temporary datadirs, loopback ports) and stops
# them on exit. The receipt latency needs `npm ci --prefix tests/interop`.
set -euo pipefail

BINDIR=${1:-build/bin}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
RPC_THREADS=${RPC_THREADS:-4}
SENDS=${SENDS:-20}
DEV_BLOCK_TIME=${DEV_BLOCK_TIME:-2}
HERE=$(cd "$(dirname "$0")/../.." && pwd)

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "eth.sh: $tool not found (contrib/install-deps.sh)"; exit 1; }
done
[ -x "$BINDIR/depind" ] || { echo "eth.sh: no depind in $BINDIR"; exit 1; }

TMP=$(mktemp -d /tmp/depin_eth_bench.XXXXXX)
DEPIND_PID=""
cleanup() {
  [ -n "$DEPIND_PID" ] && kill "$DEPIND_PID" 2>/dev/null && wait "$DEPIND_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_node() {  # $1 datadir, $2 rpc port, $3 dev block time
  mkdir -p "$1"
  "$BINDIR/depind" -dev -devblocktime="$3" -printtoconsole=0 -datadir="$1" -rpcport="$2" \
    -port="$(free_port)" -rpcthreads="$RPC_THREADS" -rpcbind=127.0.0.1 >"$1/depind.out" 2>&1 &
  DEPIND_PID=$!
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' "http://127.0.0.1:$2/"; then
      return
    fi
    sleep 0.1
  done
  echo "eth.sh: depind did not start"; cat "$1/depind.out"; exit 1
}

stop_node() {
  kill "$DEPIND_PID" 2>/dev/null && wait "$DEPIND_PID" 2>/dev/null || true
  DEPIND_PID=""
}

make_lua() {  # $1 file, $2 body
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
LUA
}

ACCOUNT=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
MODULE=0x0000000000000000000000000000000000000F00
# get(7): selector 0x9507d39a, one uint256 argument.
GET7=0x9507d39a0000000000000000000000000000000000000000000000000000000000000007
make_lua "$TMP/getblockcount.lua" '{"jsonrpc":"2.0","id":1,"method":"getblockcount"}'
make_lua "$TMP/eth_blockNumber.lua" '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}'
make_lua "$TMP/eth_getBalance.lua" \
  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[\"$ACCOUNT\",\"latest\"]}"
make_lua "$TMP/eth_call.lua" \
  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"to\":\"$MODULE\",\"data\":\"$GET7\"},\"latest\"]}"

# Throughput: a -dev node that mines rarely, so the tip holds still.
PORT=$(free_port)
start_node "$TMP/tput" "$PORT" 3600
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s; -rpcthreads=$RPC_THREADS"
for m in getblockcount eth_blockNumber eth_getBalance eth_call; do
  echo "check $m: $(curl -s -H 'Content-Type: application/json' \
    --data "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$TMP/$m.lua")" "http://127.0.0.1:$PORT/")"
done
for m in getblockcount eth_blockNumber eth_getBalance eth_call; do
  rps=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$TMP/$m.lua" \
    "http://127.0.0.1:$PORT/" | awk '/Requests\/sec/ {print $2}')
  printf '%-16s %10s req/s\n' "$m" "$rps"
done
stop_node

# Receipt latency on a -dev node.
if [ ! -d "$HERE/tests/interop/node_modules/ethers" ]; then
  echo "receipt latency: skipped (run npm ci --prefix tests/interop)"
  exit 0
fi
PORT=$(free_port)
start_node "$TMP/latency" "$PORT" "$DEV_BLOCK_TIME"
cat >"$TMP/latency.mjs" <<'JS'
import { createRequire } from "node:module";
const [url, sends, interop, blockTime] =
  [process.argv[2], Number(process.argv[3]), process.argv[4], Number(process.argv[5])];
const { ethers } = createRequire(`${interop}/`)("ethers");
const wallet = ethers.HDNodeWallet.fromPhrase(
  "test test test test test test test test test test test junk", undefined, "m/44'/60'/0'/0/1");
const call = async (method, params) => {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) }).then((x) => x.json());
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
};
let nonce = Number(await call("eth_getTransactionCount", [wallet.address, "pending"]));
const baseFee = BigInt((await call("eth_getBlockByNumber", ["latest", false])).baseFeePerGas);
const times = [];
for (let i = 0; i < sends; ++i) {
  const raw = await wallet.signTransaction({ type: 2, chainId: 1337n, nonce: nonce++, gasLimit: 21000n,
    to: ethers.ZeroAddress.replace(/00$/, "01"), value: 1n, maxFeePerGas: baseFee * 4n + 10n ** 9n,
    maxPriorityFeePerGas: 10n ** 9n });
  const t0 = performance.now();
  const hash = await call("eth_sendRawTransaction", [raw]);
  while (!(await call("eth_getTransactionReceipt", [hash]))) await new Promise((r) => setTimeout(r, 10));
  times.push(performance.now() - t0);
  // Start the next send at a random point of the block interval.
  await new Promise((r) => setTimeout(r, Math.random() * blockTime * 1000));
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(0);
const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(0);
console.log(`sendRawTransaction -> receipt (-devblocktime=${blockTime}, ${sends} sends): ` +
  `mean ${mean} ms, p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms`);
JS
node "$TMP/latency.mjs" "http://127.0.0.1:$PORT/" "$SENDS" "$HERE/tests/interop" "$DEV_BLOCK_TIME" || true
stop_node
