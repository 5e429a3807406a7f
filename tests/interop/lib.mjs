// What the interop tests share: the dev chain as viem sees it, the dev
// mnemonic, and a timeout around a promise.
import { createPublicClient, defineChain, http } from "viem";

export const MNEMONIC = "test test test test test test test test test test test junk";

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The -dev node's chain and a public client polling it every 250 ms.
export function devChain(node) {
  const chain = defineChain({
    id: 1337,
    name: "depin dev",
    nativeCurrency: { name: "DPN", symbol: "DPN", decimals: 18 },
    rpcUrls: { default: { http: [node.url] } },
  });
  const client = createPublicClient({ chain, transport: http(node.url), pollingInterval: 250 });
  const wait = (hash) => withTimeout(
    client.waitForTransactionReceipt({ hash, pollingInterval: 250 }), 30_000, "receipt");
  return { chain, client, wait };
}
