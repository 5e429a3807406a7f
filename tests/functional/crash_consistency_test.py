#!/usr/bin/env python3
"""Crash consistency: node1 is SIGKILLed at random points, again and again,
while both nodes mine and exchange transfers and test-module calls (module
state, logs and receipts), and node0, never killed, is the reference. Kills
land while node1 syncs, mines, accepts txs, and during its own start-up.
After each restart node1 reaches node0's tip and state root; at checkpoints
and at the end every block, receipt and tx-index entry agrees between the
two nodes, and no tx is lost or counted twice (each mined tx is in exactly
one block, its receipt and its tx-index entry name that block and index).

The default run makes DEPIN_CRASH_KILLS (50) kills in about a minute or two;
DEPIN_CRASH_KILLS=500 (or --kills=500) is the long variant, and
DEPIN_CRASH_SEED picks the random sequence (printed, so a failure can be
replayed)."""

import os
import random
import sys
import threading
import time

from test_framework.framework import DepinTestFramework
from test_framework.rpc import HTTPError, JSONRPCException, RpcClient
from test_framework.tx import DEV_ACCOUNTS, TEST_MODULE_ADDRESS
from test_framework.util import TestFailure, assert_equal, assert_true, wait_until

MINER0 = DEV_ACCOUNTS[8][0]
MINER1 = DEV_ACCOUNTS[9][0]
SENDERS = DEV_ACCOUNTS[:6]
RECEIVER = DEV_ACCOUNTS[7][0]
# keccak256("set(uint256,uint256)")[:4]
SET_SELECTOR = "0x1ab06ee5"


def option(name, env, default):
    for arg in sys.argv[1:]:
        if arg.startswith(f"--{name}="):
            sys.argv.remove(arg)
            return int(arg.split("=", 1)[1])
    return int(os.environ.get(env, default))


KILLS = option("kills", "DEPIN_CRASH_KILLS", 50)
SEED = option("seed", "DEPIN_CRASH_SEED", random.randrange(1 << 30))


class Activity:
    """A background thread that mines and sends txs to whichever node is up,
    until paused. Everything it does is best effort: the victim may die
    under any call."""

    def __init__(self, test, rng):
        self.test = test
        self.rng = rng
        self.running = threading.Event()
        self.stopped = False
        self.idle = threading.Event()
        self.error = None
        self.sent = 0
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        try:
            while not self.stopped:
                if not self.running.is_set():
                    self.idle.set()
                    time.sleep(0.01)
                    continue
                self.idle.clear()
                self.step()
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            self.error = e
            self.idle.set()

    @staticmethod
    def client(node):
        # Its own connection (the main thread uses node.rpc), with the cookie
        # of the node's current run.
        return RpcClient("127.0.0.1", node.rpc_port, auth=node.cookie())

    def step(self):
        n0, n1 = self.test.nodes
        r = self.rng.random()
        target = n0 if r < 0.5 or not n1.running() else n1
        try:
            client = self.client(target)
            try:
                if r < 0.2:
                    client.generatetoaddress(1, MINER0 if target is n0 else MINER1)
                else:
                    self.send(client)
            finally:
                client.close()
        except (OSError, JSONRPCException, HTTPError, TestFailure):
            pass  # the victim died under the call, or a tx raced another

    def send(self, client):
        reference = self.client(self.test.nodes[0])
        i = self.rng.randrange(len(SENDERS))
        addr, key = SENDERS[i]
        # The reference's pending nonce: a tx the victim took and lost in a
        # kill (never relayed) leaves no gap.
        try:
            nonce = int(reference.call("eth_getTransactionCount", addr, "pending"), 16)
        finally:
            reference.close()
        if self.rng.random() < 0.3:
            data = SET_SELECTOR + format(self.rng.randrange(8), "064x") + \
                format(self.rng.randrange(1, 1 << 32), "064x")
            raw, _ = self.test.txtool.sign(key, TEST_MODULE_ADDRESS, nonce, gas=200000, data=data)
        else:
            raw, _ = self.test.txtool.sign(key, RECEIVER, nonce, value=self.rng.randrange(1, 10**12))
        client.sendrawtransaction(raw)
        self.sent += 1

    def pause(self):
        self.running.clear()
        self.idle.wait(timeout=60)
        if self.error:
            raise self.error

    def resume(self):
        if self.error:
            raise self.error
        self.idle.clear()
        self.running.set()


class CrashConsistencyTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(2)
        self.nodes[0].start()
        self.nodes[1].extra_args = [f"-addnode=127.0.0.1:{self.nodes[0].p2p_port}"]
        self.nodes[1].start()

    def wait_synced(self, timeout=60):
        """Mines one block on node0 (which settles any tie between the two
        nodes' own blocks) and waits until node1 has it, its state root and
        its tx index caught up."""
        n0, n1 = self.nodes
        n0.rpc.generatetoaddress(1, MINER0)
        tip = n0.rpc.getbestblockhash()
        wait_until(lambda: n1.rpc.getbestblockhash() == tip, timeout=timeout,
                   what=f"node1 reaches node0's tip {tip}")
        height = n0.rpc.getblockcount()
        assert_equal(n1.rpc.getblockchaininfo()["stateroot"], n0.rpc.getblockchaininfo()["stateroot"])
        wait_until(lambda: n1.rpc.getindexinfo()["txindex"]["best_block_height"] == height,
                   timeout=timeout, what="node1's tx index caught up")
        return height

    def check_chains(self, from_height=0):
        """Blocks, receipts and tx-index entries agree, and each mined tx is in
        exactly one place."""
        n0, n1 = self.nodes
        height = n0.rpc.getblockcount()
        seen = {}
        for h in range(from_height, height + 1):
            b0 = n0.rpc.call("eth_getBlockByNumber", hex(h), False)
            b1 = n1.rpc.call("eth_getBlockByNumber", hex(h), False)
            assert_equal(b1, b0, f"block {h}")
            r0 = n0.rpc.call("eth_getBlockReceipts", hex(h))
            r1 = n1.rpc.call("eth_getBlockReceipts", hex(h))
            assert_equal(r1, r0, f"receipts of block {h}")
            assert_equal(len(r1), len(b1["transactions"]))
            for index, txid in enumerate(b1["transactions"]):
                assert_true(txid not in seen, f"tx {txid} in blocks {seen.get(txid)} and {h}")
                seen[txid] = h
                tx = n1.rpc.call("eth_getTransactionByHash", txid)
                assert_true(tx is not None, f"node1's tx index lost {txid}")
                assert_equal((tx["blockHash"], int(tx["blockNumber"], 16),
                              int(tx["transactionIndex"], 16)), (b1["hash"], h, index))
                assert_equal(n1.rpc.call("eth_getTransactionReceipt", txid), r0[index])
        return len(seen)

    def run_test(self):
        n0, n1 = self.nodes
        rng = random.Random(SEED)
        self.log(f"{KILLS} kills, seed {SEED} (DEPIN_CRASH_SEED={SEED} replays it)")
        assert_equal(n0.rpc.call("web3_sha3", "0x" + b"set(uint256,uint256)".hex())[:10],
                     SET_SELECTOR)
        n0.rpc.generatetoaddress(2, MINER0)
        self.wait_synced()

        activity = Activity(self, rng)
        activity.thread.start()
        kills = 0
        startup_kills = 0
        cycles = 0
        started = time.monotonic()
        last_checked = 0
        try:
            while kills < KILLS:
                cycles += 1
                activity.resume()
                # node1 runs under load for a while, then dies.
                time.sleep(rng.uniform(0.05, 1.0))
                n1.kill()
                kills += 1
                # Sometimes it dies again during its own start-up (opening the
                # databases, replaying, reconnecting).
                while kills < KILLS and rng.random() < 0.35:
                    n1.start(wait=False)
                    time.sleep(rng.uniform(0.0, 0.4))
                    n1.kill()
                    kills += 1
                    startup_kills += 1
                n1.start(wait=False)
                n1.wait_for_rpc(timeout=60)
                activity.pause()
                height = self.wait_synced()
                if cycles % 10 == 0:
                    self.check_chains(from_height=last_checked)
                    last_checked = height
            activity.resume()
            time.sleep(0.5)
            activity.pause()
        finally:
            activity.stopped = True
            activity.thread.join(timeout=30)

        height = self.wait_synced()
        mined = self.check_chains()
        elapsed = time.monotonic() - started
        self.log(f"{kills} kills ({startup_kills} during start-up) in {cycles} cycles, "
                 f"{elapsed:.0f}s; chain of {height} blocks with {mined} txs "
                 f"({activity.sent} sent)")
        assert_true(mined > 0, "txs were mined")
        assert_true(kills >= KILLS)

        self.log("a clean restart of node1 agrees too")
        n1.stop()
        n1.start()
        self.wait_synced()
        assert_equal(n1.rpc.getbestblockhash(), n0.rpc.getbestblockhash())


if __name__ == "__main__":
    sys.exit(CrashConsistencyTest().main())
