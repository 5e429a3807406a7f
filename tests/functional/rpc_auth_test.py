#!/usr/bin/env python3
"""Every admin method is refused without credentials on the main port
(-32001) and does not exist on the public port (-32601), even with valid
credentials; the cookie and -rpcauth credentials both unlock them."""

import hashlib
import hmac
import os
import re

from test_framework.framework import DepinTestFramework
from test_framework.rpc import HTTPError
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import (assert_equal, assert_raises_rpc_error, assert_true, free_port)

UNAUTHORIZED = -32001
METHOD_NOT_FOUND = -32601

# Admin methods with arguments that would otherwise be valid, so that the
# refusal is about access and not about arguments.
ADMIN_CALLS = [
    ("getblocktemplate", [DEV_ACCOUNTS[1][0]]),
    ("submitblock", ["0x00"]),
    ("generatetoaddress", [1, DEV_ACCOUNTS[1][0]]),
    ("stop", []),
]
PUBLIC_CALLS = [
    ("getblockchaininfo", []), ("getblockcount", []), ("getbestblockhash", []),
    ("getblockhash", [0]), ("getmempoolinfo", []), ("getrawmempool", []),
    ("getmininginfo", []), ("estimatefee", []), ("getnetworkinfo", []), ("uptime", []),
    ("getaccount", [DEV_ACCOUNTS[0][0]]), ("help", []),
]


def admin_methods_from_docs():
    """Every admin method, from docs/rpc.md (generated from the tables and
    checked current by a unit test), so new admin methods are covered too."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "rpc.md")
    with open(path) as f:
        text = f.read()
    return re.findall(r"^### (\S+)\n\n`[^\n]*` — \*\*admin\*\*", text, re.MULTILINE)


def rpcauth_line(user, salt, password):
    mac = hmac.new(salt.encode(), password.encode(), hashlib.sha256).hexdigest()
    return f"{user}:{salt}${mac}"


class RpcAuthTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.public_port = free_port()
        self.extra_args = [[f"-rpcpublicport={self.public_port}", "-rpcpublicrate=1000",
                            "-rpcauth=" + rpcauth_line("alice", "c0ffee", "s3cret")]]

    def run_test(self):
        node = self.nodes[0]
        anon = node.client()
        public = node.client(port=self.public_port)
        public_with_cookie = node.client(auth=node.cookie(), port=self.public_port)
        alice = node.client(auth="alice:s3cret")

        info = node.rpc.getnetworkinfo()
        assert_equal(info["rpcpublicport"], self.public_port)

        self.log("admin methods: refused without auth, absent on the public port")
        for method, params in ADMIN_CALLS:
            assert_raises_rpc_error(UNAUTHORIZED, None, anon.call, method, *params)
            assert_raises_rpc_error(METHOD_NOT_FOUND, None, public.call, method, *params)
            assert_raises_rpc_error(METHOD_NOT_FOUND, None, public_with_cookie.call, method,
                                    *params)

        documented = admin_methods_from_docs()
        self.log(f"every documented admin method ({len(documented)}) is refused the same way")
        for name, _ in ADMIN_CALLS:
            assert_true(name in documented, f"{name} documented as admin")
        for method in documented:
            assert_raises_rpc_error(UNAUTHORIZED, None, anon.call, method)
            assert_raises_rpc_error(METHOD_NOT_FOUND, None, public.call, method)
            assert_raises_rpc_error(METHOD_NOT_FOUND, None, public_with_cookie.call, method)

        self.log("public methods: served everywhere without auth")
        for method, params in PUBLIC_CALLS:
            anon.call(method, *params)
            public.call(method, *params)

        self.log("help on the public port does not list admin methods")
        assert_true("generatetoaddress" not in public.help(), "admin method listed publicly")

        self.log("rpcauth and cookie credentials unlock admin methods")
        height = node.rpc.getblockcount()
        alice.generatetoaddress(2, DEV_ACCOUNTS[1][0])
        node.rpc.generatetoaddress(1, DEV_ACCOUNTS[1][0])
        assert_equal(anon.getblockcount(), height + 3)
        tmpl = alice.getblocktemplate(DEV_ACCOUNTS[2][0])
        assert_equal(tmpl["height"], height + 4)
        assert_equal(tmpl["miner"], DEV_ACCOUNTS[2][0])

        self.log("stop on the public port is refused even with the cookie; the node stays up")
        assert_raises_rpc_error(METHOD_NOT_FOUND, None, public_with_cookie.stop)
        assert_equal(anon.getblockcount(), height + 3)
        alice.stop()
        node.wait_for_exit()

        self.log("the public port limits each client IP; the main port does not")
        node.start(extra_args=["-rpcpublicrate=2"])
        public = node.client(port=self.public_port)
        statuses = []
        for _ in range(12):
            try:
                public.getblockcount()
                statuses.append(200)
            except HTTPError as e:
                statuses.append(e.status)
                public.close()
        assert_true(429 in statuses, f"no 429 in {statuses}")
        assert_true(statuses[0] == 200, "the first requests pass")
        for _ in range(12):
            node.client().getblockcount()


if __name__ == "__main__":
    import sys
    sys.exit(RpcAuthTest().main())
