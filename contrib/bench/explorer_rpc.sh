#!/usr/bin/env bash
# Explorer RPC: the market index's build rate and the stats methods' latency.
# depin-chaingen writes transfers only (no market activity), so the script
# makes its own market chain on a regtest node: 4 compute providers (one GPU
# model each), then ROUNDS rounds of ORDERS_PER_ROUND orders from 4 tenants,
# one bid per order, each lease won at its window's end by deferred work
# (about 4 blocks per round). Then:
#   1. -marketindex is rebuilt from scratch on that chain in the background:
#      blocks/s and market events/s, from the index's own "synced" log line;
#   2. the same for a BLOCKS-block chaingen chain of transfers (the cost of
#      reading full blocks and receipts with no market event in them);
#   3. p50/p99 latency over CALLS keep-alive HTTP calls each of
#      getmarketstats (default and widest window), getstoragestats,
#      getblockstats (random heights), getmarketobjects (a tenant, 100 per
#      page), getchaintxstats and search (random numbers).
#
#   contrib/bench/explorer_rpc.sh [bindir]            # default build/bin
#   ROUNDS=100 ORDERS_PER_ROUND=20 BLOCKS=10000 CALLS=500 contrib/bench/explorer_rpc.sh
set -euo pipefail
BINDIR=${1:-build/bin}
ROUNDS=${ROUNDS:-100}
ORDERS_PER_ROUND=${ORDERS_PER_ROUND:-20}
BLOCKS=${BLOCKS:-10000}
TXS_PER_BLOCK=${TXS_PER_BLOCK:-50}
CALLS=${CALLS:-500}
NAME=explorer_rpc.sh
# shellcheck source=contrib/bench/common.sh
. "$(dirname "$0")/common.sh"
HERE=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$BINDIR/depin-txtool" ] || { echo "$NAME: no depin-txtool in $BINDIR"; exit 1; }
[ -x "$BINDIR/depin-chaingen" ] || { echo "$NAME: no depin-chaingen in $BINDIR"; exit 1; }
wait_log() {  # datadir pattern
  until grep -Eq "$2" "$1/regtest/debug.log" 2>/dev/null; do sleep 0.2; done
}
# Prints the build rate from the index's "synced" line; $2 = events in the chain.
build_rate() {  # datadir events label
  python3 - "$(grep -E "index marketindex: synced at height" "$1/regtest/debug.log" | tail -1)" \
    "$2" "$3" <<'PY'
import re, sys
m = re.search(r"synced at height (\d+) \((\d+) blocks in ([0-9.]+) s\)", sys.argv[1])
n, t = int(m.group(2)), max(float(m.group(3)), 0.05)  # the log has 0.1 s resolution
events = int(sys.argv[2])
extra = f", {events/t:.0f} market events/s ({events} events)" if events else ""
print(f"marketindex build, {sys.argv[3]}: {n} blocks in {t:.2f} s: {n/t:.0f} blocks/s{extra}")
PY
}

DIR=$TMP/market
RPC=$(free_port)
launch_node "$DIR" "$RPC" -port=0 -listen=0 -marketindex -rpcthreads=4
wait_ready "$DIR" "$RPC"
echo "making a market chain: $ROUNDS rounds of $ORDERS_PER_ROUND orders, bids and leases (not timed)..."
EVENTS=$(python3 - "$HERE" "$BINDIR" "$DIR" "$RPC" "$ROUNDS" "$ORDERS_PER_ROUND" <<'PY'
import base64, http.client, json, random, subprocess, sys
here, bindir, datadir, port, rounds, per_round = sys.argv[1:7]
sys.path.insert(0, here + "/tests/functional")
from test_framework.abi import encode, public_key
from test_framework.tx import DEV_ACCOUNTS
rounds, per_round = int(rounds), int(per_round)
cookie = open(datadir + "/regtest/.cookie").read().strip()
auth = "Basic " + base64.b64encode(cookie.encode()).decode()
conn = http.client.HTTPConnection("127.0.0.1", int(port))
def call(method, *params):
    conn.request("POST", "/", json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                          "params": list(params)}),
                 {"Authorization": auth, "Content-Type": "application/json"})
    r = json.loads(conn.getresponse().read())
    if "error" in r:
        raise SystemExit(f"{method}: {r['error']}")
    return r["result"]
MARKET = "0x0000000000000000000000000000000000001000"
MINER = "0x000000000000000000000000000000000000bEEF"
sel = {}
def calldata(sig, types, values):
    if sig not in sel:
        sel[sig] = call("web3_sha3", "0x" + sig.encode().hex())[:10]
    return sel[sig] + encode(types, values)
nonces = {}
def send(account, data, value=0):
    address, key = account
    n = nonces.setdefault(address, int(call("eth_getTransactionCount", address, "pending"), 16))
    nonces[address] = n + 1
    out = subprocess.run([bindir + "/depin-txtool", f"--key={key}", "--chainid=1337",
                          f"--nonce={n}", f"--to={MARKET}", f"--value={value}", "--gas=3000000",
                          "--maxfee=100000000000", "--tip=1000000000", f"--data={data}",
                          "--sig=valid"], check=True, capture_output=True, text=True)
    call("eth_sendRawTransaction", out.stdout.split()[0])
def mine(n=1):
    call("generatetoaddress", n, MINER)
models = ["NVIDIA GeForce RTX 4090", "A100", "H100", "L40S"]
specs = ["rtx4090", "a100", "h100", "l40s"]
providers, tenants = DEV_ACCOUNTS[1:5], DEV_ACCOUNTS[5:9]
for p, m in zip(providers, models):
    attrs = (f"gpu.vendor=NVIDIA Corporation;gpu.model={m};gpu.count=1024;gpu.vramGiB=80;"
             "gpu.interface=sxm;region=eu")
    send(p, calldata("registerProvider(string,string)", ["string", "string"],
                     ["https://gpu.example", attrs]), value=10**18)
mine()
order_id = 0
rng = random.Random(7)
for r in range(rounds):
    ids = []
    for i in range(per_round):
        t = tenants[i % 4]
        price = 10**12
        send(t, calldata(
            "createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)",
            ["string", "uint256", "uint256", "uint256", "address[]", "uint256", "bytes32",
             "bytes"],
            [f"model={specs[i % 4]};count=1", price, 500, 2, [], 0, "0x" + "00" * 32,
             public_key(t[1])]), value=price * 500)
        order_id += 1
        ids.append((order_id, i % 4))
    mine()
    for oid, k in ids:
        send(providers[k], calldata("bid(uint256,uint256,string)", ["uint256", "uint256", "string"],
                                    [oid, rng.randint(5 * 10**11, 10**12), specs[k]]),
             value=10**17)
    mine(3)
leases = call("getmarketstats")["activeleases"]
if leases != rounds * per_round:
    raise SystemExit(f"expected {rounds * per_round} active leases, got {leases}")
# The market events in the chain, the deferred work's included.
height, events, lo = call("getblockcount"), 0, 0
while lo <= height:
    hi = min(height, lo + 999)
    events += len(call("eth_getLogs", {"fromBlock": hex(lo), "toBlock": hex(hi),
                                       "address": MARKET}))
    lo = hi + 1
print(events)
PY
)
HEIGHT=$(rpc "$DIR" "$RPC" getblockcount | result)
echo "market chain: height $HEIGHT, $((ROUNDS * ORDERS_PER_ROUND)) leases"
stop_node "$DIR" "$RPC"

# 1. The index rebuilt on the market chain.
rm -rf "$DIR/regtest/indexes/marketindex" "$DIR/regtest/debug.log"
launch_node "$DIR" "$RPC" -port=0 -listen=0 -marketindex -rpcthreads=4
wait_log "$DIR" "index marketindex: synced at height"
build_rate "$DIR" "$EVENTS" "market chain"

# 3. Latency on the market chain.
python3 - "$DIR" "$RPC" "$CALLS" <<'PY'
import base64, http.client, json, random, sys, time
datadir, port, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cookie = open(datadir + "/regtest/.cookie").read().strip()
auth = "Basic " + base64.b64encode(cookie.encode()).decode()
conn = http.client.HTTPConnection("127.0.0.1", port)
def call(method, params):
    conn.request("POST", "/", json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                          "params": params}),
                 {"Authorization": auth, "Content-Type": "application/json"})
    r = json.loads(conn.getresponse().read())
    if "error" in r:
        raise SystemExit(f"{method} {params}: {r['error']}")
    return r["result"]
height = call("getblockcount", [])
tenant = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"  # DEV_ACCOUNTS[5]
rng = random.Random(1)
cases = [
    ("getmarketstats", lambda: []),
    ("getmarketstats 100000", lambda: [100000]),
    ("getstoragestats", lambda: []),
    ("getblockstats", lambda: [rng.randint(0, height)]),
    ("getmarketobjects 100", lambda: [tenant, "", "", 100]),
    ("getchaintxstats", lambda: []),
    ("search", lambda: [str(rng.randint(0, height))]),
]
for name, params in cases:
    method = name.split()[0]
    call(method, params())  # warm
    times = []
    for _ in range(calls):
        p = params()
        t0 = time.perf_counter()
        call(method, p)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{name:24s} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  ({calls} calls)")
PY
stop_node "$DIR" "$RPC"

# 2. The index built on a chaingen chain of transfers.
SRC=$TMP/chaingen
echo "writing a $BLOCKS-block chain with $TXS_PER_BLOCK transfers per block (not timed)..."
"$BINDIR/depin-chaingen" --datadir="$SRC" --blocks="$BLOCKS" --txs="$TXS_PER_BLOCK" >/dev/null
rm -rf "$SRC/regtest/indexes" "$SRC/regtest/debug.log"
launch_node "$SRC" "$RPC" -port=0 -listen=0 -marketindex -txindex=0
wait_log "$SRC" "index marketindex: synced at height"
build_rate "$SRC" 0 "chaingen chain ($TXS_PER_BLOCK transfers per block)"
stop_node "$SRC" "$RPC"
