#!/usr/bin/env python3
"""A damaged datadir is named, and -reindex recovers it. node1 holds a chain
of transfer blocks that node0 synced; node0 is stopped and damaged:
  - a LevelDB table of its chainstate gets garbage in the middle: start-up
    fails with a message naming the damage and pointing at -reindex, which
    rebuilds the chainstate from the block files to the same tip and state
    root;
  - a block in its block file gets garbage: -reindex skips that record only
    (it resynchronises on the next record), keeps the blocks before it, and
    the missing block (and so its descendants) comes from node1 over P2P, to
    the same tip and state root.
(reindex_test.py covers an interrupted -reindex; disk_full_test.py write
failures; the chain unit tests corrupt records of a running store.)"""

import glob
import os
import re

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_true, wait_until

MINER = DEV_ACCOUNTS[9][0]
BLOCKS = 60


def damage(path, offset, length=64):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(bytes((0xA5 ^ (i * 37)) & 0xFF for i in range(length)))


def damage_every_block(path):
    """Garbage in every 4 KiB LevelDB block of a table, so the first read of
    any key in it (start-up reads the block index) meets the damage."""
    size = os.path.getsize(path)
    for offset in range(100, size, 4096):
        damage(path, offset, min(32, size - offset))


class DatadirCorruptionTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(2)
        self.nodes[1].start()
        self.nodes[0].extra_args = [f"-addnode=127.0.0.1:{self.nodes[1].p2p_port}"]
        self.nodes[0].start()

    def synced(self):
        n0, n1 = self.nodes
        tip = n1.rpc.getbestblockhash()
        wait_until(lambda: n0.rpc.getbestblockhash() == tip, timeout=120, what="node0 synced")
        assert_equal(n0.rpc.getblockchaininfo()["stateroot"], n1.rpc.getblockchaininfo()["stateroot"])
        return tip

    def run_test(self):
        n0, n1 = self.nodes
        self.log(f"node1 mines {BLOCKS} blocks of transfers; node0 syncs them")
        nonce = 0
        for i in range(BLOCKS // 10):
            for addr, key in DEV_ACCOUNTS[:4]:
                raw, _ = self.txtool.sign(key, DEV_ACCOUNTS[6][0], nonce, value=10**15 + i)
                n1.rpc.sendrawtransaction(raw)
            nonce += 1
            n1.rpc.generatetoaddress(10, MINER)
        tip = self.synced()
        # Two clean restarts: LevelDB writes its log into a table at open.
        n0.stop()
        n0.start()
        n0.stop()

        self.log("garbage in a chainstate table: start-up names it and points at -reindex")
        tables = glob.glob(os.path.join(n0.network_dir, "chainstate", "*.ldb"))
        assert_true(tables, "the chainstate has a table file")
        for table in tables:
            damage_every_block(table)
        stderr = n0.assert_start_fails([], "is damaged")
        self.log(f"  stderr: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}")
        assert_true("-reindex" in stderr, f"the message points at -reindex: {stderr!r}")
        assert_true("chainstate" in stderr, f"the message names the chainstate: {stderr!r}")

        self.log("-reindex rebuilds it to the same tip and state root")
        n0.start(["-reindex"], wait=False)
        n0.wait_for_rpc(timeout=120)
        assert_equal(self.synced(), tip)
        n0.stop()

        self.log("garbage over a block in the block file: -reindex skips that record only")
        files = sorted(glob.glob(os.path.join(n0.network_dir, "blocks", "blk*.dat")))
        assert_true(files, "a block file")
        damage(files[0], int(os.path.getsize(files[0]) * 0.6))
        # No peers for now (-connect to a closed port): what the reindex alone gets.
        n0.start(replace_args=n0.base_args() + ["-reindex", "-connect=127.0.0.1:9"], wait=False)
        n0.wait_for_rpc(timeout=120)
        height = n0.rpc.getblockcount()
        assert_true(0 < height < BLOCKS, f"the blocks before the damage were kept: {height}")
        summary = [l for l in n0.read_debug_log().splitlines() if "records skipped" in l][-1]
        self.log(f"  {summary.split('] ', 2)[-1]}")
        m = re.search(r"(\d+) blocks read, .* (\d+) without parent, (\d+) records skipped", summary)
        assert_true(m is not None, summary)
        read, unlinked, skipped = (int(g) for g in m.groups())
        # The damaged stretch is one record (or two, when it spans a
        # boundary); every block after it was still read, held without its
        # parent.
        assert_true(1 <= skipped <= 2, f"the damaged record is counted: {summary}")
        assert_equal(read + skipped, BLOCKS + 1)
        assert_equal(unlinked, BLOCKS - height - skipped)
        n0.stop()

        self.log("and the blocks after it come back from node1")
        n0.start()
        assert_equal(self.synced(), tip)
        for h in range(0, BLOCKS + 1, 7):
            assert_equal(n0.rpc.getblockhash(h), n1.rpc.getblockhash(h))
            assert_equal(n0.rpc.call("eth_getBlockReceipts", hex(h)),
                         n1.rpc.call("eth_getBlockReceipts", hex(h)))


if __name__ == "__main__":
    import sys
    sys.exit(DatadirCorruptionTest().main())
