#!/usr/bin/env python3
"""depin-chaingen (the sync benchmark's chain writer) makes an ordinary
datadir: depind opens it at the written height with the transfers applied,
extends it, a second node syncs it over P2P to the same state root, and
chaingen extends a chain again after depind has written to it."""

import os
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_true, wait_until

MINER = "0x000000000000000000000000000000000000bEEF"


class ChaingenTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def chaingen(self, blocks, txs):
        tool = os.path.join(self.options.bindir, "depin-chaingen")
        out = subprocess.run([tool, f"--datadir={self.nodes[0].datadir}", f"--blocks={blocks}",
                              f"--txs={txs}"], capture_output=True, text=True, timeout=120)
        assert_equal(out.returncode, 0)
        return out.stdout.strip()

    def run_test(self):
        self.log("bad arguments are refused with a usage line")
        tool = os.path.join(self.options.bindir, "depin-chaingen")
        for args in ([], ["--blocks=0", f"--datadir={self.nodes[0].datadir}"],
                     ["--datadir=/x", "--blocks=5", "stray"], ["--datadir"]):
            out = subprocess.run([tool] + args, capture_output=True, text=True, timeout=30)
            assert_equal(out.returncode, 2)
            assert_true("usage: depin-chaingen" in out.stderr, out.stderr)
        tip = self.chaingen(40, 7)
        src = self.nodes[0]
        src.start()
        rpc = src.rpc
        assert_equal(rpc.getblockcount(), 40)
        assert_equal(rpc.getbestblockhash(), tip)
        self.log("each dev account sent its share of the 280 transfers")
        counts = [int(rpc.eth_getTransactionCount(addr, "latest"), 16)
                  for addr, _ in DEV_ACCOUNTS[:10]]
        assert_equal(sum(counts), 280)
        assert_equal(counts[0], 40)  # tx 0 of every block
        assert_equal(len(rpc.getblock(tip)["tx"]), 7)
        rpc.generatetoaddress(2, MINER)

        self.log("a fresh node syncs the written chain to the same state root")
        dst = self.nodes[1]
        dst.start([f"-connect=127.0.0.1:{src.p2p_port}"])
        wait_until(lambda: dst.rpc.getbestblockhash() == rpc.getbestblockhash(), timeout=60)
        assert_equal(dst.rpc.getblockchaininfo()["stateroot"], rpc.getblockchaininfo()["stateroot"])
        dst.stop()

        self.log("chaingen extends a chain depind has written to")
        src.stop()
        self.chaingen(50, 3)
        src.start()
        assert_equal(src.rpc.getblockcount(), 50)


if __name__ == "__main__":
    raise SystemExit(ChaingenTest().main())
