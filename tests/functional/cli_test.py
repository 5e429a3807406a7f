#!/usr/bin/env python3
"""depin-cli against a -dev node: bitcoin-cli conventions (cookie auth from
the datadir, JSON-when-it-parses parameters, -named, error output and exit
codes for RPC errors, bad credentials and a stopped node), importing a key
into a V3 keystore, and `send --wait` signing locally and paying exactly the
amount asked."""

import json
import os
import stat
import subprocess

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import TestFailure, assert_equal, assert_in, assert_true


class CliTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.network = "regtest"

    def setup_nodes(self):
        self.add_nodes(1)
        node = self.nodes[0]
        node.start(replace_args=[node.binary, "-dev", f"-datadir={node.datadir}",
                                 f"-rpcport={node.rpc_port}", f"-port={node.p2p_port}",
                                 "-devblocktime=1"])

    def cli(self, *args, expect_code=0, timeout=120):
        """Runs depin-cli against node0; returns (stdout, stderr)."""
        node = self.nodes[0]
        binary = os.path.join(self.options.bindir, "depin-cli")
        if not os.path.exists(binary):
            raise TestFailure(f"no depin-cli in {self.options.bindir}")
        cmd = [binary, f"-datadir={node.datadir}", "-regtest", f"-rpcport={node.rpc_port}"]
        cmd += [str(a) for a in args]
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout * self.options.timeout_factor)
        out, err = proc.stdout.decode(), proc.stderr.decode()
        if proc.returncode != expect_code:
            raise TestFailure(f"depin-cli {' '.join(cmd[4:])} exited {proc.returncode}, expected "
                              f"{expect_code}\nstdout: {out}\nstderr: {err}")
        return out, err

    def write_file(self, name, text):
        path = os.path.join(self.tmpdir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_test(self):
        node = self.nodes[0]

        self.log("RPC calls authenticate with the cookie from the datadir")
        out, _ = self.cli("getblockcount")
        assert_true(int(out) >= 0, f"getblockcount printed {out!r}")
        out, _ = self.cli("getblockhash", 0)  # the 0 is sent as a number
        assert_equal(out.strip(), node.rpc.getblockhash(0))
        genesis = out.strip()
        out, _ = self.cli("-named", "getblockheader", f"blockhash={genesis}", "verbose=true")
        assert_equal(json.loads(out)["height"], 0)
        # An admin method: needs the cookie's credentials.
        out, _ = self.cli("getblocktemplate")
        assert_in("nonceoffset", json.loads(out))

        self.log("a JSON-RPC error prints its code and message and exits 1")
        _, err = self.cli("getblockhash", 999999, expect_code=1)
        assert_in("error code: -32602\nerror message:\n", err)

        self.log("wrong credentials: an authorization error and exit code 1")
        _, err = self.cli("-rpcuser=nobody", "-rpcpassword=wrong", "getblockcount", expect_code=1)
        assert_equal(err, "error: Authorization failed: Incorrect rpcuser or rpcpassword\n")

        self.log("no cookie file: the error names the path it looked at")
        missing = os.path.join(self.tmpdir, "no-such-dir", ".cookie")
        _, err = self.cli(f"-rpccookiefile={missing}", "getblocktemplate", expect_code=1)
        assert_in(f"cookie file not found at {missing}", err)

        self.log("account import of dev key 0 (light scrypt, password file)")
        password_file = self.write_file("password.txt", "correct horse battery staple\n")
        key_file = self.write_file("dev0.key", DEV_ACCOUNTS[0][1] + "\n")
        out, _ = self.cli("account", "import", "--key-file", key_file, "--password-file",
                          password_file, "--light")
        assert_equal(out.strip(), DEV_ACCOUNTS[0][0])
        out, _ = self.cli("account", "list")
        address, path = out.split("\n")[0].split(" ", 1)
        assert_equal(address, DEV_ACCOUNTS[0][0])
        assert_equal(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        assert_equal(os.path.dirname(path), os.path.join(node.network_dir, "keystore"))

        self.log("a fresh recipient from account new")
        out, _ = self.cli("account", "new", "--password-file", password_file, "--light")
        recipient = out.strip()
        assert_equal(node.rpc.getaccount(recipient)["balance"], "0")

        self.log("send --wait: signed locally, nonce and fees over RPC")
        out, _ = self.cli("send", "--from", path, "--to", recipient, "--value", "1.5",
                          "--password-file", password_file, "--wait", "--wait-timeout", "120",
                          timeout=180)
        lines = out.strip().split("\n")
        tx_hash = lines[0]
        assert_equal(len(tx_hash), 66)
        assert_in("status 1", lines[1])
        tx = node.rpc.getrawtransaction(tx_hash, True)
        assert_equal(tx["from"], DEV_ACCOUNTS[0][0])
        assert_equal(tx["chainid"], 1337)
        out, _ = self.cli("getaccount", recipient)
        assert_equal(json.loads(out)["balance"], "1500000000000000000")

        self.log("a second send from the address (keystore lookup) uses the next nonce")
        out, _ = self.cli("send", "--from", DEV_ACCOUNTS[0][0], "--to", recipient, "--value",
                          "2gwei", "--password-file", password_file, "--wait", timeout=180)
        tx2 = node.rpc.getrawtransaction(out.split("\n")[0], True)
        assert_equal(tx2["nonce"], tx["nonce"] + 1)
        assert_equal(node.rpc.getaccount(recipient)["balance"], "1500000002000000000")

        self.log("a wrong keystore password is refused before anything is sent")
        wrong = self.write_file("wrong.txt", "nope\n")
        _, err = self.cli("send", "--from", path, "--to", recipient, "--value", "1",
                          "--password-file", wrong, expect_code=1)
        assert_in("wrong password", err)

        self.log("node down: a connect error and exit code 1")
        node.stop(how="sigterm")
        _, err = self.cli("getblockcount", expect_code=1)
        assert_equal(err, f"error: Could not connect to the server 127.0.0.1:{node.rpc_port} "
                          "(is depind running?)\n")
        _, err = self.cli("-rpcwait", "-rpcwaittimeout=2", "getblockcount", expect_code=1)
        assert_in("timeout waiting for the node", err)

        self.log("-rpcwait waits for a node that is starting")
        waiter = subprocess.Popen(
            [os.path.join(self.options.bindir, "depin-cli"), f"-datadir={node.datadir}",
             "-regtest", f"-rpcport={node.rpc_port}", "-rpcwait", "getblockcount"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        node.start(replace_args=[node.binary, "-dev", f"-datadir={node.datadir}",
                                 f"-rpcport={node.rpc_port}", f"-port={node.p2p_port}",
                                 "-devblocktime=1"])
        out, err = waiter.communicate(timeout=60 * self.options.timeout_factor)
        assert_equal(waiter.returncode, 0, err.decode())
        assert_true(int(out) >= 1)


if __name__ == "__main__":
    import sys
    sys.exit(CliTest().main())
