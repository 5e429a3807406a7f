#!/usr/bin/env python3
"""What a peer can make the node hold in memory is bounded by what it sends,
not by what it claims or asks for (issue 14, item 11):
- before the handshake a frame may claim at most 64 KiB; a header claiming
  4 MiB is refused before any payload byte is read, and the peer is dropped;
- a peer that keeps asking for blocks (getdata) without reading the answers
  has nothing more read from it until its requests are served: its queue of
  pending items stays at what one message asked for;
- tx announcements are fetched at most 5000 per peer; the rest are dropped
  and counted in getpeerinfo.
The node keeps serving RPC and an honest peer throughout."""

import os
import socket
import struct

from test_framework.framework import DepinTestFramework
from test_framework.p2p import MAGIC, RawPeer, frame, inv_payload
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_true, wait_until

MINER = DEV_ACCOUNTS[9][0]


class P2PMemoryTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)
        self.nodes[0].start()

    def peer_info(self, agent="/python-raw/"):
        peers = [p for p in self.nodes[0].rpc.getpeerinfo() if p["subver"] == agent]
        return peers[0] if peers else None

    def run_test(self):
        node = self.nodes[0]
        rpc = node.rpc
        genesis = bytes.fromhex(rpc.getblockhash(0)[2:])

        self.log("before the handshake: a 4 MiB claim is refused at once")
        p = RawPeer(node.p2p_port)
        p.send(MAGIC + b"version".ljust(12, b"\0") + struct.pack("<I", 4 << 20) + b"\0" * 4)
        assert_true(p.closed(timeout=10), "peer dropped")
        p.close()
        wait_until(lambda: "msg-too-large-before-handshake" in node.read_debug_log(),
                   what="the reason logged")
        # An oversized frame is misbehaviour enough to ban, as before.
        wait_until(lambda: len(rpc.listbanned()) == 1, what="the sender banned")
        rpc.clearbanned()
        # A normal handshake still works, and after it a large frame is allowed.
        p = RawPeer(node.p2p_port)
        p.handshake(genesis)
        assert_true(p.wait_for("verack") is not None, "handshake")
        p.send(frame("ping", struct.pack("<Q", 7)))
        assert_true(p.wait_for("pong") is not None, "pong after the handshake")
        p.close()

        self.log("a peer asking for blocks without reading is held")
        hashes = rpc.generatetoaddress(20, MINER)
        p = RawPeer(node.p2p_port)
        p.handshake(genesis)
        assert_true(p.wait_for("verack") is not None, "handshake")
        wait_until(lambda: self.peer_info() is not None, what="raw peer listed")
        # 50,000 items per message, all asking for the 20 blocks over and over.
        items = [(2, bytes.fromhex(h[2:])) for h in hashes] * 2500
        message = frame("getdata", inv_payload(items))
        p.sock.settimeout(0.5)
        sent_messages = 0
        for _ in range(40):
            try:
                p.sock.sendall(message)
                sent_messages += 1
            except (socket.timeout, BlockingIOError):
                break  # our send buffer filled: the node stopped reading from us
        info = self.peer_info()
        assert_true(info is not None, "raw peer still connected")
        wait_until(lambda: self.peer_info()["pending_getdata"] > 0, what="getdata queued")
        pending = self.peer_info()["pending_getdata"]
        self.log(f"  sent {sent_messages} getdata messages; {pending} items pending")
        assert_true(pending <= 50_000, f"pending getdata bounded by one message: {pending}")
        assert_true(sent_messages < 40, "the node stopped reading before 40 messages")
        assert_equal(rpc.getblockcount(), 20)
        p.close()

        self.log("tx announcements are fetched at most 5000 per peer")
        p = RawPeer(node.p2p_port)
        p.handshake(genesis)
        assert_true(p.wait_for("verack") is not None, "handshake")
        wait_until(lambda: self.peer_info() is not None, what="raw peer listed")
        announced = [(1, os.urandom(32)) for _ in range(12_000)]
        for at in range(0, len(announced), 4000):
            p.send(frame("inv", inv_payload(announced[at:at + 4000])))
        wait_until(lambda: self.peer_info()["tx_requests"] + self.peer_info()[
            "tx_announcements_dropped"] == 12_000, what="announcements processed")
        info = self.peer_info()
        assert_equal(info["tx_requests"], 5000)
        assert_equal(info["tx_announcements_dropped"], 7000)
        p.close()
        wait_until(lambda: self.peer_info() is None, what="raw peer gone")
        assert_equal(rpc.getblockcount(), 20)


if __name__ == "__main__":
    raise SystemExit(P2PMemoryTest().main())
