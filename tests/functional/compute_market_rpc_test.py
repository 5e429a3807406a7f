#!/usr/bin/env python3
"""The compute market on a real node: a provider registers with GPU
attributes, a tenant posts an order (publishing its public key) with escrow
for seven blocks, the provider bids and wins at the window's end (deferred
work), the lease pays exactly the price per block, the provider withdraws,
and the lease closes as insufficient-funds at exactly the height the escrow
ran out, paying both sides to the wei. compute_getProvider,
compute_listProviders (with a filter), compute_getOrder, compute_listOrders,
compute_listBids, compute_explainOrder, compute_getLease, compute_listLeases
and compute_getEscrow show it, also at an older block; a revert reaches
eth_call with its rule name; bad parameters get clear errors."""

from test_framework.abi import encode, public_key
from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true

MARKET = "0x0000000000000000000000000000000000001000"
MINER = "0x000000000000000000000000000000000000bEEF"
PRICE = 10**12  # wei per block, the order's max and the bid
BID_DEPOSIT = 10**17  # regtest bid_deposit
ATTRIBUTES = ("gpu.vendor=NVIDIA Corporation;gpu.model=NVIDIA GeForce RTX 4090;gpu.count=4;"
              "gpu.vramGiB=24;gpu.interface=pcie;region=eu-west")

class ComputeMarketRpcTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def selector(self, signature):
        return self.rpc.call("web3_sha3", "0x" + signature.encode().hex())[:10]

    def calldata(self, signature, types, values):
        return self.selector(signature) + encode(types, values)

    def send(self, account, signature, types, values, value=0, gas=3_000_000):
        address, key = account
        nonce = int(self.rpc.call("eth_getTransactionCount", address, "pending"), 16)
        data = self.calldata(signature, types, values)
        raw, txid = self.txtool.sign(key, MARKET, nonce, value=value, gas=gas, data=data)
        self.rpc.call("eth_sendRawTransaction", raw)
        self.rpc.generatetoaddress(1, MINER)
        receipt = self.rpc.call("eth_getTransactionReceipt", txid)
        assert_equal(receipt["status"], "0x1", f"{signature} status")
        fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
        return receipt, fee

    def balance(self, address):
        return int(self.rpc.call("eth_getBalance", address, "latest"), 16)

    def height(self):
        return int(self.rpc.call("eth_blockNumber"), 16)

    def mine_to(self, h):
        if h > self.height():
            self.rpc.generatetoaddress(h - self.height(), MINER)

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
        provider, tenant, other = DEV_ACCOUNTS[1], DEV_ACCOUNTS[2], DEV_ACCOUNTS[4]

        self.log("providers register; attributes read back normalized")
        self.send(provider, "registerProvider(string,string)", ["string", "string"],
                  ["https://gpu.example:8443", ATTRIBUTES], value=10**18)
        self.send(other, "registerProvider(string,string)", ["string", "string"],
                  ["https://a100.example", ATTRIBUTES.replace("NVIDIA GeForce RTX 4090", "A100")],
                  value=10**18)
        p = self.rpc.call("compute_getProvider", provider[0])
        assert_equal(p["registered"], True)
        assert_equal(p["attributes"]["gpu.model"], "rtx-4090")
        assert_equal(p["attributes"]["gpu.vendor"], "nvidia")
        assert_equal(p["stake"], str(10**18))
        listed = self.rpc.call("compute_listProviders", "model=rtx4090;region=eu-west")
        assert_equal([x["address"] for x in listed], [provider[0]])
        assert_equal(len(self.rpc.call("compute_listProviders")), 2)

        self.log("a tenant posts an order with escrow for seven blocks")
        escrow = 7 * PRICE + 5
        tenant_before = self.balance(tenant[0])
        receipt, order_fee = self.send(
            tenant, "createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)",
            ["string", "uint256", "uint256", "uint256", "address[]", "uint256", "bytes32", "bytes"],
            ["model=rtx4090,h100;count=2;vram=16", PRICE, 50, 3, [], 0, "0x" + "11" * 32,
             public_key(tenant[1])], value=escrow)
        order = self.rpc.call("compute_getOrder", 1)
        assert_equal(order["tenant"], tenant[0])
        assert_equal(order["state"], "open")
        assert_equal(order["spec"], "model=rtx-4090,h100;count=2;vram=16")
        assert_equal(order["escrow"], str(escrow))
        assert_equal(order["tenantpubkey"], "0x" + public_key(tenant[1]))
        bidding_end = order["biddingend"]
        assert_equal(bidding_end, int(receipt["blockNumber"], 16) + 3)
        assert_equal([o["id"] for o in self.rpc.call("compute_listOrders", tenant[0])], [1])

        self.log("explainOrder says why the a100 host cannot bid")
        why = {x["provider"]: x for x in self.rpc.call("compute_explainOrder", 1)}
        assert_equal(why[provider[0]]["eligible"], True)
        assert_equal(why[other[0]]["eligible"], False)
        assert_in("model", why[other[0]]["failure"])

        self.log("a bid above the max price reverts with its rule name in eth_call")
        data = self.calldata("bid(uint256,uint256,string)", ["uint256", "uint256", "string"],
                             [1, PRICE + 1, "rtx4090"])
        try:
            self.rpc.call("eth_call", {"from": provider[0], "to": MARKET, "data": data,
                                       "value": hex(BID_DEPOSIT)})
            raise AssertionError("bid above the max price succeeded")
        except JSONRPCException as e:
            assert_equal(e.code, 3)
            assert_in("compute-bid-above-max-price", e.message)

        self.log("the provider bids; the lowest bid wins at the window's end")
        _, bid_fee = self.send(provider, "bid(uint256,uint256,string)",
                               ["uint256", "uint256", "string"], [1, PRICE, "GeForce RTX 4090"],
                               value=BID_DEPOSIT)
        provider_after_bid = self.balance(provider[0])
        self.mine_to(bidding_end)
        assert_equal(self.rpc.call("compute_getOrder", 1)["state"], "leased")
        bids = self.rpc.call("compute_listBids", 1)
        assert_equal([(b["provider"], b["state"], b["gpumodel"]) for b in bids],
                     [(provider[0], "won", "rtx-4090")])
        lease = self.rpc.call("compute_getLease", 1)
        start = lease["startblock"]
        assert_equal(start, bidding_end)
        assert_equal(lease["state"], "active")
        assert_equal(lease["endblock"], start + 7)
        assert_equal(lease["termend"], start + 50)
        assert_equal(self.rpc.call("compute_getProvider", provider[0])["leasedgpus"], 2)

        self.log("pay flows at exactly the price per block; the provider withdraws")
        self.mine_to(start + 2)
        receipt, withdraw_fee = self.send(provider, "withdrawLease(uint256)", ["uint256"], [1])
        paid_at = int(receipt["blockNumber"], 16)
        withdrawn = (paid_at - start) * PRICE
        assert_equal(self.balance(provider[0]), provider_after_bid + withdrawn - withdraw_fee)
        # Views run as eth_call does: on the block after the one named, so
        # one more block has been earned than withdrawn.
        e = self.rpc.call("compute_getEscrow", 1)
        assert_equal(e["accrued"], str(withdrawn + PRICE))
        assert_equal(e["withdrawable"], str(PRICE))
        assert_equal(e["balance"], str(escrow - withdrawn - PRICE))
        assert_equal(e["projectedend"], start + 7)

        self.log("the escrow runs out at exactly start + 7: closed as insufficient-funds")
        self.mine_to(start + 5)
        assert_equal(self.rpc.call("compute_getLease", 1)["state"], "active")  # at start + 6
        self.mine_to(start + 6)
        # At start + 7 it reads closed before the deferred close has run.
        lease = self.rpc.call("compute_getLease", 1)
        assert_equal(lease["state"], "closed")
        assert_equal(lease["endblock"], start + 7)
        assert_equal(lease["reason"], 20001)
        assert_equal(lease["paidtotal"], str(7 * PRICE))
        assert_equal(self.rpc.call("compute_getEscrow", 1)["closed"], True)
        assert_equal(self.balance(provider[0]), provider_after_bid + withdrawn - withdraw_fee)
        self.mine_to(start + 7)
        # The provider got seven blocks of pay and its bid deposit back; the
        # tenant the 5 wei the escrow had over seven blocks.
        assert_equal(self.balance(provider[0]),
                     provider_after_bid + 7 * PRICE - withdraw_fee + BID_DEPOSIT)
        assert_equal(self.balance(tenant[0]), tenant_before - order_fee - 7 * PRICE)
        self.mine_to(start + 10)
        assert_equal(self.rpc.call("compute_getLease", 1)["paidtotal"], str(7 * PRICE))
        assert_equal(self.rpc.call("compute_getProvider", provider[0])["leasedgpus"], 0)
        assert_equal([x["id"] for x in self.rpc.call("compute_listLeases", None, provider[0],
                                                     "closed")], [1])
        assert_equal(self.rpc.call("compute_listLeases", tenant[0], None, "active"), [])

        self.log("older blocks answer from their state")
        assert_equal(self.rpc.call("compute_getLease", 1, hex(start + 5))["state"], "active")
        self.expect_error(-32000, "compute-unknown-lease", "compute_getLease", 1, hex(start - 1))

        self.log("bad parameters get clear errors")
        self.expect_error(-32000, "compute-unknown-order", "compute_getOrder", 99)
        self.expect_error(-32000, "compute-unknown-lease", "compute_getEscrow", 99)
        self.expect_error(-32000, "compute-bad-spec", "compute_listProviders", "region")
        self.expect_error(-32602, "state must be", "compute_listOrders", None, "bogus")
        self.expect_error(-32602, "state must be", "compute_listLeases", None, None, "bogus")
        self.expect_error(-32602, "limit", "compute_listBids", 1, 0, 5000)
        self.expect_error(-32602, "", "compute_getProvider", "0x1234")
        assert_true(len(self.rpc.call("compute_explainOrder", 1, None, 1)) == 1)


if __name__ == "__main__":
    raise SystemExit(ComputeMarketRpcTest().main())
