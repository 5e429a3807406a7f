#!/usr/bin/env python3
"""The tx index lives in indexes/txindex/, outside the consensus database:
with -txindex=0 a mined tx cannot be found by hash and the RPC says why
(pending ones still can); a restart with the index builds it in the
background (getindexinfo shows it synced), after which getrawtransaction and
eth_getTransactionReceipt find the tx; an index whose best block the
chainstate does not know (another chain under it) is logged and rebuilt."""

import os
import shutil
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

MINER = "0x000000000000000000000000000000000000bEEF"


class TxIndexTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def expect_error(self, method, *params):
        try:
            self.nodes[0].rpc.call(method, *params)
        except JSONRPCException as e:
            return e
        raise AssertionError(f"{method} succeeded")

    def run_test(self):
        node = self.nodes[0]
        _, key = DEV_ACCOUNTS[1]
        receiver = DEV_ACCOUNTS[2][0]

        self.log("-txindex=0: no index folder; lookups of mined txs say the index is disabled")
        node.start(["-txindex=0"])
        rpc = node.rpc
        raw, txid = self.txtool.sign(key, receiver, 0, value=10**18)
        assert_equal(rpc.sendrawtransaction(raw), txid)
        assert_equal(rpc.getrawtransaction(txid, True)["inmempool"], True)
        assert_equal(rpc.call("eth_getTransactionReceipt", txid), None)  # pending: no receipt yet
        rpc.generatetoaddress(3, MINER)
        assert_true(not os.path.exists(os.path.join(node.network_dir, "indexes", "txindex")),
                    "no index folder with -txindex=0")
        assert_equal(rpc.getindexinfo(), {})
        e = self.expect_error("getrawtransaction", txid)
        assert_equal(e.code, -5)
        assert_in("-txindex=0", e.message)
        e = self.expect_error("eth_getTransactionReceipt", txid)
        assert_in("disabled", e.message)
        node.stop()

        self.log("with the index: built in the background, then lookups work")
        node.start()
        rpc = node.rpc
        wait_until(lambda: rpc.getindexinfo()["txindex"]["synced"], timeout=60)
        info = rpc.getindexinfo("txindex")["txindex"]
        # Bad input: an unknown name is an empty answer (as Bitcoin Core), a
        # name that is not a string an invalid-params error.
        assert_equal(rpc.getindexinfo("nosuchindex"), {})
        assert_equal(self.expect_error("getindexinfo", 5).code, -32602)
        assert_equal(self.expect_error("getindexinfo", "txindex", "extra").code, -32602)
        assert_equal(info["best_block_height"], 3)
        assert_equal(info["best_block_hash"], rpc.getbestblockhash())
        assert_in("index txindex: synced at height 3", node.read_debug_log())
        tx = rpc.getrawtransaction(txid, True)
        assert_equal(tx["height"], 1)
        receipt = rpc.call("eth_getTransactionReceipt", txid)
        assert_equal(int(receipt["blockNumber"], 16), 1)
        assert_equal(int(receipt["status"], 16), 1)

        self.log("it follows new blocks")
        raw, txid2 = self.txtool.sign(key, receiver, 1, value=5)
        rpc.sendrawtransaction(raw)
        rpc.generatetoaddress(1, MINER)
        assert_equal(rpc.getrawtransaction(txid2, True)["height"], 4)
        assert_equal(rpc.getindexinfo()["txindex"]["best_block_height"], 4)
        node.stop()

        self.log("an index whose best block this chainstate does not know is logged and rebuilt")
        other = os.path.join(self.tmpdir, "other")
        tool = os.path.join(self.options.bindir, "depin-chaingen")
        out = subprocess.run([tool, f"--datadir={other}", "--blocks=5", "--txs=2"],
                             capture_output=True, text=True, timeout=120)
        assert_equal(out.returncode, 0)
        # Another chain (other blocks on the same regtest genesis) under the same index.
        for sub in ("chainstate", "blocks"):
            shutil.rmtree(os.path.join(node.network_dir, sub))
            shutil.copytree(os.path.join(other, "regtest", sub), os.path.join(node.network_dir, sub))
        node.start()
        rpc = node.rpc
        wait_until(lambda: rpc.getindexinfo()["txindex"]["synced"], timeout=60)
        assert_equal(rpc.getindexinfo()["txindex"]["best_block_height"], 5)
        log = node.read_debug_log()
        assert_in("is not in the block tree; rebuilding it from genesis", log)
        assert_in("index txindex: synced at height 5 (5 blocks in", log)
        block = rpc.getblock(rpc.getblockhash(2), 1)
        assert_equal(rpc.getrawtransaction(block["tx"][0], True)["height"], 2)
        node.stop()


if __name__ == "__main__":
    raise SystemExit(TxIndexTest().main())
