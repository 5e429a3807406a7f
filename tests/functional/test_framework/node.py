"""TestNode: one depind process in its own datadir, on free loopback ports."""

import os
import signal
import subprocess
import time

from .rpc import HTTPError, JSONRPCException, RpcClient
from .util import TestFailure, free_port, wait_until


class TestNode:
    def __init__(self, index, tmpdir, bindir, extra_args=None, network="regtest",
                 timeout_factor=1.0):
        self.index = index
        self.bindir = bindir
        # stdout/stderr captures live here even when a test points datadir elsewhere.
        self.logdir = os.path.join(tmpdir, f"node{index}")
        os.makedirs(self.logdir, exist_ok=True)
        self.datadir = self.logdir
        self.network = network
        self.rpc_port = free_port()
        self.p2p_port = free_port()
        self.extra_args = list(extra_args or [])
        self.timeout_factor = timeout_factor
        self.process = None
        self._stdout = None
        self._stderr = None
        self._rpc = None

    # Paths -----------------------------------------------------------------
    @property
    def binary(self):
        return os.path.join(self.bindir, "depind")

    @property
    def network_dir(self):
        sub = {"main": "", "test": "testnet", "regtest": "regtest"}[self.network]
        return os.path.join(self.datadir, sub) if sub else self.datadir

    @property
    def debug_log(self):
        return os.path.join(self.network_dir, "debug.log")

    @property
    def stdout_path(self):
        return os.path.join(self.logdir, "stdout.txt")

    @property
    def stderr_path(self):
        return os.path.join(self.logdir, "stderr.txt")

    def base_args(self):
        args = [self.binary, f"-datadir={self.datadir}", f"-rpcport={self.rpc_port}",
                f"-port={self.p2p_port}"]
        if self.network == "regtest":
            args.append("-regtest")
        elif self.network == "test":
            args.append("-testnet")
        return args

    # Process control -------------------------------------------------------
    def start(self, extra_args=None, wait=True, replace_args=None):
        """Starts depind; with `wait`, returns once RPC answers."""
        if self.process is not None and self.process.poll() is None:
            raise TestFailure(f"node{self.index} is already running")
        args = replace_args if replace_args is not None else (
            self.base_args() + self.extra_args + list(extra_args or []))
        self._stdout = open(self.stdout_path, "ab")
        self._stderr = open(self.stderr_path, "ab")
        self.process = subprocess.Popen(args, stdout=self._stdout, stderr=self._stderr)
        self._rpc = None
        if wait:
            self.wait_for_rpc()
        return self

    def wait_for_rpc(self, timeout=60):
        def ready():
            if self.process.poll() is not None:
                raise TestFailure(
                    f"node{self.index} exited with {self.process.returncode} during start-up: "
                    f"{self.read_stderr().strip()}")
            try:
                self.rpc.getblockcount()
                return True
            except JSONRPCException as e:
                if e.code == -28:  # still starting (loading or reindexing)
                    return False
                raise
            except HTTPError as e:
                # A cookie left by a killed node, read before the new one
                # was written: read it again.
                if e.status != 401:
                    raise
                self._rpc = None
                return False
            except (OSError, TestFailure) as e:
                if isinstance(e, TestFailure):
                    raise
                self._rpc = None  # reconnect (and re-read the cookie) next time
                return False

        deadline = time.monotonic() + timeout * self.timeout_factor
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.05)
        raise TestFailure(f"node{self.index} did not answer RPC within {timeout}s")

    def cookie(self):
        with open(os.path.join(self.network_dir, ".cookie")) as f:
            return f.read().strip()

    @property
    def rpc(self):
        """An admin client (cookie auth) on the main port."""
        if self._rpc is None:
            self._rpc = RpcClient("127.0.0.1", self.rpc_port, auth=self.cookie())
        return self._rpc

    def client(self, auth=None, port=None):
        """A fresh client: no auth unless given (public methods only)."""
        return RpcClient("127.0.0.1", port or self.rpc_port, auth=auth)

    def running(self):
        return self.process is not None and self.process.poll() is None

    def wait_for_exit(self, timeout=30):
        try:
            return self.process.wait(timeout=timeout * self.timeout_factor)
        except subprocess.TimeoutExpired:
            raise TestFailure(f"node{self.index} did not exit within {timeout}s") from None
        finally:
            self._close_files()

    def stop(self, how="rpc", timeout=30):
        """Stops the node by `how` ("rpc", "sigterm", "sigint"); checks a clean
        exit (code 0) and returns the seconds it took."""
        started = time.monotonic()
        if how == "rpc":
            self.rpc.stop()
        elif how == "sigterm":
            self.process.send_signal(signal.SIGTERM)
        elif how == "sigint":
            self.process.send_signal(signal.SIGINT)
        else:
            raise ValueError(how)
        code = self.wait_for_exit(timeout)
        if self._rpc is not None:
            self._rpc.close()
            self._rpc = None
        if code != 0:
            raise TestFailure(f"node{self.index} exited with {code} after {how}")
        return time.monotonic() - started

    def kill(self):
        if self.running():
            self.process.kill()
            self.process.wait()
        self._close_files()

    def _close_files(self):
        for f in (self._stdout, self._stderr):
            if f is not None:
                f.close()
        self._stdout = self._stderr = None

    def assert_start_fails(self, extra_args, expected_stderr, timeout=30, replace_args=None):
        """Starts depind expecting it to exit non-zero with `expected_stderr`
        in its error output."""
        open(self.stderr_path, "w").close()
        self.start(extra_args=extra_args, wait=False, replace_args=replace_args)
        code = self.wait_for_exit(timeout)
        err = self.read_stderr()
        if code == 0:
            raise TestFailure(f"node{self.index} started although it should fail")
        if expected_stderr not in err:
            raise TestFailure(f"expected {expected_stderr!r} in stderr, got {err!r}")
        self.process = None
        return err

    # Logs ------------------------------------------------------------------
    def read_stderr(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def read_stdout(self):
        try:
            with open(self.stdout_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def read_debug_log(self):
        try:
            with open(self.debug_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_for_log(self, text, timeout=30):
        wait_until(lambda: text in self.read_debug_log(), timeout * self.timeout_factor,
                   what=f"{text!r} in node{self.index} debug.log")
