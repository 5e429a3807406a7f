// The web explorer's first page in headless Chromium (playwright-core from
// tests/interop, Debian's chromium): a depind -dev -explorer node with a
// chain of `--blocks` empty blocks followed by `--txs` blocks of one
// transfer each; then `--runs` cold loads of /explorer/ (a new browser
// context each: no cache), each timed from navigation start to
//   - dcl: DOMContentLoaded (the HTML and the module graph parsed),
//   - ready: the home page rendered from RPC data (the app's
//     "explorer-ready" performance mark: latest blocks and txs on screen,
//     links clickable),
// and one warm reload (ETag revalidation). Prints each run and the medians.
//
//   node contrib/bench/explorer_tti.mjs --bindir build/bin [--runs 11] [--blocks 200] [--txs 30]
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(HERE, "../../tests/interop/package.json"));

const opts = { bindir: "build/bin", runs: 11, blocks: 200, txs: 30 };
for (let i = 2; i < process.argv.length; ++i) {
  const k = process.argv[i].replace(/^--/, "");
  opts[k] = k === "bindir" ? process.argv[++i] : Number(process.argv[++i]);
}

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
if (!chromium) {
  console.log("explorer_tti: no chromium (contrib/install-deps.sh)");
  process.exit(1);
}
const { chromium: pw } = require("playwright-core");
const { createWalletClient, http } = require("viem");
const { mnemonicToAccount } = require("viem/accounts");

const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

async function rpc(url, method, params = []) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = await r.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const datadir = fs.mkdtempSync(path.join(os.tmpdir(), "depin_bench_explorer_"));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const node = spawn(path.resolve(opts.bindir, "depind"), [`-datadir=${datadir}`, "-dev", "-explorer",
  `-rpcport=${port}`, `-port=${await freePort()}`, "-devblocktime=0", "-printtoconsole=0"],
{ stdio: "ignore" });
let browser;
try {
  for (let i = 0; ; ++i) {
    try { await rpc(url, "eth_chainId"); break; } catch { /* starting */ }
    if (i > 300) throw new Error("depind did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  await rpc(url, "hardhat_mine", [`0x${opts.blocks.toString(16)}`]);
  const chain = { id: 1337, name: "dev", nativeCurrency: { name: "DPN", symbol: "DPN", decimals: 18 },
    rpcUrls: { default: { http: [url] } } };
  const wallet = createWalletClient({ account: mnemonicToAccount(
    "test test test test test test test test test test test junk", { addressIndex: 1 }), chain,
  transport: http(url) });
  for (let i = 0; i < opts.txs; ++i) {
    await wallet.sendTransaction({ to: "0x000000000000000000000000000000000000dEaD", value: BigInt(i + 1) });
  }
  for (let i = 0; Number(BigInt(await rpc(url, "eth_blockNumber"))) < opts.blocks + opts.txs; ++i) {
    if (i > 300) throw new Error("txs were not mined");
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`chain: ${await rpc(url, "eth_blockNumber")} blocks; ${opts.runs} cold loads of ${url}/explorer/`);

  browser = await pw.launch({ executablePath: chromium, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const measure = async (tab) => {
    await tab.waitForSelector('body[data-page="home"][data-state="ready"]', { timeout: 30_000 });
    return tab.evaluate(() => ({
      dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
      ready: performance.getEntriesByName("explorer-ready")[0].startTime,
    }));
  };
  const runs = [];
  let warm;
  for (let i = 0; i < opts.runs; ++i) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    await tab.goto(`${url}/explorer/`);
    const r = await measure(tab);
    runs.push(r);
    console.log(`run ${i + 1}: DOMContentLoaded ${r.dcl.toFixed(1)} ms, ready ${r.ready.toFixed(1)} ms`);
    if (i === opts.runs - 1) {
      await tab.reload();
      warm = await measure(tab);
    }
    await context.close();
  }
  console.log(`median of ${runs.length} cold loads: DOMContentLoaded ${median(runs.map((r) => r.dcl)).toFixed(1)} ms, ` +
    `time to interactive ${median(runs.map((r) => r.ready)).toFixed(1)} ms ` +
    `(min ${Math.min(...runs.map((r) => r.ready)).toFixed(1)}, max ${Math.max(...runs.map((r) => r.ready)).toFixed(1)})`);
  console.log(`warm reload (ETag revalidation): DOMContentLoaded ${warm.dcl.toFixed(1)} ms, ready ${warm.ready.toFixed(1)} ms`);
} finally {
  if (browser) await browser.close();
  node.kill("SIGTERM");
  await new Promise((r) => node.on("exit", r));
  fs.rmSync(datadir, { recursive: true, force: true });
}
