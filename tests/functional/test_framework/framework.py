"""DepinTestFramework: the base class of every functional test.

A test overrides set_test_params() (num_nodes, extra_args, network) and
run_test(). main() parses --bindir/--tmpdir/--nocleanup/--timeout-factor,
starts the nodes, runs the test, stops the nodes and removes the temporary
directory on success. On failure the directory is kept and the tail of every
node's debug.log and stderr is printed, so the log of a failed run survives.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

from .node import TestNode
from .tx import TxTool
from .util import TestFailure

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_SKIPPED = 77  # ctest's SKIP_RETURN_CODE for functional tests


class SkipTest(Exception):
    """Raised by a test whose outside dependency (a root-only daemon, a
    package) is missing here; the reason is printed and the run counts as
    skipped, never as passed."""


class DepinTestFramework:
    def __init__(self):
        self.num_nodes = 1
        self.extra_args = None  # list per node
        self.network = "regtest"
        self.setup_clean_chain = True
        self.nodes = []
        self.options = None
        self.tmpdir = None

    # To override -------------------------------------------------------------
    def set_test_params(self):
        pass

    def run_test(self):
        raise NotImplementedError

    def setup_nodes(self):
        """Creates and starts the nodes; override to start them differently."""
        self.add_nodes(self.num_nodes, self.extra_args)
        for node in self.nodes:
            node.start()

    # Helpers -------------------------------------------------------------------
    def add_nodes(self, n, extra_args=None):
        for i in range(n):
            args = extra_args[i] if extra_args else None
            self.nodes.append(TestNode(len(self.nodes), self.tmpdir, self.options.bindir, args,
                                       network=self.network,
                                       timeout_factor=self.options.timeout_factor))

    def log(self, msg):
        print(f"{time.strftime('%H:%M:%S')} {type(self).__name__}: {msg}", flush=True)

    @property
    def txtool(self):
        return TxTool(self.options.bindir)

    # depin-cli ---------------------------------------------------------------
    def cli_cmd(self, node, *args):
        """depin-cli's argv for `node` (its datadir, network and RPC port)."""
        network = {"main": [], "test": ["-testnet"], "regtest": ["-regtest"]}[node.network]
        return [os.path.join(self.options.bindir, "depin-cli"), f"-datadir={node.datadir}",
                *network, f"-rpcport={node.rpc_port}", *args]

    def cli(self, node, *args, timeout=120):
        """Runs depin-cli against `node`; its stdout (a non-zero exit fails the test)."""
        proc = subprocess.run(self.cli_cmd(node, *args), capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            raise TestFailure(f"depin-cli {' '.join(args)} exited {proc.returncode}: "
                              f"{proc.stderr.strip()}")
        return proc.stdout

    def import_key(self, node, key):
        """Imports `key` into `node`'s keystore folder (light scrypt); returns
        the password file that unlocks it for depin-cli's --password-file."""
        pw = os.path.join(self.tmpdir, f"pw-{key[2:10]}.txt")
        with open(pw, "w") as f:
            f.write("pw\n")
        keyfile = os.path.join(self.tmpdir, f"key-{key[2:10]}.txt")
        with open(keyfile, "w") as f:
            f.write(key + "\n")
        os.chmod(keyfile, 0o600)
        self.cli(node, "account", "import", "--key-file", keyfile, "--password-file", pw,
                 "--light")
        return pw

    def cli_stepping(self, harness, node, *args, limit=60):
        """Runs a command that waits for its tx while `harness` mines blocks."""
        proc = subprocess.Popen(self.cli_cmd(node, *args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        for _ in range(limit):
            if proc.poll() is not None:
                break
            harness.step()
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise TestFailure(f"depin-cli {' '.join(args)} exited {proc.returncode}: "
                              f"{err.strip()}")
        return out

    # Driver --------------------------------------------------------------------
    def main(self):
        parser = argparse.ArgumentParser(description=type(self).__doc__)
        parser.add_argument("--bindir", default=os.environ.get("DEPIN_BINDIR", "build/bin"),
                            help="directory holding depind and depin-txtool")
        parser.add_argument("--tmpdir", help="root of the test's datadirs (default: a new one)")
        parser.add_argument("--nocleanup", action="store_true",
                            help="keep datadirs and logs after a passing run")
        parser.add_argument("--timeout-factor", type=float, default=1.0,
                            help="multiply every timeout (slow machines, sanitizers)")
        self.options = parser.parse_args()
        self.options.bindir = os.path.abspath(self.options.bindir)
        self.set_test_params()
        name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
        if self.options.tmpdir:
            os.makedirs(self.options.tmpdir, exist_ok=True)
            self.tmpdir = self.options.tmpdir
        else:
            self.tmpdir = tempfile.mkdtemp(prefix=f"depin_{name}_")
        self.log(f"datadirs in {self.tmpdir}")

        success = False
        skipped = None
        try:
            if not os.path.exists(os.path.join(self.options.bindir, "depind")):
                raise FileNotFoundError(f"no depind in {self.options.bindir} (use --bindir)")
            self.setup_nodes()
            self.run_test()
            success = True
        except SkipTest as e:
            skipped = str(e)
            success = True
        except Exception:  # noqa: BLE001 - every failure is reported the same way
            self.log("FAILED:\n" + traceback.format_exc())
        finally:
            for node in self.nodes:
                if node.running():
                    try:
                        node.stop(how="sigterm", timeout=30)
                    except Exception as e:  # noqa: BLE001
                        self.log(f"node{node.index} did not stop cleanly: {e}")
                        success = False
                        node.kill()
        if success and skipped is not None:
            self.log(f"skipped: {skipped}")
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            return EXIT_SKIPPED
        if success:
            self.log("passed")
            if not self.options.nocleanup and not self.options.tmpdir:
                shutil.rmtree(self.tmpdir, ignore_errors=True)
            return EXIT_PASSED
        self.dump_logs()
        self.log(f"logs kept in {self.tmpdir}")
        return EXIT_FAILED

    def dump_logs(self, lines=40):
        for node in self.nodes:
            for label, text in (("debug.log", node.read_debug_log()),
                                ("stderr", node.read_stderr())):
                tail = text.splitlines()[-lines:]
                if tail:
                    print(f"--- node{node.index} {label} (last {len(tail)} lines) ---")
                    print("\n".join(tail))
        sys.stdout.flush()
