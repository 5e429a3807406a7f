#!/usr/bin/env python3
"""Four nodes (0-1 and 2-3, bridged by 1-2) are partitioned; each half mines
its own chain with its own tx. After the bridge is restored every node is on
the most-work chain with equal state roots, and the losing branch's tx is
back in every mempool. A -reindex of a node whose block files hold both
branches rebuilds the same chain."""

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, wait_until

MINER = DEV_ACCOUNTS[9][0]


class P2PPartitionTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 4

    def setup_nodes(self):
        self.add_nodes(4, [["-debug=net"]] * 4)
        n = self.nodes
        n[0].start()
        n[1].start(extra_args=[f"-addnode=127.0.0.1:{n[0].p2p_port}"])
        n[2].start()
        n[3].start(extra_args=[f"-addnode=127.0.0.1:{n[2].p2p_port}"])

    def synced(self, nodes, timeout=120):
        tip = nodes[0].rpc.getbestblockhash()
        for node in nodes[1:]:
            wait_until(lambda node=node: node.rpc.getbestblockhash() == tip, timeout=timeout,
                       what=f"node{node.index} at {tip}")
        return tip

    def run_test(self):
        n = self.nodes
        bridge = f"127.0.0.1:{n[2].p2p_port}"
        n[1].rpc.addnode(bridge, "add")
        wait_until(lambda: n[2].rpc.getconnectioncount() == 2, what="bridge up")
        n[0].rpc.generatetoaddress(10, MINER)
        self.synced(n)

        self.log("partition: node1 drops the bridge")
        n[1].rpc.addnode(bridge, "remove")
        wait_until(lambda: n[2].rpc.getconnectioncount() == 1, what="bridge down")

        raw_a, tx_a = self.txtool.sign(DEV_ACCOUNTS[1][1], DEV_ACCOUNTS[5][0], 0, value=111)
        raw_b, tx_b = self.txtool.sign(DEV_ACCOUNTS[2][1], DEV_ACCOUNTS[5][0], 0, value=222)
        n[0].rpc.sendrawtransaction(raw_a)
        n[3].rpc.sendrawtransaction(raw_b)
        wait_until(lambda: tx_a in n[1].rpc.getrawmempool(), what="tx_a relayed in half A")
        wait_until(lambda: tx_b in n[2].rpc.getrawmempool(), what="tx_b relayed in half B")
        n[0].rpc.generatetoaddress(5, MINER)
        n[2].rpc.generatetoaddress(12, MINER)
        tip_a = self.synced([n[0], n[1]])
        tip_b = self.synced([n[2], n[3]])
        assert_equal(tip_a != tip_b, True)

        self.log("reconnect: everyone reorgs to the heavier half B")
        n[1].rpc.addnode(bridge, "add")
        tip = self.synced([n[2], n[0], n[1], n[3]])
        assert_equal(tip, tip_b)
        roots = {node.rpc.getblockchaininfo()["stateroot"] for node in n}
        assert_equal(len(roots), 1)
        for node in n:
            wait_until(lambda node=node: tx_a in node.rpc.getrawmempool(), timeout=60,
                       what=f"losing branch tx back in node{node.index}'s mempool")

        self.log("the returned tx is mined on the winning chain")
        block = n[3].rpc.generatetoaddress(1, MINER)[0]
        self.synced([n[3], n[0], n[1], n[2]])
        assert_equal(n[0].rpc.getrawtransaction(tx_a, True)["blockhash"], block)

        self.log("-reindex rebuilds node0's chainstate from block files holding both branches")
        info = n[0].rpc.getblockchaininfo()
        n[0].stop()
        n[0].start(extra_args=["-reindex"])
        after = n[0].rpc.getblockchaininfo()
        assert_equal((after["bestblockhash"], after["stateroot"]),
                     (info["bestblockhash"], info["stateroot"]))
        assert_equal(n[0].rpc.getrawtransaction(tx_a, True)["blockhash"], block)
        n[0].wait_for_log("reindex: 29 blocks read, 28 stored, 1 already stored, 0 invalid, 0 without parent")


if __name__ == "__main__":
    raise SystemExit(P2PPartitionTest().main())
