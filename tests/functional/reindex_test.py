#!/usr/bin/env python3
"""-reindex rebuilds the chainstate from the block files: a SIGINT in the
middle stops the node cleanly (exit 0, a log line saying it resumes), the next
start resumes without -reindex, skips the blocks already stored again, and
ends on the same tip and state root as before."""

import os
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

BLOCKS = 3000


class ReindexTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def run_test(self):
        node = self.nodes[0]
        tool = os.path.join(self.options.bindir, "depin-chaingen")
        out = subprocess.run([tool, f"--datadir={node.datadir}", f"--blocks={BLOCKS}", "--txs=10"],
                             capture_output=True, text=True, timeout=300)
        assert_equal(out.returncode, 0)
        node.start()
        tip = node.rpc.getbestblockhash()
        root = node.rpc.getblockchaininfo()["stateroot"]
        node.stop()

        self.log("SIGINT during -reindex stops cleanly and leaves the rebuild to resume")
        node.start(["-reindex"], wait=False)
        node.wait_for_log("reindex: 1000 blocks read", timeout=120)
        self.log("meanwhile RPC answers -28 with what the node is doing")
        try:
            node.rpc.getblockcount()
            raise AssertionError("getblockcount answered during the reindex")
        except JSONRPCException as e:
            assert_equal(e.code, -28)
            assert_in("-reindex", e.message)
        node.stop(how="sigint", timeout=60)
        log = node.read_debug_log()
        assert_in("it resumes at the next start", log)
        assert_true(os.path.isdir(os.path.join(node.network_dir, "blocks.reindex")),
                    "blocks.reindex kept")

        self.log("a stop request during the resumed rebuild is answered and obeyed")
        node.start(wait=False)
        node.wait_for_log("reindex: resuming the interrupted rebuild", timeout=30)
        wait_until(lambda: os.path.exists(os.path.join(node.network_dir, ".cookie")))
        node.stop(timeout=60)  # raises unless the reply came and the exit code is 0

        self.log("the next start resumes, skipping what was stored, and ends on the same tip")
        node.start(wait=False)
        node.wait_for_log("reindex: resuming the interrupted rebuild", timeout=30)
        node.wait_for_rpc(timeout=300)
        assert_equal(node.rpc.getbestblockhash(), tip)
        assert_equal(node.rpc.getblockchaininfo()["stateroot"], root)
        summary = [l for l in node.read_debug_log().splitlines() if "already stored" in l][-1]
        assert_true(" 0 already stored" not in summary, f"stored blocks skipped: {summary}")
        assert_true(not os.path.exists(os.path.join(node.network_dir, "blocks.reindex")),
                    "blocks.reindex removed at the end")

        self.log("and the node works on: a block on top")
        node.rpc.generatetoaddress(1, "0x000000000000000000000000000000000000bEEF")
        wait_until(lambda: node.rpc.getblockcount() == BLOCKS + 1)
        node.stop()

        self.log("-daemon -reindex: the parent returns once the rebuild has begun")
        args = node.base_args() + node.extra_args + ["-daemon", "-reindex"]
        assert_equal(subprocess.run(args, capture_output=True, timeout=60).returncode, 0)
        log = node.read_debug_log()
        assert_in("with -daemon, start-up is reported now", log)
        done = f"reindex: {BLOCKS + 2} blocks read"
        # The parent did not wait for the rebuild (the summary line comes later).
        assert_true(log.count(done) == 0, "the parent returned before the rebuild ended")
        node._rpc = None
        wait_until(lambda: os.path.exists(os.path.join(node.network_dir, ".cookie")))
        wait_until(lambda: done in node.read_debug_log(), timeout=120, what="rebuild done")

        def count():
            try:
                return node.rpc.getblockcount()
            except JSONRPCException as e:
                assert_equal(e.code, -28)  # the last moments of start-up
                return None
        wait_until(lambda: count() == BLOCKS + 1, timeout=60, what="daemon serving")
        node.rpc.stop()
        wait_until(lambda: "shutdown: done" in node.read_debug_log().split(done)[-1], timeout=30)


if __name__ == "__main__":
    raise SystemExit(ReindexTest().main())
