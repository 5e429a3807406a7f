#!/usr/bin/env python3
"""-explorer: the web explorer's files at /explorer/ on the RPC port and the
public port, over real HTTP: off by default (404), index and modules with
their content types, ETag revalidation (304), HEAD without a body, other
methods 405 with Allow, the redirect from /explorer, a useful 404 page for
unknown files and paths that try to climb out, the Content-Security-Policy
on every reply, and JSON-RPC at / unaffected. The pages themselves are
tested in a browser by tests/interop/explorer_test.mjs."""

import http.client

from test_framework.framework import DepinTestFramework
from test_framework.util import assert_equal, assert_in, assert_true, free_port


def request(port, method, path, headers=None):
    """(status, headers as a lower-case dict, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()


class ExplorerTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def run_test(self):
        node = self.nodes[0]

        self.log("off by default: /explorer/ is 404 and JSON-RPC works")
        for path in ("/explorer/", "/explorer", "/explorer/app.js"):
            status, _, _ = request(node.rpc_port, "GET", path)
            assert_equal(status, 404, path)
        node.stop()
        node.start(extra_args=["-explorer=0"])
        assert_equal(request(node.rpc_port, "GET", "/explorer/")[0], 404)
        node.stop()

        public_port = free_port()
        node.start(extra_args=["-explorer", f"-rpcpublicport={public_port}"])
        node.wait_for_log("serving the web explorer at /explorer/")
        assert_equal(node.rpc.getblockcount(), 0)

        for port in (node.rpc_port, public_port):
            self.log(f"port {port}: index, modules, Chart.js and the ABIs")
            status, headers, body = request(port, "GET", "/explorer/")
            assert_equal(status, 200)
            assert_equal(headers["content-type"], "text/html; charset=utf-8")
            assert_in(b'<script type="module" src="app.js">', body)
            csp = headers["content-security-policy"]
            assert_in("script-src 'self'", csp)
            assert_true("unsafe-inline" not in csp and "unsafe-eval" not in csp, csp)
            assert_equal(headers["x-content-type-options"], "nosniff")
            assert_equal(headers["cache-control"], "no-cache")
            etag = headers["etag"]
            assert_equal(request(port, "GET", "/explorer/?from=bookmark")[2], body)
            assert_equal(request(port, "GET", "/explorer/index.html")[2], body)
            for path, ctype in (("/explorer/app.js", "text/javascript; charset=utf-8"),
                                ("/explorer/explorer.css", "text/css; charset=utf-8"),
                                ("/explorer/abi/compute.json", "application/json"),
                                ("/explorer/vendor/chart.umd.js", "text/javascript; charset=utf-8")):
                status, headers, _ = request(port, "GET", path)
                assert_equal(status, 200, path)
                assert_equal(headers["content-type"], ctype, path)

            self.log("ETag revalidation, HEAD, other methods")
            status, headers, body304 = request(port, "GET", "/explorer/",
                                               {"If-None-Match": etag})
            assert_equal(status, 304)
            assert_equal(body304, b"")
            assert_equal(request(port, "GET", "/explorer/", {"If-None-Match": '"old"'})[0], 200)
            status, headers, body = request(port, "HEAD", "/explorer/app.js")
            assert_equal(status, 200)
            assert_equal(body, b"")
            assert_true(int(headers["content-length"]) > 1000, headers)
            status, headers, _ = request(port, "POST", "/explorer/")
            assert_equal(status, 405)
            assert_equal(headers["allow"], "GET, HEAD")

            self.log("the redirect, unknown files and climbing paths")
            status, headers, _ = request(port, "GET", "/explorer")
            assert_equal(status, 308)
            assert_equal(headers["location"], "/explorer/")
            for path in ("/explorer/nothing.js", "/explorer/../../etc/passwd",
                         "/explorer/%2e%2e/%2e%2e/etc/passwd", "/explorer/vendor/",
                         "/explorerx", "/explorer/" + "a" * 4000):
                status, headers, body = request(port, "GET", path)
                assert_equal(status, 404, path)
                assert_equal(headers["content-type"], "text/html; charset=utf-8", path)
                assert_in(b'href="/explorer/"', body)
                assert_in("script-src 'self'", headers["content-security-policy"])

        self.log("JSON-RPC at / is unaffected")
        assert_equal(node.rpc.getblockcount(), 0)


if __name__ == "__main__":
    ExplorerTest().main()
