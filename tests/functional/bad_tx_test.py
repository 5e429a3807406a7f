#!/usr/bin/env python3
"""A bad raw tx is refused with the precise rule (-32000 "rule: message",
the message in go-ethereum's words): bad signature, wrong chain id, nonce too
low or too high, insufficient funds, fee cap below the base fee, data to a
non-module address, too little gas, malformed envelopes. The node keeps
serving and the mempool stays clean."""

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS, TEST_MODULE_ADDRESS
from test_framework.util import assert_equal, assert_raises_rpc_error

SERVER_ERROR = -32000
MINER = "0x000000000000000000000000000000000000bEEF"


class BadTxTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def refused(self, rule, geth_words, raw):
        e = assert_raises_rpc_error(SERVER_ERROR, rule, self.nodes[0].rpc.sendrawtransaction, raw)
        if geth_words:
            assert_equal(geth_words in e.message, True, f"{geth_words!r} in {e.message!r}")
        self.log(f"refused: {e.message}")

    def run_test(self):
        rpc = self.nodes[0].rpc
        sender, key = DEV_ACCOUNTS[4]
        to = DEV_ACCOUNTS[5][0]
        sign = self.txtool.sign
        rpc.generatetoaddress(1, MINER)

        # A valid tx first, so "nonce too low" has something to be low against.
        raw, _ = sign(key, to, 0, value=1)
        rpc.sendrawtransaction(raw)
        rpc.generatetoaddress(1, MINER)

        self.refused("tx-sig-high-s", None, sign(key, to, 1, sig="high-s")[0])
        self.refused("tx-sig-invalid", None, sign(key, to, 1, sig="zero-r")[0])
        self.refused("tx-wrong-chain-id", "invalid chain id", sign(key, to, 1, chain_id=1)[0])
        self.refused("tx-wrong-chain-id", "invalid chain id",
                     sign(key, to, 1, chain_id=1, legacy=True)[0])
        self.refused("tx-nonce-too-low", "nonce too low", sign(key, to, 0)[0])
        self.refused("tx-nonce-too-high", "nonce too high", sign(key, to, 1000)[0])
        self.refused("tx-insufficient-funds", "insufficient funds",
                     sign(key, to, 1, value=20000 * 10**18)[0])
        self.refused("tx-fee-cap-below-base-fee", "max fee per gas less than block base fee",
                     sign(key, to, 1, maxfee=1000, tip=0)[0])
        self.refused("tx-data-to-non-module", "non-module", sign(key, to, 1, data="0x1234",
                                                                   gas=30000)[0])
        self.refused("tx-intrinsic-gas", "intrinsic gas too low", sign(key, to, 1, gas=20000)[0])
        self.refused("tx-tip-above-fee-cap", None, sign(key, to, 1, maxfee=10**9, tip=10**10)[0])

        self.log("malformed envelopes name the decoding rule")
        good, _ = sign(key, to, 1)
        for raw in ["0x", "0x02", good[:-2], good + "00", "0x05" + good[4:]]:
            e = assert_raises_rpc_error(SERVER_ERROR, None, rpc.sendrawtransaction, raw)
            self.log(f"refused: {e.message}")

        self.log("decoderawtransaction reports any chain id and a bad signature")
        foreign = rpc.decoderawtransaction(sign(key, to, 7, chain_id=1)[0])
        assert_equal(foreign["chainid"], 1)
        assert_equal(foreign["from"], sender)
        assert_equal(foreign["nonce"], 7)
        broken = rpc.decoderawtransaction(sign(key, to, 1, sig="zero-r")[0])
        assert_equal(broken["from"], None)
        assert_equal("signatureerror" in broken, True)

        self.log("nothing bad reached the pool; a good tx still goes in")
        assert_equal(rpc.getrawmempool(), [])
        assert_equal(rpc.sendrawtransaction(good), sign(key, to, 1)[1])
        assert_equal(rpc.getmempoolinfo()["size"], 1)
        acct = rpc.getaccount(TEST_MODULE_ADDRESS)
        assert_equal(acct["ismodule"], True)


if __name__ == "__main__":
    import sys
    sys.exit(BadTxTest().main())
