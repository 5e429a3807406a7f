#!/usr/bin/env python3
"""The eth_ methods are public: without credentials, on the main port and on the
public listener (-rpcpublicport), a wallet reads chain and account state, sends
a signed tx (legacy EIP-155 too) and reads its receipt; rejected txs carry
go-ethereum's messages with code -32000; a batch of 100 eth_ calls is one HTTP
request (on the public port each entry costs a rate-limit token); unknown
methods are -32601 and admin methods stay absent on the public
port; balances, nonces and eth_call at an older block answer as they were then."""

import json
import time

from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.tx import DEV_ACCOUNTS, TEST_MODULE_ADDRESS
from test_framework.util import assert_equal, assert_raises_rpc_error, assert_true, free_port

SERVER_ERROR = -32000
METHOD_NOT_FOUND = -32601
MINER = "0x000000000000000000000000000000000000bEEF"


class EthPublicTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.public_port = free_port()
        self.extra_args = [[f"-rpcpublicport={self.public_port}"]]

    def run_test(self):
        node = self.nodes[0]
        admin = node.rpc
        sender, key = DEV_ACCOUNTS[1]
        receiver = DEV_ACCOUNTS[2][0]

        for label, client in (("main port", node.client()),
                              ("public port", node.client(port=self.public_port))):
            self.log(f"{label}: reads without credentials")
            assert_equal(client.call("eth_chainId"), "0x539")
            assert_equal(client.call("net_version"), "1337")
            assert_true(int(client.call("eth_getBalance", sender, "latest"), 16) > 10**18)
            assert_equal(client.call("eth_getCode", "0x0000000000000000000000000000000000000F00",
                                     "latest"), "0xfe")
            block = client.call("eth_getBlockByNumber", "latest", False)
            assert_equal(block["sha3Uncles"],
                         "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
            assert_raises_rpc_error(METHOD_NOT_FOUND, None, client.call, "eth_noSuchMethod")

        public = node.client(port=self.public_port)
        self.log("public port: admin methods do not exist there")
        assert_raises_rpc_error(METHOD_NOT_FOUND, None, public.call, "generatetoaddress", 1, MINER)

        self.log("public port: send a tx, mine it, read tx and receipt")
        nonce = int(public.call("eth_getTransactionCount", sender, "pending"), 16)
        raw, txid = self.txtool.sign(key, receiver, nonce, value=777)
        assert_equal(public.call("eth_sendRawTransaction", raw), txid)
        pending = public.call("eth_getTransactionByHash", txid)
        assert_equal(pending["blockNumber"], None)
        assert_equal(public.call("eth_getTransactionCount", sender, "pending"), hex(nonce + 1))
        assert_equal(public.call("eth_getTransactionReceipt", txid), None)
        admin.generatetoaddress(1, MINER)
        receipt = public.call("eth_getTransactionReceipt", txid)
        assert_equal(receipt["status"], "0x1")
        assert_equal(receipt["gasUsed"], "0x5208")
        assert_equal(receipt["logs"], [])
        mined = public.call("eth_getTransactionByHash", txid)
        assert_equal(mined["blockHash"], receipt["blockHash"])
        assert_equal(mined["value"], hex(777))

        self.log("legacy EIP-155 tx")
        raw, txid = self.txtool.sign(key, receiver, nonce + 1, value=1, legacy=True)
        assert_equal(public.call("eth_sendRawTransaction", raw), txid)
        admin.generatetoaddress(1, MINER)
        legacy = public.call("eth_getTransactionByHash", txid)
        assert_equal(legacy["type"], "0x0")
        assert_true(int(legacy["v"], 16) in (1337 * 2 + 35, 1337 * 2 + 36))

        self.log("rejections use geth's messages, code -32000")
        raw, _ = self.txtool.sign(key, receiver, 0, value=1)
        self.expect_rejection(public, raw, "nonce too low")
        raw, _ = self.txtool.sign(key, receiver, nonce + 500, value=1)
        self.expect_rejection(public, raw, "nonce too high")
        raw, _ = self.txtool.sign(key, receiver, nonce + 2, value=1, chain_id=5)
        self.expect_rejection(public, raw, "invalid chain id")
        raw, _ = self.txtool.sign(key, receiver, nonce + 2, value=1, gas=20000)
        self.expect_rejection(public, raw, "intrinsic gas too low")
        raw, _ = self.txtool.sign(key, receiver, nonce + 2, value=1, maxfee=1, tip=1)
        self.expect_rejection(public, raw, "max fee per gas less than block base fee")
        raw, _ = self.txtool.sign(key, receiver, nonce + 2, gas=60000, data="0x1234")
        self.expect_rejection(public, raw, "data sent to a non-module address")

        self.log("a batch of 100 eth_ calls is one HTTP request")
        batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_blockNumber"} for i in range(100)]
        status, _, body = node.client().post_raw(json.dumps(batch))
        assert_equal(status, 200)
        replies = json.loads(body)
        assert_equal(len(replies), 100)
        assert_equal(sorted(r["id"] for r in replies), list(range(100)))
        assert_true(all(r.get("result") == "0x2" for r in replies), "every reply is the height")
        # On the public port each entry costs a rate-limit token (burst 40):
        # a batch cannot carry calls past the limit.
        status, _, body = public.post_raw(json.dumps(batch))
        assert_equal(status, 200)
        replies = json.loads(body)
        assert_equal(len(replies), 100)
        served = [r for r in replies if r.get("result") == "0x2"]
        limited = [r for r in replies if r.get("error", {}).get("code") == -32005]
        assert_equal(len(served) + len(limited), 100)
        assert_true(len(limited) >= 50, f"{len(served)} entries served with a burst of 40")
        # Let the bucket refill (20 tokens/s) for the calls below.
        time.sleep(2.5)

        self.log("state at an older block: balances, nonces and eth_call as they were")
        assert_equal(public.call("eth_getTransactionCount", sender, "earliest"), hex(nonce))
        assert_equal(public.call("eth_getTransactionCount", sender, "0x1"), hex(nonce + 1))
        assert_equal(public.call("eth_getTransactionCount", sender, "latest"), hex(nonce + 2))
        genesis_balance = int(public.call("eth_getBalance", receiver, "0x0"), 16)
        assert_equal(int(public.call("eth_getBalance", receiver, "0x1"), 16), genesis_balance + 777)
        assert_equal(int(public.call("eth_getBalance", receiver, "0x2"), 16), genesis_balance + 778)
        set_selector = self.selector(public, "set(uint256,uint256)")
        get_call = {"to": TEST_MODULE_ADDRESS,
                    "input": self.selector(public, "get(uint256)") + self.word(5)[2:]}
        for i, value in enumerate((99, 100)):
            raw, _ = self.txtool.sign(key, TEST_MODULE_ADDRESS, nonce + 2 + i, gas=200000,
                                      data=set_selector + self.word(5)[2:] + self.word(value)[2:])
            public.call("eth_sendRawTransaction", raw)
            admin.generatetoaddress(1, MINER)
        block3 = public.call("eth_getBlockByNumber", "0x3", False)
        assert_equal(public.call("eth_call", get_call, "0x2"), self.word(0))
        assert_equal(public.call("eth_call", get_call, {"blockHash": block3["hash"]}),
                     self.word(99))
        assert_equal(public.call("eth_call", get_call, "0x4"), self.word(100))
        assert_equal(public.call("eth_call", get_call, "latest"), self.word(100))
        assert_raises_rpc_error(SERVER_ERROR, "header not found", public.call, "eth_getBalance",
                                sender, "0x64")

    @staticmethod
    def selector(client, signature):
        return client.call("web3_sha3", "0x" + signature.encode().hex())[:10]

    @staticmethod
    def word(value):
        return "0x" + format(value, "064x")

    def expect_rejection(self, client, raw, message):
        try:
            client.call("eth_sendRawTransaction", raw)
        except JSONRPCException as e:
            assert_equal(e.code, SERVER_ERROR)
            assert_true(e.message.startswith(message), f"{e.message!r} starts with {message!r}")
            return
        raise AssertionError(f"expected rejection: {message}")


if __name__ == "__main__":
    raise SystemExit(EthPublicTest().main())
