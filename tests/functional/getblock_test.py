#!/usr/bin/env python3
"""Block and header queries agree with each other at every verbosity:
getblock 0 (hex), 1 (tx hashes), 2 (full txs with receipts), getblockheader
as object and hex, getblockhash, getbestblockhash, getblockchaininfo, and
the mining methods getblocktemplate / submitblock round-trip."""

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import (assert_equal, assert_greater_than, assert_raises_rpc_error,
                                 assert_true)

MINER = "0x000000000000000000000000000000000000bEEF"


class GetBlockTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        rpc = self.nodes[0].rpc
        rpc.generatetoaddress(2, MINER)
        _, key = DEV_ACCOUNTS[8]
        txids = []
        for nonce in range(2):
            raw, txid = self.txtool.sign(key, DEV_ACCOUNTS[9][0], nonce, value=nonce + 1)
            rpc.sendrawtransaction(raw)
            txids.append(txid)
        block_hash = rpc.generatetoaddress(1, MINER)[0]
        rpc.generatetoaddress(1, MINER)

        info = rpc.getblockchaininfo()
        assert_equal(info["blocks"], 4)
        assert_equal(info["headers"], 4)
        assert_equal(rpc.getblockcount(), 4)
        assert_equal(rpc.getbestblockhash(), info["bestblockhash"])
        assert_equal(rpc.getblockhash(4), info["bestblockhash"])
        assert_equal(rpc.getblockhash(3), block_hash)
        assert_greater_than(info["size_on_disk"], 0)
        assert_equal(info["initialblockdownload"], False)
        assert_raises_rpc_error(-32602, "out of range", rpc.getblockhash, 5)

        self.log("verbosity 1: header fields and tx hashes")
        b1 = rpc.getblock(block_hash)
        assert_equal(b1, rpc.getblock(block_hash, 1))
        assert_equal(b1["tx"], txids)
        assert_equal(b1["height"], 3)
        assert_equal(b1["confirmations"], 2)
        assert_equal(b1["ntx"], 2)
        assert_equal(b1["miner"], MINER)
        assert_equal(b1["previousblockhash"], rpc.getblockhash(2))
        assert_equal(b1["nextblockhash"], rpc.getblockhash(4))
        assert_true("nextblockhash" not in rpc.getblock(info["bestblockhash"]), "tip has no next")

        self.log("verbosity 2: full txs with receipts")
        b2 = rpc.getblock(block_hash, 2)
        assert_equal([t["hash"] for t in b2["tx"]], txids)
        assert_equal(b2["tx"][1]["receipt"]["cumulativegasused"], 42000)
        assert_equal(b2["tx"][0]["nonce"], 0)
        assert_equal(b2["tx"][1]["value"], "2")
        for field in b1:
            if field != "tx":
                assert_equal(b2[field], b1[field], field)

        self.log("verbosity 0 and header hex are the same bytes")
        raw = rpc.getblock(block_hash, 0)
        header_hex = rpc.getblockheader(block_hash, False)
        assert_equal(len(header_hex), 2 + 2 * 260)
        assert_equal(raw[:len(header_hex)], header_hex)
        assert_equal(b1["size"] * 2 + 2, len(raw))

        header = rpc.getblockheader(block_hash)
        for field in header:
            assert_equal(header[field], b1[field], field)

        self.log("genesis")
        genesis = rpc.getblock(rpc.getblockhash(0))
        assert_equal(genesis["height"], 0)
        assert_equal(genesis["tx"], [])

        self.log("getblocktemplate -> solve -> submitblock")
        tmpl = rpc.getblocktemplate(MINER)
        assert_equal(tmpl["height"], 5)
        assert_equal(tmpl["previousblockhash"], info["bestblockhash"])
        # Regtest's target accepts about every other nonce; try a few.
        block_hex = tmpl["block"][2:]
        offset = tmpl["nonceoffset"] * 2
        accepted = False
        for nonce in range(64):
            candidate = (block_hex[:offset] + nonce.to_bytes(8, "little").hex()
                         + block_hex[offset + 16:])
            try:
                result = rpc.submitblock("0x" + candidate)
            except Exception as e:  # noqa: BLE001 - high-hash until a nonce fits
                assert_true("block-high-hash" in str(e), str(e))
                continue
            assert_equal(result, None)
            assert_equal(rpc.submitblock("0x" + candidate), "duplicate")
            accepted = True
            break
        assert_true(accepted, "no nonce found in 64 tries")
        assert_equal(rpc.getblockcount(), 5)


if __name__ == "__main__":
    import sys
    sys.exit(GetBlockTest().main())
