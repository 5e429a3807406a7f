"""A JSON-RPC 2.0 client over one keep-alive HTTP/1.1 connection."""

import base64
import http.client
import itertools
import json


class JSONRPCException(Exception):
    def __init__(self, error, http_status=None):
        self.error = error
        self.code = error.get("code")
        self.message = error.get("message", "")
        self.http_status = http_status
        super().__init__(f"{self.code}: {self.message}")


class HTTPError(Exception):
    """A non-JSON-RPC HTTP answer (401, 413, 415, ...)."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        super().__init__(f"HTTP {status}: {body[:200]!r}")


class RpcClient:
    def __init__(self, host, port, auth=None, timeout=60):
        self.host = host
        self.port = port
        self.auth = auth  # "user:password" or None
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._conn = None

    def _connection(self):
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def post_raw(self, body, headers=None):
        """POSTs `body` (bytes or str); returns (status, response headers, body bytes)."""
        if isinstance(body, str):
            body = body.encode()
        h = {"Content-Type": "application/json"}
        if self.auth:
            h["Authorization"] = "Basic " + base64.b64encode(self.auth.encode()).decode()
        h.update(headers or {})
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request("POST", "/", body=body, headers=h)
                resp = conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, dict(resp.getheaders()), data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed meanwhile: retry once.
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def call(self, method, *params, **named):
        if params and named:
            raise ValueError("positional or named params, not both")
        req = {"jsonrpc": "2.0", "id": next(self._ids), "method": method}
        if named:
            req["params"] = named
        elif params:
            req["params"] = list(params)
        status, _, data = self.post_raw(json.dumps(req))
        try:
            resp = json.loads(data)
        except ValueError:
            raise HTTPError(status, data) from None
        if not isinstance(resp, dict):
            raise HTTPError(status, data)
        if "error" in resp:
            raise JSONRPCException(resp["error"], status)
        if status != 200:
            raise HTTPError(status, data)
        return resp["result"]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)
