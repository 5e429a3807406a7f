#!/usr/bin/env python3
"""Transfers between dev accounts: txs signed with depin-txtool go through
sendrawtransaction into the mempool and a mined block; receipts, balances
(value, base fee burned, tip to the miner) and nonces come out right, for
EIP-1559 and legacy EIP-155 txs; a restart keeps the chain and balances."""

from test_framework.framework import DepinTestFramework
from test_framework.tx import DEV_ACCOUNTS
from test_framework.util import assert_equal, assert_in, assert_true

MINER = "0x000000000000000000000000000000000000bEEF"


class TransfersTest(DepinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1

    def balance(self, address):
        return int(self.nodes[0].rpc.getaccount(address)["balance"])

    def run_test(self):
        node = self.nodes[0]
        rpc = node.rpc
        sender, key = DEV_ACCOUNTS[1]
        receiver = DEV_ACCOUNTS[2][0]
        rpc.generatetoaddress(1, MINER)

        self.log("send three transfers with consecutive nonces")
        sender_before = self.balance(sender)
        receiver_before = self.balance(receiver)
        hashes = []
        values = [10**18, 2 * 10**18, 12345]
        for nonce, value in enumerate(values):
            raw, txid = self.txtool.sign(key, receiver, nonce, value=value)
            assert_equal(rpc.sendrawtransaction(raw), txid)
            hashes.append(txid)
        pool = rpc.getrawmempool()
        assert_equal(sorted(pool), sorted(hashes))
        assert_equal(rpc.getmempoolinfo()["size"], 3)
        acct = rpc.getaccount(sender)
        assert_equal(acct["nonce"], 0)
        assert_equal(acct["pendingnonce"], 3)
        pending = rpc.getrawtransaction(hashes[0], True)
        assert_equal(pending["confirmations"], 0)
        assert_equal(pending["inmempool"], True)

        self.log("mine them")
        block_hash = rpc.generatetoaddress(1, MINER)[0]
        assert_equal(rpc.getrawmempool(), [])
        block = rpc.getblock(block_hash, 2)
        assert_equal([t["hash"] for t in block["tx"]], hashes)
        base_fee = int(block["basefee"])
        total_gas = 0
        total_tip = 0
        for t, value in zip(block["tx"], values):
            r = t["receipt"]
            assert_equal(r["status"], 1)
            assert_equal(r["gasused"], 21000)
            assert_equal(t["from"], sender)
            assert_equal(t["to"], receiver)
            assert_equal(t["value"], str(value))
            price = int(r["effectivegasprice"])
            assert_equal(price, min(int(t["maxfeepergas"]),
                                    base_fee + int(t["maxpriorityfeepergas"])))
            total_gas += r["gasused"]
            total_tip += (price - base_fee) * r["gasused"]
        assert_equal(block["tx"][2]["receipt"]["cumulativegasused"], 63000)
        assert_equal(block["gasused"], 63000)

        self.log("balances: value moved, fees paid, nonce advanced")
        fee_paid = sum(int(t["receipt"]["effectivegasprice"]) * 21000 for t in block["tx"])
        assert_equal(self.balance(sender), sender_before - sum(values) - fee_paid)
        assert_equal(self.balance(receiver), receiver_before + sum(values))
        assert_equal(rpc.getaccount(sender)["nonce"], 3)

        self.log("getrawtransaction: confirmed tx with block, height, confirmations, receipt")
        tx = rpc.getrawtransaction(hashes[1], True)
        assert_equal(tx["blockhash"], block_hash)
        assert_equal(tx["height"], block["height"])
        assert_equal(tx["confirmations"], 1)
        assert_equal(tx["receipt"]["status"], 1)
        raw = rpc.getrawtransaction(hashes[1])
        assert_equal(rpc.decoderawtransaction(raw)["hash"], hashes[1])
        rpc.generatetoaddress(2, MINER)
        assert_equal(rpc.getrawtransaction(hashes[1], True)["confirmations"], 3)

        self.log("a legacy EIP-155 tx works too")
        raw, txid = self.txtool.sign(key, receiver, 3, value=7, legacy=True, maxfee=5 * 10**9)
        assert_equal(rpc.sendrawtransaction(raw), txid)
        rpc.generatetoaddress(1, MINER)
        legacy = rpc.getrawtransaction(txid, True)
        assert_equal(legacy["type"], 0)
        assert_equal(legacy["chainid"], 1337)
        assert_in("gasprice", legacy)
        assert_equal(legacy["receipt"]["status"], 1)

        self.log("the miner got subsidy plus tips; the base fee was burned")
        assert_true(self.balance(MINER) > 0, "miner paid")

        self.log("restart keeps the chain, receipts and balances")
        info = rpc.getblockchaininfo()
        balances = {a: self.balance(a) for a, _ in DEV_ACCOUNTS[:3]}
        balances[MINER] = self.balance(MINER)
        node.stop()
        node.start()
        rpc = node.rpc
        after = rpc.getblockchaininfo()
        for field in ["blocks", "bestblockhash", "stateroot", "chainwork"]:
            assert_equal(after[field], info[field], field)
        for address, amount in balances.items():
            assert_equal(self.balance(address), amount, address)
        assert_equal(rpc.getrawtransaction(hashes[0], True)["receipt"]["status"], 1)
        assert_equal(rpc.getaccount(sender)["nonce"], 4)
        raw, txid = self.txtool.sign(key, receiver, 4, value=1)
        assert_equal(rpc.sendrawtransaction(raw), txid)
        rpc.generatetoaddress(1, MINER)
        assert_equal(rpc.getaccount(sender)["nonce"], 5)


if __name__ == "__main__":
    import sys
    sys.exit(TransfersTest().main())
