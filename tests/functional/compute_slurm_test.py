#!/usr/bin/env python3
"""contrib/leasehooks/slurm on a real one-node Slurm (munged, slurmctld and
slurmd on loopback, test_framework/slurm.py): a provider node runs
-leasehook=contrib/leasehooks/slurm; when its bid wins, the lease start
submits a Slurm job named after the lease holding the lease's GPUs (visible
in squeue, running), the tenant opens the access details naming the job and
its node, and the tenant's close cancels the job. Skipped, with the reason,
where Slurm is not installed or slurmd cannot run (not root)."""

import os

from test_framework import slurm
from test_framework.compute import Tenant, open_box
from test_framework.framework import DepinTestFramework, SkipTest
from test_framework.storage import ProviderHarness
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

HOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib",
                    "leasehooks", "slurm")
PRICE_PER_GPU = 10**12


class ComputeSlurmTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        why = slurm.unavailable()
        if why:
            raise SkipTest(why)
        self.add_nodes(self.num_nodes)

    def run_test(self):
        cluster = slurm.LocalSlurm(os.path.join(self.tmpdir, "slurm"))
        os.makedirs(cluster.dir)
        self.log("a one-node Slurm on loopback")
        cluster.start()
        # The nodes (and so the hook) find the cluster through SLURM_CONF.
        os.environ["SLURM_CONF"] = cluster.conf
        try:
            self.run_lease(cluster)
        finally:
            cluster.stop()

    def run_lease(self, cluster):
        h = ProviderHarness(self)
        provider, tenant = self.nodes
        t = Tenant(self, h)
        h.provider_args = [f"-computeprovider={h.keyfile}", "-gpus=nvidia:RTX 4090:2:24",
                           f"-bidprice=rtx-4090:{PRICE_PER_GPU}",
                           f"-leasehook={os.path.abspath(HOOK)}"]
        h.start()
        h.step_until(lambda: provider.rpc.call("compute_getProviderStatus")["registered"],
                     "provider registered")

        self.log("an order for both GPUs; the provider's bid wins at the window's end")
        lease = t.order("model=rtx-4090;count=2", 2 * PRICE_PER_GPU)
        h.step_until(lambda: tenant.rpc.call("compute_getOrder", lease)["state"] == "leased",
                     "order leased")

        self.log("the lease start submits a Slurm job named after the lease, holding 2 GPUs")
        h.step_until(lambda: tenant.rpc.call("compute_getLease", lease)["accessbox"] is not None,
                     "access details posted", limit=60)
        jobs = cluster.jobs()
        assert_equal([(name, state) for _, name, state in jobs],
                     [(f"depin-lease-{lease}", "RUNNING")])
        job = jobs[0][0]
        gres = cluster.run("squeue", "-h", "-j", job, "-o", "%b").strip()
        assert_in("gpu:2", gres)
        box = tenant.rpc.call("compute_getLease", lease)["accessbox"]
        rc, plain, _ = open_box(self, h.client_key, lease, box)
        assert_equal((rc, plain), (0, f"slurm job {job} on {cluster.host}"))

        self.log("the tenant's close cancels the job")
        t.close(lease, 1)
        h.step_until(lambda: provider.rpc.call("compute_getProviderStatus")["leases"] ==
                     [{"id": lease, "state": "closed"}], "close hook run")
        wait_until(lambda: cluster.jobs() == [], timeout=30, what="the Slurm job cancelled")
        assert_true("provider-hook-failed" not in provider.read_debug_log(), "hooks succeeded")


if __name__ == "__main__":
    raise SystemExit(ComputeSlurmTest().main())
