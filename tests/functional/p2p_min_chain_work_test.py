#!/usr/bin/env python3
"""Minimum chain work and headers presync between real nodes: a node whose
-minimumchainwork is above a peer's chain neither stores that chain's headers
nor downloads its blocks, and adopts it once it has the work; a chain longer
than one headers message goes through presync and redownload; a chain that
never reaches the minimum leaves nothing stored; a bad -minimumchainwork is
refused at start-up. Then invalidateblock / reconsiderblock: the operator
moves a node off a block (stored across a restart) and back."""

import os
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_raises_rpc_error, wait_until

MINER = DEV_ACCOUNTS[9][0]
OTHER_MINER = DEV_ACCOUNTS[8][0]


def work_at(node, height):
    return int(node.rpc.getblockheader(node.rpc.getblockhash(height))["chainwork"], 16)


class MinChainWorkTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 4

    def setup_nodes(self):
        self.add_nodes(self.num_nodes, [["-debug=net"]] * self.num_nodes)

    def chaingen(self, node, blocks):
        tool = os.path.join(self.options.bindir, "depin-chaingen")
        out = subprocess.run([tool, f"--datadir={node.datadir}", f"--blocks={blocks}", "--txs=0"],
                             capture_output=True, text=True, timeout=300)
        assert_equal(out.returncode, 0)

    def run_test(self):
        n = self.nodes
        src = n[0]
        self.log("node0 holds a 2,600-block chain (more than one headers message)")
        self.chaingen(src, 2600)
        src.start()
        assert_equal(src.rpc.getblockcount(), 2600)
        per_block = work_at(src, 2) - work_at(src, 1)
        genesis = src.rpc.getblockhash(0)

        self.log("a bad -minimumchainwork is refused")
        n[1].assert_start_fails(["-minimumchainwork=0xnothex"], "-minimumchainwork")
        n[1].assert_start_fails(["-minimumchainwork=" + "1" * 65], "-minimumchainwork")

        self.log("a minimum above the whole chain: presync, then nothing stored or downloaded")
        high = hex(work_at(src, 2600) + 100 * per_block)
        n[1].start([f"-minimumchainwork={high}", f"-connect=127.0.0.1:{src.p2p_port}"])
        n[1].wait_for_log("below the minimum chain work; nothing of it stored", timeout=60)
        info = n[1].rpc.getblockchaininfo()
        assert_equal((info["blocks"], info["headers"]), (0, 0))
        for height in (1, 2000, 2600):
            assert_raises_rpc_error(-5, None, n[1].rpc.getblockheader,
                                    src.rpc.getblockhash(height))
        assert_equal(n[1].rpc.getbestblockhash(), genesis)

        self.log("a minimum inside the chain's second message: presync, redownload, sync")
        mid = hex(work_at(src, 2300))
        n[2].start([f"-minimumchainwork={mid}", f"-connect=127.0.0.1:{src.p2p_port}"])
        n[2].wait_for_log("downloading its headers again to store them", timeout=60)
        wait_until(lambda: n[2].rpc.getbestblockhash() == src.rpc.getbestblockhash(), timeout=180,
                   what="node2 synced after presync")
        assert_equal(n[2].rpc.getblockchaininfo()["stateroot"],
                     src.rpc.getblockchaininfo()["stateroot"])

        self.log("node1 adopts the chain once it passes node1's minimum")
        src.rpc.generatetoaddress(150, MINER)
        wait_until(lambda: n[1].rpc.getbestblockhash() == src.rpc.getbestblockhash(), timeout=180,
                   what="node1 synced once the chain has the work")
        n[1].stop()
        n[2].stop()

        self.log("invalidateblock moves node3 off a block, across a restart; reconsider undoes it")
        node = n[3]
        node.start([f"-connect=127.0.0.1:{src.p2p_port}"])
        wait_until(lambda: node.rpc.getbestblockhash() == src.rpc.getbestblockhash(), timeout=180,
                   what="node3 synced")
        tip_height = node.rpc.getblockcount()
        bad = node.rpc.getblockhash(tip_height - 5)
        assert_equal(node.rpc.invalidateblock(bad), None)
        assert_equal(node.rpc.getblockcount(), tip_height - 6)
        assert_equal(node.rpc.getbestblockhash(), node.rpc.getblockhash(tip_height - 6))
        # Its own blocks now make a branch that the peer's heavier chain
        # cannot replace: it is invalid here.
        own = node.rpc.generatetoaddress(2, OTHER_MINER)
        src.rpc.generatetoaddress(1, MINER)
        node.stop()
        node.start([f"-connect=127.0.0.1:{src.p2p_port}"])
        assert_equal(node.rpc.getbestblockhash(), own[-1])
        assert_equal(node.rpc.getblockheader(bad)["confirmations"], -1)
        assert_equal(node.rpc.reconsiderblock(bad), None)
        wait_until(lambda: node.rpc.getbestblockhash() == src.rpc.getbestblockhash(), timeout=60,
                   what="node3 back on the most-work chain")

        self.log("bad input: unknown block, genesis, malformed hash, missing argument")
        unknown = "0x" + "11" * 32
        assert_raises_rpc_error(-5, "block-not-found", node.rpc.invalidateblock, unknown)
        assert_raises_rpc_error(-5, "block-not-found", node.rpc.reconsiderblock, unknown)
        assert_raises_rpc_error(-32000, "invalidate-genesis", node.rpc.invalidateblock, genesis)
        assert_raises_rpc_error(-32602, None, node.rpc.invalidateblock, "0x1234")
        assert_raises_rpc_error(-32602, None, node.rpc.reconsiderblock)
        self.log("both are admin methods: refused without credentials")
        assert_raises_rpc_error(-32001, None, node.client().invalidateblock, bad)
        assert_equal(node.rpc.getbestblockhash(), src.rpc.getbestblockhash())


if __name__ == "__main__":
    raise SystemExit(MinChainWorkTest().main())
