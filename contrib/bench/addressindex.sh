#!/usr/bin/env bash
# Address index: catch-up throughput and query latency. A regtest node starts
# on a BLOCKS-block chain written by depin-chaingen (TXS_PER_BLOCK transfers
# per block from the ten dev accounts, so with the defaults dev account 0
# sent exactly 10,000 txs) that has no address index yet, and builds
# indexes/addressindex/ in the background: blocks/s from its own log line.
# Then, on the built index, latency p50 / p99 over keep-alive HTTP of
#   ots_searchTransactionsBefore(account 0, random block, 25)
#   getaddresshistory(account 0, 25, cursor) walking every page to the end
# and, in the same run, -reindex of the same chain without the index
# (blocks/s), for comparison.
#
#   contrib/bench/addressindex.sh [bindir]              # default build/bin
#   BLOCKS=10000 TXS_PER_BLOCK=10 QUERIES=1000 contrib/bench/addressindex.sh
#
# Building the chain is set-up and not timed; set CHAIN_DIR to keep it
# between runs (it is copied, never changed).
set -euo pipefail
BINDIR=${1:-build/bin}
BLOCKS=${BLOCKS:-10000}
TXS_PER_BLOCK=${TXS_PER_BLOCK:-10}
QUERIES=${QUERIES:-1000}
CHAIN_DIR=${CHAIN_DIR:-}
NAME=addressindex.sh
# shellcheck source=contrib/bench/common.sh
. "$(dirname "$0")/common.sh"
[ -x "$BINDIR/depin-chaingen" ] || { echo "$NAME: no depin-chaingen in $BINDIR"; exit 1; }
start_node() {  # datadir rpcport [args...]
  local dir=$1 rport=$2
  shift 2
  launch_node "$dir" "$rport" -port=0 -listen=0 "$@"
}
wait_log() {  # datadir pattern
  until grep -Eq "$2" "$1/regtest/debug.log" 2>/dev/null; do sleep 0.2; done
}

SRC=${CHAIN_DIR:-$TMP/src}
if [ ! -f "$SRC/regtest/chainstate/CURRENT" ]; then
  echo "writing a $BLOCKS-block chain with $TXS_PER_BLOCK transfers per block (not timed)..."
  "$BINDIR/depin-chaingen" --datadir="$SRC" --blocks="$BLOCKS" --txs="$TXS_PER_BLOCK" >/dev/null
fi

# 1. Address index catch-up on a copy of the chain without one.
DIR=$TMP/node
rm -rf "$DIR"
cp -r "$SRC" "$DIR"
rm -rf "$DIR/regtest/indexes" "$DIR/regtest/debug.log"
RPC=$(free_port)
start_node "$DIR" "$RPC" -txindex=1 -addressindex=1
wait_log "$DIR" "index addressindex: synced at height"
LINE=$(grep -E "index addressindex: synced at height" "$DIR/regtest/debug.log" | tail -1)
python3 - "$LINE" "$TMP/rate" <<'PY'
import re, sys
m = re.search(r"synced at height (\d+) \((\d+) blocks in ([0-9.]+) s\)", sys.argv[1])
n, t = int(m.group(2)), max(float(m.group(3)), 0.05)
print(f"addressindex: {n} blocks in {t:.2f} s: {n/t:.1f} blocks/s")
open(sys.argv[2], "w").write(str(n / t))
PY
wait_log "$DIR" "index txindex: synced at height"

# 2. Query latency on the built index.
python3 - "$DIR/regtest/.cookie" "$RPC" "$BLOCKS" "$QUERIES" <<'PY'
import base64, http.client, json, random, sys, time
cookie, port, blocks, queries = open(sys.argv[1]).read().strip(), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
auth = "Basic " + base64.b64encode(cookie.encode()).decode()
conn = http.client.HTTPConnection("127.0.0.1", port)
account = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
def call(method, *params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    start = time.perf_counter()
    conn.request("POST", "/", body, {"Authorization": auth, "Content-Type": "application/json"})
    reply = json.loads(conn.getresponse().read())
    took = time.perf_counter() - start
    if "error" in reply:
        raise SystemExit(f"{method}: {reply['error']}")
    return reply["result"], took
summary, _ = call("getaddresssummary", account)
print(f"account 0: {summary['txcount']} txs")
def report(name, samples):
    samples.sort()
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))] * 1000
    print(f"{name}: {len(samples)} calls, p50 {p(0.50):.2f} ms, p99 {p(0.99):.2f} ms")
rng = random.Random(1)
samples = []
for i in range(queries):
    height = 0 if i % 10 == 0 else rng.randint(1, blocks)
    result, took = call("ots_searchTransactionsBefore", account, height, 25)
    assert len(result["txs"]) >= min(25, max(0, height - 1)) or height == 0
    samples.append(took)
report("ots_searchTransactionsBefore(25)", samples)
samples, cursor, pages, entries = [], None, 0, 0
while pages < queries:
    result, took = call("getaddresshistory", account, 25, *([cursor] if cursor else []))
    samples.append(took)
    pages += 1
    entries += len(result["entries"])
    cursor = result["next"]  # None at the end: the walk starts again from the newest page
print(f"getaddresshistory walked {pages} pages of 25")
report("getaddresshistory(25)", samples)
PY
stop_node "$DIR" "$RPC"

# 3. -reindex of the same chain, without the indexes.
rm -f "$DIR/regtest/debug.log"
start_node "$DIR" "$RPC" -reindex -txindex=0 -addressindex=0
wait_log "$DIR" "reindex: [0-9]+ blocks read, [0-9]+ stored"
python3 - "$DIR/regtest/debug.log" "$BLOCKS" "$TMP/rate" <<'PY'
import datetime, re, sys
lines = open(sys.argv[1]).read().splitlines()
def ts(pattern):
    for l in lines:
        if re.search(pattern, l):
            return datetime.datetime.strptime(l.split()[0], "%Y-%m-%dT%H:%M:%S.%fZ")
    raise SystemExit("addressindex.sh: no log line matching " + pattern)
t = (ts(r"reindex: [0-9]+ blocks read, [0-9]+ stored") - ts(r"reindex: rebuilding the chainstate")).total_seconds()
n = int(sys.argv[2])
print(f"reindex: {n} blocks in {t:.2f} s: {n/t:.1f} blocks/s")
rate = float(open(sys.argv[3]).read())
print(f"addressindex / reindex = {rate / (n / t):.2f}x")
PY
stop_node "$DIR" "$RPC"
