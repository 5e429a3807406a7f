#!/usr/bin/env python3
"""A -dev node with -devblocktime=0 mines a block as soon as a tx arrives and
answers the test-node methods of Hardhat and Anvil (evm_mine, evm_snapshot /
evm_revert, evm_increaseTime, evm_setNextBlockTimestamp, anvil_mine /
hardhat_mine, evm_setAutomine, evm_setIntervalMining, anvil_setBalance /
hardhat_setBalance, whose edit a second node syncing the chain agrees on)
without credentials;
bad input gets -32602 with the reason; the methods are unknown (-32601)
without -dev and on the public port; bad -devblocktime values stop the node
before it writes its datadir."""

import os
import time

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import (assert_equal, assert_raises_rpc_error, assert_true, free_port,
                                 wait_until)

DAY = 86400


class DevMethodsTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.public_port = free_port()
        self.add_nodes(2)
        self.nodes[0].start(extra_args=["-dev", "-devblocktime=0",
                                        f"-rpcpublicport={self.public_port}"])
        # Plain regtest (no test-node methods), syncing the dev chain.
        self.nodes[1].start(extra_args=[f"-connect=127.0.0.1:{self.nodes[0].p2p_port}"])

    def send(self, node, sender, nonce, value=1):
        raw, txid = self.txtool.sign(DEV_ACCOUNTS[sender][1], DEV_ACCOUNTS[9][0], nonce=nonce,
                                     value=value)
        assert_equal(node.dev.eth_sendRawTransaction(raw), txid)
        return txid

    def tip(self, node):
        return node.dev.eth_getBlockByNumber("latest", False)

    def run_test(self):
        node = self.nodes[0]
        # Anonymous: the test-node methods need no credentials on a dev node.
        node.dev = node.client()

        self.log("-devblocktime=0: a tx is mined at once, no block without one")
        h0 = int(node.dev.eth_blockNumber(), 16)
        time.sleep(0.5)
        assert_equal(int(node.dev.eth_blockNumber(), 16), h0)
        txid = self.send(node, 1, 0)
        receipt = wait_until(lambda: node.dev.eth_getTransactionReceipt(txid), timeout=10,
                             what="receipt of the automined tx")
        assert_equal(receipt["status"], "0x1")
        assert_equal(int(receipt["blockNumber"], 16), h0 + 1)
        assert_equal(node.dev.getmininginfo()["devautomine"], True)
        assert_equal(node.dev.getmininginfo()["devblocktime"], 0)

        self.log("txs waiting when automine comes back share one block")
        assert_equal(node.dev.evm_setAutomine(False), True)
        txids = [self.send(node, 2, n) for n in range(3)]
        time.sleep(0.3)
        assert_equal(int(node.dev.eth_blockNumber(), 16), h0 + 1)
        assert_equal(node.dev.evm_setAutomine(True), True)
        wait_until(lambda: all(node.dev.eth_getTransactionReceipt(t) for t in txids), timeout=10,
                   what="the three txs mined")
        blocks = {node.dev.eth_getTransactionReceipt(t)["blockNumber"] for t in txids}
        assert_equal(len(blocks), 1, "one block for the three")
        assert_raises_rpc_error(-32602, "expected bool", node.dev.evm_setAutomine, "yes")

        self.log("anvil_setBalance / hardhat_setBalance: a faucet transfer in a block of its own")
        fresh = "0x00000000000000000000000000000000C0FFEE01"
        height = int(node.dev.eth_blockNumber(), 16)
        assert_equal(node.dev.anvil_setBalance(fresh, hex(10**21)), None)
        assert_equal(node.dev.eth_getBalance(fresh, "latest"), hex(10**21))
        assert_equal(int(node.dev.eth_blockNumber(), 16), height + 1)
        assert_equal(node.dev.hardhat_setBalance(fresh, hex(5 * 10**21)), None)
        assert_equal(node.dev.eth_getBalance(fresh, "latest"), hex(5 * 10**21))
        # Same balance: nothing to do, no block.
        assert_equal(node.dev.hardhat_setBalance(fresh, hex(5 * 10**21)), None)
        assert_equal(int(node.dev.eth_blockNumber(), 16), height + 2)
        # A dev account's nonce is untouched (the faucet sends).
        rich = DEV_ACCOUNTS[5][0]
        node.dev.anvil_setBalance(rich, hex(10**24))
        assert_equal(node.dev.eth_getBalance(rich, "latest"), hex(10**24))
        assert_equal(node.dev.eth_getTransactionCount(rich, "latest"), "0x0")
        assert_raises_rpc_error(-32602, "dev-balance-lower", node.dev.anvil_setBalance, fresh,
                                hex(10**21))
        assert_raises_rpc_error(-32602, "dev-balance-faucet", node.dev.anvil_setBalance,
                                "0x4b39F7b0624b9dB86AD293686bc38B903142dbBc", hex(1))
        assert_raises_rpc_error(-32602, "expected", node.dev.anvil_setBalance, "0x1234", "0x1")
        assert_raises_rpc_error(-32602, "expected hex quantity", node.dev.anvil_setBalance,
                                fresh, 1000)
        assert_raises_rpc_error(-32602, "expected hex quantity", node.dev.anvil_setBalance,
                                fresh, "-0x1")
        assert_raises_rpc_error(-32602, "missing", node.dev.hardhat_setBalance, fresh)
        self.log("a plain regtest node syncing the dev chain agrees on the edited balances")
        plain = self.nodes[1]
        tip = self.tip(node)["hash"]
        wait_until(lambda: plain.rpc.getbestblockhash() == tip, timeout=30, what="peer synced")
        assert_equal(plain.rpc.eth_getBalance(fresh, "latest"), hex(5 * 10**21))
        assert_equal(plain.rpc.eth_getBalance(rich, "latest"), hex(10**24))
        self.log("without -dev the test-node methods are unknown")
        for method in ("evm_mine", "evm_snapshot", "evm_revert", "anvil_mine", "hardhat_mine",
                       "evm_setAutomine", "evm_increaseTime", "evm_setNextBlockTimestamp",
                       "evm_setIntervalMining", "anvil_setBalance", "hardhat_setBalance"):
            assert_raises_rpc_error(-32601, "Method not found", getattr(plain.rpc, method))
        # The rest moves the dev chain's time days ahead and rewinds it: a
        # single-node dev chain (docs/dev-node.md).
        plain.stop()

        self.log("evm_mine, with and without a timestamp; timestamps never go back")
        height = int(node.dev.eth_blockNumber(), 16)
        assert_equal(node.dev.evm_mine(), "0x0")
        assert_equal(int(node.dev.eth_blockNumber(), 16), height + 1)
        tip_time = int(self.tip(node)["timestamp"], 16)
        assert_equal(node.dev.evm_mine(tip_time + 100), "0x0")
        assert_equal(int(self.tip(node)["timestamp"], 16), tip_time + 100)
        assert_equal(node.dev.evm_mine(hex(tip_time + 200)), "0x0")
        assert_equal(int(self.tip(node)["timestamp"], 16), tip_time + 200)
        assert_raises_rpc_error(-32602, "lower than or equal to the latest block's timestamp",
                                node.dev.evm_mine, tip_time)
        assert_raises_rpc_error(-32602, "expected non-negative integer or hex quantity",
                                node.dev.evm_mine, -5)
        assert_raises_rpc_error(-32602, "expected non-negative integer or hex quantity",
                                node.dev.evm_mine, "soon")

        self.log("evm_setNextBlockTimestamp and evm_increaseTime move the dev clock")
        latest = int(self.tip(node)["timestamp"], 16)
        assert_raises_rpc_error(-32602, "dev-timestamp-not-after-tip",
                                node.dev.evm_setNextBlockTimestamp, latest - 10)
        assert_raises_rpc_error(-32602, "dev-timestamp-not-after-tip",
                                node.dev.evm_setNextBlockTimestamp, latest)
        assert_equal(node.dev.evm_setNextBlockTimestamp(latest + DAY), None)
        node.dev.evm_mine()
        assert_equal(int(self.tip(node)["timestamp"], 16), latest + DAY)
        # Three days ahead, well past the two-hour future rule of the real clock.
        offset = node.dev.evm_increaseTime(3 * DAY)
        assert_true(offset >= 4 * DAY - 5, f"offset {offset} includes the chosen day")
        before = int(self.tip(node)["timestamp"], 16)
        node.dev.evm_mine()
        assert_true(int(self.tip(node)["timestamp"], 16) >= before + 3 * DAY, "three days on")
        assert_raises_rpc_error(-32602, "expected", node.dev.evm_increaseTime, -1)
        assert_raises_rpc_error(-32602, "dev-time-overflow", node.dev.evm_increaseTime,
                                "0xffffffffffffffff")
        assert_raises_rpc_error(-32602, "hex quantity exceeds 64 bits",
                                node.dev.evm_increaseTime, "0x10000000000000000")
        assert_raises_rpc_error(-32602, "missing", node.dev.evm_increaseTime)

        self.log("anvil_mine / hardhat_mine: several blocks, spaced by the interval")
        height = int(node.dev.eth_blockNumber(), 16)
        assert_equal(node.dev.hardhat_mine("0x5", "0x3c"), None)
        assert_equal(int(node.dev.eth_blockNumber(), 16), height + 5)
        times = [int(node.dev.eth_getBlockByNumber(hex(h), False)["timestamp"], 16)
                 for h in range(height + 1, height + 6)]
        assert_equal([b - a for a, b in zip(times, times[1:])], [60] * 4)
        assert_equal(node.dev.anvil_mine(2), None)
        assert_equal(int(node.dev.eth_blockNumber(), 16), height + 7)
        assert_equal(node.dev.anvil_mine(), None)
        assert_equal(int(node.dev.eth_blockNumber(), 16), height + 8)
        assert_raises_rpc_error(-32602, "dev-mine-count", node.dev.anvil_mine, 0)
        assert_raises_rpc_error(-32602, "dev-mine-count", node.dev.hardhat_mine, "0x2711")
        assert_raises_rpc_error(-32602, "expected non-negative integer", node.dev.anvil_mine, -3)
        assert_raises_rpc_error(-32602, "takes at most 2 parameters", node.dev.anvil_mine, 1, 1, 1)

        self.log("evm_snapshot / evm_revert: a local reorg with pool, indexes and clock")
        sender = DEV_ACCOUNTS[3][0]
        balance = node.dev.eth_getBalance(sender, "latest")
        height = int(node.dev.eth_blockNumber(), 16)
        clock_before = node.dev.evm_increaseTime(0)
        snap = node.dev.evm_snapshot()
        assert_equal(snap, "0x1")
        mined = self.send(node, 3, 0, value=10**18)
        wait_until(lambda: node.dev.eth_getTransactionReceipt(mined), timeout=10, what="mined")
        node.dev.evm_setAutomine(False)
        pending = self.send(node, 3, 1)
        node.dev.evm_increaseTime(DAY)
        node.dev.anvil_mine(3)  # takes the pending tx too
        node.dev.evm_setAutomine(True)
        late = self.send(node, 4, 0)
        wait_until(lambda: node.dev.eth_getTransactionReceipt(late), timeout=10, what="late")
        assert_true(int(node.dev.eth_blockNumber(), 16) >= height + 5, "blocks since snapshot")
        snap2 = node.dev.evm_snapshot()
        assert_equal(snap2, "0x2")
        assert_equal(node.dev.evm_revert(snap), True)
        assert_equal(int(node.dev.eth_blockNumber(), 16), height)
        assert_equal(node.dev.eth_getBalance(sender, "latest"), balance)
        for t in (mined, pending, late):
            assert_equal(node.dev.eth_getTransactionReceipt(t), None)
            assert_equal(node.dev.eth_getTransactionByHash(t), None)
        assert_equal(node.dev.getmempoolinfo()["size"], 0)
        assert_equal(node.dev.evm_increaseTime(0), clock_before)
        # Used up, and so is the later one; unknown ids are false too.
        assert_equal(node.dev.evm_revert(snap), False)
        assert_equal(node.dev.evm_revert(snap2), False)
        assert_equal(node.dev.evm_revert("0x99"), False)
        assert_raises_rpc_error(-32602, "expected", node.dev.evm_revert, "one")
        # The chain goes on from the snapshot's block, and the same tx mines again.
        again = self.send(node, 3, 0, value=10**18)
        assert_equal(again, mined)
        wait_until(lambda: node.dev.eth_getTransactionReceipt(again), timeout=10, what="again")
        assert_equal(int(node.dev.eth_getTransactionReceipt(again)["blockNumber"], 16),
                     height + 1)
        # Snapshot, revert at once, snapshot again: ids keep counting.
        s3 = node.dev.evm_snapshot()
        assert_equal(node.dev.evm_revert(s3), True)
        assert_equal(node.dev.evm_snapshot(), "0x4")

        self.log("evm_setIntervalMining: blocks on a (fractional) interval, 0 stops it")
        height = int(node.dev.eth_blockNumber(), 16)
        assert_equal(node.dev.evm_setIntervalMining(200), True)
        assert_equal(node.dev.getmininginfo()["devblocktime"], 0.2)
        wait_until(lambda: int(node.dev.eth_blockNumber(), 16) >= height + 3, timeout=10,
                   what="interval blocks")
        assert_equal(node.dev.anvil_setIntervalMining(0), True)
        time.sleep(0.3)
        stopped = int(node.dev.eth_blockNumber(), 16)
        time.sleep(0.6)
        assert_equal(int(node.dev.eth_blockNumber(), 16), stopped)
        assert_raises_rpc_error(-32602, "at most 86400000", node.dev.evm_setIntervalMining,
                                86400001)
        assert_raises_rpc_error(-32602, "expected", node.dev.evm_setIntervalMining, -1)

        self.log("not on the public port")
        public = node.client(port=self.public_port)
        assert_raises_rpc_error(-32601, "not available on the public port", public.evm_mine)
        assert_raises_rpc_error(-32601, "not available on the public port",
                                public.anvil_setBalance, DEV_ACCOUNTS[0][0], "0x1")

        self.log("bad -devblocktime values stop the node before it writes its datadir")
        for bad, message in (("-1", "takes a number >= 0"), ("nan", "takes a number >= 0"),
                             ("abc", "takes a number >= 0"), ("1e9", "takes a number >= 0"),
                             ("100000", "-devblocktime must be 0"),
                             ("0.0001", "at least 0.001")):
            fresh = os.path.join(self.tmpdir, "fresh-" + bad.replace(".", "_"))
            plain.assert_start_fails(
                None, message,
                replace_args=[plain.binary, "-dev", f"-datadir={fresh}",
                              f"-rpcport={plain.rpc_port}", f"-devblocktime={bad}"])
            assert_true(not os.path.exists(fresh), f"{fresh} was created for -devblocktime={bad}")

        self.log("fractional -devblocktime: blocks every half second")
        plain.datadir = os.path.join(self.tmpdir, "half")
        plain.start(replace_args=[plain.binary, "-dev", f"-datadir={plain.datadir}",
                                  f"-rpcport={plain.rpc_port}", f"-port={plain.p2p_port}",
                                  "-devblocktime=0.5"])
        started = time.monotonic()
        wait_until(lambda: plain.client().getblockcount() >= 4, timeout=20, what="4 blocks")
        assert_true(time.monotonic() - started < 4, "half-second blocks")
        assert_true("a block every 0.5 s" in plain.read_stdout(), "banner says 0.5 s")
        plain.stop()


if __name__ == "__main__":
    raise SystemExit(DevMethodsTest().main())
