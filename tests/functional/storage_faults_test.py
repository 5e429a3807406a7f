#!/usr/bin/env python3
"""A provider that stops proving is penalised exactly as docs/markets.md
says, on real nodes: the provider node seals and proves a deal's sector for
a period, then is stopped; the client node mines on. Each period without a
PoSt is faulty (nothing paid, a fee from the deal's collateral to the
client); the third in a row terminates the sector, and the client gets the
rest of the collateral, its unspent payment and its own collateral back.
Checked to the wei: the client ends with its starting balance, minus the
gas it paid, plus the provider collateral (the whole price) minus what the
provider was paid for the one proven period."""

import os

from test_framework.framework import DepinTestFramework
from test_framework.storage import MINER, ProviderHarness
from test_framework.util import assert_equal, assert_true, wait_until

PRICE = 10**12


class StorageFaultsTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def run_test(self):
        h = ProviderHarness(self)
        provider, client = self.nodes
        h.start()
        h.step_until(lambda: provider.rpc.call("storage_getSealingStatus")["registered"],
                     "provider registered")
        p0 = client.rpc.call("storage_getProvider", h.provider_addr)

        self.log("deal proposed, data imported, sector sealed and proven once")
        client_before = int(client.rpc.call("eth_getBalance", h.client_addr, "latest"), 16)
        data = os.urandom(700)
        start = client.rpc.getblockcount() + 30
        end = start + 1200  # twenty periods: the collateral outlasts three fees
        total = PRICE * (end - start)
        receipt, fee = h.propose(data, 1024, start, end, PRICE, nonce=0)
        assert_equal(receipt["status"], "0x1")
        path = os.path.join(self.tmpdir, "data.bin")
        with open(path, "wb") as f:
            f.write(data)
        provider.rpc.call("storage_importDealData", 1, path)
        h.step_until(lambda: int(h.deal(1)["paid"]) > 0, "a paid period")

        self.log("the provider stops; three periods pass without a proof")
        provider.stop()
        paid = int(h.deal(1)["paid"])
        for _ in range(4 * 60 // 20):
            client.rpc.generatetoaddress(20, MINER)
            if h.deal(1)["state"] != "active":
                break
        d = h.deal(1)
        assert_equal(d["state"], "terminated")
        assert_equal(d["faultyperiods"], 3)
        assert_equal(int(d["paid"]), paid)
        assert_equal(int(d["providercollateral"]), 0)
        fee_per_period = PRICE * 60 * 3500 // 1000
        assert_equal(int(d["faultfeesreceived"]), 3 * fee_per_period)
        s = client.rpc.call("storage_getSector", h.provider_addr, d["sector"])
        assert_equal(s["state"], "terminated")
        assert_equal(s["faultyperiods"], 3)

        self.log("every balance to the wei")
        client_after = int(client.rpc.call("eth_getBalance", h.client_addr, "latest"), 16)
        assert_equal(client_after, client_before - fee + total - paid)
        p = client.rpc.call("storage_getProvider", h.provider_addr)
        assert_equal(int(p["stake"]), int(p0["stake"]) - total)
        assert_equal(int(p["lockedcollateral"]), 0)
        assert_equal(int(p["earnings"]), paid)
        assert_equal(p["activesectors"], 0)

        self.log("-marketindex built afterwards sees the sector, its deal and its faults")
        client.stop()
        client.start(extra_args=["-marketindex"])
        wait_until(lambda: client.rpc.call("getindexinfo", "marketindex")
                   .get("marketindex", {}).get("synced"), what="marketindex synced")
        objs = client.rpc.call("getmarketobjects", h.provider_addr)["objects"]
        assert_equal([(o["kind"], o["role"], o["state"]) for o in objs],
                     [("provider", "provider", "registered"), ("deal", "provider", "terminated"),
                      ("sector", "provider", "terminated")])
        assert_equal((objs[2]["id"], objs[2]["provider"]), (d["sector"], h.provider_addr))
        objs = client.rpc.call("getmarketobjects", h.client_addr)["objects"]
        assert_equal([(o["kind"], o["id"], o["role"]) for o in objs], [("deal", 1, "client")])
        stats = client.rpc.call("getstoragestats", 1000)
        assert_equal((stats["providers"], stats["activesectors"], stats["provenbytes"]),
                     (1, 0, "0"))
        assert_equal(sum(f["faultysectors"] for f in stats["faults"]), 3)
        assert_equal(max(f["faultysectors"] for f in stats["faults"]), 1)
        found = client.rpc.call("search", str(d["sector"]))["results"]
        assert_true(("sector", h.provider_addr) in [(r["kind"], r.get("provider")) for r in found])

        self.log("getblockstats counts the proof-carrying txs (prove-commits, PoSts)")
        market = "0x0000000000000000000000000000000000002000"

        def selector(signature):
            return client.rpc.call("web3_sha3", "0x" + signature.encode().hex())[:10]

        prove_commit = selector("proveCommitSector(uint256,bytes,bytes)")
        submit_post = selector("submitPoSt(uint256,bytes,bytes)")
        proof_calls = []
        blocks_with_proofs = 0
        settled = 0
        for height in range(1, client.rpc.getblockcount() + 1):
            block = client.rpc.getblock(client.rpc.getblockhash(height), 2)
            if "deferred" in block:
                # Settlements ran at the end of this block: getblock shows
                # them and eth_getBlockReceipts keeps one receipt per tx.
                settled += block["deferred"]["logs"] > 0
                receipts = client.rpc.call("eth_getBlockReceipts", hex(height))
                assert_equal(len(receipts), len(block["tx"]))
            # Proof txs carry kilobytes of proof; the market's other calls do not.
            proofs = [tx["data"][:10] for tx in block["tx"]
                      if (tx["to"] or "").lower() == market and len(tx["data"]) > 4000]
            stats = client.rpc.call("getblockstats", height)
            assert_equal(stats["proofs"], len(proofs))
            blocks_with_proofs += len(proofs) > 0
            proof_calls += proofs
        # The sector's prove-commit (one tx per PoRep partition: 2 for an
        # 8 MiB sector) and at least the PoSt of its one paid period (how many
        # more the provider sent before it stopped depends on timing), each
        # counted in its block.
        assert_equal(proof_calls.count(prove_commit), 2)
        assert_true(proof_calls.count(submit_post) >= 1, f"PoSts: {proof_calls}")
        assert_equal(len(proof_calls), proof_calls.count(prove_commit) +
                     proof_calls.count(submit_post))
        assert_true(blocks_with_proofs >= 2, f"{blocks_with_proofs} blocks carried proofs")
        assert_true(settled >= 3, f"{settled} blocks showed their settlements")


if __name__ == "__main__":
    raise SystemExit(StorageFaultsTest().main())
