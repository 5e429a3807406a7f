#!/usr/bin/env python3
"""A -dev node mines a block every -devblocktime seconds, prints the ten
funded development accounts with their keys and the RPC URL, and serves
them over RPC."""

import time

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import WEI_PER_DPN, assert_equal, assert_in, assert_true, wait_until


class DevNodeTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.network = "regtest"

    def setup_nodes(self):
        self.add_nodes(1)
        node = self.nodes[0]
        # Exactly what `make run` passes, plus a private datadir and port.
        node.start(replace_args=[node.binary, "-dev", "-printtoconsole",
                                 f"-datadir={node.datadir}", f"-rpcport={node.rpc_port}",
                                 f"-port={node.p2p_port}", "-devblocktime=1"])

    def run_test(self):
        node = self.nodes[0]
        out = wait_until(lambda: "Private keys" in node.read_stdout() and node.read_stdout(),
                         what="dev banner")
        assert_in(f"http://127.0.0.1:{node.rpc_port}", out)
        assert_in("chain id 1337", out)
        for address, key in DEV_ACCOUNTS:
            assert_in(address, out)
            assert_in(key, out)
        assert_in("test test test test test test test test test test test junk", out)
        # P2P on loopback only: a dev chain at minimum difficulty is anyone's to reorganise.
        log = node.read_debug_log()
        assert_in(f"P2P listening on 127.0.0.1:{node.p2p_port}", log)
        assert_true("P2P listening on 0.0.0.0" not in log, "no wildcard P2P listener in -dev")

        self.log("blocks arrive every -devblocktime seconds without any tx")
        info = node.rpc.getblockchaininfo()
        assert_equal(info["chain"], "regtest")
        assert_equal(info["chainid"], 1337)
        start_height = info["blocks"]
        started = time.monotonic()
        wait_until(lambda: node.rpc.getblockcount() >= start_height + 3, timeout=20,
                   what="three more blocks")
        elapsed = time.monotonic() - started
        assert_true(elapsed >= 1.5, f"blocks came too fast ({elapsed:.1f}s for 3)")

        mining = node.rpc.getmininginfo()
        assert_equal(mining["mining"], True)
        assert_equal(mining["devblocktime"], 1)
        assert_equal(mining["mineraddress"], DEV_ACCOUNTS[0][0])

        self.log("dev accounts are funded; account 0 also earns the block rewards")
        for address, _ in DEV_ACCOUNTS[1:]:
            acct = node.rpc.getaccount(address)
            assert_equal(acct["balance"], str(10000 * WEI_PER_DPN))
            assert_equal(acct["nonce"], 0)
        acct0 = node.rpc.getaccount(DEV_ACCOUNTS[0][0])
        assert_true(int(acct0["balance"]) > 10000 * WEI_PER_DPN, "account 0 earns rewards")

        self.log("public methods answer without credentials")
        anon = node.client()
        assert_equal(anon.getblockcount() >= start_height + 3, True)
        tip = node.rpc.getbestblockhash()
        header = node.rpc.getblockheader(tip)
        assert_equal(header["miner"], DEV_ACCOUNTS[0][0])


if __name__ == "__main__":
    import sys
    sys.exit(DevNodeTest().main())
