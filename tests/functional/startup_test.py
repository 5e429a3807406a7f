#!/usr/bin/env python3
"""Start-up checks: a second daemon on the same datadir is refused while the
first keeps running; unknown options, bad values and an unusable datadir stop
start-up with a clear message; depin.conf sections apply per network and the
command line wins."""

import os

from test_framework.framework import DepinTestFramework
from test_framework.node import TestNode
from test_framework.util import assert_equal, assert_in, free_port


class StartupTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]

        self.log("a second depind on the same datadir is refused")
        second = TestNode(1, self.tmpdir, self.options.bindir, timeout_factor=1.0)
        second.datadir = node.datadir  # same datadir, other ports
        err = second.assert_start_fails([], "already running")
        assert_in(node.network_dir, err)
        assert_equal(node.rpc.getblockcount(), 0)  # the first one is unharmed

        self.log("the network folder is 0700 and its files 0600 (umask 077)")
        mode = lambda p: os.stat(p).st_mode & 0o777  # noqa: E731
        assert_equal(oct(mode(node.network_dir)), oct(0o700))
        for name in ("debug.log", ".cookie"):
            assert_equal(oct(mode(os.path.join(node.network_dir, name))), oct(0o600))

        self.log("bad command lines and configs fail with the reason")
        other = TestNode(2, self.tmpdir, self.options.bindir)
        other.assert_start_fails(["-nosuchoption=1"], "unknown option")
        other.assert_start_fails(["-rpcport=notanumber"], "-rpcport takes an integer")
        other.assert_start_fails(["-mine"], "-mine needs -mineraddress")
        other.assert_start_fails(["-mineraddress=0x1234"], "-mineraddress")
        other.assert_start_fails(["-testnet"], "cannot be combined")
        other.assert_start_fails(["-loglevel=loud"], "")
        other.assert_start_fails(["-mintxtip=-1"], "-mintxtip must be >= 0")
        other.assert_start_fails(["-maxmempool=0"], "-maxmempool must be")
        not_a_dir = os.path.join(self.tmpdir, "a-file")
        open(not_a_dir, "w").close()
        other.assert_start_fails(
            [], "cannot create",
            replace_args=[other.binary, "-regtest", f"-datadir={not_a_dir}"])
        other.assert_start_fails(
            [], "cannot read config file",
            replace_args=other.base_args() + ["-conf=nosuch.conf"])
        with open(os.path.join(other.datadir, "depin.conf"), "w") as f:
            f.write("rpcthreads=2\nbogus=1\n")
        other.assert_start_fails([], "bogus")
        with open(os.path.join(other.datadir, "depin.conf"), "w") as f:
            f.write("[regtest]\nregtest=1\n")
        other.assert_start_fails([], "not valid in the [regtest] section")

        self.log("config sections apply per network; the command line wins")
        section_port = free_port()
        with open(os.path.join(other.datadir, "depin.conf"), "w") as f:
            f.write(f"rpcthreads=2\n[main]\nrpcport=1\n[regtest]\nrpcport={section_port}\n"
                    "rpcpublicport=0\n")
        other.start(replace_args=[other.binary, "-regtest", f"-datadir={other.datadir}",
                                  f"-port={other.p2p_port}"], wait=False)
        other.rpc_port = section_port
        other.wait_for_rpc()
        assert_equal(other.rpc.getnetworkinfo()["rpcport"], section_port)
        other.stop()
        cli_port = free_port()
        other.rpc_port = cli_port
        other.start()  # base_args() passes -rpcport=<cli_port>
        assert_equal(other.rpc.getnetworkinfo()["rpcport"], cli_port)
        other.stop()

        self.log("-help and -version exit 0")
        import subprocess
        out = subprocess.run([node.binary, "-help"], capture_output=True, text=True, check=True)
        assert_in("-devblocktime", out.stdout)
        out = subprocess.run([node.binary, "-version"], capture_output=True, text=True,
                             check=True)
        assert_in("depind", out.stdout)


if __name__ == "__main__":
    import sys
    sys.exit(StartupTest().main())
