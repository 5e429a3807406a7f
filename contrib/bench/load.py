#!/usr/bin/env python3
"""Load on a 3-node loopback network (driven by contrib/bench/load.sh).

node0 mines (-mine: at most a block a second on regtest), node1 and node2
follow it in a line of P2P connections. Clients, one per dev account and
each bound to one node (so a sender's nonces reach its node in order), send
signed transfers over JSON-RPC at rising offered rates, STEP_SECONDS per
step. Reported per step: offered and accepted tx/s, txs included per second
of the step, and p50/p99 inclusion latency (send to the first block seen on
node0 that holds the tx); then the sustained rate (the highest step whose
txs were all included within the run and whose p99 stayed under 10 s), the
peak RSS of each node (VmHWM), and the final check: every tx a node
accepted is in a block (tx index) or in a mempool. Exits 1 when that check
fails."""

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "functional"))

from test_framework.node import TestNode  # noqa: E402
from test_framework.rpc import JSONRPCException, RpcClient  # noqa: E402
from test_framework.tx import DEV_ACCOUNTS, TxTool  # noqa: E402
from test_framework.util import wait_until  # noqa: E402

MINER = DEV_ACCOUNTS[9][0]
SENDERS = DEV_ACCOUNTS[:9]
RECEIVER = "0x000000000000000000000000000000000000dEaD"


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", default="build/bin")
    ap.add_argument("--tmpdir", required=True)
    ap.add_argument("--rates", default="10,25,50,100,200")
    ap.add_argument("--step-seconds", type=float, default=10)
    ap.add_argument("--sign-threads", type=int, default=4)
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    bindir = os.path.abspath(args.bindir)

    nodes = [TestNode(i, args.tmpdir, bindir) for i in range(3)]
    nodes[0].extra_args = ["-mine", f"-mineraddress={MINER}"]
    nodes[1].extra_args = [f"-addnode=127.0.0.1:{nodes[0].p2p_port}"]
    nodes[2].extra_args = [f"-addnode=127.0.0.1:{nodes[1].p2p_port}"]
    for n in nodes:
        n.start()
    try:
        return run(nodes, rates, args, bindir)
    finally:
        for n in nodes:
            if n.running():
                try:
                    n.stop(timeout=60)
                except Exception:  # noqa: BLE001
                    n.kill()


def run(nodes, rates, args, bindir):
    wait_until(lambda: nodes[2].rpc.getconnectioncount() >= 1, what="node2 connected")
    wait_until(lambda: nodes[2].rpc.getblockcount() >= 1, timeout=60, what="blocks flow")

    # Set-up, not timed: sign every tx of every step in advance.
    tool = TxTool(bindir)
    plan = []  # (step, sender index, nonce)
    nonces = [0] * len(SENDERS)
    for step, rate in enumerate(rates):
        for i in range(int(rate * args.step_seconds)):
            s = i % len(SENDERS)
            plan.append((step, s, nonces[s]))
            nonces[s] += 1
    t0 = time.monotonic()

    def sign(item):
        step, s, nonce = item
        raw, h = tool.sign(SENDERS[s][1], RECEIVER, nonce, value=1 + nonce)
        return step, s, raw, h

    with ThreadPoolExecutor(args.sign_threads) as pool:
        signed = list(pool.map(sign, plan))
    print(f"load: signed {len(signed)} txs in {time.monotonic() - t0:.1f}s (set-up)", flush=True)

    sent_at = {}
    accepted = {}  # hash -> step
    rejected = {}
    included_at = {}
    lock = threading.Lock()
    stop = threading.Event()

    def watch_blocks():
        client = RpcClient("127.0.0.1", nodes[0].rpc_port, auth=nodes[0].cookie())
        seen = client.getblockcount()
        while not stop.is_set():
            tip = client.getblockcount()
            while seen < tip:
                seen += 1
                block = client.call("eth_getBlockByNumber", hex(seen), False)
                now = time.monotonic()
                with lock:
                    for h in block["transactions"]:
                        included_at.setdefault(h, now)
            time.sleep(0.05)
        client.close()

    watcher = threading.Thread(target=watch_blocks, daemon=True)
    watcher.start()

    # One client per sender, each on its node; each step's txs of a sender
    # go out evenly over the step.
    by_sender_step = {}
    for step, s, raw, h in signed:
        by_sender_step.setdefault((s, step), []).append((raw, h))

    def client_loop(s):
        node = nodes[s % 3]
        client = RpcClient("127.0.0.1", node.rpc_port, auth=node.cookie())
        for step, rate in enumerate(rates):
            txs = by_sender_step.get((s, step), [])
            start = step_starts[step]
            gap = args.step_seconds / max(1, len(txs))
            for k, (raw, h) in enumerate(txs):
                due = start + k * gap
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                t = time.monotonic()
                try:
                    client.sendrawtransaction(raw)
                    with lock:
                        sent_at[h] = t
                        accepted[h] = step
                except JSONRPCException as e:
                    with lock:
                        rejected[e.message.split(":")[0]] = rejected.get(e.message.split(":")[0], 0) + 1
        client.close()

    begin = time.monotonic() + 0.5
    step_starts = [begin + i * args.step_seconds for i in range(len(rates))]
    threads = [threading.Thread(target=client_loop, args=(s,)) for s in range(len(SENDERS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end_sending = time.monotonic()
    # Let the last txs in: until the pools are empty or 30 s pass.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            pending = [h for h in accepted if h not in included_at]
        if not pending:
            break
        time.sleep(0.5)
    stop.set()
    watcher.join(timeout=10)

    print(f"load: 3 nodes, {len(SENDERS)} senders; steps of {args.step_seconds:.0f}s")
    print(f"{'offered/s':>10} {'accepted/s':>11} {'included/s':>11} {'p50 ms':>8} {'p99 ms':>8}")
    sustained = 0
    for step, rate in enumerate(rates):
        hashes = [h for h, st in accepted.items() if st == step]
        lat = [(included_at[h] - sent_at[h]) * 1000 for h in hashes if h in included_at]
        in_step = sum(1 for h in hashes if h in included_at and
                      included_at[h] < step_starts[step] + args.step_seconds)
        p50, p99 = percentile(lat, 50), percentile(lat, 99)
        print(f"{rate:>10} {len(hashes) / args.step_seconds:>11.1f} "
              f"{in_step / args.step_seconds:>11.1f} {p50:>8.0f} {p99:>8.0f}")
        if hashes and len(lat) == len(hashes) and len(hashes) >= 0.99 * rate * args.step_seconds \
                and p99 < 10000:
            sustained = rate
    print(f"sustained: {sustained} tx/s (all included, p99 < 10 s)")
    if rejected:
        print("rejected: " + ", ".join(f"{k} x{v}" for k, v in sorted(rejected.items())))
    print("peak RSS (MiB): " + ", ".join(
        f"node{n.index} {peak_rss_mib(n.process.pid):.0f}" for n in nodes))
    print(f"sending took {end_sending - begin:.1f}s")

    # Every accepted tx is in a block or in a mempool.
    pools = set()
    for n in nodes:
        pools.update(n.rpc.getrawmempool())
    missing = []
    for h in accepted:
        if h in pools:
            continue
        tx = nodes[0].rpc.call("eth_getTransactionByHash", h)
        if tx is None or tx.get("blockHash") is None:
            missing.append(h)
    in_blocks = len(accepted) - len(missing) - sum(1 for h in accepted if h in pools)
    print(f"check: {len(accepted)} accepted, {in_blocks} in blocks, "
          f"{sum(1 for h in accepted if h in pools)} in a mempool, {len(missing)} lost")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
