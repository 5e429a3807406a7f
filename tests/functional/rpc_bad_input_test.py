#!/usr/bin/env python3
"""Bad RPC input gets the right error while the node keeps serving others:
malformed JSON, wrong JSON-RPC shapes, unknown methods, wrong param types and
counts, oversized bodies, slow and half-open connections, wrong credentials
(with no hint which part was wrong), wrong content type and HTTP method."""

import base64
import http.client
import json
import socket
import time

from test_framework.framework import DepinTestFramework
from test_framework.rpc import HTTPError
from test_framework.util import (assert_equal, assert_in, assert_raises_rpc_error, assert_true,
                                 wait_until)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602


class RpcBadInputTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.extra_args = [["-rpcservertimeout=2"]]

    def post_json(self, client, body):
        status, _, data = client.post_raw(body)
        return status, json.loads(data) if data else None

    def still_serving(self):
        # A fresh connection and the long-lived admin one both work.
        assert_true(self.nodes[0].client().getblockcount() >= 0)
        assert_true(self.nodes[0].rpc.getblockcount() >= 0)

    def run_test(self):
        node = self.nodes[0]
        c = node.client()

        self.log("malformed JSON")
        for body in ["{", "{\"jsonrpc\":\"2.0\",", "not json", "\x00\xff", "[1,2"]:
            _, resp = self.post_json(c, body)
            assert_equal(resp["error"]["code"], PARSE_ERROR, body)
            assert_equal(resp["id"], None)
        self.still_serving()

        self.log("wrong JSON-RPC shapes")
        shapes = [
            "[]",
            "42",
            "\"getblockcount\"",
            json.dumps({"jsonrpc": "1.0", "id": 1, "method": "getblockcount"}),
            json.dumps({"id": 1, "method": "getblockcount"}),
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": 7}),
            json.dumps({"jsonrpc": "2.0", "id": 1}),
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getblockcount", "params": "x"}),
            json.dumps({"jsonrpc": "2.0", "id": {"a": 1}, "method": "getblockcount"}),
        ]
        for body in shapes:
            _, resp = self.post_json(c, body)
            assert_equal(resp["error"]["code"], INVALID_REQUEST, body)
        # A batch answers each entry on its own.
        batch = [{"jsonrpc": "2.0", "id": 1, "method": "getblockcount"},
                 {"jsonrpc": "2.0", "id": 2, "method": "nosuchmethod"},
                 {"jsonrpc": "2.0", "id": 3}]
        _, resp = self.post_json(c, json.dumps(batch))
        by_id = {r["id"]: r for r in resp}
        assert_equal(by_id[1]["result"], 0)
        assert_equal(by_id[2]["error"]["code"], METHOD_NOT_FOUND)
        assert_equal(by_id[3]["error"]["code"], INVALID_REQUEST)
        self.still_serving()

        self.log("unknown methods")
        assert_raises_rpc_error(METHOD_NOT_FOUND, None, c.call, "getblockcounts")
        assert_raises_rpc_error(METHOD_NOT_FOUND, None, c.call, "")

        self.log("wrong param types and counts")
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getblockhash)
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getblockhash, "0")
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getblockhash, -1)
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getblockhash, 0, 1)
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getblock, "0x1234")
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getblock, 5)
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getaccount, "0xnothex")
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getaccount, "0x" + "11" * 19)
        assert_raises_rpc_error(INVALID_PARAMS, None, c.sendrawtransaction, "0x123")
        assert_raises_rpc_error(INVALID_PARAMS, None, c.call, "getblockhash", height="zero")
        assert_raises_rpc_error(INVALID_PARAMS, None, c.call, "getblockhash", hieght=0)
        genesis = c.getblockhash(0)
        assert_raises_rpc_error(INVALID_PARAMS, None, c.getblock, genesis, 3)
        assert_raises_rpc_error(-5, "block not found", c.getblock, "0x" + "00" * 32)
        # Named params work as well as positional ones.
        assert_equal(c.call("getblock", blockhash=genesis, verbosity=1)["height"], 0)
        self.still_serving()

        self.log("wrong content type and HTTP method")
        status, _, _ = c.post_raw("{}", headers={"Content-Type": "text/plain"})
        assert_equal(status, 415)
        conn = http.client.HTTPConnection("127.0.0.1", node.rpc_port, timeout=10)
        conn.request("GET", "/")
        assert_equal(conn.getresponse().status, 405)
        conn.close()
        self.still_serving()

        self.log("oversized body")
        big = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "getblockcount",
                          "params": ["x" * (9 << 20)]})
        try:
            status, _, _ = node.client().post_raw(big)
            assert_equal(status, 413)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server may close before the whole body was sent
        self.still_serving()

        self.log("wrong credentials: 401, identical for a wrong user and a wrong password")
        cookie_user, cookie_pass = node.cookie().split(":", 1)
        answers = []
        for auth in [f"{cookie_user}:wrong", f"nobody:{cookie_pass}", "nobody:wrong",
                     "no-colon-at-all"]:
            client = node.client(auth=auth)
            started = time.monotonic()
            try:
                client.getblockcount()
                raise AssertionError("wrong credentials were accepted")
            except HTTPError as e:
                answers.append((e.status, e.body))
            answers_time = time.monotonic() - started
            assert_true(answers_time >= 0.1, "a failed login is delayed")
        assert_equal(len(set(answers)), 1, "responses must not tell which part failed")
        assert_equal(answers[0][0], 401)
        garbage = base64.b64encode(b"\xff\xfe").decode()
        status, _, _ = c.post_raw("{}", headers={"Authorization": "Basic " + garbage})
        assert_equal(status, 401)
        self.still_serving()

        self.log("slow and half-open connections do not block others and are dropped")
        idle = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", node.rpc_port), timeout=10)
            idle.append(s)
        slow = socket.create_connection(("127.0.0.1", node.rpc_port), timeout=10)
        slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # headers never finish
        half = socket.create_connection(("127.0.0.1", node.rpc_port), timeout=10)
        half.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"jsonrpc\"")  # body never finishes
        half.shutdown(socket.SHUT_WR)
        started = time.monotonic()
        for _ in range(5):
            self.still_serving()
        assert_true(time.monotonic() - started < 2, "others are served at once")

        def closed(sock):
            try:
                sock.settimeout(0.2)
                data = sock.recv(4096)
                return data == b"" or data.startswith(b"HTTP/1.1 408") or b"HTTP" in data
            except socket.timeout:
                return False
            except OSError:
                return True
        wait_until(lambda: closed(slow), timeout=10, what="slow connection dropped")
        wait_until(lambda: closed(half), timeout=10, what="half-open connection dropped")
        wait_until(lambda: all(closed(s) for s in idle), timeout=10,
                   what="idle connections dropped")
        for s in idle + [slow, half]:
            s.close()
        self.still_serving()

        self.log("help comes from the tables")
        text = c.help()
        assert_in("getblockchaininfo", text)
        assert_in("sendrawtransaction", c.help("sendrawtransaction"))


if __name__ == "__main__":
    import sys
    sys.exit(RpcBadInputTest().main())
