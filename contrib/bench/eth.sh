#!/usr/bin/env bash
# Ethereum RPC figures, depind next to a Hardhat node started by this script
# on the same machine in the same run:
#   - requests/s of eth_blockNumber, eth_getBalance (and, depind only,
#     eth_call of a test-module view and the native getblockcount) under wrk
#     over keep-alive HTTP;
#   - SENDS sequential eth_sendRawTransaction -> receipt round trips (signed
#     with ethers from tests/interop, the receipt polled at once and then
#     every 2 ms) on `depind -dev -devblocktime=0` (test mode: a block as soon
#     as a tx arrives) and on Hardhat's automine.
#
#   contrib/bench/eth.sh [bindir]          # default build/bin
#   DURATION=10 CONNECTIONS=32 WRK_THREADS=2 RPC_THREADS=4 SENDS=50 DEV_BLOCK_TIME=0 \
#     HARDHAT_VERSION=2.22.17 HARDHAT_DIR=~/.cache/depin-bench/hardhat contrib/bench/eth.sh
#
# Hardhat comes from npm (`npm install hardhat@HARDHAT_VERSION` into
# HARDHAT_DIR, once; HARDHAT=0 skips it). When npm or the registry cannot be
# reached the script says so and reports depind alone. With DEV_BLOCK_TIME > 0
# the depind latency includes waiting for the interval block (half of it on
# average), as `make run` (2 s) would.
#
# Starts its own nodes (temporary datadirs, loopback ports) and stops them on
# exit. The latency needs `npm ci --prefix tests/interop`.
set -euo pipefail

BINDIR=${1:-build/bin}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
RPC_THREADS=${RPC_THREADS:-4}
SENDS=${SENDS:-50}
DEV_BLOCK_TIME=${DEV_BLOCK_TIME:-0}
HARDHAT=${HARDHAT:-1}
HARDHAT_VERSION=${HARDHAT_VERSION:-2.22.17}
HARDHAT_DIR=${HARDHAT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/depin-bench/hardhat-$HARDHAT_VERSION}
HERE=$(cd "$(dirname "$0")/../.." && pwd)

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "eth.sh: $tool not found (contrib/install-deps.sh)"; exit 1; }
done
[ -x "$BINDIR/depind" ] || { echo "eth.sh: no depind in $BINDIR"; exit 1; }

TMP=$(mktemp -d /tmp/depin_eth_bench.XXXXXX)
DEPIND_PID=""
HARDHAT_PID=""
cleanup() {
  [ -n "$DEPIND_PID" ] && kill "$DEPIND_PID" 2>/dev/null && wait "$DEPIND_PID" 2>/dev/null || true
  [ -n "$HARDHAT_PID" ] && kill "$HARDHAT_PID" 2>/dev/null && wait "$HARDHAT_PID" 2>/dev/null || true
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
  # Until the chainstate is loaded RPC answers -28: wait for a result.
  for _ in $(seq 1 300); do
    if curl -s -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"getblockcount"}' "http://127.0.0.1:$2/" \
        | grep -q '"result"'; then
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

wait_rpc() {  # url what log
  for _ in $(seq 1 600); do
    if curl -s -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}' "$1" | grep -q '"result"'; then
      return
    fi
    sleep 0.1
  done
  echo "eth.sh: $2 did not start"; cat "$3"; exit 1
}

# Hardhat from npm, once per version; empty when it cannot be had.
HARDHAT_BIN=""
if [ "$HARDHAT" = 1 ]; then
  if [ ! -x "$HARDHAT_DIR/node_modules/.bin/hardhat" ]; then
    if command -v npm >/dev/null; then
      echo "hardhat: installing hardhat@$HARDHAT_VERSION into $HARDHAT_DIR (once)"
      mkdir -p "$HARDHAT_DIR"
      [ -f "$HARDHAT_DIR/package.json" ] || echo '{"name":"depin-bench-hardhat","private":true}' \
        >"$HARDHAT_DIR/package.json"
      timeout 900 npm install --prefix "$HARDHAT_DIR" --no-audit --no-fund --loglevel=error \
        "hardhat@$HARDHAT_VERSION" >"$TMP/npm.log" 2>&1 \
        || { echo "hardhat: npm install failed (registry unreachable?): $(tail -n 3 "$TMP/npm.log" | tr '\n' ' ')"; }
    else
      echo "hardhat: npm not found"
    fi
  fi
  # `hardhat node` wants a project: an empty config is one.
  if [ -x "$HARDHAT_DIR/node_modules/.bin/hardhat" ]; then
    [ -f "$HARDHAT_DIR/hardhat.config.cjs" ] || echo 'module.exports = {};' >"$HARDHAT_DIR/hardhat.config.cjs"
    HARDHAT_BIN="$HARDHAT_DIR/node_modules/.bin/hardhat"
  else
    echo "hardhat: not available; reporting depind alone"
  fi
fi

start_hardhat() {  # port
  (cd "$HARDHAT_DIR" && exec "$HARDHAT_BIN" node --hostname 127.0.0.1 --port "$1" \
    >"$TMP/hardhat.out" 2>&1) &
  HARDHAT_PID=$!
  wait_rpc "http://127.0.0.1:$1/" "hardhat node" "$TMP/hardhat.out"
}

stop_hardhat() {
  kill "$HARDHAT_PID" 2>/dev/null && wait "$HARDHAT_PID" 2>/dev/null || true
  HARDHAT_PID=""
}

wrk_rps() {  # method port
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$TMP/$1.lua" \
    "http://127.0.0.1:$2/" | awk '/Requests\/sec/ {print $2}'
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s; -rpcthreads=$RPC_THREADS"

# Throughput: a -dev node that mines rarely, so the tip holds still.
PORT=$(free_port)
start_node "$TMP/tput" "$PORT" 3600
for m in getblockcount eth_blockNumber eth_getBalance eth_call; do
  echo "check $m: $(curl -s -H 'Content-Type: application/json' \
    --data "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$TMP/$m.lua")" "http://127.0.0.1:$PORT/")"
done
declare -A DEPIND_RPS HARDHAT_RPS
for m in getblockcount eth_blockNumber eth_getBalance eth_call; do
  DEPIND_RPS[$m]=$(wrk_rps "$m" "$PORT")
done
stop_node
if [ -n "$HARDHAT_BIN" ]; then
  HPORT=$(free_port)
  start_hardhat "$HPORT"
  for m in eth_blockNumber eth_getBalance; do HARDHAT_RPS[$m]=$(wrk_rps "$m" "$HPORT"); done
  stop_hardhat
fi
for m in getblockcount eth_blockNumber eth_getBalance eth_call; do
  line=$(printf '%-16s depind %10s req/s' "$m" "${DEPIND_RPS[$m]}")
  if [ -n "${HARDHAT_RPS[$m]:-}" ]; then
    line+=$(printf ', hardhat %10s req/s: %sx' "${HARDHAT_RPS[$m]}" \
      "$(python3 -c "print(f'{${DEPIND_RPS[$m]} / max(${HARDHAT_RPS[$m]}, 0.001):.1f}')")")
  fi
  echo "$line"
done

# Send -> receipt latency.
if [ ! -d "$HERE/tests/interop/node_modules/ethers" ]; then
  echo "receipt latency: skipped (run npm ci --prefix tests/interop)"
  exit 0
fi
cat >"$TMP/latency.mjs" <<'JS'
import { createRequire } from "node:module";
const [url, sends, interop, blockTime, label] = [process.argv[2], Number(process.argv[3]),
  process.argv[4], Number(process.argv[5]), process.argv[6]];
const { ethers } = createRequire(`${interop}/`)("ethers");
const wallet = ethers.HDNodeWallet.fromPhrase(
  "test test test test test test test test test test test junk", undefined, "m/44'/60'/0'/0/1");
const call = async (method, params) => {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) }).then((x) => x.json());
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
};
const chainId = BigInt(await call("eth_chainId", []));
let nonce = Number(await call("eth_getTransactionCount", [wallet.address, "pending"]));
const baseFee = BigInt((await call("eth_getBlockByNumber", ["latest", false])).baseFeePerGas);
const times = [];
for (let i = 0; i < sends; ++i) {
  const raw = await wallet.signTransaction({ type: 2, chainId, nonce: nonce++, gasLimit: 21000n,
    // Not 0x...01: on Hardhat that is the ecrecover precompile (21000 gas is too little).
    to: "0x000000000000000000000000000000000000dEaD", value: 1n, maxFeePerGas: baseFee * 4n + 10n ** 9n,
    maxPriorityFeePerGas: 10n ** 9n });
  const t0 = performance.now();
  const hash = await call("eth_sendRawTransaction", [raw]);
  while (!(await call("eth_getTransactionReceipt", [hash]))) await new Promise((r) => setTimeout(r, 2));
  times.push(performance.now() - t0);
  // With an interval, start the next send at a random point of it.
  if (blockTime > 0) await new Promise((r) => setTimeout(r, Math.random() * blockTime * 1000));
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(1);
console.log(`${label}: sendRawTransaction -> receipt, ${sends} sequential sends: ` +
  `mean ${mean} ms, p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, min ${times[0].toFixed(1)} ms, ` +
  `max ${times.at(-1).toFixed(1)} ms`);
JS
PORT=$(free_port)
start_node "$TMP/latency" "$PORT" "$DEV_BLOCK_TIME"
node "$TMP/latency.mjs" "http://127.0.0.1:$PORT/" "$SENDS" "$HERE/tests/interop" "$DEV_BLOCK_TIME" \
  "depind -devblocktime=$DEV_BLOCK_TIME" || true
stop_node
if [ -n "$HARDHAT_BIN" ]; then
  HPORT=$(free_port)
  start_hardhat "$HPORT"
  node "$TMP/latency.mjs" "http://127.0.0.1:$HPORT/" "$SENDS" "$HERE/tests/interop" 0 \
    "hardhat $HARDHAT_VERSION automine" || true
  stop_hardhat
fi
