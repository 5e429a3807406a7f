#!/usr/bin/env python3
"""SIGTERM, SIGINT and the stop RPC shut a mining node down cleanly within
seconds (RPC stopped, miner stopped, chainstate flushed and closed, lock and
pid file released), and the chain is intact afterwards. -daemon forks, the
parent exits 0 once RPC is up, and the pid file names the daemon."""

import os
import signal
import subprocess
import time

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

SHUTDOWN_STEPS = ["shutdown: stopping RPC server", "shutdown: stopping miner",
                  "shutdown: flushing and closing the chainstate", "shutdown: done"]
MAX_SHUTDOWN_SECONDS = 5


class ShutdownTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        # Continuous mining keeps the miner and the database busy at shutdown.
        self.extra_args = [["-mine", f"-mineraddress={DEV_ACCOUNTS[3][0]}", "-pid=depind.pid"]]

    def check_clean(self, node, how):
        height = node.rpc.getblockcount()
        wait_until(lambda: node.rpc.getblockcount() > height + 2, what="mining")
        open(node.debug_log, "w").close()  # only this run's shutdown lines
        seconds = node.stop(how=how)
        self.log(f"{how}: exited in {seconds:.2f}s")
        assert_true(seconds < MAX_SHUTDOWN_SECONDS, f"{how} took {seconds:.1f}s")
        log = node.read_debug_log()
        for step in SHUTDOWN_STEPS:
            assert_in(step, log)
        assert_true(not os.path.exists(os.path.join(node.network_dir, "depind.pid")),
                    "pid file removed")
        assert_true(not os.path.exists(os.path.join(node.network_dir, ".cookie")),
                    "cookie removed")
        node.start()  # the lock was released and the chain reopens

    def run_test(self):
        node = self.nodes[0]
        with open(os.path.join(node.network_dir, "depind.pid")) as f:
            assert_equal(int(f.read()), node.process.pid)
        for how in ["sigterm", "sigint", "rpc"]:
            self.check_clean(node, how)
        assert_true(node.rpc.getblockcount() > 6, "the chain survived three shutdowns")

        self.log("-daemon: the parent exits 0 after start-up, the child serves RPC")
        node.stop()
        args = node.base_args() + node.extra_args + ["-daemon"]
        started = time.monotonic()
        result = subprocess.run(args, capture_output=True, timeout=60)
        assert_equal(result.returncode, 0)
        self.log(f"daemon parent exited after {time.monotonic() - started:.2f}s")
        pid_path = os.path.join(node.network_dir, "depind.pid")
        with open(pid_path) as f:
            pid = int(f.read())
        assert_true(pid != 0)
        node._rpc = None
        assert_true(node.rpc.getblockcount() > 0)
        os.kill(pid, signal.SIGTERM)

        def gone():
            try:
                os.kill(pid, 0)
                return False
            except ProcessLookupError:
                return True
        wait_until(gone, timeout=MAX_SHUTDOWN_SECONDS, what="daemon exit")
        assert_true(not os.path.exists(pid_path), "daemon removed its pid file")

        self.log("-daemon that fails start-up makes the parent exit non-zero")
        blocker = subprocess.Popen(node.base_args() + ["-rpcport=0"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: os.path.exists(os.path.join(node.network_dir, ".cookie")),
                       what="blocker up")
            result = subprocess.run(node.base_args() + ["-daemon"], capture_output=True,
                                    timeout=60)
            assert_true(result.returncode != 0, "second daemon must fail")
        finally:
            blocker.send_signal(signal.SIGTERM)
            assert_equal(blocker.wait(timeout=30), 0)


if __name__ == "__main__":
    import sys
    sys.exit(ShutdownTest().main())
