#!/usr/bin/env python3
"""A client node and a provider node (depind -storageprovider) on loopback:
the provider registers itself; the client proposes a deal; the operator
imports the deal's data (storage_importDealData, checked against commD); the
provider seals it into a sector, pre-commits, waits for the seed,
prove-commits every partition and answers every deadline window with a PoSt
until the deal completes; every period is paid and the provider earns
exactly the deal's price. Blocks are mined on the client node, so every
provider tx crosses P2P relay. Also: a restart of the provider mid-way
resumes its work, and bad imports are refused with their reason."""

import hashlib
import os

from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

MARKET = "0x0000000000000000000000000000000000002000"
MINER = "0x000000000000000000000000000000000000bEEF"
PRICE = 10**12


def piece_commitment(data, piece_size):
    nodes = [(data + b"\0" * (piece_size - len(data)))[i:i + 32] for i in range(0, piece_size, 32)]
    while len(nodes) > 1:
        nodes = [hashlib.sha256(nodes[i] + nodes[i + 1]).digest() for i in range(0, len(nodes), 2)]
    return "0x" + nodes[0].hex()


def word(v):
    return f"{v:064x}"


class StorageProviderTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def step(self, blocks=1):
        """Mines on the client node once the provider's pending txs reached it,
        then lets the provider see the new tip."""
        provider, client = self.nodes
        for _ in range(blocks):
            def relayed():
                mine = set(provider.rpc.call("getrawmempool"))
                return mine.issubset(set(client.rpc.call("getrawmempool")))
            wait_until(relayed, timeout=30, what="provider txs relayed to the client node")
            client.rpc.generatetoaddress(1, MINER)
            height = client.rpc.getblockcount()
            wait_until(lambda: provider.rpc.getblockcount() == height, timeout=30,
                       what="provider node at the tip")
            self.settle()

    def settle(self):
        # The role works on its own thread after each tip; give it a moment
        # and wait until what it sent has reached its own mempool.
        import time
        time.sleep(0.3)

    def step_until(self, predicate, what, limit=400):
        for _ in range(limit):
            if predicate():
                return
            self.step()
        raise AssertionError(f"not reached within {limit} blocks: {what}")

    def deal(self, deal_id):
        return self.nodes[1].rpc.call("storage_getDeal", deal_id)

    def run_test(self):
        provider, client = self.nodes
        provider_addr, provider_key = DEV_ACCOUNTS[4]
        client_addr, client_key = DEV_ACCOUNTS[5]
        keyfile = os.path.join(self.tmpdir, "provider.key")
        with open(keyfile, "w") as f:
            f.write(provider_key + "\n")
        os.chmod(keyfile, 0o644)
        self.log("a key file readable by others is refused before anything starts")
        provider.assert_start_fails([f"-storageprovider={keyfile}"], "chmod 600")
        os.chmod(keyfile, 0o600)
        provider_args = [f"-storageprovider={keyfile}", "-storagesectorsize=2KiB",
                         "-storageprice=1000000000"]
        provider.start(extra_args=provider_args)
        client.start(extra_args=[f"-addnode=127.0.0.1:{provider.p2p_port}"])
        wait_until(lambda: client.rpc.getconnectioncount() == 1, what="nodes connected")

        self.log("the provider registers itself")
        self.step_until(lambda: provider.rpc.call("storage_getSealingStatus")["registered"],
                        "provider registered")
        p = client.rpc.call("storage_getProvider", provider_addr)
        assert_equal(p["registered"], True)
        assert_equal(p["sectorsize"], 2048)

        self.log("the client proposes a deal")
        data = os.urandom(1000)
        comm_d = piece_commitment(data, 1024)
        start = client.rpc.getblockcount() + 30
        end = start + 130
        total = PRICE * (end - start)
        value = total + total * 10 // 100
        selector = client.rpc.call("web3_sha3", "0x" + b"proposeDeal(address,bytes32,uint256,"
                                   b"uint256,uint256,uint256)".hex())[:10]
        calldata = (selector + word(int(provider_addr, 16)) + comm_d[2:] + word(1024) +
                    word(start) + word(end) + word(PRICE))
        raw, txid = self.txtool.sign(client_key, MARKET, 0, value=value, gas=500_000,
                                     data=calldata)
        client.rpc.call("eth_sendRawTransaction", raw)
        self.step()
        assert_equal(client.rpc.call("eth_getTransactionReceipt", txid)["status"], "0x1")
        assert_equal(self.deal(1)["state"], "proposed")

        self.log("bad imports are refused with their reason")
        wrong = os.path.join(self.tmpdir, "wrong.bin")
        with open(wrong, "wb") as f:
            f.write(data[:-1] + bytes([data[-1] ^ 1]))
        too_big = os.path.join(self.tmpdir, "big.bin")
        with open(too_big, "wb") as f:
            f.write(os.urandom(1025))
        for path, reason in [(wrong, "provider-data-mismatch"), (too_big, "provider-data-too-large"),
                             (os.path.join(self.tmpdir, "absent"), "provider-io-error")]:
            try:
                provider.rpc.call("storage_importDealData", 1, path)
                raise AssertionError(f"import of {path} succeeded")
            except JSONRPCException as e:
                assert_in(reason, e.message)
        try:
            provider.rpc.call("storage_importDealData", 7, wrong)
            raise AssertionError("import for an unknown deal succeeded")
        except JSONRPCException as e:
            assert_in("storage-unknown-deal", e.message)

        self.log("the operator imports the data; the provider seals, pre-commits, prove-commits")
        good = os.path.join(self.tmpdir, "data.bin")
        with open(good, "wb") as f:
            f.write(data)
        assert_equal(provider.rpc.call("storage_importDealData", 1, good), True)
        self.step_until(lambda: self.deal(1)["sector"] is not None, "deal in a pre-committed sector")
        sector = self.deal(1)["sector"]

        self.log("a restart of the provider mid-way resumes its work")
        provider.stop()
        provider.start(extra_args=provider_args)
        wait_until(lambda: client.rpc.getconnectioncount() == 1, what="nodes reconnected")
        self.step_until(lambda: self.deal(1)["state"] == "active", "deal active")
        s = client.rpc.call("storage_getSector", provider_addr, sector)
        assert_equal(s["state"], "active")
        status = provider.rpc.call("storage_getSealingStatus")
        assert_equal([x["stage"] for x in status["sectors"]], ["active"])
        collateral = int(self.deal(1)["providercollateral"])
        assert_equal(collateral, total)

        self.log("the provider answers every deadline until the deal completes")
        self.step_until(lambda: self.deal(1)["state"] != "active", "deal ended", limit=300)
        d = self.deal(1)
        assert_equal(d["state"], "completed")
        assert_equal(d["faultyperiods"], 0)
        assert_equal(int(d["paid"]), total)
        p = client.rpc.call("storage_getProvider", provider_addr)
        assert_equal(int(p["earnings"]), total)
        assert_equal(int(p["lockedcollateral"]), 0)
        assert_true(provider.rpc.call("storage_getSealingStatus")["postssent"] >= 2,
                    "at least two PoSts")
        assert_in("PoSt for deadline", provider.read_debug_log())


if __name__ == "__main__":
    raise SystemExit(StorageProviderTest().main())
