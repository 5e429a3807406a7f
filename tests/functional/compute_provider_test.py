#!/usr/bin/env python3
"""The built-in compute provider (depind -computeprovider) on real processes
on loopback: a provider node and a tenant node that mines.

- the role registers its GPUs (-gpus, normalized as the market does);
- it bids on an order it matches at its -bidprice times the order's count,
  and leaves alone an order whose max price is below that and one for
  another model;
- its bid wins at the window's end; the tenant's manifest is refused over
  HTTP when it does not match the order's hash or is not the tenant's
  signature, and taken when it is;
- the lease hook runs at start with the lease in its environment and the
  manifest's path; what it prints is posted as the access details, sealed
  to the tenant: only the tenant's key opens the box;
- a restart neither bids again nor runs the hook again;
- the tenant closes the lease: the hook runs with `close`, and the provider
  has withdrawn pay on the way."""

import http.client
import json
import os
import subprocess

from test_framework.compute import Tenant, open_box, personal_sign
from test_framework.framework import DepinTestFramework
from test_framework.metrics import sample_value, scrape
from test_framework.storage import ProviderHarness
from test_framework.util import assert_equal, assert_in, assert_true, free_port, wait_until

PRICE_PER_GPU = 10**12
HOOK = """#!/bin/sh
echo "$1 lease=$DEPIN_LEASE_ID tenant=$DEPIN_TENANT model=$DEPIN_GPU_MODEL \
count=$DEPIN_GPU_COUNT manifest=$DEPIN_MANIFEST reason=$DEPIN_CLOSE_REASON" >> "{log}"
if [ "$1" = start ]; then echo "ssh lease$DEPIN_LEASE_ID@127.0.0.1 -p 2222 key=hunter2"; fi
"""


class ComputeProviderTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def put_manifest(self, lease, body, signature):
        conn = http.client.HTTPConnection("127.0.0.1", self.nodes[0].rpc_port, timeout=30)
        headers = {} if signature is None else {"X-Depin-Signature": signature}
        conn.request("PUT", f"/compute/leases/{lease}/manifest", body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, json.loads(data)

    def run_test(self):
        h = ProviderHarness(self)
        provider, tenant = self.nodes
        t = Tenant(self, h)
        hook_log = os.path.join(self.tmpdir, "hook.log")
        hook = os.path.join(self.tmpdir, "hook.sh")
        with open(hook, "w") as f:
            f.write(HOOK.replace("{log}", hook_log))
        os.chmod(hook, 0o755)
        h.provider_args = [f"-computeprovider={h.keyfile}", "-gpus=NVIDIA:GeForce RTX 4090:2:24",
                           "-computeattributes=region=eu-west",
                           f"-bidprice=rtx-4090:{PRICE_PER_GPU}", f"-leasehook={hook}",
                           "-computewithdrawevery=3"]
        self.log("a -leasehook that is not executable is refused at start")
        provider.assert_start_fails(h.provider_args[:-2] + ["-leasehook=/nonexistent"],
                                    "not executable")
        provider.assert_start_fails([f"-computeprovider={h.keyfile}", "-gpus=none"],
                                    "offers nothing")
        h.start()

        self.log("the provider registers its GPUs, normalized")
        h.step_until(lambda: provider.rpc.call("compute_getProviderStatus")["registered"],
                     "provider registered")
        p = tenant.rpc.call("compute_getProvider", h.provider_addr)
        assert_equal(p["attributes"], {"gpu.count": "2", "gpu.interface": "pcie",
                                       "gpu.model": "rtx-4090", "gpu.vendor": "nvidia",
                                       "gpu.vramGiB": "24", "region": "eu-west"})

        self.log("orders: one it matches, one too cheap, one for another model")
        manifest = b"image: pytorch/pytorch:2.3\ncommand: train.py\n"
        manifest_hash = tenant.rpc.call("web3_sha3", "0x" + manifest.hex())
        good = t.order("model=rtx-4090;count=2", 2 * PRICE_PER_GPU, manifest_hash)
        cheap = t.order("model=rtx-4090;count=2", 2 * PRICE_PER_GPU - 1, manifest_hash)
        other = t.order("model=a100-sxm-4-80gb;count=1", 10 * PRICE_PER_GPU, manifest_hash)
        h.step_until(lambda: good in provider.rpc.call("compute_getProviderStatus")["bids"],
                     "bid on the matching order")
        bids = tenant.rpc.call("compute_listBids", good)
        assert_equal(len(bids), 1)
        assert_equal(int(bids[0]["priceperblock"]), 2 * PRICE_PER_GPU)
        assert_equal(bids[0]["gpumodel"], "rtx-4090")
        assert_equal(tenant.rpc.call("compute_listBids", cheap), [])
        assert_equal(tenant.rpc.call("compute_listBids", other), [])

        self.log("the bid wins at the window's end; the hook waits for the manifest")
        h.step_until(lambda: tenant.rpc.call("compute_getOrder", good)["state"] == "leased",
                     "order leased")
        for _ in range(3):
            h.step()
        assert_true(not os.path.exists(hook_log), "no hook before the manifest")

        self.log("manifests: wrong bytes, no or a stranger's signature refused; the tenant's taken")
        sig = personal_sign(self, h.client_key, manifest_hash)
        stranger = personal_sign(self, h.provider_key, manifest_hash)
        status, body = self.put_manifest(good, manifest + b"x", sig)
        assert_equal((status, body["error"]), (422, "compute-manifest-mismatch"))
        status, body = self.put_manifest(good, manifest, None)
        assert_equal((status, body["error"]), (403, "compute-manifest-not-signed"))
        status, body = self.put_manifest(good, manifest, stranger)
        assert_equal((status, body["error"]), (403, "compute-manifest-not-signed"))
        status, body = self.put_manifest(99, manifest, sig)
        assert_equal(status, 404)
        status, body = self.put_manifest(good, manifest, sig)
        assert_equal((status, body), (200, {"lease": good}))

        self.log("the start hook runs; its output is posted sealed to the tenant")
        h.step_until(lambda: tenant.rpc.call("compute_getLease", good)["accessbox"] not in
                     (None, "0x", ""), "access details posted")
        with open(hook_log) as f:
            lines = f.read().splitlines()
        assert_equal(len(lines), 1)
        assert_in(f"start lease={good} tenant={h.client_addr} model=rtx-4090 count=2", lines[0])
        assert_in(os.path.join("compute", "leases", f"{good}.manifest"), lines[0])
        box = tenant.rpc.call("compute_getLease", good)["accessbox"]
        rc, plain, _ = open_box(self, h.client_key, good, box)
        assert_equal((rc, plain), (0, f"ssh lease{good}@127.0.0.1 -p 2222 key=hunter2"))
        rc, _, err = open_box(self, h.provider_key, good, box)
        assert_equal(rc, 1)
        assert_in("box-auth-failed", err)

        self.log("a restart neither bids again nor reruns the hook")
        provider.stop()
        metrics_port = free_port()
        provider.start(extra_args=h.provider_args + [f"-metrics=127.0.0.1:{metrics_port}"])
        wait_until(lambda: tenant.rpc.getconnectioncount() == 1, what="nodes reconnected")
        for _ in range(4):
            h.step()
        assert_equal(len(tenant.rpc.call("compute_listBids", good)), 1)
        with open(hook_log) as f:
            assert_equal(len(f.read().splitlines()), 1)
        status = provider.rpc.call("compute_getProviderStatus")
        assert_equal(status["leases"], [{"id": good, "state": "started"}])
        families, _ = scrape(metrics_port)
        assert_equal(sample_value(families, "depin_compute_provider_registered"), 1)
        assert_equal(sample_value(families, "depin_compute_provider_leases", {"state": "started"}),
                     1)
        assert_equal(sample_value(families, "depin_compute_provider_leases", {"state": "closed"}), 0)
        assert_equal(sample_value(families, "depin_compute_provider_open_bids"),
                     len(status["bids"]))
        assert_true(int(status["withdrawn"]) > 0 or
                    int(tenant.rpc.call("compute_getLease", good)["withdrawn"]) > 0,
                    "pay withdrawn on the way")

        self.log("the tenant closes the lease: the close hook runs")
        t.close(good, 7)
        h.step_until(lambda: provider.rpc.call("compute_getProviderStatus")["leases"] ==
                     [{"id": good, "state": "closed"}], "close hook run")
        with open(hook_log) as f:
            lines = f.read().splitlines()
        assert_equal(len(lines), 2)
        assert_in(f"close lease={good}", lines[1])
        assert_in("reason=7", lines[1])

        self.log("the tenant's side from depin-cli: order, bids, explain, accept, manifest, "
                 "lease, close")
        pw = self.import_key(tenant, h.client_key)
        manifest_file = os.path.join(self.tmpdir, "manifest.yaml")
        with open(manifest_file, "wb") as f:
            f.write(manifest)
        who = ["--from", h.client_addr, "--password-file", pw]
        out = self.cli_stepping(h, tenant, "compute", "order", "--spec", "model=rtx-4090;count=1",
                                "--max-price", str(PRICE_PER_GPU), "--duration", "30",
                                "--window", "20", "--manifest", manifest_file, *who)
        order = int(out.split("order ")[1].split()[0])
        assert_equal(tenant.rpc.call("compute_getOrder", order)["manifesthash"], manifest_hash)
        h.step_until(lambda: len(tenant.rpc.call("compute_listBids", order)) == 1, "a bid")
        out = self.cli(tenant, "compute", "bids", str(order))
        assert_in(f"provider {h.provider_addr}  rtx-4090  {PRICE_PER_GPU} wei/block", out)
        bid = int(out.split("bid ")[1].split()[0])
        out = self.cli(tenant, "compute", "explain", str(order))
        assert_in(f"{h.provider_addr}  may bid", out)
        out = self.cli_stepping(h, tenant, "compute", "accept", str(bid), *who)
        assert_in(f"lease {order} started", out)
        out = self.cli(tenant, "compute", "manifest", str(order), manifest_file, *who)
        assert_in(f"manifest {manifest_hash}", out)
        h.step_until(lambda: tenant.rpc.call("compute_getLease", order)["accessbox"] is not None,
                     "access details posted")
        out = self.cli(tenant, "compute", "lease", str(order), *who)
        assert_in(f"access: ssh lease{order}@127.0.0.1 -p 2222 key=hunter2", out)
        out = self.cli(tenant, "compute", "lease", str(order))
        assert_in("access details posted (open them with --from)", out)
        out = self.cli_stepping(h, tenant, "compute", "close", str(order), "--reason", "3", *who)
        assert_in(f"lease {order} closed (reason 3)", out)
        assert_equal(tenant.rpc.call("compute_getLease", order)["reason"], 3)

        self.log("bad input to depin-cli compute and storage deal is refused with its reason")
        for args, reason in [
                (["compute", "order", "--max-price", "1", "--duration", "5", *who], "--spec"),
                (["compute", "order", "--spec", "model=rtx-4090", "--max-price", "x",
                  "--duration", "5", *who], "--max-price"),
                (["compute", "lease", "abc"], "LEASE"),
                (["compute", "bids"], "usage"),
                (["compute", "accept", "999", *who], "compute-unknown-bid"),
                (["compute", "close", str(order), "--reason", "20000", *who], "compute-"),
                (["compute", "lease", str(good), "--from", h.provider_addr, "--password-file",
                  pw], ""),
                (["storage", "deal", "--provider", "0x12", "--file", "/nonexistent",
                  "--duration", "10", *who], "--provider"),
                (["storage", "retrieve", "x", "/tmp/out"], "DEALID")]:
            proc = subprocess.run(self.cli_cmd(tenant, *args), capture_output=True, text=True,
                                  timeout=60)
            assert_equal(proc.returncode, 1, f"{args}: {proc.stdout}")
            assert_in(reason, proc.stderr)


if __name__ == "__main__":
    raise SystemExit(ComputeProviderTest().main())
