#!/usr/bin/env python3
"""The orphan block pool holds what -maxorphanblocks and -maxorphanblockbuffer
allow and no more (issue 14, "Limits").

With headers-first sync a block reaches the node with its parent's header
known; an orphan block here is one whose parent's data has not arrived yet.
A raw peer announces a chain of headers, the node asks for every block, and
the peer answers newest first, withholding the first one: every other block
is an orphan. The pool keeps the ones nearest the tip up to the cap
(getnettotals shows exactly the cap, in blocks or in bytes); the rest are
stored on disk, where they wait for their ancestor like any block that
arrives out of order. Honest out-of-order delivery costs the peer nothing,
and once the withheld block arrives the whole chain connects. A block the
peer pushes unrequested on top of a requested one is held the same way."""

import struct

from test_framework.framework import DepinTestFramework
from test_framework.p2p import RawPeer, frame
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_true, wait_until

MINER = DEV_ACCOUNTS[9][0]
HEADER_SIZE = 260
CAP = 4


class P2POrphanBlocksTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        # Not connected: node 1 mines the chain the raw peer feeds node 0.
        self.add_nodes(self.num_nodes)
        self.nodes[0].start([f"-maxorphanblocks={CAP}"])
        self.nodes[1].start()

    def raw_peer(self):
        node = self.nodes[0]
        peer = RawPeer(node.p2p_port)
        peer.handshake(bytes.fromhex(node.rpc.getblockhash(0)[2:]))
        wait_until(lambda: self.raw_info() is not None, what="the raw peer's handshake")
        return peer

    def raw_info(self):
        peers = [p for p in self.nodes[0].rpc.getpeerinfo() if p["subver"] == "/python-raw/"]
        return peers[0] if peers else None

    def mine(self, count, txs_per_block):
        """Mines `count` blocks on node 1; returns [(hash, raw bytes)]."""
        rpc = self.nodes[1].rpc
        sender, key = DEV_ACCOUNTS[0]
        out = []
        for i in range(count):
            nonce = int(rpc.eth_getTransactionCount(sender, "pending"), 16)
            for j in range(txs_per_block(i)):
                raw, _ = self.txtool.sign(key, DEV_ACCOUNTS[1][0], nonce + j, value=1)
                rpc.sendrawtransaction(raw)
            h = rpc.generatetoaddress(1, MINER)[0]
            out.append((h, bytes.fromhex(rpc.getblock(h, 0)[2:])))
        return out

    def announce_and_answer(self, peer, announced, delivered):
        """Sends the headers of `announced`, expects a getdata for all of
        them, then sends the blocks of `delivered` in that order."""
        headers = b"".join(raw[:HEADER_SIZE] for _, raw in announced)
        peer.send(frame("headers", struct.pack("<I", len(announced)) + headers))
        payload = peer.wait_for("getdata")
        assert_true(payload is not None, "the node asks for the announced blocks")
        count = struct.unpack("<I", payload[:4])[0]
        asked = {"0x" + payload[4 + 33 * i + 1:4 + 33 * (i + 1)].hex() for i in range(count)}
        assert_equal(asked, {h for h, _ in announced})
        for _, raw in delivered:
            peer.send(frame("block", raw))

    def stored(self, h):
        """Whether node 0 has the block's data (on disk, connected or not)."""
        try:
            self.nodes[0].rpc.getblock(h, 0)
            return True
        except Exception:
            return False

    def run_test(self):
        node = self.nodes[0]
        totals = node.rpc.getnettotals()
        assert_equal(totals["orphanblocks"], 0)
        assert_equal(totals["orphanblockbytes"], 0)

        self.log(f"10 blocks newest first without the first: {CAP} held, the rest on disk")
        chain = self.mine(10, lambda i: i % 4)
        sizes = [len(raw) for _, raw in chain]
        assert_true(len(set(sizes)) > 1, "blocks of several sizes")
        peer = self.raw_peer()
        self.announce_and_answer(peer, chain, list(reversed(chain[1:])))
        # The pool keeps the CAP orphans nearest the tip (heights 2..5).
        held = chain[1:1 + CAP]
        wait_until(lambda: all(self.stored(h) for h, _ in chain[1 + CAP:]),
                   what="the orphans past the cap stored on disk")
        totals = node.rpc.getnettotals()
        assert_equal(totals["orphanblocks"], CAP)
        assert_equal(totals["orphanblockbytes"], sum(len(raw) for _, raw in held))
        for h, _ in held:
            assert_true(not self.stored(h), f"held orphan {h} is not on disk yet")
        assert_equal(node.rpc.getblockcount(), 0)
        assert_equal(self.raw_info()["misbehavior"], 0)

        self.log("the withheld block arrives: the orphans and the stored blocks connect")
        peer.send(frame("block", chain[0][1]))
        wait_until(lambda: node.rpc.getblockcount() == 10, what="the chain connected")
        assert_equal(node.rpc.getbestblockhash(), chain[-1][0])
        totals = node.rpc.getnettotals()
        assert_equal(totals["orphanblocks"], 0)
        assert_equal(totals["orphanblockbytes"], 0)
        assert_equal(self.raw_info()["misbehavior"], 0)
        peer.close()

        self.log("-maxorphanblockbuffer=1 (KiB): as many orphans as fit in 1024 bytes")
        node.stop()
        node.start(["-maxorphanblocks=100", "-maxorphanblockbuffer=1"])
        chain = self.mine(6, lambda i: 0)
        size = len(chain[0][1])
        assert_true(all(len(raw) == size for _, raw in chain), "empty blocks are of one size")
        fit = 1024 // size
        assert_true(2 <= fit < 5, f"{fit} empty blocks of {size} bytes fit in 1 KiB")
        peer = self.raw_peer()
        # The last block is not announced: the peer pushes it unrequested on
        # top of the requested ones, as a miner pushes the block it found.
        self.announce_and_answer(peer, chain[:-1], list(reversed(chain[1:-1])))
        peer.send(frame("block", chain[-1][1]))
        wait_until(lambda: all(self.stored(h) for h, _ in chain[1 + fit:]),
                   what="the orphans past the byte cap stored on disk")
        totals = node.rpc.getnettotals()
        assert_equal(totals["orphanblocks"], fit)
        assert_equal(totals["orphanblockbytes"], fit * size)
        assert_true(totals["orphanblockbytes"] <= 1024, "within the byte cap")
        assert_equal(node.rpc.getblockcount(), 10)
        assert_equal(self.raw_info()["misbehavior"], 0)
        peer.send(frame("block", chain[0][1]))
        wait_until(lambda: node.rpc.getblockcount() == 16, what="the chain connected")
        assert_equal(node.rpc.getbestblockhash(), chain[-1][0])
        assert_equal(node.rpc.getnettotals()["orphanblocks"], 0)
        assert_equal(self.raw_info()["misbehavior"], 0)
        peer.close()

        self.log("bad values for the options stop the start with a clear error")
        node.stop()
        node.assert_start_fails(["-maxorphanblocks=-1"], "-maxorphanblocks must be")
        node.assert_start_fails(["-maxorphanblockbuffer=-1"], "-maxorphanblockbuffer must be")


if __name__ == "__main__":
    P2POrphanBlocksTest().main()
