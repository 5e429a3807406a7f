"""Helpers for the compute provider tests: a tenant that sends compute
market calls from the mining node of a ProviderHarness, and the tenant-side
crypto (personal_sign, opening access boxes) through depin-txtool."""

import subprocess

from .abi import encode, public_key
from .util import assert_equal

MARKET = "0x0000000000000000000000000000000000001000"


class Tenant:
    """Sends compute market calls as the harness's client account."""

    def __init__(self, test, harness):
        self.test = test
        self.h = harness
        self.address, self.key = harness.client_addr, harness.client_key

    @property
    def rpc(self):
        return self.h.client.rpc

    def send(self, signature, types, values, value=0):
        nonce = int(self.rpc.call("eth_getTransactionCount", self.address, "pending"), 16)
        selector = self.rpc.call("web3_sha3", "0x" + signature.encode().hex())[:10]
        raw, txid = self.test.txtool.sign(self.key, MARKET, nonce, value=value, gas=3_000_000,
                                          data=selector + encode(types, values))
        self.rpc.call("eth_sendRawTransaction", raw)
        self.h.step()
        receipt = self.rpc.call("eth_getTransactionReceipt", txid)
        assert_equal(receipt["status"], "0x1", f"{signature} status")
        return receipt

    def order(self, spec, max_price, manifest_hash="0x" + "00" * 32, duration=20, window=3):
        """Creates an order with 20 blocks of escrow; returns its id."""
        receipt = self.send(
            "createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)",
            ["string", "uint256", "uint256", "uint256", "address[]", "uint256", "bytes32",
             "bytes"],
            [spec, max_price, duration, window, [], 0, manifest_hash, public_key(self.key)],
            value=max_price * 20)
        topic = self.rpc.call("web3_sha3", "0x" + b"OrderCreated(uint256,address,string,uint256,"
                              b"uint256,uint256,uint256)".hex())
        for log in receipt["logs"]:
            if log["topics"][0] == topic:
                return int(log["topics"][1], 16)
        raise AssertionError("no OrderCreated event")

    def close(self, lease, reason):
        self.send("closeLease(uint256,uint256)", ["uint256", "uint256"], [lease, reason])


def txtool(test, *args):
    out = subprocess.run([test.txtool.binary, *args], capture_output=True, text=True, timeout=30)
    return out.returncode, out.stdout.strip(), out.stderr


def open_box(test, key, lease, box):
    """(exit code, plaintext, stderr) of opening a lease's access box with `key`."""
    return txtool(test, f"--key={key}", f"--open-box={box}", f"--aad=0x{lease:064x}")


def personal_sign(test, key, digest):
    return txtool(test, f"--key={key}", f"--personal-sign={digest}")[1]
