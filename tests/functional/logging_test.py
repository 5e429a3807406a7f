#!/usr/bin/env python3
"""debug.log: timestamped lines with thread, category and level; -debug=<category>
adds that category's debug lines and nothing else; SIGHUP reopens the file
so an operator can rotate it."""

import os
import re
import signal

from test_framework.framework import DepinTestFramework
from test_framework.util import assert_true, wait_until

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \[[^\]]+\] \[[a-z]+:[a-z]+\] ")


class LoggingTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-debug=chain"]]

    def run_test(self):
        node = self.nodes[0]
        node.rpc.generatetoaddress(1, "0x000000000000000000000000000000000000bEEF")
        node.wait_for_log("[node:info] depind started")
        node.wait_for_log("[chain:debug] connected block")
        lines = node.read_debug_log().splitlines()
        assert_true(len(lines) > 3, "start-up is logged")
        for line in lines:
            assert_true(LINE.match(line), f"malformed log line: {line!r}")
        log = node.read_debug_log()
        assert_true("[chain:debug]" in log, "-debug=chain gives chain debug lines")
        other_debug = [l for l in lines if ":debug]" in l and "[chain:debug]" not in l]
        assert_true(not other_debug, f"only chain debug lines: {other_debug[:3]}")

        self.log("SIGHUP reopens debug.log after rotation")
        rotated = node.debug_log + ".1"
        os.rename(node.debug_log, rotated)
        node.process.send_signal(signal.SIGHUP)
        wait_until(lambda: os.path.exists(node.debug_log), what="new debug.log")
        node.rpc.generatetoaddress(1, "0x000000000000000000000000000000000000bEEF")
        wait_until(lambda: "connected block" in node.read_debug_log(),
                   what="lines in the new debug.log")
        assert_true(node.running(), "SIGHUP does not stop the node")

        self.log("without -debug, no debug lines")
        node.stop()
        node.extra_args = []
        os.remove(node.debug_log)
        node.start()
        node.rpc.generatetoaddress(1, "0x000000000000000000000000000000000000bEEF")
        node.stop()
        assert_true(":debug]" not in node.read_debug_log(), "no debug lines by default")


if __name__ == "__main__":
    import sys
    sys.exit(LoggingTest().main())
