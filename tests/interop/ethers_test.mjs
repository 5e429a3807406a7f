// ethers v6 against a depind -dev node (started by run.mjs): network and
// account reads, transfers and receipts, nonces, replacement, fee data,
// blocks and transactions, module calls, Multicall3 through a Contract with its
// ABI (reads, an allowed failure, a tx that sets values), logs and filters, errors with
// ethers' own codes, and a WebSocketProvider receiving heads, pending txs and
// logs.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ethers } from "ethers";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MNEMONIC = "test test test test test test test test test test test junk";
const CHAIN_ID = 1337n;
const TEST_MODULE = "0x0000000000000000000000000000000000000F00";
const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";
const EMPTY_UNCLES = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
const GWEI = 10n ** 9n;

function devWallet(i, provider) {
  return ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`)
    .connect(provider);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The node's own error text wherever ethers put it.
function nodeMessage(e) {
  return [e?.info?.error?.message, e?.error?.message, e?.shortMessage, e?.message]
    .filter(Boolean).join(" | ");
}

async function expectError(what, promise, code, text) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected ${code} but it succeeded`);
  assert.equal(err.code, code, `${what}: expected ${code}, got ${err.code}: ${nodeMessage(err)}`);
  if (text) {
    assert.ok(nodeMessage(err).includes(text),
      `${what}: expected the message to contain "${text}", got: ${nodeMessage(err)}`);
  }
  console.log(`  ok ${what}: ${err.code} (${text ?? err.shortMessage})`);
  return err;
}

function step(name) {
  console.log(`- ${name}`);
}

export async function run(node) {
  const provider = new ethers.JsonRpcProvider(node.url, undefined, { pollingInterval: 250 });
  const alice = devWallet(0, provider);
  const bob = devWallet(1, provider);
  const carol = devWallet(2, provider);
  const abi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/test.json"), "utf8"));

  step("getNetwork, getBlockNumber, getBalance");
  const network = await provider.getNetwork();
  assert.equal(network.chainId, CHAIN_ID);
  const height = await provider.getBlockNumber();
  assert.ok(height >= 0);
  const balance = await provider.getBalance(alice.address);
  assert.ok(balance > 10n ** 18n, `dev account 0 is funded (${balance})`);
  assert.equal(await provider.getCode(alice.address), "0x");
  assert.notEqual(await provider.getCode(TEST_MODULE), "0x", "modules look like contracts");

  step("Wallet.sendTransaction of a transfer, then wait() for the receipt");
  const to = ethers.Wallet.createRandom().address;
  const t0 = Date.now();
  const sent = await alice.sendTransaction({ to, value: 12345n });
  const receipt = await withTimeout(sent.wait(), 30_000, "transfer receipt");
  console.log(`  receipt after ${Date.now() - t0} ms in block ${receipt.blockNumber}`);
  assert.equal(receipt.status, 1);
  assert.equal(receipt.hash, sent.hash);
  assert.equal(receipt.from, alice.address);
  assert.equal(receipt.to, to);
  assert.equal(receipt.gasUsed, 21000n);
  assert.ok(receipt.gasPrice > 0n);
  assert.equal(await provider.getBalance(to), 12345n);
  // State at the block before: the account did not exist yet.
  assert.equal(await provider.getBalance(to, receipt.blockNumber - 1), 0n);
  assert.equal(await provider.getBalance(to, receipt.blockNumber), 12345n);

  step("getTransaction");
  const tx = await provider.getTransaction(sent.hash);
  assert.equal(tx.hash, sent.hash);
  assert.equal(tx.from, alice.address);
  assert.equal(tx.to, to);
  assert.equal(tx.value, 12345n);
  assert.equal(tx.type, 2);
  assert.equal(tx.chainId, CHAIN_ID);
  assert.equal(tx.blockNumber, receipt.blockNumber);
  assert.equal(tx.blockHash, receipt.blockHash);
  // v/r/s are the real signature: the tx re-serializes to the same hash.
  const rebuilt = ethers.Transaction.from({
    type: tx.type, chainId: tx.chainId, nonce: tx.nonce, to: tx.to, value: tx.value,
    gasLimit: tx.gasLimit, maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas, data: tx.data, accessList: tx.accessList,
    signature: tx.signature,
  });
  assert.equal(rebuilt.hash, tx.hash);
  assert.equal(rebuilt.from, alice.address);

  step("an EIP-2930 (type 1) tx: gas price plus an access list, charged as Ethereum");
  {
    const gasPrice = (await provider.getFeeData()).gasPrice * 2n;
    const accessList = [{
      address: TEST_MODULE,
      storageKeys: [ethers.ZeroHash, ethers.toBeHex(1, 32)],
    }];
    const sent1 = await carol.sendTransaction({
      type: 1, to, value: 7n, gasPrice, gasLimit: 40_000n, accessList,
    });
    const r1 = await withTimeout(sent1.wait(), 30_000, "type 1 receipt");
    assert.equal(r1.status, 1);
    assert.equal(r1.type, 1);
    // 21000 + 2400 per address + 1900 per storage key (EIP-2930).
    assert.equal(r1.gasUsed, 21000n + 2400n + 2n * 1900n);
    const t1 = await provider.getTransaction(sent1.hash);
    assert.equal(t1.type, 1);
    assert.equal(t1.gasPrice, gasPrice);
    assert.equal(t1.accessList.length, 1);
    assert.equal(t1.accessList[0].storageKeys.length, 2);
    const again = ethers.Transaction.from({
      type: 1, chainId: t1.chainId, nonce: t1.nonce, to: t1.to, value: t1.value,
      gasLimit: t1.gasLimit, gasPrice: t1.gasPrice, data: t1.data, accessList: t1.accessList,
      signature: t1.signature,
    });
    assert.equal(again.hash, sent1.hash);
    assert.equal(again.from, carol.address);
  }

  step("getBlock('latest', true) and the raw block fields");
  const mined = await provider.getBlock(receipt.blockNumber, true);
  assert.ok(mined.prefetchedTransactions.some((t) => t.hash === sent.hash));
  const latest = await provider.getBlock("latest", true);
  assert.ok(latest.number >= receipt.blockNumber);
  assert.ok(latest.difficulty > 0n);
  assert.ok(latest.baseFeePerGas > 0n);
  assert.ok(ethers.isAddress(latest.miner));
  assert.equal(latest.parentHash.length, 66);
  const raw = await provider.send("eth_getBlockByNumber", [ethers.toQuantity(receipt.blockNumber), false]);
  assert.equal(raw.sha3Uncles, EMPTY_UNCLES);
  assert.deepEqual(raw.uncles, []);
  assert.equal(raw.nonce.length, 18);
  assert.equal(raw.mixHash.length, 66);
  assert.equal(raw.logsBloom.length, 2 + 512);
  assert.ok(BigInt(raw.totalDifficulty) >= BigInt(raw.difficulty));
  assert.ok(BigInt(raw.size) > 260n);
  assert.equal((await provider.getBlock(raw.hash)).number, receipt.blockNumber);
  const byHash = await provider.send("eth_getBlockReceipts", [raw.hash]);
  assert.ok(byHash.some((r) => r.transactionHash === sent.hash));
  const safe = await provider.getBlock("safe");
  const finalized = await provider.getBlock("finalized");
  assert.ok(safe.number <= latest.number && finalized.number <= safe.number);

  step("getFeeData");
  const fees = await provider.getFeeData();
  assert.ok(fees.gasPrice > 0n && fees.maxFeePerGas > 0n && fees.maxPriorityFeePerGas > 0n,
    JSON.stringify(fees));
  assert.ok(fees.maxFeePerGas >= fees.maxPriorityFeePerGas);
  const history = await provider.send("eth_feeHistory", ["0x4", "latest", [25, 75]]);
  assert.equal(history.baseFeePerGas.length, history.gasUsedRatio.length + 1);

  step("several quick sends with correct nonces");
  const base = await provider.getTransactionCount(bob.address, "pending");
  const quick = await Promise.all([0, 1, 2, 3, 4].map((i) =>
    bob.sendTransaction({ to, value: 1n, nonce: base + i, gasLimit: 21000n })));
  const quickReceipts = await withTimeout(Promise.all(quick.map((t) => t.wait())), 30_000, "quick sends");
  assert.ok(quickReceipts.every((r) => r.status === 1));
  assert.equal(await provider.getTransactionCount(bob.address, "latest"), base + 5);

  step("replacement with a higher fee (and one that is underpriced)");
  {
    const n = await provider.getTransactionCount(carol.address, "pending");
    const fee = { maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 2n * GWEI, gasLimit: 21000n };
    // A future nonce waits in the pool, so the replacement cannot race a block.
    const first = await carol.sendTransaction({ to, value: 1n, nonce: n + 1, ...fee });
    assert.equal(await provider.getTransactionCount(carol.address, "pending"), n);
    await expectError("same fee replacement", carol.sendTransaction(
      { to, value: 2n, nonce: n + 1, ...fee }), "REPLACEMENT_UNDERPRICED", "replacement transaction underpriced");
    const second = await carol.sendTransaction({
      to, value: 3n, nonce: n + 1, gasLimit: 21000n, maxFeePerGas: 40n * GWEI,
      maxPriorityFeePerGas: 4n * GWEI,
    });
    await carol.sendTransaction({ to, value: 1n, nonce: n, ...fee });
    const r2 = await withTimeout(second.wait(), 30_000, "replacement receipt");
    assert.equal(r2.status, 1);
    assert.equal(await provider.getTransactionReceipt(first.hash), null);
    assert.equal(await provider.getTransaction(first.hash), null);
  }

  step("module calls: eth_call of a view and of a failing call, logs");
  const contract = new ethers.Contract(TEST_MODULE, abi, alice);
  const setTx = await contract.set(7, 42);
  const setReceipt = await withTimeout(setTx.wait(), 30_000, "set receipt");
  assert.equal(setReceipt.status, 1);
  assert.equal(setReceipt.logs.length, 1);
  const parsed = contract.interface.parseLog(setReceipt.logs[0]);
  assert.equal(parsed.name, "ValueSet");
  assert.equal(parsed.args.sender, alice.address);
  assert.equal(parsed.args.key, 7n);
  assert.equal(parsed.args.value, 42n);
  assert.equal(await contract.get(7), 42n);
  assert.equal(await contract.get(8), 0n);
  const failed = await expectError("eth_call of a failing call", contract.fail.staticCall("boom"),
    "CALL_EXCEPTION");
  assert.equal(failed.reason, "testmod-fail: boom");  // the rule name, then the message
  const failedEstimate = await expectError("estimateGas of a failing call", contract.fail("no way"),
    "CALL_EXCEPTION");
  assert.equal(failedEstimate.reason, "testmod-fail: no way");
  // Included but failing: status 0, fee charged.
  const failing = await contract.fail("in block", { gasLimit: 200000n });
  const failedReceipt = await expectError("wait() of a tx that failed in its block",
    withTimeout(failing.wait(), 30_000, "failed receipt"), "CALL_EXCEPTION");
  assert.equal(failedReceipt.receipt.status, 0);

  step("Multicall3 through a Contract with its ABI: aggregate3, getters, a tx");
  const multicallAbi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/multicall3.json"),
    "utf8"));
  const multicall = new ethers.Contract(MULTICALL3, multicallAbi, alice);
  assert.notEqual(await provider.getCode(MULTICALL3), "0x");
  assert.equal(await multicall.getChainId(), CHAIN_ID);
  assert.equal(await multicall.getEthBalance(bob.address), await provider.getBalance(bob.address));
  const iface = contract.interface;
  const entries = await multicall.aggregate3.staticCall([
    { target: TEST_MODULE, allowFailure: false, callData: iface.encodeFunctionData("get", [7]) },
    { target: TEST_MODULE, allowFailure: true, callData: iface.encodeFunctionData("fail", ["mc"]) },
    { target: MULTICALL3, allowFailure: false,
      callData: multicall.interface.encodeFunctionData("getBlockNumber") },
    { target: bob.address, allowFailure: true, callData: "0x" },
  ]);
  assert.equal(entries.length, 4);
  assert.equal(entries[0].success, true);
  assert.equal(iface.decodeFunctionResult("get", entries[0].returnData)[0], 42n);
  assert.equal(entries[1].success, false);
  assert.equal(iface.parseError(entries[1].returnData).args[0], "testmod-fail: mc");
  assert.equal(entries[2].success, true);
  assert.ok(BigInt(entries[2].returnData) > 0n);
  assert.equal(entries[3].success, false, "a plain account is no call target");
  const [blockNumber, returnData] = await multicall.aggregate.staticCall([
    { target: TEST_MODULE, callData: iface.encodeFunctionData("get", [7]) },
  ]);
  assert.ok(blockNumber > 0n);
  assert.equal(BigInt(returnData[0]), 42n);
  const strict = await expectError("aggregate3 with a failure not allowed",
    multicall.aggregate3.staticCall([
      { target: TEST_MODULE, allowFailure: false, callData: iface.encodeFunctionData("fail", ["x"]) },
    ]), "CALL_EXCEPTION");
  assert.ok(strict.reason.startsWith("multicall-call-failed: Multicall3: call failed"),
    strict.reason);
  // A state-changing aggregate3 in a tx: both sets land, from Multicall3.
  const mcTx = await multicall.aggregate3([
    { target: TEST_MODULE, allowFailure: false, callData: iface.encodeFunctionData("set", [70, 1]) },
    { target: TEST_MODULE, allowFailure: false, callData: iface.encodeFunctionData("set", [71, 2]) },
  ]);
  const mcReceipt = await withTimeout(mcTx.wait(), 30_000, "aggregate3 receipt");
  assert.equal(mcReceipt.status, 1);
  assert.equal(mcReceipt.logs.length, 2);
  assert.equal(iface.parseLog(mcReceipt.logs[0]).args.sender, MULTICALL3);
  assert.equal(await contract.get(70), 1n);
  assert.equal(await contract.get(71), 2n);

  step("getLogs, queryFilter and polling filters");
  const topic = contract.interface.getEvent("ValueSet").topicHash;
  const logs = await provider.getLogs({
    address: TEST_MODULE, topics: [topic], fromBlock: setReceipt.blockNumber,
    toBlock: setReceipt.blockNumber,
  });
  assert.equal(logs.length, 1);
  assert.equal(logs[0].transactionHash, setTx.hash);
  assert.equal(logs[0].index, setReceipt.logs[0].index);
  const queried = await contract.queryFilter(contract.filters.ValueSet(alice.address, 7), 0);
  assert.ok(queried.length >= 1 && queried.every((e) => e.args.key === 7n));
  assert.equal((await contract.queryFilter(contract.filters.ValueSet(bob.address), 0)).length, 0);

  const logFilter = await provider.send("eth_newFilter", [{ address: TEST_MODULE, topics: [topic] }]);
  const blockFilter = await provider.send("eth_newBlockFilter", []);
  const pendingFilter = await provider.send("eth_newPendingTransactionFilter", []);
  const heard = new Promise((resolve) => {
    // A filter with arguments hands the listener only the event payload.
    contract.on(contract.filters.ValueSet(alice.address, 9), (ev) => resolve(ev.args));
  });
  const set8 = await contract.set(8, 43);
  await withTimeout(set8.wait(), 30_000, "set(8) receipt");
  const logChanges = await provider.send("eth_getFilterChanges", [logFilter]);
  assert.ok(logChanges.some((l) => l.transactionHash === set8.hash), JSON.stringify(logChanges));
  assert.ok((await provider.send("eth_getFilterChanges", [blockFilter])).length >= 1);
  assert.ok((await provider.send("eth_getFilterChanges", [pendingFilter])).includes(set8.hash));
  assert.deepEqual(await provider.send("eth_getFilterChanges", [logFilter]), []);
  const filterLogs = await provider.send("eth_getFilterLogs", [logFilter]);
  assert.ok(filterLogs.some((l) => l.transactionHash === set8.hash));
  assert.equal(await provider.send("eth_uninstallFilter", [logFilter]), true);
  assert.equal(await provider.send("eth_uninstallFilter", [logFilter]), false);
  await contract.set(9, 44);
  const event = await withTimeout(heard, 30_000, "contract.on(ValueSet)");
  assert.equal(event.key, 9n);
  assert.equal(event.value, 44n);
  await contract.removeAllListeners();

  step("errors surface as ethers' error codes");
  {
    const feeFields = { gasLimit: 21000n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: GWEI };
    await expectError("nonce too low",
      alice.sendTransaction({ to, value: 1n, nonce: 0, ...feeFields }), "NONCE_EXPIRED", "nonce too low");
    const pending = await provider.getTransactionCount(alice.address, "pending");
    await expectError("nonce too high",
      alice.sendTransaction({ to, value: 1n, nonce: pending + 1000, ...feeFields }),
      "UNKNOWN_ERROR", "nonce too high");
    const poor = ethers.Wallet.createRandom().connect(provider);
    await expectError("insufficient funds (send)",
      poor.sendTransaction({ to, value: 1n, nonce: 0, ...feeFields }), "INSUFFICIENT_FUNDS",
      "insufficient funds for gas * price + value");
    await expectError("insufficient funds (estimateGas)",
      poor.sendTransaction({ to, value: 1n }), "INSUFFICIENT_FUNDS", "insufficient funds");
    await expectError("max fee below base fee",
      alice.sendTransaction({ to, value: 1n, gasLimit: 21000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n }),
      "UNKNOWN_ERROR", "max fee per gas less than block base fee");
    await expectError("tip below the node's minimum",
      alice.sendTransaction({ to, value: 1n, gasLimit: 21000n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: 0n }),
      "UNKNOWN_ERROR", "transaction underpriced");
    await expectError("intrinsic gas too low",
      alice.sendTransaction({ to, value: 1n, ...feeFields, gasLimit: 20000n }),
      "UNKNOWN_ERROR", "intrinsic gas too low");
    await expectError("data to a non-module address",
      alice.sendTransaction({ to, data: "0x1234", ...feeFields, gasLimit: 100000n }),
      "UNKNOWN_ERROR", "non-module address");
    // Without a gas limit ethers estimates first, as wallets do: the node
    // answers as a revert whose reason is the rule, which ethers puts in
    // shortMessage (a plain -32000 would read "missing revert data").
    for (const [what, request, rule] of [
      ["data to a non-module address (estimated)", { to, data: "0x1234" }, "tx-data-to-non-module"],
      ["contract creation (estimated)", { data: "0x6080604052" }, "tx-contract-creation"],
    ]) {
      const e = await expectError(what, alice.sendTransaction(request), "CALL_EXCEPTION", rule);
      assert.ok(e.shortMessage.startsWith(`execution reverted: "${rule}: `), e.shortMessage);
      assert.ok(e.reason.startsWith(`${rule}: `), e.reason);
    }
    const factory = new ethers.ContractFactory([], "0x6080604052", alice);
    const deployed = await expectError("ContractFactory.deploy", factory.deploy(),
      "CALL_EXCEPTION", "tx-contract-creation");
    assert.ok(deployed.shortMessage.includes("contract creation is not supported"),
      deployed.shortMessage);
    const signed = await alice.signTransaction({
      type: 2, chainId: CHAIN_ID, nonce: pending, to, value: 5n, ...feeFields,
    });
    await provider.broadcastTransaction(signed);
    await expectError("already known", provider.broadcastTransaction(signed), "UNKNOWN_ERROR",
      "already known");
    const wrongChain = await alice.signTransaction({
      type: 2, chainId: 999n, nonce: pending + 1, to, value: 5n, ...feeFields,
    });
    await expectError("invalid chain id", provider.broadcastTransaction(wrongChain),
      "UNKNOWN_ERROR", "invalid chain id");
    const notFound = await fetch(node.url, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_noSuchMethod", params: [] }),
    }).then((r) => r.json());
    assert.equal(notFound.error.code, -32601);
  }

  step("batches of 100 requests");
  {
    const batch = Array.from({ length: 100 }, (_, i) =>
      ({ jsonrpc: "2.0", id: i, method: i % 2 ? "eth_blockNumber" : "eth_getBalance",
        params: i % 2 ? [] : [alice.address, "latest"] }));
    const replies = await fetch(node.url, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(batch),
    }).then((r) => r.json());
    assert.equal(replies.length, 100);
    assert.ok(replies.every((r) => typeof r.result === "string"));
  }

  step("WebSocketProvider: new heads, pending txs and logs");
  {
    const ws = new ethers.WebSocketProvider(node.wsUrl);
    try {
      assert.equal((await ws.getNetwork()).chainId, CHAIN_ID);
      const start = await ws.getBlockNumber();
      const head = await withTimeout(new Promise((resolve) => ws.once("block", resolve)), 15_000,
        "newHeads over websocket");
      assert.ok(head > start - 1, `head ${head} after ${start}`);
      const pendingHashes = new Set();
      await ws.on("pending", (hash) => pendingHashes.add(hash));
      const wsContract = new ethers.Contract(TEST_MODULE, abi, ws);
      const logSeen = new Promise((resolve) => {
        wsContract.on(wsContract.filters.ValueSet(null, 11), (ev) =>
          resolve({ key: ev.args.key, hash: ev.log.transactionHash }));
      });
      // Let the subscriptions reach the node before the tx they should see.
      await new Promise((r) => setTimeout(r, 300));
      const pendingTarget = await contract.set(11, 55);
      await withTimeout((async () => {
        while (!pendingHashes.has(pendingTarget.hash)) await new Promise((r) => setTimeout(r, 50));
      })(), 15_000, "newPendingTransactions over websocket");
      const seen = await withTimeout(logSeen, 30_000, "logs over websocket");
      assert.equal(seen.key, 11n);
      assert.equal(seen.hash, pendingTarget.hash);
    } finally {
      await ws.destroy();
    }
  }
  provider.destroy();
}
