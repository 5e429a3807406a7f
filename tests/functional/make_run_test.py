#!/usr/bin/env python3
"""`make run` hands a newcomer a live chain: the command the Makefile's run
target executes after the build (read with `make -n`, so nothing is rebuilt
here) answers RPC within 60 seconds, mines, and shows the funded dev
accounts. Only the ports are moved off the defaults, so that the test can run
beside a real dev node."""

import os
import shlex
import subprocess
import time

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import TestFailure, assert_equal, assert_in, wait_until

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEADLINE_SECONDS = 60


class MakeRunTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(1)
        node = self.nodes[0]
        build_dir = os.path.dirname(self.options.bindir)
        # A first `make run` has no ~/.depin yet: use a datadir that does not exist.
        node.datadir = os.path.join(self.tmpdir, "fresh", "depin")
        dry = subprocess.run(["make", "-s", "-n", "-C", REPO, "run", f"BUILD_DIR={build_dir}",
                              f"DATADIR={node.datadir}"],
                             capture_output=True, text=True, timeout=60)
        if dry.returncode != 0:
            raise TestFailure(f"make -n run failed: {dry.stderr}")
        lines = [line for line in dry.stdout.splitlines() if "bin/depind" in line]
        if not lines:
            raise TestFailure(f"no depind command in make -n run:\n{dry.stdout}")
        args = shlex.split(lines[-1])
        self.log(f"make run executes: {' '.join(args)}")
        assert_in("-dev", args)
        assert_equal(os.path.realpath(args[0]), os.path.realpath(node.binary))
        args += [f"-rpcport={node.rpc_port}", f"-port={node.p2p_port}"]
        self.started = time.monotonic()
        node.start(replace_args=args, wait=False)
        node.wait_for_rpc(timeout=DEADLINE_SECONDS)
        self.answered = time.monotonic() - self.started

    def run_test(self):
        node = self.nodes[0]
        self.log(f"RPC answered {self.answered:.2f}s after start")
        if self.answered > DEADLINE_SECONDS:
            raise TestFailure(f"RPC took {self.answered:.1f}s")
        anon = node.client()
        wait_until(lambda: anon.getblockcount() >= 1, timeout=20, what="first dev block")
        out = node.read_stdout()
        assert_in(DEV_ACCOUNTS[0][0], out)
        assert_in(f":{node.rpc_port}", out)
        assert_equal(anon.getaccount(DEV_ACCOUNTS[9][0])["balance"], str(10000 * 10**18))


if __name__ == "__main__":
    import sys
    sys.exit(MakeRunTest().main())
