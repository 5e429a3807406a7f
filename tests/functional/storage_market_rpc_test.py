#!/usr/bin/env python3
"""The storage market on a real node: a provider registers and a client
proposes a deal with signed txs to 0x...2000; storage_getProvider,
storage_listProviders, storage_getDeal, storage_listDeals and
storage_getDeadlines show them, also at an older block; a revert reaches
eth_call with its rule name; the deal, never activated, expires at its start
block and the client is refunded to the wei (only the gas it paid is gone);
bad parameters get clear errors; the state survives a restart."""

from test_framework.abi import encode
from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true

MARKET = "0x0000000000000000000000000000000000002000"
MINER = "0x000000000000000000000000000000000000bEEF"
PRICE = 10**12  # wei per block


class StorageMarketRpcTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def selector(self, signature):
        return self.rpc.call("web3_sha3", "0x" + signature.encode().hex())[:10]

    def send(self, account, signature, types, values, value=0, gas=500_000):
        address, key = account
        nonce = int(self.rpc.call("eth_getTransactionCount", address, "pending"), 16)
        data = self.selector(signature) + encode(types, values)
        raw, txid = self.txtool.sign(key, MARKET, nonce, value=value, gas=gas, data=data)
        self.rpc.call("eth_sendRawTransaction", raw)
        self.rpc.generatetoaddress(1, MINER)
        receipt = self.rpc.call("eth_getTransactionReceipt", txid)
        fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
        return receipt, fee

    def balance(self, address, block="latest"):
        return int(self.rpc.call("eth_getBalance", address, block), 16)

    def expect_error(self, code, part, method, *params):
        try:
            self.rpc.call(method, *params)
        except JSONRPCException as e:
            assert_equal(e.code, code, f"{method} error code")
            assert_in(part, e.message)
            return
        raise AssertionError(f"{method} succeeded")

    def run_test(self):
        node = self.nodes[0]
        node.start()
        self.rpc = node.rpc
        provider, client = DEV_ACCOUNTS[1], DEV_ACCOUNTS[2]

        self.log("a provider registers with a stake")
        receipt, _ = self.send(provider, "registerProvider(string,uint256,uint256,uint256)",
                               ["string", "uint256", "uint256", "uint256"],
                               ["http://127.0.0.1:9/", 10**9, 10, 2048], value=2 * 10**18)
        assert_equal(receipt["status"], "0x1")
        p = self.rpc.call("storage_getProvider", provider[0])
        assert_equal(p["registered"], True)
        assert_equal(p["uri"], "http://127.0.0.1:9/")
        assert_equal(p["stake"], str(2 * 10**18))
        assert_equal(p["sectorsize"], 2048)
        listed = self.rpc.call("storage_listProviders")
        assert_equal([x["address"] for x in listed], [provider[0]])

        self.log("a revert reaches eth_call with its rule name")
        data = self.selector("registerProvider(string,uint256,uint256,uint256)") + encode(
            ["string", "uint256", "uint256", "uint256"], ["u", 1, 1, 2048])
        try:
            self.rpc.call("eth_call", {"from": provider[0], "to": MARKET, "data": data,
                                       "value": hex(2 * 10**18)})
            raise AssertionError("duplicate registration succeeded")
        except JSONRPCException as e:
            assert_equal(e.code, 3)
            assert_in("storage-provider-exists", e.message)

        self.log("a client proposes a deal; the views show it")
        client_before = self.balance(client[0])
        start = int(self.rpc.call("eth_blockNumber"), 16) + 15
        end = start + 100
        total = PRICE * (end - start)
        value = total + total * 10 // 100
        comm_d = "0x" + "ab" * 32
        receipt, fee = self.send(client, "proposeDeal(address,bytes32,uint256,uint256,uint256,uint256)",
                                 ["address", "bytes32", "uint256", "uint256", "uint256", "uint256"],
                                 [provider[0], comm_d, 1024, start, end, PRICE], value=value)
        assert_equal(receipt["status"], "0x1")
        assert_equal(len(receipt["logs"]), 1)  # DealProposed
        proposed_at = int(receipt["blockNumber"], 16)
        assert_equal(self.balance(client[0]), client_before - value - fee)
        deal = self.rpc.call("storage_getDeal", 1)
        assert_equal(deal["client"], client[0])
        assert_equal(deal["provider"], provider[0])
        assert_equal(deal["commd"], comm_d)
        assert_equal(deal["state"], "proposed")
        assert_equal(deal["sector"], None)
        assert_equal(deal["clientcollateral"], str(total * 10 // 100))
        assert_equal([d["id"] for d in self.rpc.call("storage_listDeals", client[0])], [1])
        assert_equal(self.rpc.call("storage_listDeals", None, provider[0], "proposed")[0]["id"], 1)
        assert_equal(self.rpc.call("storage_listDeals", None, None, "active"), [])
        deadlines = self.rpc.call("storage_getDeadlines", provider[0])
        assert_equal(len(deadlines), 6)
        assert_true(all(d["activesectors"] == 0 for d in deadlines))
        assert_equal(deadlines[3]["windowopen"] % 60, 30)

        self.log("bad parameters get clear errors")
        self.expect_error(-32000, "storage-unknown-deal", "storage_getDeal", 99)
        self.expect_error(-32000, "storage-unknown-sector", "storage_getSector", provider[0], 1)
        self.expect_error(-32602, "state must be", "storage_listDeals", None, None, "bogus")
        self.expect_error(-32602, "limit", "storage_listDeals", None, None, None, 0, 5000)
        self.expect_error(-32602, "", "storage_getProvider", "0x1234")
        self.expect_error(-32602, "", "storage_getDeal", "one")

        self.log("never activated, the deal expires at its start block: refunded in full")
        self.rpc.generatetoaddress(start - int(self.rpc.call("eth_blockNumber"), 16), MINER)
        assert_equal(self.rpc.call("storage_getDeal", 1)["state"], "expired")
        assert_equal(self.balance(client[0]), client_before - fee)
        self.log("older blocks answer from their state")
        assert_equal(self.rpc.call("storage_getDeal", 1, hex(proposed_at))["state"], "proposed")
        self.expect_error(-32000, "storage-unknown-deal", "storage_getDeal", 1,
                          hex(proposed_at - 1))

        self.log("the market's state survives a restart")
        node.stop()
        node.start()
        self.rpc = node.rpc
        assert_equal(self.rpc.call("storage_getDeal", 1)["state"], "expired")
        assert_equal(self.rpc.call("storage_getProvider", provider[0])["stake"], str(2 * 10**18))


if __name__ == "__main__":
    raise SystemExit(StorageMarketRpcTest().main())
