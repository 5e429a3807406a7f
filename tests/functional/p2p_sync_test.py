#!/usr/bin/env python3
"""Three nodes in a line (node0 <- node1 <- node2) sync a 2,000-block chain
with transfers headers-first; a tx sent to the last node reaches every
mempool and the next block; a node killed mid-sync resumes after restart.
P2P RPCs (getpeerinfo, getconnectioncount, getnettotals, getnetworkinfo,
ping, addnode, disconnectnode) answer along the way."""

import os

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_true, wait_until

# 5-35 s on two cores (idle to loaded); DEPIN_P2P_SYNC_BLOCKS picks another size.
BLOCKS = int(os.environ.get("DEPIN_P2P_SYNC_BLOCKS", "2000"))
MINER = DEV_ACCOUNTS[9][0]


class P2PSyncTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 3

    def setup_nodes(self):
        self.add_nodes(3)
        self.nodes[0].start()

    def send_transfers(self, node, count, nonce_base):
        hashes = []
        for i in range(count):
            sender = DEV_ACCOUNTS[i % 4]
            raw, h = self.txtool.sign(sender[1], DEV_ACCOUNTS[5][0], nonce_base[i % 4], value=10**15)
            nonce_base[i % 4] += 1
            node.rpc.sendrawtransaction(raw)
            hashes.append(h)
        return hashes

    def run_test(self):
        n0, n1, n2 = self.nodes
        self.log(f"node0 mines {BLOCKS} blocks with transfers")
        nonces = [0, 0, 0, 0]
        mined = 0
        while mined < BLOCKS:
            if mined % 200 == 0:
                self.send_transfers(n0, 8, nonces)
            step = min(100, BLOCKS - mined)
            n0.rpc.generatetoaddress(step, MINER)
            mined += step
        tip = n0.rpc.getbestblockhash()
        root = n0.rpc.getblockchaininfo()["stateroot"]

        self.log("node1 syncs from node0, node2 from node1")
        n1.start(extra_args=[f"-addnode=127.0.0.1:{n0.p2p_port}"])
        n2.start(extra_args=[f"-addnode=127.0.0.1:{n1.p2p_port}"])
        for node in (n1, n2):
            wait_until(lambda node=node: node.rpc.getbestblockhash() == tip, timeout=600,
                       what=f"node{node.index} synced")
            info = node.rpc.getblockchaininfo()
            assert_equal(info["stateroot"], root)
            assert_equal(info["blocks"], BLOCKS)
        assert_true("sync: height" in n2.read_debug_log(), "progress lines in the log")

        self.log("P2P RPCs")
        assert_equal(n1.rpc.getconnectioncount(), 2)
        peers = n1.rpc.getpeerinfo()
        assert_equal(sorted(p["inbound"] for p in peers), [False, True])
        n1.rpc.ping()
        wait_until(lambda: all("pingtime" in p for p in n1.rpc.getpeerinfo()), what="pong")
        totals = n1.rpc.getnettotals()
        assert_true(totals["totalbytesrecv"] > 0 and totals["totalbytessent"] > 0)
        info = n1.rpc.getnetworkinfo()
        assert_equal((info["connections"], info["connections_in"], info["connections_out"]),
                     (2, 1, 1))
        assert_true(isinstance(info["localaddresses"], list))
        assert_equal(n2.rpc.getblockchaininfo()["verificationprogress"], 1.0)

        self.log("a tx sent to node2 reaches every mempool and the next block")
        raw, h = self.txtool.sign(DEV_ACCOUNTS[6][1], DEV_ACCOUNTS[7][0], 0, value=12345)
        n2.rpc.sendrawtransaction(raw)
        for node in self.nodes:
            wait_until(lambda node=node: h in node.rpc.getrawmempool(), timeout=60,
                       what=f"tx in node{node.index} mempool")
        block = n0.rpc.generatetoaddress(1, MINER)[0]
        for node in self.nodes:
            wait_until(lambda node=node: node.rpc.getbestblockhash() == block, timeout=60)
            wait_until(lambda node=node: h not in node.rpc.getrawmempool(), timeout=30)
        assert_equal(n2.rpc.getrawtransaction(h, True)["blockhash"], block)

        self.log("node2 killed mid-sync resumes after restart")
        n2.stop()
        n0.rpc.generatetoaddress(300, MINER)
        tip = n0.rpc.getbestblockhash()
        n2.start(extra_args=[f"-addnode=127.0.0.1:{n1.p2p_port}"])
        wait_until(lambda: n2.rpc.getblockcount() > BLOCKS + 1, timeout=300, what="sync started")
        n2.kill()
        n2.start(extra_args=[f"-addnode=127.0.0.1:{n1.p2p_port}"])
        wait_until(lambda: n2.rpc.getbestblockhash() == tip, timeout=300, what="resumed sync")

        self.log("disconnectnode and addnode remove")
        n1.rpc.addnode(f"127.0.0.1:{n0.p2p_port}", "remove")
        wait_until(lambda: n1.rpc.getconnectioncount() == 1, what="node0 dropped")


if __name__ == "__main__":
    raise SystemExit(P2PSyncTest().main())
