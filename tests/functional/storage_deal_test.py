#!/usr/bin/env python3
"""A client stores a file with a provider and gets it back, over the
provider's HTTP routes, on real processes on loopback:

- the provider's HTTP endpoints refuse bad uploads with their reason (unknown
  deal, too large, bad Content-Range, wrong offset or total, data that does
  not match commD, a disk that would fill) and take a resumable upload in
  chunks;
- `depin-cli storage deal` computes commD, proposes, uploads in chunks once
  the proposal is in a block and waits for activation, showing progress;
- the provider is killed (SIGKILL) in the middle of sealing that deal's
  sector; after a restart the seal resumes from its checkpoint and the deal
  activates, in one sector;
- `depin-cli storage retrieve` returns identical bytes, checked against
  commD; Range and HEAD requests and GET /piece/{commD} answer as HTTP says;
  data of deals not active is refused.
Blocks are mined on the client node (ProviderHarness)."""

import http.client
import json
import os
import signal
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.storage import ProviderHarness, piece_commitment
from test_framework.util import assert_equal, assert_in, assert_true, wait_until

PRICE = 10**12


class StorageDealTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 2

    def setup_nodes(self):
        self.add_nodes(self.num_nodes)

    def http(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.nodes[0].rpc_port, timeout=60)
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def expect_error(self, method, path, status, code, body=None, headers=None):
        got, _, data = self.http(method, path, body, headers)
        assert_equal(got, status, data)
        assert_equal(json.loads(data)["error"], code)

    def run_test(self):
        h = ProviderHarness(self)
        provider, client = self.nodes
        # First with a disk reserve no disk has: every upload is refused.
        h.provider_args = h.provider_args + ["-storagediskreserve=1000000000"]
        h.start()
        h.step_until(lambda: provider.rpc.call("storage_getSealingStatus")["registered"],
                     "provider registered")
        assert_equal(client.rpc.call("storage_getProvider", h.provider_addr)["uri"],
                     f"http://127.0.0.1:{provider.rpc_port}/")

        self.log("deal 1 proposed over RPC; its uploads are checked")
        small = os.urandom(1000)
        start = client.rpc.getblockcount() + 60
        receipt, _ = h.propose(small, 1024, start, start + 100, PRICE, nonce=0)
        assert_equal(receipt["status"], "0x1")
        self.expect_error("PUT", "/storage/deals/1", 507, "provider-disk-full", small)
        h.provider_args = h.provider_args[:-1]
        provider.stop()
        provider.start(extra_args=h.provider_args)
        wait_until(lambda: client.rpc.getconnectioncount() == 1, what="nodes reconnected")

        self.expect_error("PUT", "/storage/deals/99", 404, "storage-unknown-deal", small)
        self.expect_error("PUT", "/storage/deals/x1", 400, "bad-request", small)
        self.expect_error("PUT", "/storage/deals/1", 413, "provider-data-too-large",
                          os.urandom(1025))
        wrong = small[:-1] + bytes([small[-1] ^ 1])
        self.expect_error("PUT", "/storage/deals/1", 422, "provider-data-mismatch", wrong)
        self.expect_error("PUT", "/storage/deals/1", 400, "bad-request", small[:10],
                          {"Content-Range": "bytes 0-99/1000"})
        self.expect_error("PUT", "/storage/deals/1", 400, "bad-request", small[:10],
                          {"Content-Range": "lines 0-9/1000"})
        status, hdrs, data = self.http("PUT", "/storage/deals/1", small[:100],
                                       {"Content-Range": "bytes 0-99/1000"})
        assert_equal(status, 200, data)
        assert_equal(json.loads(data), {"deal": 1, "received": 100, "total": 1000,
                                        "complete": False})
        status, hdrs, data = self.http("PUT", "/storage/deals/1", small[200:300],
                                       {"Content-Range": "bytes 200-299/1000"})
        assert_equal((status, json.loads(data)["error"], hdrs["upload-offset"]),
                     (409, "provider-upload-offset", "100"))
        self.expect_error("PUT", "/storage/deals/1", 409, "provider-upload-total", small[100:200],
                          {"Content-Range": "bytes 100-199/999"})
        status, _, data = self.http("GET", "/storage/deals/1/upload")
        assert_equal(json.loads(data)["received"], 100)
        status, hdrs, _ = self.http("DELETE", "/storage/deals/1")
        assert_equal((status, hdrs["allow"]), (405, "GET, HEAD, PUT"))
        # A body over the route's limit is refused from its Content-Length.
        conn = http.client.HTTPConnection("127.0.0.1", provider.rpc_port, timeout=30)
        conn.putrequest("PUT", "/storage/deals/1")
        conn.putheader("Content-Length", str(17 << 20))
        conn.endheaders()
        assert_equal(conn.getresponse().status, 413)
        conn.close()
        status, _, data = self.http("PUT", "/storage/deals/1", small[100:],
                                    {"Content-Range": "bytes 100-999/1000"})
        assert_equal((status, json.loads(data)["complete"]), (200, True))
        self.expect_error("GET", "/storage/deals/1", 403, "provider-deal-not-active")
        self.expect_error("GET", "/piece/0x1234", 400, "bad-request")
        self.expect_error("GET", "/piece/" + "00" * 32, 404, "provider-unknown-piece")
        status, _, _ = self.http("GET", "/other")
        assert_equal(status, 404)

        self.log("depin-cli storage deal: propose, upload in chunks, wait for activation")
        pw = self.import_key(client, h.client_key)
        data = os.urandom(3 * 1024 * 1024 + 123)
        path = os.path.join(self.tmpdir, "file.bin")
        with open(path, "wb") as f:
            f.write(data)
        # The provider pauses after each sealing layer, so it can be killed
        # in the middle of one.
        provider.stop()
        provider.start(extra_args=h.provider_args + ["-testsealpause=3000"])
        wait_until(lambda: client.rpc.getconnectioncount() == 1, what="nodes reconnected")
        deal_cmd = self.cli_cmd(client, "storage", "deal", "--provider", h.provider_addr,
                                "--file", path, "--duration", "120", "--start-in", "80",
                                "--from", h.client_addr, "--password-file", pw,
                                "--upload-chunk", str(1 << 20), "--wait-timeout", "600")
        proc = subprocess.Popen(deal_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        log_path = os.path.join(provider.network_dir, "debug.log")

        def layer_one_labeled():
            with open(log_path, errors="replace") as f:
                return "sector 2: layer 1/" in f.read()
        for _ in range(200):
            if layer_one_labeled():
                break
            h.step()
        assert_true(layer_one_labeled(), "the provider began sealing sector 2")

        self.log("SIGKILL in the middle of the seal; the restart resumes it")
        provider.process.send_signal(signal.SIGKILL)
        provider.process.wait(timeout=30)
        provider.start(extra_args=h.provider_args)
        wait_until(lambda: client.rpc.getconnectioncount() == 1, what="nodes reconnected")
        for _ in range(200):
            if proc.poll() is not None:
                break
            h.step()
        out, err = proc.communicate(timeout=60)
        assert_equal(proc.returncode, 0, err + out)
        for line in ["proposing a deal to", "deal 2 proposed", "uploaded 1048576 / 3145851",
                     "(100%)", "deal 2: active in sector 2"]:
            assert_in(line, out)
        assert_in("layer 1/2 labeled (from checkpoint)", provider.read_debug_log())
        status = provider.rpc.call("storage_getSealingStatus")
        assert_equal(sorted((s["number"], s["deals"]) for s in status["sectors"]),
                     [(1, [1]), (2, [2])])
        d = client.rpc.call("storage_getDeal", 2)
        assert_equal((d["piecesize"], d["commd"]),
                     (4 << 20, piece_commitment(data, 4 << 20)))

        self.log("depin-cli storage retrieve returns identical bytes")
        h.step_until(lambda: h.deal(1)["state"] == "active", "deal 1 active")
        for deal, want in [(2, data), (1, small)]:
            out_path = os.path.join(self.tmpdir, f"back{deal}.bin")
            out = self.cli(client, "storage", "retrieve", str(deal), out_path)
            assert_in("commD verified", out)
            with open(out_path, "rb") as f:
                assert_true(f.read() == want, f"deal {deal} retrieved identical")

        self.log("Range, HEAD and /piece/ as HTTP says")
        status, hdrs, body = self.http("GET", "/storage/deals/2", headers={"Range": "bytes=10-19"})
        assert_equal((status, body, hdrs["content-range"]), (206, data[10:20],
                                                             f"bytes 10-19/{len(data)}"))
        status, _, body = self.http("GET", "/storage/deals/2", headers={"Range": "bytes=-5"})
        assert_equal((status, body), (206, data[-5:]))
        status, _, body = self.http("GET", "/storage/deals/2",
                                    headers={"Range": f"bytes={len(data) - 3}-"})
        assert_equal((status, body), (206, data[-3:]))
        status, hdrs, _ = self.http("GET", "/storage/deals/2",
                                    headers={"Range": f"bytes={len(data)}-"})
        assert_equal((status, hdrs["content-range"]), (416, f"bytes */{len(data)}"))
        status, _, body = self.http("GET", "/storage/deals/2", headers={"Range": "bytes=0-1,5-6"})
        assert_equal((status, len(body)), (200, len(data)))
        status, hdrs, body = self.http("HEAD", "/storage/deals/2")
        assert_equal((status, hdrs["content-length"], body), (200, str(len(data)), b""))
        status, hdrs, body = self.http("GET", "/piece/" + d["commd"])
        assert_equal((status, len(body)), (200, 4 << 20))
        assert_true(body == data + b"\0" * ((4 << 20) - len(data)), "the piece, zero-padded")

        self.log("retrieval of a deal that is not active is refused")
        res = subprocess.run(self.cli_cmd(client, "storage", "retrieve", "7",
                                          os.path.join(self.tmpdir, "none")),
                             capture_output=True, text=True, timeout=60)
        assert_equal(res.returncode, 1)
        assert_in("storage-unknown-deal", res.stderr)


if __name__ == "__main__":
    raise SystemExit(StorageDealTest().main())
