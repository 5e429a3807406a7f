// The web explorer (-explorer) in headless Chromium, driven by playwright-core
// (Debian's chromium; the test skips when it is absent): market activity
// from viem (a compute provider whose host URI and attributes hold markup,
// an order, a bid, a lease; a storage provider and a deal), then the pages
// a person would click through: block -> tx -> address -> lease -> order
// and provider, address -> deal -> storage provider, a search by tx hash, a new
// block appearing on the home page and the lease's live figures moving
// without a reload, the markup staying text (no element, no dialog), a
// phone-sized screen without horizontal overflow, the not-found pages and
// the Content-Security-Policy. Screenshots go to
// <build>/test-artifacts/explorer/ (printed).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createWalletClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { MNEMONIC, devChain } from "./lib.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MARKET = "0x0000000000000000000000000000000000001000";
const STORAGE = "0x0000000000000000000000000000000000002000";
const PRICE = 10n ** 12n;
const BID_DEPOSIT = 10n ** 17n;  // regtest
const MARKUP = "<img src=x onerror=alert(1)>";
const HOST_URI = `http://127.0.0.1:1/${MARKUP}`;
// Attribute values may not hold "=" or ";": markup without them.
const ATTR_MARKUP = "<b>bold</b><script>alert(2)</script>";
const ATTRIBUTES = `gpu.vendor=nvidia;gpu.model=RTX 4090;gpu.count=2;gpu.vramGiB=24;gpu.interface=pcie;note=${ATTR_MARKUP}`;

// The explorer, and the explorer indexes where this depind has them (they
// land separately; without them the pages must say so and still work).
// A public listener too: its per-IP rate limit is what a visitor from
// outside meets.
let publicPort = null;
export async function nodeArgs(opts) {
  const help = spawnSync(path.join(opts.bindir, "depind"), ["-help"], { encoding: "utf8" }).stdout ?? "";
  publicPort = await new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
  return ["-explorer", `-rpcpublicport=${publicPort}`,
    ...["addressindex", "marketindex"].filter((i) => help.includes(`-${i}`)).map((i) => `-${i}`)];
}

function chromiumPath() {
  const candidates = [process.env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p) => p && fs.existsSync(p)) ?? null;
}

export async function skipReason() {
  if (!chromiumPath()) return "no chromium (Debian package chromium; contrib/install-deps.sh installs it)";
  if (!fs.existsSync(path.join(HERE, "node_modules", "playwright-core"))) {
    return "playwright-core is not installed (npm ci --prefix tests/interop)";
  }
  return null;
}

export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: chromiumPath(), headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

// Waits until the app has rendered `page` ("tx", "home", ...) in `state`.
async function shows(tab, page, state = "ready") {
  try {
    await tab.waitForSelector(`body[data-page="${page}"][data-state="${state}"]`, { timeout: 20_000 });
  } catch (e) {
    const now = await tab.evaluate(() => ({ url: location.href, ...document.body.dataset,
      view: document.getElementById("view")?.textContent.slice(0, 300) }));
    throw new Error(`waiting for ${page} ${state}, the tab shows ${JSON.stringify(now)}: ${e.message}`);
  }
}

async function marketActivity(node) {
  const { chain, client, wait } = devChain(node);
  const provider = mnemonicToAccount(MNEMONIC, { addressIndex: 8 });
  const tenant = mnemonicToAccount(MNEMONIC, { addressIndex: 9 });
  const providerWallet = createWalletClient({ account: provider, chain, transport: http(node.url) });
  const tenantWallet = createWalletClient({ account: tenant, chain, transport: http(node.url) });
  const abi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/compute.json"), "utf8"));

  const regHash = await providerWallet.writeContract({ address: MARKET, abi,
    functionName: "registerProvider", args: [HOST_URI, ATTRIBUTES], value: 2n * 10n ** 18n });
  assert.equal((await wait(regHash)).status, "success");
  const p = await client.readContract({ address: MARKET, abi, functionName: "getProvider",
    args: [provider.address] });
  assert.equal(p[1], HOST_URI, "the module keeps the host URI as given");

  const sim = await client.simulateContract({ account: tenant, address: MARKET, abi,
    functionName: "createOrder", args: ["model=rtx-4090;count=1", PRICE, 200n, 20n, [], 0n,
      `0x${"00".repeat(32)}`, tenant.publicKey], value: 100n * PRICE });
  const orderId = sim.result;
  assert.equal((await wait(await tenantWallet.writeContract(sim.request))).status, "success");
  const bidSim = await client.simulateContract({ account: provider, address: MARKET, abi,
    functionName: "bid", args: [orderId, PRICE, "rtx-4090"], value: BID_DEPOSIT });
  assert.equal((await wait(await providerWallet.writeContract(bidSim.request))).status, "success");
  const acceptHash = await tenantWallet.writeContract({ address: MARKET, abi,
    functionName: "acceptBid", args: [bidSim.result] });
  const accept = await wait(acceptHash);
  assert.equal(accept.status, "success");

  // A call the module refuses, mined as a failed tx (the gas is given, so
  // nothing estimates it first): the order is leased, not open.
  const failHash = await tenantWallet.writeContract({ address: MARKET, abi,
    functionName: "cancelOrder", args: [orderId], gas: 300_000n });
  assert.equal((await wait(failHash)).status, "reverted");

  // A storage provider and a deal proposed to it by the tenant.
  const sp = mnemonicToAccount(MNEMONIC, { addressIndex: 6 });
  const spWallet = createWalletClient({ account: sp, chain, transport: http(node.url) });
  const sabi = JSON.parse(fs.readFileSync(path.join(HERE, "../../docs/abi/storage.json"), "utf8"));
  assert.equal((await wait(await spWallet.writeContract({ address: STORAGE, abi: sabi,
    functionName: "registerProvider", args: ["http://127.0.0.1:1/", 10n ** 9n, 10n, 2048n],
    value: 2n * 10n ** 18n }))).status, "success");
  const start = (await client.getBlockNumber()) + 50n;
  const end = start + 200n;
  const total = PRICE * (end - start);
  const deal = await client.simulateContract({ account: tenant, address: STORAGE, abi: sabi,
    functionName: "proposeDeal", args: [sp.address, `0x${"cd".repeat(32)}`, 1024n, start, end, PRICE],
    value: total + total / 10n });
  assert.equal((await wait(await tenantWallet.writeContract(deal.request))).status, "success");
  return { provider: provider.address, tenant: tenant.address, orderId, regHash, acceptHash,
    acceptHeight: Number(accept.blockNumber), storageProvider: sp.address, dealId: deal.result,
    failHash };
}

async function rpc(node, method, params) {
  const res = await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return res.json();
}

export async function run(node) {
  const artifacts = path.resolve(node.bindir, "..", "test-artifacts", "explorer");
  fs.mkdirSync(artifacts, { recursive: true });
  console.log(`- screenshots in ${artifacts}`);

  console.log("- the explorer's files: CSP, content types, ETag, not-found page");
  const index = await fetch(`${node.url}/explorer/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-type"), /^text\/html/);
  assert.match(index.headers.get("content-security-policy"), /script-src 'self'/);
  const etag = index.headers.get("etag");
  assert.ok(etag);
  assert.equal((await fetch(`${node.url}/explorer/`, { headers: { "if-none-match": etag } })).status, 304);
  const chart = await fetch(`${node.url}/explorer/vendor/chart.umd.js`);
  assert.equal(chart.status, 200);
  assert.match(await chart.text(), /Chart\.js v\d/);
  const missing = await fetch(`${node.url}/explorer/no-such-file.js`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /Not found/);

  console.log("- 128 blocks (hardhat_mine), then market activity: a provider with markup in its");
  console.log("  URI and attributes, an order, a bid, a lease, a failed call, a storage deal");
  assert.equal((await rpc(node, "hardhat_mine", ["0x80"])).error, undefined);
  const m = await marketActivity(node);

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    const problems = [];
    tab.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
    tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    // Chromium logs every 429 from the public port's rate limit as a failed
    // load; the app waits and resends those, so they are expected there.
    tab.on("console", (msg) => {
      if (msg.type() === "error" && !(msg.text().includes("status of 429") &&
          msg.location().url.includes(`:${publicPort}/`))) {
        problems.push(`console: ${msg.text()} (${msg.location().url})`);
      }
    });
    const shot = (name) => tab.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

    console.log("- home: latest blocks, live over the websocket");
    await tab.goto(`${node.url}/explorer/`);
    await shows(tab, "home");
    await tab.waitForSelector("#live.live", { timeout: 10_000 });
    await shot("home");

    console.log("- block -> tx -> address -> lease -> provider");
    await tab.goto(`${node.url}/explorer/#/block/${m.acceptHeight}`);
    await shows(tab, "block");
    await shot("block");
    await tab.click(`#block-txs a[href="#/tx/${m.acceptHash}"]`);
    await shows(tab, "tx");
    assert.equal(await tab.textContent("#tx-hash"), m.acceptHash);
    assert.match(await tab.textContent("#view"), /compute\.acceptBid/);
    assert.match(await tab.textContent("#view"), /LeaseStarted|BidAccepted|Lease/);
    await shot("tx");
    await tab.click(`#view a[href="#/address/${m.tenant}"]`);
    await shows(tab, "address");
    await tab.waitForSelector("#address-leases");
    const history = await rpc(node, "getaddresshistory", [m.tenant, 25, null]);
    if (history.result) {
      console.log("  (history from -addressindex)");
      await tab.waitForSelector(`#address-history a[href="#/tx/${m.acceptHash}"]`);
    } else {
      console.log(`  (no address history on this node: ${history.error.message})`);
      assert.match(await tab.textContent("#view"), /History.*(not offered by this node|addressindex)/s);
    }
    await shot("address");
    await tab.click(`#address-leases a[href="#/lease/${m.orderId}"]`);
    await shows(tab, "lease");
    const before = await tab.textContent("#lease-height");
    await shot("lease");
    console.log("- the lease's accrued pay and height follow new blocks without a reload");
    await tab.waitForFunction((h) => document.querySelector("#lease-height")?.textContent !== h,
      before, { timeout: 20_000 });
    assert.match(await tab.textContent("#lease-accrued"), /DPN/);
    await tab.click(`#view a[href="#/order/${m.orderId}"]`);
    await shows(tab, "order");
    await tab.waitForSelector(`#order-bids a[href="#/address/${m.provider}"]`);
    assert.match(await tab.textContent("#order-bids"), /won/);
    await shot("order");
    await tab.goBack();
    await shows(tab, "lease");
    await tab.click("#lease-provider a");
    await shows(tab, "provider");
    await shot("provider");

    console.log("- markup in the provider's URI and attributes stays text");
    assert.equal(await tab.textContent("#provider-uri"), HOST_URI);
    assert.ok((await tab.textContent("#provider-attributes")).includes(ATTR_MARKUP));
    assert.equal(await tab.locator("#view img, #view b, #view script").count(), 0);
    await tab.goto(`${node.url}/explorer/#/tx/${m.regHash}`);
    await shows(tab, "tx");
    assert.ok((await tab.textContent("#view")).includes(HOST_URI), "the decoded hostUri argument");
    assert.equal(await tab.locator("#view img").count(), 0);

    console.log("- storage: the tenant's deal -> its storage provider");
    await tab.goto(`${node.url}/explorer/#/address/${m.tenant}`);
    await shows(tab, "address");
    await tab.click(`#view a[href="#/deal/${m.dealId}"]`);
    await shows(tab, "deal");
    assert.match(await tab.textContent("#view"), /proposed/);
    await shot("deal");
    await tab.click(`#view a[href="#/sp/${m.storageProvider}"]`);
    await shows(tab, "sp");
    assert.match(await tab.textContent("#view"), /Proving deadlines/);
    await shot("storage-provider");

    console.log("- a failed module call: its status, and its reason when the node offers it");
    await tab.goto(`${node.url}/explorer/#/tx/${m.failHash}`);
    await shows(tab, "tx");
    assert.match(await tab.textContent("#view"), /failed/);
    assert.match(await tab.textContent("#view"), /compute\.cancelOrder/);
    const why = await rpc(node, "ots_getTransactionError", [m.failHash]);
    if (why.result) {
      assert.match(await tab.textContent("#tx-revert"), /compute-/);
    }
    await shot("tx-failed");

    console.log("- search by tx hash");
    await tab.goto(`${node.url}/explorer/#/`);
    await shows(tab, "home");
    await tab.fill("#q", m.regHash);
    await tab.press("#q", "Enter");
    await shows(tab, "tx");
    assert.equal(await tab.textContent("#tx-hash"), m.regHash);

    console.log("- a new block appears on the home page without a reload");
    await tab.goto(`${node.url}/explorer/#/`);
    await shows(tab, "home");
    await tab.evaluate(() => { window.__noReload = true; });
    const top = Number(await tab.getAttribute("#latest-blocks tbody tr:first-child", "data-height"));
    await tab.waitForFunction((t) => Number(document.querySelector("#latest-blocks tbody tr")?.dataset.height) > t,
      top, { timeout: 20_000 });
    assert.equal(await tab.evaluate(() => window.__noReload), true);

    console.log("- not-found pages");
    await tab.goto(`${node.url}/explorer/#/order/999999`);
    await shows(tab, "order", "notfound");
    await tab.goto(`${node.url}/explorer/#/tx/0x1234`);
    await shows(tab, "tx", "notfound");
    await tab.goto(`${node.url}/explorer/#/block/${"0x" + "11".repeat(32)}`);
    await shows(tab, "block", "notfound");
    await tab.goto(`${node.url}/explorer/#/block/99999999`);
    await shows(tab, "block", "notfound");
    await tab.goto(`${node.url}/explorer/#/address/0x12`);
    await shows(tab, "address", "notfound");
    await tab.goto(`${node.url}/explorer/#/nonsense`);
    await shows(tab, "nonsense", "notfound");
    await shot("notfound");

    console.log("- charts");
    await tab.goto(`${node.url}/explorer/#/charts`);
    await shows(tab, "charts");
    await tab.waitForSelector("#chart-interval");
    await shot("charts");

    console.log("- the public port: the charts' 100-block batch outruns the rate limit and fills in");
    await tab.goto(`http://127.0.0.1:${publicPort}/explorer/#/charts`);
    await shows(tab, "charts");
    const interval = await tab.evaluate(() => {
      const labels = window.Chart.getChart("chart-interval").data.labels;
      const range = /blocks (\d+)–(\d+)/.exec(document.querySelector("#view h2").textContent);
      return { labels, from: Number(range[1]), to: Number(range[2]) };
    });
    assert.ok(interval.to > 100, `the chain is past 100 blocks (${interval.to})`);
    assert.deepEqual(interval.labels,
      Array.from({ length: interval.to - interval.from + 1 }, (_, i) => interval.from + i),
    `the interval chart has every block ${interval.from}-${interval.to}`);
    await shot("charts-public-port");

    console.log("- phone-sized screen (390x844): no horizontal overflow");
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true,
      hasTouch: true, deviceScaleFactor: 2 });
    const ptab = await phone.newPage();
    ptab.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
    for (const [route, page] of [["", "home"], [`tx/${m.acceptHash}`, "tx"],
      [`address/${m.tenant}`, "address"], [`lease/${m.orderId}`, "lease"],
      [`provider/${m.provider}`, "provider"], [`block/${m.acceptHeight}`, "block"],
      [`order/${m.orderId}`, "order"], [`deal/${m.dealId}`, "deal"],
      [`sp/${m.storageProvider}`, "sp"], ["charts", "charts"]]) {
      await ptab.goto(`${node.url}/explorer/#/${route}`);
      await shows(ptab, page);
      const { scroll, client } = await ptab.evaluate(() => ({
        scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      assert.ok(scroll <= client, `${page}: page is ${scroll}px wide on a ${client}px screen`);
      await ptab.screenshot({ path: path.join(artifacts, `phone-${page}.png`), fullPage: true });
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
}
