#!/usr/bin/env python3
"""Every RPC method bounds its reply, and the listener limits hold on a real
node (docs/operations.md "Limits"):

- the whole method table, walked with maximal parameters (huge arrays, the
  widest block ranges, the largest counts), answers each call with a reply
  of bounded size; the 100,000-percentile eth_feeHistory that once built a
  311 MB reply is refused in a few bytes;
- a flood of connections from one IP on the public port is capped per IP
  while the admin port stays reachable;
- half-sent headers are dropped after -rpcheadertimeout;
- a batch on the public port pays a rate-limit token per entry;
- polling filters are capped per client and expire unpolled;
- a foreign Host header (DNS rebinding) and a foreign websocket Origin are
  refused;
- parallel password guessing is throttled: only the failure budget's worth
  of guesses is checked, the rest are refused (counted, not timed)."""

import base64
import json
import os
import re
import socket
import subprocess
import threading

from test_framework.framework import DepinTestFramework
from test_framework.rpc import JSONRPCException
from test_framework.util import (assert_equal, assert_in, assert_raises_rpc_error, assert_true,
                                 free_port, wait_until)

LIMIT_EXCEEDED = -32005
INVALID_PARAMS = -32602
# No reply may exceed what the node accepts as a request body.
MAX_REPLY_BYTES = 8 << 20
ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
# Past eth_feeHistory's 1024-block cap, each block with transfers.
BLOCKS = 1100
TXS_PER_BLOCK = 20


def raw_exchange(port, request, timeout=30):
    """Sends raw bytes on a fresh connection; returns everything read until
    the server closes or `timeout` passes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out
            if not chunk:
                return out
            out += chunk
            if b"\r\n\r\n" in out and (b"Connection: close" in out or b"HTTP/1.1 101" in out):
                return out


def post_request(host, body, extra=""):
    return (f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode()


class RpcLimitsTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.public_port = free_port()
        self.extra_args = [[f"-rpcpublicport={self.public_port}", "-rpcpublicrate=5",
                            "-rpcpublicmaxperip=4", "-rpcheadertimeout=1",
                            "-rpcservertimeout=60", "-rpcfiltersperclient=5",
                            "-rpcfiltertimeout=2", "-rpcauthfailures=3"]]

    def setup_nodes(self):
        self.add_nodes(self.num_nodes, self.extra_args)
        tool = os.path.join(self.options.bindir, "depin-chaingen")
        out = subprocess.run([tool, f"--datadir={self.nodes[0].datadir}", f"--blocks={BLOCKS}",
                              f"--txs={TXS_PER_BLOCK}"], capture_output=True, text=True,
                             timeout=300)
        assert_equal(out.returncode, 0, out.stderr)
        self.nodes[0].start()

    # The method table, from help ----------------------------------------
    def methods(self, rpc):
        names = []
        for line in rpc.help().splitlines():
            if line and not line.startswith("=="):
                names.append(line.split()[0])
        table = {}
        for name in names:
            args = re.findall(r"^\d+\. (\S+)  \(([^,)]+)", rpc.help(name), re.M)
            table[name] = [t for _, t in args]
        return table

    def candidates(self, kind, tip_hash):
        huge_numbers = [50] * 100000
        many_addresses = [ADDRESS] * 20000
        widest = {"fromBlock": "earliest", "toBlock": "latest"}
        by_type = {
            "array": [huge_numbers, many_addresses],
            "object": [widest,
                       dict(widest, address=many_addresses, topics=[[tip_hash] * 2000] * 4),
                       {"from": ADDRESS, "to": ADDRESS, "gas": "0xffffffffffffffff",
                        "data": "0x" + "ab" * 100000},
                       {"blockHash": tip_hash}],
            "hex quantity": ["0xffffffffffffffff", "0x0"],
            "hex u256": ["0x" + "f" * 64],
            "hex data": ["0x" + "ab" * 200000],
            "hash": [tip_hash],
            "address": [ADDRESS],
            "uint": [2**64 - 1, 0],
            "integer": [2**63 - 1, -1],
            "number": [1e308],
            "bool": [True],
            "string": ["latest", "earliest", "x" * 100000],
            "any": ["0xffffffffffffffff", "earliest", huge_numbers, 2**64 - 1, widest],
        }
        return by_type.get(kind, by_type["any"])

    def ordinary(self, kind, tip_hash):
        # 0x400 is both a block number on this chain and eth_feeHistory's
        # largest block count.
        return {"array": [], "object": {"fromBlock": "earliest", "toBlock": "latest"},
                "hex quantity": "0x400", "hex u256": "0x1", "hex data": "0x",
                "hash": tip_hash, "address": ADDRESS, "uint": 1, "integer": 1, "number": 1,
                "bool": True, "string": "latest"}.get(kind, "0x400")

    def walk_method_table(self, node):
        rpc = node.rpc
        tip_hash = rpc.getblockhash(rpc.getblockcount())
        table = self.methods(rpc)
        assert_true(len(table) > 50, f"only {len(table)} methods in help")
        largest = (0, "")
        calls = 0
        for name, types in sorted(table.items()):
            if name == "stop":
                continue
            # Each parameter at each of its maximal values, the others either
            # maximal too or ordinary (so that the call gets past them).
            maximal = [self.candidates(t, tip_hash)[0] for t in types]
            maximal = ["latest" if t == "string" else v for t, v in zip(types, maximal)]
            ordinary = [self.ordinary(t, tip_hash) for t in types]
            tries = [maximal]
            for base in (maximal, ordinary):
                for i, t in enumerate(types):
                    for value in self.candidates(t, tip_hash):
                        params = list(base)
                        params[i] = value
                        tries.append(params)
            for params in tries:
                body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": name, "params": params})
                status, _, data = rpc.post_raw(body)
                calls += 1
                assert_true(len(data) <= MAX_REPLY_BYTES,
                            f"{name}: {len(data)} byte reply to a {len(body)} byte request")
                reply = json.loads(data)
                assert_true("result" in reply or "error" in reply, f"{name}: {data[:200]!r}")
                if len(data) > largest[0]:
                    largest = (len(data), name)
        self.log(f"{calls} calls over {len(table)} methods; largest reply {largest[0]} bytes "
                 f"({largest[1]})")

    def run_test(self):
        node = self.nodes[0]
        rpc = node.rpc
        assert_equal(rpc.getblockcount(), BLOCKS)

        self.log("eth_feeHistory: 100,000 percentiles are refused in a small reply")
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_feeHistory",
                           "params": ["0x400", "latest", [50] * 100000]})
        _, _, data = rpc.post_raw(body)
        assert_equal(json.loads(data)["error"]["code"], INVALID_PARAMS)
        assert_true(len(data) < 1024, f"{len(data)} byte error")
        # The most a caller can ask for: 1024 blocks of 100 percentiles.
        reply = rpc.eth_feeHistory("0xffffffff", "latest", list(range(100)))
        assert_equal(len(reply["reward"]), 1024)
        assert_equal(len(reply["reward"][0]), 100)

        self.log("the whole method table with maximal parameters")
        self.walk_method_table(node)

        self.log("public port: connections per IP are capped, the admin port stays reachable")
        held = [socket.create_connection(("127.0.0.1", self.public_port)) for _ in range(4)]
        with socket.create_connection(("127.0.0.1", self.public_port), timeout=30) as extra:
            assert_equal(extra.recv(1), b"")  # closed at accept
        assert_true(rpc.getblockcount() >= BLOCKS)
        for s in held:
            s.close()

        self.log("half-sent headers are dropped after -rpcheadertimeout")
        with socket.create_connection(("127.0.0.1", node.rpc_port), timeout=30) as half:
            half.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Ty")
            # -rpcservertimeout is 60 s; the header timeout (1 s) closes it.
            assert_equal(half.recv(1), b"")

        self.log("a public batch pays a token per entry")
        public = node.client(port=self.public_port)
        wait_until(lambda: public.post_raw(json.dumps(
            {"jsonrpc": "2.0", "id": 0, "method": "getblockcount"}))[0] == 200)
        batch = [{"jsonrpc": "2.0", "id": i, "method": "getblockcount"} for i in range(30)]
        status, _, data = public.post_raw(json.dumps(batch))
        assert_equal(status, 200)
        replies = json.loads(data)
        limited = [r for r in replies if r.get("error", {}).get("code") == LIMIT_EXCEEDED]
        served = [r for r in replies if "result" in r]
        assert_equal(len(served) + len(limited), 30)
        assert_true(len(served) <= 10, f"{len(served)} of 30 entries served with a burst of 10")
        assert_true(len(limited) >= 20)

        self.log("polling filters: capped per client, expire unpolled")
        # The filters the walk made expire first (-rpcfiltertimeout=2); ours
        # are polled meanwhile so they stay.
        filters = []

        def fill():
            for f in filters:
                rpc.eth_getFilterChanges(f)
            new = self.try_new_filter(rpc)
            if new:
                filters.append(new)
            return len(filters) == 5

        wait_until(fill, timeout=30)
        assert_raises_rpc_error(LIMIT_EXCEEDED, "too many filters", rpc.eth_newBlockFilter)
        # -rpcfiltertimeout=2: the unpolled filters go and free their slots.
        wait_until(lambda: self.try_new_filter(rpc), timeout=30)
        assert_raises_rpc_error(-32000, "filter not found", rpc.eth_getFilterChanges, filters[0])

        self.log("Host and Origin checks")
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getblockcount"})
        reply = raw_exchange(node.rpc_port, post_request("evil.example:8545", body))
        assert_true(reply.startswith(b"HTTP/1.1 403"), reply[:100])
        assert_in(b"invalid host specified", reply)
        reply = raw_exchange(node.rpc_port, post_request(f"localhost:{node.rpc_port}", body))
        assert_true(reply.startswith(b"HTTP/1.1 200"), reply[:100])
        assert_true(b"Access-Control-Allow-Origin" not in reply)
        upgrade = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: " +
                   base64.b64encode(os.urandom(16)).decode() +
                   "\r\nSec-WebSocket-Version: 13\r\n{origin}\r\n")
        reply = raw_exchange(node.rpc_port,
                             upgrade.format(origin="Origin: https://evil.example\r\n").encode())
        assert_true(reply.startswith(b"HTTP/1.1 403"), reply[:100])
        reply = raw_exchange(node.rpc_port,
                             upgrade.format(origin="Origin: http://localhost:3000\r\n").encode())
        assert_true(reply.startswith(b"HTTP/1.1 101"), reply[:100])
        reply = raw_exchange(node.rpc_port, upgrade.format(origin="").encode())
        assert_true(reply.startswith(b"HTTP/1.1 101"), reply[:100])

        self.log("parallel password guessing is throttled per IP")
        statuses = []
        lock = threading.Lock()

        def guess(i):
            auth = base64.b64encode(f"__cookie__:guess{i}".encode()).decode()
            out = raw_exchange(node.rpc_port,
                               post_request("localhost", body, f"Authorization: Basic {auth}\r\n"))
            with lock:
                statuses.append(out[9:12])

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.log(f"40 parallel guesses: {statuses.count(b'401')} checked (401), "
                 f"{statuses.count(b'429')} refused (429)")
        assert_equal(statuses.count(b"401"), 3)  # -rpcauthfailures=3
        assert_equal(statuses.count(b"429"), 37)
        # The lock-out passes (1 s for a first one) and the operator gets in.
        node.rpc.close()
        wait_until(lambda: self.admin_ok(node), timeout=30)

    def try_new_filter(self, rpc):
        """A new block filter's id, or None while the client is at its cap."""
        try:
            return rpc.eth_newBlockFilter()
        except JSONRPCException as e:
            assert_equal(e.error["code"], LIMIT_EXCEEDED)
            return None

    def admin_ok(self, node):
        status, _, _ = node.client(auth=node.cookie()).post_raw(
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getblockcount"}))
        return status == 200


if __name__ == "__main__":
    raise SystemExit(RpcLimitsTest().main())
