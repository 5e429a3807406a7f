// The compute market driven the way a dApp drives it, with viem v2 and
// docs/abi/compute.json against a depind -dev node (started by run.mjs):
// registerProvider, createOrder (with the tenant's public key), bid and
// acceptBid with writeContract; BidPlaced and LowEscrow seen by
// watchContractEvent; the order, lease and escrow read with readContract; a
// revert's rule name in viem's ContractFunctionRevertedError; closeLease
// paying both sides as the lease's own accounting says.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ContractFunctionRevertedError, createWalletClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { MNEMONIC, devChain, withTimeout } from "./lib.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MARKET = "0x0000000000000000000000000000000000001000";
const PRICE = 10n ** 12n;
const BID_DEPOSIT = 10n ** 17n;  // regtest
const ATTRIBUTES = "gpu.vendor=nvidia;gpu.model=RTX 4090;gpu.count=2;gpu.vramGiB=24;" +
  "gpu.interface=pcie";

export async function run(node) {
  const { chain, client, wait } = devChain(node);
  const provider = mnemonicToAccount(MNEMONIC, { addressIndex: 8 });
  const tenant = mnemonicToAccount(MNEMONIC, { addressIndex: 9 });
  const providerWallet = createWalletClient({ account: provider, chain, transport: http(node.url) });
  const tenantWallet = createWalletClient({ account: tenant, chain, transport: http(node.url) });
  const abi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/compute.json"), "utf8"));
  const read = (functionName, args) => client.readContract({ address: MARKET, abi,
    functionName, args });

  console.log("- registerProvider with writeContract; attributes read back normalized");
  assert.equal((await wait(await providerWallet.writeContract({ address: MARKET, abi,
    functionName: "registerProvider", args: ["http://127.0.0.1:1/", ATTRIBUTES],
    value: 2n * 10n ** 18n }))).status, "success");
  const p = await read("getProvider", [provider.address]);
  assert.equal(p[0], true);
  assert.ok(p[2].includes("gpu.model=rtx-4090"), p[2]);

  console.log("- createOrder with the tenant's public key; seven blocks of escrow");
  const order = { spec: "model=rtx-4090;count=1", duration: 50n, window: 20n };
  const sim = await client.simulateContract({ account: tenant, address: MARKET, abi,
    functionName: "createOrder", args: [order.spec, PRICE, order.duration, order.window, [], 0n,
      `0x${"00".repeat(32)}`, tenant.publicKey], value: 7n * PRICE });
  const orderId = sim.result;
  assert.equal((await wait(await tenantWallet.writeContract(sim.request))).status, "success");
  const o = await read("getOrder", [orderId]);
  assert.equal(o[0], tenant.address);
  assert.equal(o[8], `0x${tenant.publicKey.slice(4)}`);  // stored as the 64-byte key
  assert.equal(o[10], 1);  // open

  console.log("- a revert shows its rule name in viem's error");
  let reverted = null;
  try {
    await client.simulateContract({ account: provider, address: MARKET, abi, functionName: "bid",
      args: [orderId, PRICE, "rtx-4090"], value: BID_DEPOSIT - 1n });
  } catch (e) {
    reverted = e.walk((x) => x instanceof ContractFunctionRevertedError);
  }
  assert.ok(reverted, "simulateContract should revert");
  assert.ok(reverted.reason.startsWith("compute-bad-bid-deposit"), reverted.reason);
  console.log(`  ok ${reverted.reason.slice(0, 48)}...`);

  console.log("- bid: watchContractEvent sees BidPlaced with the exact model");
  let unwatchBid;
  const bidSeen = new Promise((resolve) => {
    unwatchBid = client.watchContractEvent({ address: MARKET, abi, eventName: "BidPlaced",
      args: { orderId }, onLogs: (logs) => resolve(logs[0]) });
  });
  const bidSim = await client.simulateContract({ account: provider, address: MARKET, abi,
    functionName: "bid", args: [orderId, PRICE, "rtx-4090"], value: BID_DEPOSIT });
  const bidId = bidSim.result;
  assert.equal((await wait(await providerWallet.writeContract(bidSim.request))).status, "success");
  const bidLog = await withTimeout(bidSeen, 30_000, "watchContractEvent BidPlaced");
  unwatchBid();
  assert.equal(bidLog.args.bidId, bidId);
  assert.equal(bidLog.args.provider, provider.address);
  assert.equal(bidLog.args.gpuModel, "rtx-4090");

  console.log("- acceptBid: the lease reads back with its escrow");
  const acceptReceipt = await wait(await tenantWallet.writeContract({ address: MARKET, abi,
    functionName: "acceptBid", args: [bidId] }));
  assert.equal(acceptReceipt.status, "success");
  const lease = await read("getLease", [orderId]);
  assert.equal(lease[0], tenant.address);
  assert.equal(lease[1], provider.address);
  assert.equal(lease[3], "rtx-4090");
  assert.equal(lease[5], PRICE);
  assert.equal(lease[8], 1);  // active
  const start = lease[6];
  const escrow = await read("getEscrow", [orderId]);
  assert.equal(escrow[3], start + 7n);  // projected end: seven blocks of pay

  console.log("- withdrawLease with four blocks of pay left: LowEscrow fires");
  let unwatchLow;
  const lowSeen = new Promise((resolve) => {
    unwatchLow = client.watchContractEvent({ address: MARKET, abi, eventName: "LowEscrow",
      args: { leaseId: orderId }, onLogs: (logs) => resolve(logs[0]) });
  });
  // The withdrawal lands in block start + 3 or later: at most 4 blocks left.
  while ((await client.getBlockNumber()) < start + 2n) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const withdraw = await wait(await providerWallet.writeContract({ address: MARKET, abi,
    functionName: "withdrawLease", args: [orderId] }));
  assert.equal(withdraw.status, "success");
  const low = await withTimeout(lowSeen, 30_000, "watchContractEvent LowEscrow");
  unwatchLow();
  assert.equal(low.args.leaseId, orderId);
  const left = start + 7n - withdraw.blockNumber;
  assert.equal(low.args.blocksLeft, left);
  assert.equal(low.args.remaining, left * PRICE);

  console.log("- closeLease by the tenant: LeaseClosed pays exactly the blocks run");
  const close = await wait(await tenantWallet.writeContract({ address: MARKET, abi,
    functionName: "closeLease", args: [orderId, 1n] }));
  assert.equal(close.status, "success");
  const closed = await client.getContractEvents({ address: MARKET, abi, eventName: "LeaseClosed",
    args: { leaseId: orderId }, fromBlock: close.blockNumber, toBlock: close.blockNumber });
  assert.equal(closed.length, 1);
  const ran = close.blockNumber - start;
  assert.equal(closed[0].args.reason, 1n);
  assert.equal(closed[0].args.paidTotal, ran * PRICE);
  assert.equal(closed[0].args.refund, 7n * PRICE - ran * PRICE);
  const after = await read("getLease", [orderId]);
  assert.equal(after[8], 2);  // closed
}
