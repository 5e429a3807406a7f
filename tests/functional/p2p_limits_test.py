#!/usr/bin/env python3
"""Inbound connection slots (-maxconnections minus -maxoutbound) hold:
- with every inbound peer protected (the eviction keeps up to four per
  class: lowest ping, latest block, oldest connection), a newcomer beyond
  the slots is closed at once and the node logs why;
- with more peers than it protects, a newcomer takes the slot of the
  youngest unprotected inbound peer; the four oldest stay, and the number
  of inbound connections never passes the slots."""

import time

from test_framework.framework import DepinTestFramework
from test_framework.p2p import RawPeer
from test_framework.util import assert_equal, assert_true, wait_until


class P2PLimitsTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def connect(self, node, genesis, may_be_refused=False):
        peer = RawPeer(node.p2p_port)
        try:
            peer.handshake(genesis)
        except OSError:
            # Closed before our version went out (a refused connection).
            if not may_be_refused:
                raise
        return peer

    def inbound(self, node):
        return sum(1 for p in node.rpc.getpeerinfo() if p["inbound"])

    def run_test(self):
        node = self.nodes[0]

        self.log("3 slots, all protected: the fourth is closed at once")
        node.start(["-maxconnections=3", "-maxoutbound=0"])
        genesis = bytes.fromhex(node.rpc.getblockhash(0)[2:])
        peers = []
        for _ in range(3):
            peers.append(self.connect(node, genesis))
            time.sleep(0.05)  # distinct connection times
        wait_until(lambda: self.inbound(node) == 3, what="three inbound peers")
        extra = self.connect(node, genesis, may_be_refused=True)
        assert_true(extra.closed(timeout=10), "the fourth connection is closed")
        assert_equal(self.inbound(node), 3)
        assert_true("connection slots full" in node.read_debug_log(), "the refusal is logged")
        for p in peers + [extra]:
            p.close()
        node.stop()

        self.log("20 slots, 12 protected: a newcomer evicts the youngest unprotected peer")
        node.start(["-maxconnections=20", "-maxoutbound=0"])
        peers = []
        for _ in range(20):
            peers.append(self.connect(node, genesis))
            time.sleep(0.05)
        wait_until(lambda: self.inbound(node) == 20, what="twenty inbound peers")
        newcomer = self.connect(node, genesis)
        assert_true(newcomer.wait_for("verack", timeout=10) is not None,
                    "the newcomer completes its handshake")
        wait_until(lambda: "evicted to make room" in node.read_debug_log(), what="an eviction")
        closed = [i for i, p in enumerate(peers) if p.closed(timeout=0.5)]
        assert_equal(len(closed), 1, f"one peer evicted: {closed}")
        assert_true(closed[0] >= 4, f"the four oldest are protected; evicted #{closed[0]}")
        assert_equal(self.inbound(node), 20)
        for p in peers + [newcomer]:
            p.close()


if __name__ == "__main__":
    import sys
    sys.exit(P2PLimitsTest().main())
