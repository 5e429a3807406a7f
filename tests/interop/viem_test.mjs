// viem v2 against a depind -dev node (started by run.mjs): chain and account
// reads, a transfer and its receipt, the block fields viem parses, fee
// estimation, contract reads/writes/reverts on the test module, logs and
// filters, viem's `multicall` through the Multicall3 module (the chain's
// contracts.multicall3), viem's error classes for geth's messages, JSON-RPC
// batching, an unknown method as MethodNotFoundRpcError (-32601), and a
// webSocket transport watching blocks and events.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ContractFunctionRevertedError, ExecutionRevertedError, FeeCapTooLowError, InsufficientFundsError,
  IntrinsicGasTooLowError, MethodNotFoundRpcError, NonceTooHighError, NonceTooLowError,
  createPublicClient, createWalletClient, defineChain, http, parseAbiItem, webSocket,
} from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MNEMONIC = "test test test test test test test test test test test junk";
const TEST_MODULE = "0x0000000000000000000000000000000000000F00";
const STORAGE_MARKET = "0x0000000000000000000000000000000000002000";
const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";
const GWEI = 10n ** 9n;

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function expectViemError(what, promise, cls) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected ${cls.name} but it succeeded`);
  const found = typeof err.walk === "function" ? err.walk((e) => e instanceof cls) : null;
  assert.ok(found, `${what}: expected ${cls.name}, got ${err.name}: ${err.message}`);
  console.log(`  ok ${what}: ${cls.name}`);
  return found;
}

export async function run(node) {
  const chain = defineChain({
    id: 1337,
    name: "depin dev",
    nativeCurrency: { name: "DPN", symbol: "DPN", decimals: 18 },
    rpcUrls: { default: { http: [node.url], webSocket: [node.wsUrl] } },
    contracts: { multicall3: { address: MULTICALL3 } },
  });
  const client = createPublicClient({ chain, transport: http(node.url, { batch: true }),
    pollingInterval: 250 });
  const account = mnemonicToAccount(MNEMONIC, { addressIndex: 3 });
  const wallet = createWalletClient({ account, chain, transport: http(node.url) });
  const abi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/test.json"), "utf8"));
  const to = privateKeyToAccount(generatePrivateKey()).address;

  console.log("- chain and account reads (batched)");
  const [chainId, height, balance] = await Promise.all([
    client.getChainId(), client.getBlockNumber(), client.getBalance({ address: account.address }),
  ]);
  assert.equal(chainId, 1337);
  assert.ok(height >= 0n);
  assert.ok(balance > 10n ** 18n);
  const many = await Promise.all(Array.from({ length: 100 }, () =>
    client.getBalance({ address: account.address })));
  assert.ok(many.every((b) => b === balance));

  console.log("- sendTransaction and waitForTransactionReceipt");
  const hash = await wallet.sendTransaction({ to, value: 777n });
  const receipt = await withTimeout(client.waitForTransactionReceipt({ hash, pollingInterval: 250 }),
    30_000, "receipt");
  assert.equal(receipt.status, "success");
  assert.equal(receipt.gasUsed, 21000n);
  assert.equal(await client.getBalance({ address: to }), 777n);
  // State at the block before: the account did not exist yet.
  assert.equal(await client.getBalance({ address: to, blockNumber: receipt.blockNumber - 1n }), 0n);
  const tx = await client.getTransaction({ hash });
  assert.equal(tx.from.toLowerCase(), account.address.toLowerCase());
  assert.equal(tx.type, "eip1559");
  assert.equal(tx.blockNumber, receipt.blockNumber);

  console.log("- getBlock with transactions: every field viem parses");
  const block = await client.getBlock({ blockNumber: receipt.blockNumber, includeTransactions: true });
  assert.ok(block.transactions.some((t) => t.hash === hash));
  for (const field of ["hash", "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot",
    "receiptsRoot", "logsBloom", "extraData", "mixHash", "nonce"]) {
    assert.equal(typeof block[field], "string", field);
  }
  for (const field of ["number", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas", "difficulty",
    "totalDifficulty", "size"]) {
    assert.equal(typeof block[field], "bigint", field);
  }
  assert.deepEqual(block.uncles, []);
  const fees = await client.estimateFeesPerGas();
  assert.ok(fees.maxFeePerGas > 0n && fees.maxPriorityFeePerGas > 0n);

  console.log("- contract write, read, revert and logs");
  const setHash = await wallet.writeContract({ address: TEST_MODULE, abi, functionName: "set",
    args: [21n, 5n] });
  const setReceipt = await withTimeout(client.waitForTransactionReceipt({ hash: setHash,
    pollingInterval: 250 }), 30_000, "set receipt");
  assert.equal(setReceipt.status, "success");
  assert.equal(await client.readContract({ address: TEST_MODULE, abi, functionName: "get",
    args: [21n] }), 5n);
  const reverted = await expectViemError("simulateContract of fail()",
    client.simulateContract({ account, address: TEST_MODULE, abi, functionName: "fail",
      args: ["boom"] }), ContractFunctionRevertedError);
  assert.equal(reverted.reason, "testmod-fail: boom");
  const event = parseAbiItem(
    "event ValueSet(address indexed sender, uint256 indexed key, uint256 value)");
  const logs = await client.getLogs({ address: TEST_MODULE, event, args: { key: 21n },
    fromBlock: 0n });
  assert.equal(logs.length, 1);
  assert.equal(logs[0].args.value, 5n);
  assert.equal(logs[0].transactionHash, setHash);
  const filter = await client.createContractEventFilter({ address: TEST_MODULE, abi,
    eventName: "ValueSet" });
  const blockFilter = await client.createBlockFilter();
  const h2 = await wallet.writeContract({ address: TEST_MODULE, abi, functionName: "set",
    args: [22n, 6n] });
  await client.waitForTransactionReceipt({ hash: h2, pollingInterval: 250 });
  const changes = await client.getFilterChanges({ filter });
  assert.ok(changes.some((l) => l.args.key === 22n));
  assert.ok((await client.getFilterChanges({ filter: blockFilter })).length >= 1);
  assert.equal(await client.uninstallFilter({ filter }), true);

  console.log("- multicall: aggregate3 at contracts.multicall3, reads and an allowed failure");
  const multicallAbi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/multicall3.json"),
    "utf8"));
  const storageAbi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/storage.json"),
    "utf8"));
  const multicallEth = await client.call({ to: MULTICALL3, data: "0x42cbb15c" });
  assert.ok(BigInt(multicallEth.data) > 0n, "getBlockNumber() over eth_call");
  const tip = await client.getBlock();
  const results = await client.multicall({
    blockNumber: tip.number,
    contracts: [
      { address: TEST_MODULE, abi, functionName: "get", args: [21n] },
      { address: MULTICALL3, abi: multicallAbi, functionName: "getEthBalance",
        args: [account.address] },
      { address: MULTICALL3, abi: multicallAbi, functionName: "getBlockNumber" },
      { address: MULTICALL3, abi: multicallAbi, functionName: "getChainId" },
      { address: MULTICALL3, abi: multicallAbi, functionName: "getLastBlockHash" },
      { address: STORAGE_MARKET, abi: storageAbi, functionName: "listProviders",
        args: ["0x0000000000000000000000000000000000000000", 10n] },
      { address: TEST_MODULE, abi, functionName: "fail", args: ["in a batch"] },
      { address: to, abi, functionName: "get", args: [1n] },
    ],
  });
  assert.deepEqual(results[0], { status: "success", result: 5n });
  assert.equal(results[1].status, "success");
  assert.equal(results[1].result,
    await client.getBalance({ address: account.address, blockNumber: tip.number }));
  // eth_call at block N runs in the context of block N + 1 (as geth's).
  assert.deepEqual(results[2], { status: "success", result: tip.number + 1n });
  assert.deepEqual(results[3], { status: "success", result: 1337n });
  assert.deepEqual(results[4], { status: "success", result: tip.hash });
  assert.equal(results[5].status, "success");
  assert.ok(Array.isArray(results[5].result));
  assert.equal(results[6].status, "failure");
  assert.ok(results[6].error.walk((e) => e instanceof ContractFunctionRevertedError),
    `fail() in a multicall: ${results[6].error.name}`);
  assert.equal(results[6].error.walk((e) => e instanceof ContractFunctionRevertedError).reason,
    "testmod-fail: in a batch");
  assert.equal(results[7].status, "failure", "a call to a plain account is a failure entry");
  assert.ok(results[7].error.message.includes("call-not-a-module"), results[7].error.message);
  console.log(`  ok ${results.length} entries, failures: ${results[6].error.shortMessage}`);
  // allowFailure: false throws the failing call's error.
  await expectViemError("multicall without allowFailure", client.multicall({
    allowFailure: false,
    contracts: [
      { address: TEST_MODULE, abi, functionName: "get", args: [21n] },
      { address: TEST_MODULE, abi, functionName: "fail", args: ["strict"] },
    ],
  }), ContractFunctionRevertedError);
  // Many reads, split by viem into several aggregate3 calls (batchSize bytes each).
  const batched = await client.multicall({
    batchSize: 512,
    contracts: Array.from({ length: 60 }, (_, i) => ({ address: TEST_MODULE, abi,
      functionName: "get", args: [BigInt(i % 2 === 0 ? 21 : 22)] })),
  });
  assert.equal(batched.length, 60);
  assert.ok(batched.every((r, i) => r.status === "success" && r.result === (i % 2 === 0 ? 5n : 6n)));

  console.log("- errors as viem's error classes");
  const fee = { gas: 21000n, maxFeePerGas: 20n * GWEI, maxPriorityFeePerGas: GWEI };
  await expectViemError("nonce too low", wallet.sendTransaction({ to, value: 1n, nonce: 0, ...fee }),
    NonceTooLowError);
  const pending = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
  await expectViemError("nonce too high",
    wallet.sendTransaction({ to, value: 1n, nonce: pending + 1000, ...fee }), NonceTooHighError);
  const poor = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain,
    transport: http(node.url) });
  await expectViemError("insufficient funds",
    poor.sendTransaction({ to, value: 1n, nonce: 0, ...fee }), InsufficientFundsError);
  await expectViemError("fee cap below base fee", wallet.sendTransaction(
    { to, value: 1n, gas: 21000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n }), FeeCapTooLowError);
  await expectViemError("intrinsic gas too low",
    wallet.sendTransaction({ to, value: 1n, ...fee, gas: 20000n }), IntrinsicGasTooLowError);
  await expectViemError("unknown method", client.request({ method: "eth_noSuchMethod" }),
    MethodNotFoundRpcError);

  console.log("- data to a plain account and contract creation: the rule in viem's message");
  for (const [what, request, rule] of [
    ["data to a non-module address", { to, data: "0x1234" }, "tx-data-to-non-module"],
    ["contract creation", { data: "0x6080604052" }, "tx-contract-creation"],
  ]) {
    // viem estimates gas first, as wallets do: the node answers as a revert.
    const reverted = await expectViemError(what, wallet.sendTransaction(request),
      ExecutionRevertedError);
    assert.ok(reverted.message.includes(`Execution reverted with reason: ${rule}:`),
      `${what}: ${reverted.message}`);
    let top = null;
    try {
      await wallet.sendTransaction(request);
    } catch (e) {
      top = e;
    }
    assert.ok(top.message.includes(rule), `${what}: the top-level message: ${top.message}`);
    assert.ok(top.shortMessage.includes(rule), `${what}: shortMessage: ${top.shortMessage}`);
    console.log(`  ok ${what}: ${top.shortMessage.split("\n")[0]}`);
  }
  // With the gas given (no estimate), eth_sendRawTransaction's -32000 text
  // is in viem's message as its details.
  let raw = null;
  try {
    await wallet.sendTransaction({ to, data: "0x1234", ...fee, gas: 100000n });
  } catch (e) {
    raw = e;
  }
  assert.ok(raw && raw.message.includes("data sent to a non-module address"),
    `raw send: ${raw?.message}`);

  console.log("- webSocket transport: watchBlockNumber and watchContractEvent");
  const ws = createPublicClient({ chain, transport: webSocket(node.wsUrl) });
  try {
    const start = await ws.getBlockNumber();
    const next = await withTimeout(new Promise((resolve) => {
      const unwatch = ws.watchBlockNumber({ onBlockNumber: (n) => {
        if (n > start) { unwatch(); resolve(n); }
      } });
    }), 15_000, "watchBlockNumber");
    assert.ok(next > start);
    let unwatchEvent;
    const seen = new Promise((resolve) => {
      unwatchEvent = ws.watchContractEvent({ address: TEST_MODULE, abi, eventName: "ValueSet",
        args: { key: 23n }, onLogs: (l) => resolve(l[0]) });
    });
    await new Promise((r) => setTimeout(r, 300));
    const h3 = await wallet.writeContract({ address: TEST_MODULE, abi, functionName: "set",
      args: [23n, 7n] });
    const log = await withTimeout(seen, 30_000, "watchContractEvent over websocket");
    unwatchEvent();
    assert.equal(log.transactionHash, h3);
    assert.equal(log.args.value, 7n);
  } finally {
    const rpc = await ws.transport.getRpcClient?.();
    rpc?.close?.();
  }
}
