#!/usr/bin/env python3
"""A client node and a provider node (depind -storageprovider) on loopback:
the provider registers itself; the client proposes a deal; the operator
imports the deal's data (storage_importDealData, checked against commD); the
provider seals it into a sector, pre-commits, waits for the seed,
prove-commits every partition and answers every deadline window with a PoSt
until the deal completes; every period is paid and the provider earns
exactly the deal's price. Blocks are mined on the client node, so every
provider tx crosses P2P relay. Also: a restart of the provider mid-way
resumes its work, and bad imports are refused with their reason; the
provider's -metrics counters (sectors by stage, PoSts submitted and failed)
match its storage_getSealingStatus."""

import os
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.metrics import sample_value, scrape
from test_framework.rpc import JSONRPCException
from test_framework.storage import ProviderHarness
from test_framework.util import assert_equal, assert_in, assert_true, free_port, wait_until

PRICE = 10**12


class StorageProviderTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def run_test(self):
        h = ProviderHarness(self)
        provider, client = self.nodes
        provider_addr = h.provider_addr
        os.chmod(h.keyfile, 0o644)
        self.log("a key file readable by others is refused before anything starts")
        provider.assert_start_fails(h.provider_args, "chmod 600")
        os.chmod(h.keyfile, 0o600)
        h.start()
        provider_args = h.provider_args

        self.log("the provider registers itself")
        h.step_until(lambda: provider.rpc.call("storage_getSealingStatus")["registered"],
                        "provider registered")
        p = client.rpc.call("storage_getProvider", provider_addr)
        assert_equal(p["registered"], True)
        assert_equal(p["sectorsize"], 8 << 20)

        self.log("the client proposes a deal")
        data = os.urandom(1000)
        start = client.rpc.getblockcount() + 30
        end = start + 130
        total = PRICE * (end - start)
        receipt, _ = h.propose(data, 1024, start, end, PRICE, nonce=0)
        assert_equal(receipt["status"], "0x1")
        assert_equal(h.deal(1)["state"], "proposed")

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
        h.step_until(lambda: h.deal(1)["sector"] is not None, "deal in a pre-committed sector")
        sector = h.deal(1)["sector"]

        self.log("a restart of the provider mid-way resumes its work")
        provider.stop()
        metrics_port = free_port()
        provider.start(extra_args=provider_args + [f"-metrics=127.0.0.1:{metrics_port}"])
        wait_until(lambda: client.rpc.getconnectioncount() == 1, what="nodes reconnected")
        h.step_until(lambda: h.deal(1)["state"] == "active", "deal active")
        s = client.rpc.call("storage_getSector", provider_addr, sector)
        assert_equal(s["state"], "active")
        status = provider.rpc.call("storage_getSealingStatus")
        assert_equal([x["stage"] for x in status["sectors"]], ["active"])
        collateral = int(h.deal(1)["providercollateral"])
        assert_equal(collateral, total)

        self.log("the provider answers every deadline until the deal completes")
        h.step_until(lambda: h.deal(1)["state"] != "active", "deal ended", limit=300)
        d = h.deal(1)
        assert_equal(d["state"], "completed")
        assert_equal(d["faultyperiods"], 0)
        assert_equal(int(d["paid"]), total)
        p = client.rpc.call("storage_getProvider", provider_addr)
        assert_equal(int(p["earnings"]), total)
        assert_equal(int(p["lockedcollateral"]), 0)
        assert_true(provider.rpc.call("storage_getSealingStatus")["postssent"] >= 2,
                    "at least two PoSts")
        assert_in("PoSt for deadline", provider.read_debug_log())
        status = provider.rpc.call("storage_getSealingStatus")
        families, _ = scrape(metrics_port)
        # Counted since the restart; the status counts since then too.
        assert_equal(sample_value(families, "depin_storage_provider_posts_submitted"),
                     status["postssent"])
        for s in status["sectors"]:
            assert_true(sample_value(families, "depin_storage_provider_sectors",
                                     {"stage": s["stage"]}) >= 1, f"a sector {s['stage']}")
        assert_equal(sum(x.value for x in families["depin_storage_provider_sectors"].samples),
                     len(status["sectors"]))
        for reason in ("sector_fault", "send_failed"):
            assert_equal(sample_value(families, "depin_storage_provider_post_failures",
                                      {"reason": reason}), 0)

        self.log("depin-cli storage providers | deals | status")
        out = self.cli(provider, "storage", "providers")
        assert_in(provider_addr, out)
        assert_in("active sectors 0", out)
        out = self.cli(client, "storage", "deals", "--state", "completed")
        assert_in("deal 1  completed", out)
        assert_equal(self.cli(client, "storage", "deals", "--state", "active").strip(), "no deals")
        out = self.cli(provider, "storage", "status")
        assert_in(f"provider {provider_addr}", out)
        assert_in("sector 1  ended", out)
        bad = subprocess.run(self.cli_cmd(client, "storage", "deals", "--state", "bogus"),
                             capture_output=True, text=True, timeout=60)
        assert_equal(bad.returncode, 1)
        assert_in("state must be", bad.stderr)
        bad = subprocess.run(self.cli_cmd(client, "storage", "status"), capture_output=True,
                             text=True, timeout=60)
        assert_equal(bad.returncode, 1)
        assert_in("no storage provider role", bad.stderr)


if __name__ == "__main__":
    raise SystemExit(StorageProviderTest().main())
