#!/usr/bin/env python3
"""Raw sockets from Python send garbage, truncated frames, wrong checksums,
huge length fields, unknown commands, a version for another network, and
invalid headers and blocks. The node survives, disconnects or bans as
specified, and keeps serving an honest depind peer throughout."""

import struct
import time

from test_framework.framework import DepinTestFramework
from test_framework.p2p import MAGIC, RawPeer, frame, sha256d, version_payload
from test_framework.tx import DEV_ACCOUNTS, REGTEST_CHAIN_ID
from test_framework.util import assert_equal, assert_true, wait_until

MINER = DEV_ACCOUNTS[9][0]


class P2PBadInputTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(2)
        self.nodes[0].start()
        self.nodes[1].start(extra_args=[f"-addnode=127.0.0.1:{self.nodes[0].p2p_port}"])

    def check_alive(self):
        n0, n1 = self.nodes
        assert_true(n0.running(), "node0 still runs")
        assert_equal(n0.rpc.getconnectioncount() >= 1, True)
        tip = n0.rpc.generatetoaddress(1, MINER)[0]
        wait_until(lambda: n1.rpc.getbestblockhash() == tip, timeout=30,
                   what="honest peer still served")

    def expect_ban(self, what):
        n0 = self.nodes[0]
        wait_until(lambda: len(n0.rpc.listbanned()) > 0, timeout=10, what=f"ban after {what}")
        assert_equal(n0.rpc.listbanned()[0]["address"], "127.0.0.1/32")
        n0.rpc.clearbanned()

    def run_test(self):
        n0, n1 = self.nodes
        wait_until(lambda: n0.rpc.getconnectioncount() == 1, what="honest peer connected")
        genesis = bytes.fromhex(n0.rpc.getblockhash(0)[2:])
        port = n0.p2p_port

        self.log("garbage bytes: disconnected, not banned")
        p = RawPeer(port)
        p.send(b"\x00garbage" * 40)
        assert_true(p.closed(), "garbage disconnects")
        assert_equal(n0.rpc.listbanned(), [])
        self.check_alive()

        self.log("truncated frame, then the peer goes away")
        p = RawPeer(port)
        p.send(frame("ping", struct.pack("<Q", 1))[:30])
        p.close()
        self.check_alive()

        self.log("huge length field: never read, disconnect and ban")
        p = RawPeer(port)
        p.send(MAGIC + b"block".ljust(12, b"\0") + struct.pack("<I", 0xfffffff0) + b"\0" * 4)
        assert_true(p.closed(timeout=5), "oversized frame disconnects at once")
        self.expect_ban("oversized frame")
        self.check_alive()

        self.log("version for another network: disconnected, not banned")
        p = RawPeer(port)
        p.handshake(genesis, chain_id=REGTEST_CHAIN_ID + 1)
        assert_true(p.closed(), "wrong chain id disconnects")
        p = RawPeer(port)
        p.handshake(b"\x42" * 32)
        assert_true(p.closed(), "wrong genesis disconnects")
        p = RawPeer(port)
        p.send(frame("version", version_payload(REGTEST_CHAIN_ID, genesis),
                     magic=bytes([0xd3, 0x9e, 0x1a, 0x01])))
        assert_true(p.closed(), "main network magic disconnects")
        assert_equal(n0.rpc.listbanned(), [])

        self.log("wrong checksum and unknown command: scored or ignored, still connected")
        p = RawPeer(port)
        p.handshake(genesis)
        assert_true(p.wait_for("verack") is not None, "handshake")
        p.send(frame("ping", struct.pack("<Q", 5), checksum=b"\0\0\0\0"))
        p.send(frame("fancynewcmd", b"\1\2\3"))
        p.send(frame("ping", struct.pack("<Q", 6)))
        pong = p.wait_for("pong")
        assert_equal(struct.unpack("<Q", pong)[0], 6)
        scores = [q["misbehavior"] for q in n0.rpc.getpeerinfo() if q["inbound"]]
        assert_true(max(scores) >= 20, "bad checksum scored")
        p.close()

        self.log("addr flood: past the first 1000 addresses dropped and counted, not scored")
        p = RawPeer(port)
        p.handshake(genesis)
        assert_true(p.wait_for("verack") is not None, "handshake")
        seen = int(time.time()) - 3600
        for first in (20, 24):
            entries = b"".join(
                struct.pack("<QQ", seen, 1) + bytes(10) + b"\xff\xff" +
                bytes([first + i // 250, i % 250, 1, 1]) + struct.pack("<H", 9645)
                for i in range(1000))
            p.send(frame("addr", struct.pack("<I", 1000) + entries))
        p.send(frame("ping", struct.pack("<Q", 7)))
        assert_true(p.wait_for("pong") is not None, "addr processed")
        flooder = max(n0.rpc.getpeerinfo(), key=lambda q: q["addr_rate_limited"])
        assert_true(990 <= flooder["addr_rate_limited"] <= 1000, "second 1000 rate limited")
        assert_equal(flooder["misbehavior"], 0)
        p.close()

        self.log("invalid header: ban")
        p = RawPeer(port)
        p.handshake(genesis)
        assert_true(p.wait_for("verack") is not None, "handshake")
        header = bytearray(260)
        struct.pack_into("<IQ", header, 0, 1, 1)
        header[12:44] = genesis
        struct.pack_into("<Q", header, 160, int(time.time()))  # timestamp
        struct.pack_into("<I", header, 168, 0x01000001)  # bits: far too hard a target
        p.send(frame("headers", struct.pack("<I", 1) + bytes(header)))
        assert_true(p.closed(), "invalid header disconnects")
        self.expect_ban("invalid header")
        self.check_alive()

        self.log("block with valid PoW but a wrong state root: ban")
        tmpl = n0.rpc.getblocktemplate(MINER)
        header = bytearray(bytes.fromhex(tmpl["header"][2:]))
        body = bytes.fromhex(tmpl["block"][2:])[260:]
        header[108:140] = b"\x77" * 32  # state root
        target = int(tmpl["target"], 16)
        nonce = 0
        while True:
            struct.pack_into("<Q", header, 252, nonce)
            if int.from_bytes(sha256d(bytes(header)), "big") <= target:
                break
            nonce += 1
        p = RawPeer(port)
        p.handshake(genesis)
        assert_true(p.wait_for("verack") is not None, "handshake")
        p.send(frame("block", bytes(header) + body))
        assert_true(p.closed(), "invalid block disconnects")
        self.expect_ban("invalid block")
        self.check_alive()

        self.log("a banned address cannot reconnect until the ban is lifted")
        n0.rpc.setban("127.0.0.1", "add", 600)
        wait_until(lambda: n0.rpc.getconnectioncount() == 0, what="setban disconnects")
        p = RawPeer(port)
        assert_true(p.closed(), "banned inbound refused")
        n0.rpc.setban("127.0.0.1", "remove")
        wait_until(lambda: n0.rpc.getconnectioncount() == 1, timeout=30, what="reconnected")
        self.check_alive()


if __name__ == "__main__":
    raise SystemExit(P2PBadInputTest().main())
