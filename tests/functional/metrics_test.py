#!/usr/bin/env python3
"""-metrics=ADDR:PORT: Prometheus text at /metrics on its own listener, read
with prometheus_client's parser (Debian's python3-prometheus-client, which
contrib/install-deps.sh installs); values move with the node (a mined block
moves the tip and the connect-time histogram, an RPC call its method's
counter and latency histogram, a pooled tx the mempool gauges); /health is
503 while the tip is old (initial block download) and while the datadir's
disk is full (a real tmpfs, where the test may mount one), 200 once synced
and writable; neither path exists
on the RPC port, nor anywhere without -metrics; a bad -metrics value stops
the start."""

import json
import os
import subprocess
import sys

from test_framework.framework import DepinTestFramework
from test_framework.metrics import http_get as get
from test_framework.metrics import metrics_parser, sample_value, scrape
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true, free_port, wait_until


class MetricsTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2
        metrics_parser()  # fails at once when the parser is missing

    def setup_nodes(self):
        self.add_nodes(2)
        self.metrics_port = free_port()
        self.nodes[0].start(extra_args=[f"-metrics=127.0.0.1:{self.metrics_port}"])

    def scrape(self, port=None):
        return scrape(port or self.metrics_port)

    @staticmethod
    def value(families, name, labels=None, sample=None):
        return sample_value(families, name, labels, sample)

    def run_test(self):
        node = self.nodes[0]
        rpc = node.rpc

        self.log("/metrics parses, with every family typed as documented")
        families, text = self.scrape()
        want = {
            "depin_node_ready": "gauge",
            "depin_chain_tip_height": "gauge",
            "depin_chain_tip_timestamp_seconds": "gauge",
            "depin_chain_header_height": "gauge",
            "depin_chain_initial_block_download": "gauge",
            "depin_peers": "gauge",
            "depin_mempool_transactions": "gauge",
            "depin_mempool_bytes": "gauge",
            # The parser names counter families without their _total suffix.
            "depin_rpc_requests": "counter",
            "depin_rpc_errors": "counter",
            "depin_rpc_request_duration_seconds": "histogram",
            "depin_block_connect_seconds": "histogram",
        }
        for name, kind in want.items():
            assert_true(name in families, f"{name} in /metrics:\n{text}")
            assert_equal(families[name].type, kind, name)
        assert_equal(self.value(families, "depin_node_ready"), 1)
        assert_equal(self.value(families, "depin_chain_tip_height"), 0)
        assert_equal(self.value(families, "depin_peers", {"direction": "inbound"}), 0)
        assert_equal(self.value(families, "depin_peers", {"direction": "outbound"}), 0)

        self.log("/health: 503 while the tip is the 2023 genesis (initial block download)")
        assert_equal(self.value(families, "depin_chain_initial_block_download"), 1)
        status, ctype, body = get(self.metrics_port, "/health")
        assert_equal(status, 503)
        assert_equal(ctype, "application/json")
        health = json.loads(body)
        assert_equal(health["status"], "unavailable")
        assert_in("initial block download", health["reason"])

        self.log("an RPC call moves its method's counter and latency histogram")
        before = self.value(families, "depin_rpc_requests", {"method": "getblockcount"}) \
            if any(s.labels.get("method") == "getblockcount"
                   for s in families["depin_rpc_requests"].samples) else 0
        for _ in range(5):
            rpc.getblockcount()
        families, _ = self.scrape()
        assert_equal(self.value(families, "depin_rpc_requests", {"method": "getblockcount"}),
                     before + 5)
        assert_equal(self.value(families, "depin_rpc_request_duration_seconds",
                                {"method": "getblockcount"},
                                sample="depin_rpc_request_duration_seconds_count"), before + 5)
        # A call that fails counts as an error of its method.
        try:
            rpc.getblockhash(10**6)
        except Exception:  # noqa: BLE001 - the RPC error is what we want
            pass
        families, _ = self.scrape()
        assert_equal(self.value(families, "depin_rpc_errors", {"method": "getblockhash"}), 1)

        self.log("a mined block moves the tip and the connect-time histogram; /health is 200")
        connected = self.value(families, "depin_block_connect_seconds",
                               sample="depin_block_connect_seconds_count") \
            if families["depin_block_connect_seconds"].samples else 0
        rpc.generatetoaddress(2, DEV_ACCOUNTS[9][0])
        families, _ = self.scrape()
        assert_equal(self.value(families, "depin_chain_tip_height"), 2)
        assert_equal(self.value(families, "depin_chain_header_height"), 2)
        assert_equal(self.value(families, "depin_chain_initial_block_download"), 0)
        assert_equal(self.value(families, "depin_block_connect_seconds",
                                sample="depin_block_connect_seconds_count"), connected + 2)
        tip_time = rpc.getblockchaininfo()["time"]
        assert_equal(self.value(families, "depin_chain_tip_timestamp_seconds"), tip_time)
        status, _, body = get(self.metrics_port, "/health")
        assert_equal(status, 200, body)
        assert_equal(json.loads(body)["status"], "ok")
        assert_equal(json.loads(body)["height"], 2)
        assert_true(not os.path.exists(os.path.join(node.network_dir, ".health-probe")),
                    "the probe file is removed")

        self.log("a pooled tx moves the mempool gauges")
        key = DEV_ACCOUNTS[1][1]
        raw, txid = self.txtool.sign(key, DEV_ACCOUNTS[2][0], 0, value=1)
        assert_equal(rpc.sendrawtransaction(raw), txid)
        families, _ = self.scrape()
        assert_equal(self.value(families, "depin_mempool_transactions"), 1)
        assert_equal(self.value(families, "depin_mempool_bytes"), (len(raw) - 2) // 2)

        self.log("the endpoints are absent on the RPC port; the metrics port serves nothing else")
        for path in ("/metrics", "/health"):
            status, _, _ = get(node.rpc_port, path)
            assert_equal(status, 404)
        assert_equal(get(self.metrics_port, "/")[0], 404)
        assert_equal(get(self.metrics_port, "/nothing")[0], 404)
        status, _, _ = get(self.metrics_port, "/", method="POST",
                           body='{"jsonrpc":"2.0","id":1,"method":"getblockcount"}')
        assert_equal(status, 404)
        assert_equal(get(self.metrics_port, "/metrics", method="POST", body="{}")[0], 405)
        assert_equal(get(self.metrics_port, "/metrics?x=1")[0], 200)
        node.stop()

        self.log("without -metrics nothing listens and the RPC port has no such paths")
        node.start()
        assert_equal(get(node.rpc_port, "/metrics")[0], 404)
        assert_equal(get(node.rpc_port, "/health")[0], 404)
        try:
            get(self.metrics_port, "/metrics")
            raise AssertionError("something answers on the metrics port without -metrics")
        except ConnectionRefusedError:
            pass
        node.stop()

        self.log("a bad -metrics value is refused at start")
        for bad in ("9645", "localhost", "127.0.0.1:0", "127.0.0.1:99999", "::1:9645"):
            node.assert_start_fails([f"-metrics={bad}"], "is not ADDR:PORT")

        self.full_datadir()

    def full_datadir(self):
        """/health turns 503 when the datadir's filesystem is full, and 200
        again once there is room: a real tmpfs filled to the last byte."""
        node = self.nodes[1]
        mount_point = os.path.join(self.tmpdir, "small_disk")
        os.makedirs(mount_point, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128m", "tmpfs", mount_point],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            self.log("full-disk check skipped: cannot mount a tmpfs here "
                     f"({mounted.stderr.strip() or 'not root'}); the rest ran")
            return
        filler = os.path.join(mount_point, "filler")
        try:
            node.datadir = mount_point
            port = free_port()
            node.start(extra_args=[f"-metrics=127.0.0.1:{port}"])
            node.rpc.generatetoaddress(1, DEV_ACCOUNTS[9][0])
            wait_until(lambda: get(port, "/health")[0] == 200, what="healthy on the tmpfs")
            self.log("the datadir's disk filled up: /health is 503, /metrics still answers")
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                for size in (1 << 20, 4096, 1):  # down to the last byte
                    try:
                        while True:
                            os.write(fd, b"\0" * size)
                    except OSError:
                        pass
            finally:
                os.close(fd)
            status, _, body = get(port, "/health")
            assert_equal(status, 503, body)
            assert_in("datadir not writable", json.loads(body)["reason"])
            assert_equal(get(port, "/metrics")[0], 200)
            os.remove(filler)
            status, _, body = get(port, "/health")
            assert_equal(status, 200, body)
            node.stop()
        finally:
            if node.running():
                node.kill()
            subprocess.run(["umount", mount_point], capture_output=True)


if __name__ == "__main__":
    sys.exit(MetricsTest().main())
