#!/usr/bin/env python3
"""The orphan tx pool holds what -maxorphantx allows and no more (issue 14,
"Limits"): txs a peer relays from accounts that cannot pay for them yet are
kept as orphans, not as misbehaviour, up to the cap; past it a random one
makes room. When the funds arrive in a block, the orphans go into the
mempool in nonce order. An unrequested block whose parent is unknown is
refused with a misbehaviour score rather than held as an orphan.
getnettotals reports the pools."""

import os

from test_framework.framework import DepinTestFramework
from test_framework.p2p import RawPeer, frame
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_true, wait_until

MINER = DEV_ACCOUNTS[9][0]
CAP = 10


class P2POrphansTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        # Not connected: node 1 only mines blocks node 0 has never seen.
        self.add_nodes(self.num_nodes)
        self.nodes[0].start([f"-maxorphantx={CAP}"])
        self.nodes[1].start()

    def raw_peer(self):
        node = self.nodes[0]
        peer = RawPeer(node.p2p_port)
        peer.handshake(bytes.fromhex(node.rpc.getblockhash(0)[2:]))
        wait_until(lambda: any(p["subver"] == "/python-raw/" for p in node.rpc.getpeerinfo()),
                   what="the raw peer's handshake")
        return peer

    def relay(self, peer, raw):
        peer.send(frame("tx", bytes.fromhex(raw[2:])))

    def run_test(self):
        node = self.nodes[0]
        rpc = node.rpc
        sign = self.txtool.sign
        to = DEV_ACCOUNTS[5][0]
        totals = rpc.getnettotals()
        assert_equal(totals["orphantxs"], 0)
        assert_equal(totals["orphanblocks"], 0)

        self.log(f"25 txs from unfunded accounts: {CAP} are kept, the peer is not punished")
        peer = self.raw_peer()
        sizes = []
        for _ in range(25):
            key = "0x" + os.urandom(32).hex()
            raw, _ = sign(key, to, 0, value=1)
            sizes.append(len(raw) // 2 - 1)
            self.relay(peer, raw)
        # A ping after the txs: once its pong is back, every tx was handled.
        peer.send(frame("ping", (7).to_bytes(8, "little")))
        assert_true(peer.wait_for("pong") is not None, "the node answers after the txs")
        totals = rpc.getnettotals()
        assert_equal(totals["orphantxs"], CAP)
        assert_true(min(sizes) * CAP <= totals["orphantxbytes"] <= max(sizes) * CAP,
                    f"orphan bytes {totals['orphantxbytes']} are those of {CAP} txs")
        assert_equal(rpc.getmempoolinfo()["size"], 0)
        raw_info = [p for p in rpc.getpeerinfo() if p["subver"] == "/python-raw/"]
        assert_equal(len(raw_info), 1)
        assert_equal(raw_info[0]["misbehavior"], 0)
        peer.close()

        self.log("a restart empties the pool; an account's orphans enter the pool once funded")
        node.stop()
        node.start([f"-maxorphantx={CAP}"])
        assert_equal(node.rpc.getnettotals()["orphantxs"], 0)
        peer = self.raw_peer()
        key = "0x" + os.urandom(32).hex()
        hashes = []
        # Sent newest first: the pool must still admit them in nonce order.
        for nonce in (2, 1, 0):
            raw, txid = sign(key, to, nonce, value=1000)
            hashes.append(txid)
            self.relay(peer, raw)
        sender = node.rpc.decoderawtransaction(sign(key, to, 0, value=1000)[0])["from"]
        wait_until(lambda: node.rpc.getnettotals()["orphantxs"] == 3, what="three orphans")
        funder, funder_key = DEV_ACCOUNTS[4]
        nonce = node.rpc.eth_getTransactionCount(funder, "pending")
        raw, _ = sign(funder_key, sender, int(nonce, 16), value=10**18)
        node.rpc.sendrawtransaction(raw)
        node.rpc.generatetoaddress(1, MINER)
        wait_until(lambda: node.rpc.getnettotals()["orphantxs"] == 0, what="the orphans retried")
        pool = set(node.rpc.getrawmempool())
        for h in hashes:
            assert_true(h in pool, f"orphan {h} is in the mempool")
        node.rpc.generatetoaddress(1, MINER)
        assert_equal(node.rpc.getaccount(sender)["nonce"], 3)
        peer.close()

        self.log("an unrequested block with an unknown parent is refused, not kept as an orphan")
        other = self.nodes[1].rpc
        hashes = other.generatetoaddress(2, MINER)
        block = other.getblock(hashes[1], 0)
        peer = self.raw_peer()
        peer.send(frame("block", bytes.fromhex(block[2:])))
        peer.send(frame("ping", (8).to_bytes(8, "little")))
        assert_true(peer.wait_for("pong") is not None, "the node answers after the block")
        assert_equal(node.rpc.getnettotals()["orphanblocks"], 0)
        raw_info = [p for p in node.rpc.getpeerinfo() if p["subver"] == "/python-raw/"]
        assert_true(raw_info and raw_info[0]["misbehavior"] > 0, "the peer is scored")
        peer.close()


if __name__ == "__main__":
    P2POrphansTest().main()
