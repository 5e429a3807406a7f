#!/usr/bin/env python3
"""Otterscan's API (ots_*, erigon_getHeaderByNumber) and the address index
on a node with module activity: plain transfers, a deposit into the regtest
test module and its payout back (a module transfer: an internal operation),
a failed withdraw (its revert data), and a Multicall3 aggregate3Value paying
the test module (a nested call with value). Every answer's shape is checked
field by field against Otterscan's spec (docs/custom-jsonrpc.md in
otterscan/otterscan; docs/explorer.md here), and bad input gets a clear
error with bounded work."""

from test_framework.abi import encode, word
from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.tx import DEV_ACCOUNTS, TEST_MODULE_ADDRESS
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

MINER = "0x000000000000000000000000000000000000bEEF"
MULTICALL = "0xcA11bde05977b3631167028862bE2a173976CA11"

HEADER_FIELDS = ["number", "hash", "parentHash", "nonce", "sha3Uncles", "transactionsRoot",
                 "stateRoot", "receiptsRoot", "miner", "difficulty", "totalDifficulty",
                 "extraData", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas", "mixHash"]
TX_FIELDS = ["blockHash", "blockNumber", "transactionIndex", "hash", "type", "chainId", "nonce",
             "from", "to", "value", "gas", "gasPrice", "input"]
RECEIPT_FIELDS = ["transactionHash", "transactionIndex", "blockHash", "blockNumber", "from", "to",
                  "cumulativeGasUsed", "gasUsed", "effectiveGasPrice", "contractAddress", "logs",
                  "logsBloom", "type", "status"]


def is_quantity(v):
    return isinstance(v, str) and v.startswith("0x") and (v == "0x0" or v[2] != "0") and \
        all(c in "0123456789abcdef" for c in v[2:]) and len(v) > 2


def is_data(v, size=None):
    ok = isinstance(v, str) and v.startswith("0x") and len(v) % 2 == 0
    return ok and (size is None or len(v) == 2 + 2 * size)


def selector(rpc, signature):
    return rpc.call("web3_sha3", "0x" + signature.encode().hex())[:10]


def aggregate3_value_one(rpc, target, value, calldata):
    """aggregate3Value((address,bool,uint256,bytes)[]) with one call."""
    data = bytes.fromhex(calldata[2:])
    padded = data.hex() + "00" * ((32 - len(data) % 32) % 32)
    tup = word(int(target, 16)) + word(0) + word(value) + word(0x80) + word(len(data)) + padded
    return selector(rpc, "aggregate3Value((address,bool,uint256,bytes)[])") + \
        word(0x20) + word(1) + word(0x20) + tup


class OtterscanApiTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def error(self, method, *params):
        try:
            self.rpc.call(method, *params)
        except JSONRPCException as e:
            return e
        raise AssertionError(f"{method}{params} succeeded")

    def send(self, key, to, value=0, data="0x", gas=21000):
        nonce = int(self.rpc.call("eth_getTransactionCount", DEV_ACCOUNTS[1][0]
                                  if key == DEV_ACCOUNTS[1][1] else DEV_ACCOUNTS[2][0],
                                  "pending"), 16)
        raw, txid = self.txtool.sign(key, to, nonce, value=value, data=data, gas=gas)
        self.rpc.sendrawtransaction(raw)
        self.rpc.generatetoaddress(1, MINER)
        return txid

    def check_header(self, h, number):
        for f in HEADER_FIELDS:
            assert_in(f, h, f"header field {f}")
        assert_equal(int(h["number"], 16), number)
        assert_true(is_data(h["hash"], 32) and is_data(h["parentHash"], 32))
        for f in ["gasLimit", "gasUsed", "timestamp", "difficulty", "totalDifficulty"]:
            assert_true(is_quantity(h[f]), f"{f} is a quantity: {h[f]}")

    def check_tx(self, tx):
        for f in TX_FIELDS:
            assert_in(f, tx, f"tx field {f}")
        for f in ["blockNumber", "transactionIndex", "nonce", "value", "gas", "gasPrice"]:
            assert_true(is_quantity(tx[f]), f"tx {f} is a quantity: {tx[f]}")

    def check_receipt(self, r, trimmed):
        for f in RECEIPT_FIELDS:
            assert_in(f, r, f"receipt field {f}")
        assert_true(r["status"] in ("0x0", "0x1"))
        assert_equal(r["contractAddress"], None)
        if trimmed:
            assert_equal(r["logs"], None)
            assert_equal(r["logsBloom"], None)

    def run_test(self):
        node = self.nodes[0]
        alice, alice_key = DEV_ACCOUNTS[1]
        bob = DEV_ACCOUNTS[2][0]
        node.start(["-addressindex"])
        self.rpc = rpc = node.rpc
        wait_until(lambda: rpc.getindexinfo().get("addressindex", {}).get("synced"), timeout=60)

        self.log("chain activity: transfer, deposit, module payout, failed withdraw, multicall")
        pay = self.send(alice_key, bob, value=7 * 10**18)
        deposit = self.send(alice_key, TEST_MODULE_ADDRESS, value=10**18,
                            data=selector(rpc, "deposit()"), gas=300000)
        withdraw_sel = selector(rpc, "withdraw(uint256)")
        payout = self.send(alice_key, TEST_MODULE_ADDRESS,
                           data=withdraw_sel + encode(["uint256"], [4 * 10**17]), gas=300000)
        failed = self.send(alice_key, TEST_MODULE_ADDRESS,
                           data=withdraw_sel + encode(["uint256"], [10**30]), gas=300000)
        deposit_data = selector(rpc, "deposit()")
        multi = self.send(alice_key, MULTICALL, value=5,
                          data=aggregate3_value_one(rpc, TEST_MODULE_ADDRESS, 5, deposit_data),
                          gas=1_000_000)
        for txid, status in [(pay, "0x1"), (deposit, "0x1"), (payout, "0x1"), (failed, "0x0"),
                             (multi, "0x1")]:
            assert_equal(rpc.call("eth_getTransactionReceipt", txid)["status"], status, txid)
        tip = rpc.getblockcount()
        assert_equal(tip, 5)

        self.log("ots_getApiLevel, ots_hasCode, ots_getContractCreator")
        assert_equal(rpc.call("ots_getApiLevel"), 8)
        assert_equal(rpc.call("ots_hasCode", TEST_MODULE_ADDRESS, "latest"), True)
        assert_equal(rpc.call("ots_hasCode", MULTICALL, "latest"), True)
        assert_equal(rpc.call("ots_hasCode", alice, "latest"), False)
        assert_equal(rpc.call("ots_getContractCreator", TEST_MODULE_ADDRESS), None)

        self.log("ots_getBlockDetails: block without txs, issuance, totalFees")
        details = rpc.call("ots_getBlockDetails", 2)
        assert_equal(sorted(details.keys()), ["block", "issuance", "totalFees"])
        block = details["block"]
        self.check_header(block, 2)
        assert_equal(block["transactionCount"], 1)
        assert_equal(block["logsBloom"], None)
        assert_true("transactions" not in block)
        assert_true(is_quantity(block["size"]))
        assert_equal(block["uncles"], [])
        assert_equal(sorted(details["issuance"].keys()), ["blockReward", "issuance", "uncleReward"])
        for v in details["issuance"].values():
            assert_true(is_quantity(v))
        assert_equal(details["issuance"]["uncleReward"], "0x0")
        receipt = rpc.call("eth_getTransactionReceipt", deposit)
        fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
        assert_equal(int(details["totalFees"], 16), fee)
        assert_equal(rpc.call("ots_getBlockDetails", "0x2")["block"]["hash"], block["hash"])
        assert_equal(rpc.call("ots_getBlockDetails", 10**9), None)

        self.log("ots_getBlockTransactions: a page, input cut to the selector, trimmed receipts")
        page = rpc.call("ots_getBlockTransactions", 2, 0, 25)
        assert_equal(sorted(page.keys()), ["fullblock", "receipts"])
        self.check_header(page["fullblock"], 2)
        assert_equal(page["fullblock"]["transactionCount"], 1)
        assert_equal(len(page["fullblock"]["transactions"]), 1)
        tx = page["fullblock"]["transactions"][0]
        self.check_tx(tx)
        assert_equal(tx["hash"], deposit)
        assert_equal(tx["input"], deposit_data)
        assert_equal(len(page["receipts"]), 1)
        self.check_receipt(page["receipts"][0], trimmed=True)
        beyond = rpc.call("ots_getBlockTransactions", 2, 10**12, 25)
        assert_equal(beyond["fullblock"]["transactions"], [])
        assert_equal(beyond["receipts"], [])

        self.log("ots_getInternalOperations: the module's payout, the multicall's nested value")
        ops = rpc.call("ots_getInternalOperations", payout)
        assert_equal(ops, [{"type": 0, "from": TEST_MODULE_ADDRESS, "to": alice,
                            "value": hex(4 * 10**17)}])
        assert_equal(rpc.call("ots_getInternalOperations", pay), [])
        assert_equal(rpc.call("ots_getInternalOperations", failed), [])
        ops = rpc.call("ots_getInternalOperations", multi)
        assert_equal(ops, [{"type": 0, "from": MULTICALL, "to": TEST_MODULE_ADDRESS,
                            "value": "0x5"}])

        self.log("ots_traceTransaction: the tx's call and the nested module call")
        trace = rpc.call("ots_traceTransaction", multi)
        assert_equal(len(trace), 2)
        for frame in trace:
            assert_equal(sorted(frame.keys()), ["depth", "from", "input", "to", "type", "value"])
            assert_equal(frame["type"], "CALL")
        assert_equal(trace[0]["depth"], 0)
        assert_equal(trace[0]["from"], alice)
        assert_equal(trace[0]["to"], MULTICALL)
        assert_equal(trace[0]["value"], "0x5")
        assert_equal(trace[1]["depth"], 1)
        assert_equal(trace[1]["from"], MULTICALL)
        assert_equal(trace[1]["to"], TEST_MODULE_ADDRESS)
        assert_equal(trace[1]["value"], "0x5")
        assert_equal(trace[1]["input"], deposit_data)
        single = rpc.call("ots_traceTransaction", pay)
        assert_equal(single, [{"type": "CALL", "depth": 0, "from": alice, "to": bob,
                               "value": hex(7 * 10**18), "input": "0x"}])

        self.log("ots_getTransactionError: 0x, or Error(string) of the module's rule")
        assert_equal(rpc.call("ots_getTransactionError", payout), "0x")
        err = rpc.call("ots_getTransactionError", failed)
        assert_true(err.startswith("0x08c379a0"), err)
        blob = bytes.fromhex(err[10:])
        length = int.from_bytes(blob[32:64], "big")
        reason = blob[64:64 + length].decode()
        assert_true(reason.startswith("testmod-insufficient-deposit"), reason)

        self.log("ots_searchTransactionsBefore / After: pages from the address index")
        mine = [multi, failed, payout, deposit, pay]  # newest first
        first = rpc.call("ots_searchTransactionsBefore", alice, 0, 2)
        assert_equal(sorted(first.keys()), ["firstPage", "lastPage", "receipts", "txs"])
        assert_equal(first["firstPage"], True)
        assert_equal(first["lastPage"], False)
        seen = []
        result = first
        while True:
            for t, r in zip(result["txs"], result["receipts"]):
                self.check_tx(t)
                self.check_receipt(r, trimmed=False)
                assert_true(is_quantity(r["timestamp"]))
                assert_equal(t["hash"], r["transactionHash"])
            seen += [t["hash"] for t in result["txs"]]
            if result["lastPage"]:
                break
            last_block = int(result["txs"][-1]["blockNumber"], 16)
            result = rpc.call("ots_searchTransactionsBefore", alice, last_block, 2)
            assert_equal(result["firstPage"], False)
        assert_equal(seen, mine)
        after = rpc.call("ots_searchTransactionsAfter", alice, 0, 25)
        assert_equal([t["hash"] for t in after["txs"]], mine)
        assert_equal(after["firstPage"], True)
        assert_equal(after["lastPage"], True)
        after = rpc.call("ots_searchTransactionsAfter", alice, 2, 1)
        assert_equal([t["hash"] for t in after["txs"]], [payout])
        assert_equal(after["firstPage"], False)
        assert_equal(after["lastPage"], False)
        module_txs = rpc.call("ots_searchTransactionsBefore", TEST_MODULE_ADDRESS, 0, 25)
        assert_equal([t["hash"] for t in module_txs["txs"]], [multi, failed, payout, deposit])
        assert_equal(rpc.call("ots_searchTransactionsBefore", bob, 0, 25)["txs"][0]["hash"], pay)

        self.log("ots_getTransactionBySenderAndNonce, erigon_getHeaderByNumber")
        for nonce, txid in enumerate(reversed(mine)):
            assert_equal(rpc.call("ots_getTransactionBySenderAndNonce", alice, nonce), txid)
        assert_equal(rpc.call("ots_getTransactionBySenderAndNonce", alice, 99), None)
        header = rpc.call("erigon_getHeaderByNumber", 3)
        self.check_header(header, 3)
        assert_true("transactions" not in header)
        assert_equal(rpc.call("erigon_getHeaderByNumber", 10**9), None)

        self.log("getaddresshistory to the end through its cursors; getaddresssummary")
        entries, cursor = [], None
        while True:
            args = [alice, 2] + ([cursor] if cursor else [])
            h = rpc.call("getaddresshistory", *args)
            entries += h["entries"]
            cursor = h["next"]
            if cursor is None:
                break
        kinds = [(e["height"], e["kind"], e["direction"]) for e in entries]
        assert_equal(kinds, [(5, "tx", "out"), (4, "tx", "out"), (3, "transfer", "in"),
                             (3, "tx", "out"), (2, "tx", "out"), (1, "tx", "out")])
        summary = rpc.call("getaddresssummary", alice)
        assert_equal(summary["txcount"], 5)
        assert_equal(summary["firstseen"], {"height": 1, "txhash": pay})
        assert_equal(summary["lastseen"], {"height": 5, "txhash": multi})

        self.log("bad input: clear errors, bounded work")
        assert_equal(self.error("ots_getBlockTransactions", 2, 0, 101).code, -32602)
        assert_equal(self.error("ots_getBlockTransactions", 2, 0, 0).code, -32602)
        assert_equal(self.error("ots_searchTransactionsBefore", alice, 0, 10**6).code, -32602)
        assert_in("ots-bad-page-size",
                  self.error("ots_searchTransactionsAfter", alice, 0, 0).message)
        assert_equal(self.error("ots_searchTransactionsBefore", "0x12", 0, 5).code, -32602)
        assert_equal(self.error("ots_getTransactionError", "0x1234").code, -32602)
        assert_equal(self.error("ots_traceTransaction", "not a hash").code, -32602)
        assert_equal(self.error("ots_hasCode", "0xzz", "latest").code, -32602)
        assert_equal(self.error("ots_getBlockDetails", -1).code, -32602)
        assert_equal(self.error("ots_getBlockDetails", "latest").code, -32602)
        unknown = "0x" + "ab" * 32
        for method in ["ots_getTransactionError", "ots_getInternalOperations",
                       "ots_traceTransaction"]:
            assert_equal(rpc.call(method, unknown), None)
        assert_equal(self.error("getaddresshistory", alice, 1000).code, -32602)
        assert_in("addressindex-bad-cursor",
                  self.error("getaddresshistory", alice, 5, "ff" * 20).message)
        assert_in("index addressindex: synced", node.read_debug_log())
        node.stop()

        self.log("without -addressindex the search methods say the index is off")
        node.start()
        self.rpc = rpc = node.rpc
        e = self.error("ots_searchTransactionsBefore", alice, 0, 5)
        assert_equal(e.code, -32000)
        assert_in("addressindex-disabled", e.message)
        assert_in("addressindex-disabled", self.error("getaddresshistory", alice).message)
        # Without the index the nonce lookup walks back a bounded number of blocks.
        assert_equal(rpc.call("ots_getTransactionBySenderAndNonce", alice, 2), payout)
        assert_equal(rpc.call("ots_getInternalOperations", payout)[0]["value"], hex(4 * 10**17))
        node.stop()


if __name__ == "__main__":
    raise SystemExit(OtterscanApiTest().main())
