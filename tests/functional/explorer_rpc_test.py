#!/usr/bin/env python3
"""The explorer's stats and search RPCs on a real node with market activity.
A compute provider registers (4 GPUs), a tenant's order is won by the
provider's bid at the window's end (a lease by deferred work), a storage
provider registers and a client proposes a deal; all before -marketindex is
on. A restart with -marketindex builds the index in the background
(getindexinfo), then: getmarketobjects lists each participant's objects with
their state now (from the modules' views), with kind and state filters and
cursor pagination; getmarketstats and getstoragestats give the counters and
the lease's price; getblockstats and getchaintxstats add up against the
blocks; search finds heights, ids, block and tx hashes (mined and pending)
and addresses. invalidateblock of the lease's block and reconsiderblock move
the counters back and forth; a restart keeps them. Bad input of every kind
gets a clear error (-32602 with the rule name, -5 for unknown blocks,
marketindex-disabled without the index)."""

from test_framework.abi import encode, public_key
from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

COMPUTE = "0x0000000000000000000000000000000000001000"
STORAGE = "0x0000000000000000000000000000000000002000"
MINER = "0x000000000000000000000000000000000000bEEF"
PRICE = 10**12
BID_DEPOSIT = 10**17
ATTRIBUTES = ("gpu.vendor=NVIDIA Corporation;gpu.model=NVIDIA GeForce RTX 4090;gpu.count=4;"
              "gpu.vramGiB=24;gpu.interface=pcie;region=eu-west")


class ExplorerRpcTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def send(self, account, to, signature, types, values, value=0, mine=True):
        address, key = account
        nonce = int(self.rpc.call("eth_getTransactionCount", address, "pending"), 16)
        selector = self.rpc.call("web3_sha3", "0x" + signature.encode().hex())[:10]
        raw, txid = self.txtool.sign(key, to, nonce, value=value, gas=3_000_000,
                                     data=selector + encode(types, values))
        self.rpc.call("eth_sendRawTransaction", raw)
        if not mine:
            return txid
        self.rpc.generatetoaddress(1, MINER)
        receipt = self.rpc.call("eth_getTransactionReceipt", txid)
        assert_equal(receipt["status"], "0x1", f"{signature} status")
        return receipt

    def height(self):
        return self.rpc.call("getblockcount")

    def expect_error(self, code, part, method, *params):
        try:
            self.rpc.call(method, *params)
        except JSONRPCException as e:
            assert_equal(e.code, code, f"{method}{params} error code ({e.message})")
            assert_in(part, e.message)
            return
        raise AssertionError(f"{method}{params} succeeded")

    def wait_index(self):
        wait_until(lambda: self.rpc.call("getindexinfo", "marketindex")
                   .get("marketindex", {}).get("synced"), what="marketindex synced")

    def run_test(self):
        node = self.nodes[0]
        node.start()
        self.rpc = node.rpc
        provider, tenant, sprovider, client = (DEV_ACCOUNTS[1], DEV_ACCOUNTS[2], DEV_ACCOUNTS[3],
                                               DEV_ACCOUNTS[4])

        self.log("without -marketindex the index methods say so")
        self.expect_error(-32000, "marketindex-disabled", "getmarketobjects", tenant[0])
        self.expect_error(-32000, "marketindex-disabled", "getmarketstats")
        self.expect_error(-32000, "marketindex-disabled", "getstoragestats")

        self.log("market activity: a lease won at the window's end, a storage deal")
        self.send(provider, COMPUTE, "registerProvider(string,string)", ["string", "string"],
                  ["https://gpu.example", ATTRIBUTES], value=10**18)
        order_receipt = self.send(
            tenant, COMPUTE,
            "createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)",
            ["string", "uint256", "uint256", "uint256", "address[]", "uint256", "bytes32", "bytes"],
            ["model=rtx4090;count=2", PRICE, 50, 3, [], 0, "0x" + "11" * 32,
             public_key(tenant[1])], value=50 * PRICE)
        bid_receipt = self.send(provider, COMPUTE, "bid(uint256,uint256,string)",
                                ["uint256", "uint256", "string"], [1, PRICE, "rtx4090"],
                                value=BID_DEPOSIT)
        bidding_end = self.rpc.call("compute_getOrder", 1)["biddingend"]
        if bidding_end > self.height():
            self.rpc.generatetoaddress(bidding_end - self.height(), MINER)
        assert_equal(self.rpc.call("compute_getLease", 1)["state"], "active")
        lease_height = self.rpc.call("compute_getLease", 1)["startblock"]
        self.send(sprovider, STORAGE, "registerProvider(string,uint256,uint256,uint256)",
                  ["string", "uint256", "uint256", "uint256"],
                  ["http://127.0.0.1:9/", 10**9, 10, 2048], value=2 * 10**18)
        start = self.height() + 15
        total = 10**9 * 100
        self.send(client, STORAGE, "proposeDeal(address,bytes32,uint256,uint256,uint256,uint256)",
                  ["address", "bytes32", "uint256", "uint256", "uint256", "uint256"],
                  [sprovider[0], "0x" + "ab" * 32, 1024, start, start + 100, 10**9],
                  value=total + total // 10)

        self.log("a restart with -marketindex builds it for the existing chain")
        node.stop()
        node.start(extra_args=["-marketindex", "-addressindex"])
        self.rpc = node.rpc
        self.wait_index()
        info = self.rpc.call("getindexinfo", "marketindex")["marketindex"]
        assert_equal(info["best_block_height"], self.height())

        self.log("getaddresssummary counts the market objects from the market index")
        wait_until(lambda: self.rpc.call("getindexinfo", "addressindex")
                   .get("addressindex", {}).get("synced"), what="addressindex synced")
        summary = self.rpc.call("getaddresssummary", tenant[0])
        assert_equal((summary["leases"], summary["orders"], summary["deals"]), (1, 1, 0))
        summary = self.rpc.call("getaddresssummary", client[0])
        assert_equal((summary["leases"], summary["orders"], summary["deals"]), (0, 0, 1))

        self.log("getmarketobjects: each participant's objects with their state now")
        objs = self.rpc.call("getmarketobjects", tenant[0])
        assert_equal([(o["kind"], o["id"], o["role"], o["state"]) for o in objs["objects"]],
                     [("order", 1, "tenant", "leased"), ("lease", 1, "tenant", "active")])
        assert_equal(objs["objects"][0]["height"], int(order_receipt["blockNumber"], 16))
        assert_equal(objs["objects"][1]["height"], lease_height)
        assert_equal(objs["next"], None)
        objs = self.rpc.call("getmarketobjects", provider[0])["objects"]
        assert_equal([(o["kind"], o["role"], o["state"]) for o in objs],
                     [("bid", "bidder", "won"), ("lease", "provider", "active"),
                      ("provider", "provider", "registered")])
        assert_equal(objs[0]["height"], int(bid_receipt["blockNumber"], 16))
        assert_equal(objs[2]["id"], provider[0])
        assert_equal(objs[2]["module"], "compute")
        objs = self.rpc.call("getmarketobjects", client[0])["objects"]
        assert_equal([(o["kind"], o["id"], o["role"], o["state"]) for o in objs],
                     [("deal", 1, "client", "proposed")])
        objs = self.rpc.call("getmarketobjects", sprovider[0])["objects"]
        assert_equal([(o["kind"], o["role"]) for o in objs],
                     [("provider", "provider"), ("deal", "provider")])
        assert_equal(objs[0]["module"], "storage")
        assert_equal(self.rpc.call("getmarketobjects", MINER)["objects"], [])

        self.log("filters and pagination")
        leases = self.rpc.call("getmarketobjects", tenant[0], "lease")["objects"]
        assert_equal([o["kind"] for o in leases], ["lease"])
        active = self.rpc.call("getmarketobjects", tenant[0], "", "active")["objects"]
        assert_equal([o["kind"] for o in active], ["lease"])
        assert_equal(self.rpc.call("getmarketobjects", tenant[0], "", "closed")["objects"], [])
        page1 = self.rpc.call("getmarketobjects", provider[0], "", "", 1)
        assert_equal(len(page1["objects"]), 1)
        assert_true(page1["next"] is not None)
        page2 = self.rpc.call("getmarketobjects", provider[0], "", "", 2, page1["next"])
        assert_equal([o["kind"] for o in page2["objects"]], ["lease", "provider"])
        assert_equal(page2["next"], None)
        after = self.rpc.call("getmarketobjects", tenant[0], "order", "", 25, 1)
        assert_equal(after["objects"], [])

        self.log("getmarketobjects refuses bad input")
        self.expect_error(-32602, "bad-kind", "getmarketobjects", tenant[0], "orders")
        self.expect_error(-32602, "bad-state", "getmarketobjects", tenant[0], "", "bogus")
        self.expect_error(-32602, "bad-count", "getmarketobjects", tenant[0], "", "", 0)
        self.expect_error(-32602, "bad-count", "getmarketobjects", tenant[0], "", "", 101)
        self.expect_error(-32602, "bad-count", "getmarketobjects", tenant[0], "", "", 10**12)
        self.expect_error(-32602, "bad-cursor", "getmarketobjects", tenant[0], "", "", 5, "0xzz")
        self.expect_error(-32602, "bad-cursor", "getmarketobjects", tenant[0], "", "", 5,
                          "0x09" + "00" * 8)
        self.expect_error(-32602, "bad-cursor", "getmarketobjects", tenant[0], "", "", 5, 3)
        self.expect_error(-32602, "bad-cursor", "getmarketobjects", tenant[0], "lease", "", 5,
                          page1["next"])
        self.expect_error(-32602, "", "getmarketobjects", "0x1234")

        self.log("getmarketstats: counters, GPUs per model and the lease's price")
        stats = self.rpc.call("getmarketstats")
        assert_equal(stats["height"], self.height())
        assert_equal(stats["window"], 1000)
        assert_equal(stats["openorders"], 0)
        assert_equal(stats["activeleases"], 1)
        assert_equal(stats["providers"], 1)
        assert_equal(stats["gpus"], [{"model": "rtx-4090", "registered": 4, "leased": 2}])
        assert_equal(stats["prices"], [{"model": "rtx-4090", "median": str(PRICE), "leases": 1}])
        # A window that ends before the lease started holds no prices.
        short = self.rpc.call("getmarketstats", self.height() - lease_height)
        assert_equal(short["prices"], [])
        self.expect_error(-32602, "bad-window", "getmarketstats", 0)
        self.expect_error(-32602, "bad-window", "getmarketstats", 100001)
        self.expect_error(-32602, "", "getmarketstats", -1)

        self.log("getstoragestats")
        s = self.rpc.call("getstoragestats", 3)
        assert_equal(s["providers"], 1)
        assert_equal(s["activesectors"], 0)
        assert_equal(s["provenbytes"], "0")
        assert_true(1 <= len(s["faults"]) <= 3)
        assert_equal([f["faultysectors"] for f in s["faults"]], [0] * len(s["faults"]))
        periods = [f["period"] for f in s["faults"]]
        assert_equal(periods, sorted(periods, reverse=True))
        self.expect_error(-32602, "bad-periods", "getstoragestats", 0)
        self.expect_error(-32602, "bad-periods", "getstoragestats", 10**6)

        self.log("getblockstats adds up against the block")
        h = int(order_receipt["blockNumber"], 16)
        bs = self.rpc.call("getblockstats", h)
        block = self.rpc.call("getblock", bs["hash"], 2)
        parent = self.rpc.call("getblock", block["previousblockhash"])
        assert_equal(bs["height"], h)
        assert_equal(bs["txs"], 1)
        assert_equal(bs["time"], block["time"])
        assert_equal(bs["interval"], block["time"] - parent["time"])
        assert_equal(bs["size"], block["size"])
        assert_equal(bs["proofs"], 0)
        basefee = int(bs["basefee"])
        gas = int(order_receipt["gasUsed"], 16)
        assert_equal(bs["gasused"], gas)
        assert_equal(int(bs["burned"]), basefee * gas)
        tip = int(order_receipt["effectiveGasPrice"], 16) - basefee
        assert_equal(int(bs["fees"]), tip * gas)
        assert_equal(int(bs["minerreward"]), int(bs["subsidy"]) + tip * gas)
        assert_equal(self.rpc.call("getblockstats", bs["hash"]), bs)
        assert_equal(self.rpc.call("getblockstats", 0)["interval"], None)
        self.expect_error(-5, "not-found", "getblockstats", 10**9)
        self.expect_error(-5, "not-found", "getblockstats", "0x" + "00" * 32)
        self.expect_error(-32602, "bad-hash-or-height", "getblockstats", "0xzz")
        self.expect_error(-32602, "bad-hash-or-height", "getblockstats", "0x" + "00" * 31)
        self.expect_error(-32602, "bad-hash-or-height", "getblockstats", -1)
        self.expect_error(-32602, "bad-hash-or-height", "getblockstats", {"h": 1})

        self.log("getchaintxstats counts every tx of the chain")
        tip_height = self.height()
        all_txs = sum(self.rpc.call("getblockstats", i)["txs"] for i in range(tip_height + 1))
        cs = self.rpc.call("getchaintxstats")
        assert_equal(cs["txcount"], all_txs)
        assert_equal(cs["window_final_block_height"], tip_height)
        assert_equal(cs["window_block_count"], tip_height - 1)
        cs = self.rpc.call("getchaintxstats", 5)
        window_txs = sum(self.rpc.call("getblockstats", i)["txs"]
                         for i in range(tip_height - 4, tip_height + 1))
        assert_equal(cs["window_tx_count"], window_txs)
        assert_equal(cs["window_interval"], self.rpc.call("getblockstats", tip_height)["time"] -
                     self.rpc.call("getblockstats", tip_height - 5)["time"])
        at = self.rpc.call("getchaintxstats", 0, bs["hash"])
        assert_equal(at["window_final_block_height"], h)
        assert_true("window_tx_count" not in at)
        self.expect_error(-32602, "bad-nblocks", "getchaintxstats", tip_height)
        self.expect_error(-5, "not-found", "getchaintxstats", 1, "0x" + "00" * 32)

        self.log("search: heights and ids, hashes, addresses")
        found = self.rpc.call("search", "1")
        assert_equal(found["query"], "1")
        assert_equal(sorted(r["kind"] for r in found["results"]),
                     ["block", "deal", "lease", "order"])
        assert_equal([r["id"] for r in found["results"] if r["kind"] == "lease"], [1])
        found = self.rpc.call("search", str(tip_height + 100))
        assert_equal(found["results"], [])
        found = self.rpc.call("search", bs["hash"])["results"]
        assert_equal([(r["kind"], r["height"]) for r in found], [("block", h)])
        txid = order_receipt["transactionHash"]
        found = self.rpc.call("search", "  " + txid + " ")["results"]
        assert_equal([(r["kind"], r["hash"], r["height"]) for r in found], [("tx", txid, h)])
        nonce = int(self.rpc.call("eth_getTransactionCount", client[0], "pending"), 16)
        raw, pending = self.txtool.sign(client[1], MINER, nonce, value=1)
        self.rpc.call("eth_sendRawTransaction", raw)
        found = self.rpc.call("search", pending)["results"]
        assert_equal([(r["kind"], r["height"]) for r in found], [("tx", None)])
        found = self.rpc.call("search", provider[0].lower())["results"]
        assert_equal([(r["kind"], r.get("module")) for r in found],
                     [("address", None), ("provider", "compute")])
        assert_equal(found[0]["address"], provider[0])
        found = self.rpc.call("search", "0x" + "00" * 32)["results"]
        assert_equal(found, [])
        for bad in ["0xzz", "hello", "0x" + "ab" * 33, "1" * 21, "99999999999999999999",
                    "", "x" * 300, "-1"]:
            self.expect_error(-32602, "bad-query", "search", bad)

        self.log("invalidateblock of the lease's block moves the counters back")
        self.rpc.generatetoaddress(1, MINER)  # the pending tx
        lease_hash = self.rpc.call("getblockhash", lease_height)
        self.rpc.call("invalidateblock", lease_hash)
        self.wait_index()
        stats = self.rpc.call("getmarketstats")
        assert_equal(stats["height"], lease_height - 1)
        assert_equal((stats["openorders"], stats["activeleases"]), (1, 0))
        assert_equal(stats["gpus"], [{"model": "rtx-4090", "registered": 4, "leased": 0}])
        assert_equal([o["kind"] for o in self.rpc.call("getmarketobjects", tenant[0])["objects"]],
                     ["order"])
        self.rpc.call("reconsiderblock", lease_hash)
        self.wait_index()
        stats = self.rpc.call("getmarketstats")
        assert_equal((stats["openorders"], stats["activeleases"]), (0, 1))

        self.log("a restart keeps the index (it resumes from its best block)")
        node.stop()
        node.start(extra_args=["-marketindex"])
        self.rpc = node.rpc
        self.wait_index()
        assert_equal(self.rpc.call("getmarketstats")["activeleases"], 1)
        assert_equal(len(self.rpc.call("getmarketobjects", tenant[0])["objects"]), 2)


if __name__ == "__main__":
    raise SystemExit(ExplorerRpcTest().main())
