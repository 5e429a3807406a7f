// The storage market driven the way a dApp drives it, with viem v2 and
// docs/abi/storage.json against a depind -dev node (started by run.mjs):
// registerProvider and proposeDeal with writeContract, the deal read back
// with readContract, DealProposed seen by watchContractEvent (polling HTTP
// filters) and getContractEvents, a revert's rule name in viem's
// ContractFunctionRevertedError, and cancelDeal refunding the client to the
// wei (only gas spent).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ContractFunctionRevertedError, createWalletClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { MNEMONIC, devChain, withTimeout } from "./lib.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MARKET = "0x0000000000000000000000000000000000002000";
const PRICE = 10n ** 12n;

export async function run(node) {
  const { chain, client, wait } = devChain(node);
  const provider = mnemonicToAccount(MNEMONIC, { addressIndex: 6 });
  const dapp = mnemonicToAccount(MNEMONIC, { addressIndex: 7 });
  const providerWallet = createWalletClient({ account: provider, chain, transport: http(node.url) });
  const wallet = createWalletClient({ account: dapp, chain, transport: http(node.url) });
  const abi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/storage.json"), "utf8"));

  console.log("- registerProvider with writeContract, getProvider with readContract");
  const reg = await providerWallet.writeContract({ address: MARKET, abi,
    functionName: "registerProvider", args: ["http://127.0.0.1:1/", 10n ** 9n, 10n, 2048n],
    value: 2n * 10n ** 18n });
  assert.equal((await wait(reg)).status, "success");
  const p = await client.readContract({ address: MARKET, abi, functionName: "getProvider",
    args: [provider.address] });
  assert.equal(p[0], true);
  assert.equal(p[1], "http://127.0.0.1:1/");
  assert.equal(p[5], 2n * 10n ** 18n);

  console.log("- a revert shows its rule name in viem's error");
  const start = (await client.getBlockNumber()) + 50n;
  const end = start + 200n;
  const total = PRICE * (end - start);
  const value = total + total / 10n;
  const commD = `0x${"cd".repeat(32)}`;
  let reverted = null;
  try {
    await client.simulateContract({ account: dapp, address: MARKET, abi, functionName: "proposeDeal",
      args: [provider.address, commD, 1024n, start, end, PRICE], value: value - 1n });
  } catch (e) {
    reverted = e.walk((x) => x instanceof ContractFunctionRevertedError);
  }
  assert.ok(reverted, "simulateContract should revert");
  assert.ok(reverted.reason.startsWith("storage-deal-wrong-value: "), reverted.reason);
  console.log(`  ok ${reverted.reason.slice(0, 40)}...`);

  console.log("- proposeDeal: watchContractEvent sees DealProposed, readContract the deal");
  let unwatch;
  const seen = new Promise((resolve) => {
    unwatch = client.watchContractEvent({ address: MARKET, abi, eventName: "DealProposed",
      args: { client: dapp.address }, onLogs: (logs) => resolve(logs[0]) });
  });
  const before = await client.getBalance({ address: dapp.address });
  const { request, result: dealId } = await client.simulateContract({ account: dapp,
    address: MARKET, abi, functionName: "proposeDeal",
    args: [provider.address, commD, 1024n, start, end, PRICE], value });
  const hash = await wallet.writeContract(request);
  const receipt = await wait(hash);
  assert.equal(receipt.status, "success");
  const log = await withTimeout(seen, 30_000, "watchContractEvent DealProposed");
  unwatch();
  assert.equal(log.transactionHash, hash);
  assert.equal(log.args.dealId, dealId);
  assert.equal(log.args.provider, provider.address);
  assert.equal(log.args.pieceSize, 1024n);
  const deal = await client.readContract({ address: MARKET, abi, functionName: "getDeal",
    args: [dealId] });
  assert.equal(deal[0], dapp.address);
  assert.equal(deal[2], commD);
  assert.equal(deal[7], 1);  // proposed
  const listed = await client.readContract({ address: MARKET, abi, functionName: "listDeals",
    args: [dapp.address, "0x0000000000000000000000000000000000000000", 0, 0n, 10n] });
  assert.deepEqual(listed, [dealId]);

  console.log("- cancelDeal: DealEnded, refunded in full (only gas spent)");
  const cancel = await wallet.writeContract({ address: MARKET, abi, functionName: "cancelDeal",
    args: [dealId] });
  const cancelReceipt = await wait(cancel);
  const ended = await client.getContractEvents({ address: MARKET, abi, eventName: "DealEnded",
    args: { dealId }, fromBlock: receipt.blockNumber });
  assert.equal(ended.length, 1);
  assert.equal(ended[0].args.state, 4);  // cancelled
  assert.equal(ended[0].args.paidToClient, value);
  const gas = receipt.gasUsed * receipt.effectiveGasPrice +
    cancelReceipt.gasUsed * cancelReceipt.effectiveGasPrice;
  assert.equal(await client.getBalance({ address: dapp.address }), before - gas);
}
