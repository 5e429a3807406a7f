#!/usr/bin/env python3
"""A node whose block files stop accepting writes (a full disk, injected with
-testfailblockwrites) while it syncs from a peer: it stops cleanly with a
failure exit code and a clear log line, bans nobody (the peer did nothing
wrong), and once restarted on a working disk it reaches the peer's tip.
Mining into a full disk (generatetoaddress) fails instead of returning the
same unconnected hash again and again."""

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_true, wait_until

MINER = DEV_ACCOUNTS[9][0]
BLOCKS = 30


class DiskFullTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 3

    def setup_nodes(self):
        self.add_nodes(3)
        self.nodes[0].start()

    def run_test(self):
        n0, n1, n2 = self.nodes
        n0.rpc.generatetoaddress(BLOCKS, MINER)
        tip = n0.rpc.getbestblockhash()

        self.log("node1 syncs with block writes failing after 10 blocks")
        n1.start(extra_args=[f"-addnode=127.0.0.1:{n0.p2p_port}", "-testfailblockwrites=10"])
        code = n1.wait_for_exit(timeout=120)
        assert_true(code != 0, f"node1 exits with a failure code (got {code})")
        log = n1.read_debug_log()
        assert_true("fatal: local io failure while writing block" in log, "fatal line in the log")
        assert_true("no peer is blamed" in log, "the log says no peer is blamed")
        assert_true("misbehaving" not in log and "banned " not in log,
                    "no peer scored or banned")
        assert_true("stopped after a fatal error" in n1.read_stderr(), "stderr names the stop")
        # The peer still serves and was not disconnected for misbehaviour.
        assert_equal(n0.rpc.listbanned(), [])

        self.log("restarted on a working disk, node1 reaches the same tip")
        n1.start(extra_args=[f"-addnode=127.0.0.1:{n0.p2p_port}"])
        wait_until(lambda: n1.rpc.getbestblockhash() == tip, timeout=120, what="node1 synced")
        assert_equal(n1.rpc.listbanned(), [])
        n1.stop()

        self.log("mining into a full disk fails and stops the node")
        # Genesis is the first write on a new datadir.
        n2.start(extra_args=["-testfailblockwrites=4"])
        n2.rpc.generatetoaddress(3, MINER)
        height = n2.rpc.getblockcount()
        try:
            n2.rpc.generatetoaddress(20, MINER)
            raise AssertionError("generatetoaddress succeeded on a full disk")
        except Exception as e:  # the RPC error, or the connection closing as the node stops
            assert_true("generatetoaddress succeeded" not in str(e), str(e))
        code = n2.wait_for_exit(timeout=60)
        assert_true(code != 0, f"node2 exits with a failure code (got {code})")
        n2.start()
        assert_equal(n2.rpc.getblockcount(), height)
        n2.rpc.generatetoaddress(2, MINER)
        assert_equal(n2.rpc.getblockcount(), height + 2)


if __name__ == "__main__":
    import sys
    sys.exit(DiskFullTest().main())
