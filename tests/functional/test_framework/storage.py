"""Helpers for the storage market tests: piece commitments, ABI words, and a
two-node harness (a provider node running -storageprovider and a client node
that mines) that steps the chain one block at a time so the provider's txs
cross P2P relay before each block."""

import hashlib
import os
import time

from .tx import DEV_ACCOUNTS
from .util import wait_until

MARKET = "0x0000000000000000000000000000000000002000"
MINER = "0x000000000000000000000000000000000000bEEF"


def piece_commitment(data, piece_size):
    """Root of the binary SHA-256 tree over `data` zero-padded to `piece_size`."""
    nodes = [(data + b"\0" * (piece_size - len(data)))[i:i + 32] for i in range(0, piece_size, 32)]
    while len(nodes) > 1:
        nodes = [hashlib.sha256(nodes[i] + nodes[i + 1]).digest() for i in range(0, len(nodes), 2)]
    return "0x" + nodes[0].hex()


def word(v):
    return f"{v:064x}"


class ProviderHarness:
    """nodes[0] is the provider, nodes[1] the client that mines."""

    def __init__(self, test, provider_account=4, client_account=5):
        self.test = test
        self.provider, self.client = test.nodes[0], test.nodes[1]
        self.provider_addr, self.provider_key = DEV_ACCOUNTS[provider_account]
        self.client_addr, self.client_key = DEV_ACCOUNTS[client_account]
        self.keyfile = os.path.join(test.tmpdir, "provider.key")
        with open(self.keyfile, "w") as f:
            f.write(self.provider_key + "\n")
        os.chmod(self.keyfile, 0o600)
        self.provider_args = [f"-storageprovider={self.keyfile}", "-storagesectorsize=8MiB",
                              "-storageprice=1000000000"]

    def start(self):
        self.provider.start(extra_args=self.provider_args)
        self.client.start(extra_args=[f"-addnode=127.0.0.1:{self.provider.p2p_port}"])
        wait_until(lambda: self.client.rpc.getconnectioncount() == 1, what="nodes connected")

    def step(self):
        """Mines one block on the client once the provider's pending txs
        reached it, then lets the provider's role see the new tip."""
        def relayed():
            mine = set(self.provider.rpc.call("getrawmempool"))
            return mine.issubset(set(self.client.rpc.call("getrawmempool")))
        wait_until(relayed, timeout=30, what="provider txs relayed to the client node")
        self.client.rpc.generatetoaddress(1, MINER)
        height = self.client.rpc.getblockcount()
        wait_until(lambda: self.provider.rpc.getblockcount() == height, timeout=30,
                   what="provider node at the tip")
        time.sleep(0.3)  # the role works on its own thread after each tip

    def step_until(self, predicate, what, limit=400):
        for _ in range(limit):
            if predicate():
                return
            self.step()
        raise AssertionError(f"not reached within {limit} blocks: {what}")

    def deal(self, deal_id):
        return self.client.rpc.call("storage_getDeal", deal_id)

    def propose(self, data, piece_size, start, end, price, nonce):
        """The client proposes a deal for `data`; returns (receipt, fee paid)."""
        rpc = self.client.rpc
        comm_d = piece_commitment(data, piece_size)
        total = price * (end - start)
        value = total + total * 10 // 100
        selector = rpc.call("web3_sha3", "0x" + b"proposeDeal(address,bytes32,uint256,"
                            b"uint256,uint256,uint256)".hex())[:10]
        calldata = (selector + word(int(self.provider_addr, 16)) + comm_d[2:] + word(piece_size) +
                    word(start) + word(end) + word(price))
        raw, txid = self.test.txtool.sign(self.client_key, MARKET, nonce, value=value,
                                          gas=500_000, data=calldata)
        rpc.call("eth_sendRawTransaction", raw)
        self.step()
        receipt = rpc.call("eth_getTransactionReceipt", txid)
        fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
        return receipt, fee
