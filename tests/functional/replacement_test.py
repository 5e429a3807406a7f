#!/usr/bin/env python3
"""Replacement via RPC: a tx with the same sender and nonce replaces the
pooled one only when both fee caps rise by at least 10%; the replaced tx
leaves the pool and never gets mined, the replacement does."""

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_raises_rpc_error

SERVER_ERROR = -32000
MINER = "0x000000000000000000000000000000000000bEEF"
GWEI = 10**9


class ReplacementTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        rpc = self.nodes[0].rpc
        _, key = DEV_ACCOUNTS[6]
        to = DEV_ACCOUNTS[7][0]
        sign = self.txtool.sign
        rpc.generatetoaddress(1, MINER)

        original, original_id = sign(key, to, 0, value=1, maxfee=10 * GWEI, tip=1 * GWEI)
        assert_equal(rpc.sendrawtransaction(original), original_id)

        self.log("the same tx again is already known")
        assert_raises_rpc_error(SERVER_ERROR, "already known", rpc.sendrawtransaction, original)

        self.log("a bump below 10% on either fee cap is refused")
        for maxfee, tip in [(10 * GWEI, 2 * GWEI), (12 * GWEI, GWEI + GWEI // 20),
                            (10 * GWEI + GWEI // 2, 2 * GWEI)]:
            raw, _ = sign(key, to, 0, value=2, maxfee=maxfee, tip=tip)
            assert_raises_rpc_error(SERVER_ERROR, "replacement transaction underpriced",
                                    rpc.sendrawtransaction, raw)
        assert_equal(rpc.getrawmempool(), [original_id])

        self.log("a 10% bump on both replaces it")
        bumped, bumped_id = sign(key, to, 0, value=2, maxfee=11 * GWEI, tip=GWEI + GWEI // 10)
        assert_equal(rpc.sendrawtransaction(bumped), bumped_id)
        assert_equal(rpc.getrawmempool(), [bumped_id])
        assert_raises_rpc_error(-5, None, rpc.getrawtransaction, original_id)

        self.log("only the replacement is mined")
        block = rpc.getblock(rpc.generatetoaddress(1, MINER)[0])
        assert_equal(block["tx"], [bumped_id])
        assert_equal(rpc.getrawtransaction(bumped_id, True)["value"], "2")
        assert_raises_rpc_error(SERVER_ERROR, "nonce too low", rpc.sendrawtransaction, original)


if __name__ == "__main__":
    import sys
    sys.exit(ReplacementTest().main())
