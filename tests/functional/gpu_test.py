#!/usr/bin/env python3
"""A node on an OpenCL device (PoCL's CPU device in CI): -gpu=opencl picks
it (one start-up log line), -minegpu mines valid blocks on it, getgpuinfo
reports the device, its normalized model and the batches it did. A node
with -gpu=none says in one line that hashing runs on the CPU, and a bad
-gpu value stops start-up with the rule."""

import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.util import assert_equal, assert_true

MINER = "0x000000000000000000000000000000000000bEEF"


class GpuTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        self.extra_args = [["-gpu=opencl", "-minegpu", "-gpuminbatch=1"], ["-gpu=none"]]

    def run_test(self):
        node = self.nodes[0]
        info = node.rpc.getgpuinfo()
        self.log(f"getgpuinfo: {info}")
        assert_equal(info["mode"], "opencl")
        assert_true(info["active"], f"no OpenCL device: {info['reason']}")
        assert_equal(info["device"], "opencl:0")
        assert_equal(info["paths"], {"proofchecks": True, "sealing": True, "mining": True})
        device = [d for d in info["devices"] if d["active"]][0]
        assert_true(device["model"] != "" and device["vrambytes"] > 0, str(device))
        log = node.read_debug_log()
        assert_true("gpu: using opencl:0" in log, "start-up names the device")

        self.log("-minegpu mines valid blocks on the device")
        hashes = node.rpc.generatetoaddress(3, MINER)
        assert_equal(len(hashes), 3)
        assert_equal(node.rpc.getblockcount(), 3)
        counters = node.rpc.getgpuinfo()["counters"]
        assert_true(counters["devicebatches"] >= 3, str(counters))
        assert_equal(counters["fallbacks"], 0)

        self.log("-gpu=none: the CPU, said once")
        other = self.nodes[1]
        info = other.rpc.getgpuinfo()
        assert_equal(info["active"], False)
        assert_equal(info["device"], None)
        assert_equal(other.read_debug_log().count("hashing runs on the CPU"), 1)

        self.log("a bad -gpu value stops start-up")
        out = subprocess.run([self.options.bindir + "/depind", "-regtest", "-gpu=metal",
                              "-datadir=" + other.datadir + "-bad"],
                             capture_output=True, text=True, timeout=60)
        assert_true(out.returncode != 0, "depind refused -gpu=metal")
        assert_true("gpu" in (out.stdout + out.stderr), out.stdout + out.stderr)


if __name__ == "__main__":
    GpuTest().main()
