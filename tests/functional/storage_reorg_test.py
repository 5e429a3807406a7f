#!/usr/bin/env python3
"""A reorg across a prove-commit: a provider node and a client node prove a
sector while a third node, cut off after the pre-commit, mines a longer
chain without the prove-commit. When the third node comes back, the others
reorganize onto its chain: the deal and the sector read exactly as on the
chain that never saw the prove-commit (pre-committed, the deal proposed),
and the provider role proves the sector again against the new chain's seed
until it is active."""

import os

from test_framework.framework import DepinTestFramework
from test_framework.storage import MINER, ProviderHarness
from test_framework.util import assert_equal, wait_until


class StorageReorgTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 3

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def run_test(self):
        h = ProviderHarness(self)
        provider, client, other = self.nodes
        h.start()
        other.start()
        bridge = f"127.0.0.1:{other.p2p_port}"
        client.rpc.addnode(bridge, "add")
        wait_until(lambda: other.rpc.getconnectioncount() == 1, what="third node connected")
        h.step_until(lambda: provider.rpc.call("storage_getSealingStatus")["registered"],
                     "provider registered")

        self.log("deal proposed, data imported, sector pre-committed on all three nodes")
        data = os.urandom(900)
        start = client.rpc.getblockcount() + 40
        h.propose(data, 1024, start, start + 200, 10**12, nonce=0)
        path = os.path.join(self.tmpdir, "data.bin")
        with open(path, "wb") as f:
            f.write(data)
        provider.rpc.call("storage_importDealData", 1, path)
        h.step_until(lambda: h.deal(1)["sector"] is not None, "sector pre-committed")
        tip = client.rpc.getbestblockhash()
        wait_until(lambda: other.rpc.getbestblockhash() == tip, what="third node synced")
        fork_height = client.rpc.getblockcount()

        self.log("the third node is cut off; the others prove-commit")
        client.rpc.addnode(bridge, "remove")
        wait_until(lambda: other.rpc.getconnectioncount() == 0, what="third node cut off")
        h.step_until(lambda: h.deal(1)["state"] == "active", "deal active")
        number = h.deal(1)["sector"]
        assert_equal(client.rpc.call("storage_getSector", h.provider_addr, number)["state"],
                     "active")

        self.log("the third node mines a longer chain without the prove-commit")
        other.rpc.generatetoaddress(client.rpc.getblockcount() - fork_height + 5, MINER)
        expected_sector = other.rpc.call("storage_getSector", h.provider_addr, number)
        expected_deal = other.rpc.call("storage_getDeal", 1)
        assert_equal(expected_sector["state"], "pre-committed")
        assert_equal(expected_deal["state"], "proposed")

        self.log("reconnected: both nodes reorganize; deal and sector read exactly as there")
        client.rpc.addnode(bridge, "add")
        tip = other.rpc.getbestblockhash()
        for node in (client, provider):
            wait_until(lambda node=node: node.rpc.getbestblockhash() == tip, timeout=60,
                       what="reorganized onto the longer chain")
            assert_equal(node.rpc.call("storage_getSector", h.provider_addr, number),
                         expected_sector)
            assert_equal(node.rpc.call("storage_getDeal", 1), expected_deal)

        self.log("the role proves the sector again against the new chain's seed")
        reorg_height = client.rpc.getblockcount()
        h.step_until(lambda: h.deal(1)["state"] == "active", "deal active again")
        s = client.rpc.call("storage_getSector", h.provider_addr, number)
        assert_equal(s["state"], "active")
        assert_equal(s["activationheight"] > reorg_height, True)
        tip = client.rpc.getbestblockhash()
        wait_until(lambda: other.rpc.getbestblockhash() == tip, what="all three agree")
        assert_equal(other.rpc.call("storage_getSector", h.provider_addr, number), s)


if __name__ == "__main__":
    raise SystemExit(StorageReorgTest().main())
