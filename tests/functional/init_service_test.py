#!/usr/bin/env python3
"""contrib/init/depind.service is a valid systemd unit (systemd-analyze
verify, with ExecStart pointed at the built depind), and the options it
passes are ones depind accepts: the same command line, on a temporary datadir
with a copy of depin.conf.example as -conf, starts a node that answers RPC."""

import os
import re
import shutil
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.util import assert_equal, assert_true

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
UNIT = os.path.join(ROOT, "contrib", "init", "depind.service")


class InitServiceTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(1)

    def run_test(self):
        text = open(UNIT).read()
        exec_start = re.search(r"^ExecStart=(\S+) (.*)$", text, re.M)
        assert_true(exec_start is not None, "ExecStart line")
        args = exec_start.group(2).split()
        assert_equal(sorted(a.split("=")[0] for a in args), ["-conf", "-datadir"])

        depind = os.path.join(self.options.bindir, "depind")
        if shutil.which("systemd-analyze"):
            self.log("systemd-analyze verify")
            unit = os.path.join(self.tmpdir, "depind.service")
            with open(unit, "w") as f:
                f.write(text.replace(exec_start.group(1), depind))
            out = subprocess.run(["systemd-analyze", "verify", unit], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=60)
            # Users and folders of the unit need not exist on a build machine.
            problems = [line for line in out.stdout.decode().splitlines()
                        if line.strip() and "depind.service" in line
                        and "user" not in line.lower()]
            assert_equal(problems, [])
        else:
            self.log("systemd-analyze not installed: the unit's syntax is not checked here")

        self.log("the unit's options start a node (the example config as -conf)")
        conf = os.path.join(self.tmpdir, "depin.conf")
        shutil.copy(os.path.join(ROOT, "depin.conf.example"), conf)
        node = self.nodes[0]
        node.start(extra_args=[f"-conf={conf}"])
        assert_equal(node.rpc.getblockcount(), 0)


if __name__ == "__main__":
    import sys
    sys.exit(InitServiceTest().main())
