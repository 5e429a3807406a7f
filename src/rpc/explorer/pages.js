// The explorer's pages. Each takes the route's parts and a context
// (ctx.onHead(fn): called on every new block while the page shows) and
// returns a DOM node; chain data goes in as text only (dom.js).
import { MODULES, decodeCall, decodeLog, decodeParams, formatValue } from "./abi.js";
import {
  addrLink, ago, blockLink, bytes, dpn, facts, h, link, note, num, section, short, table, time,
  txLink,
} from "./dom.js";
import { RpcError, batch, call, optional } from "./rpc.js";

export class NotFound extends Error {}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT = /^\d{1,19}$/;
const hexNum = (x) => (x === null || x === undefined ? null : Number(BigInt(x)));

function need(ok, what) {
  if (!ok) throw new NotFound(what);
}

// Turns "compute-unknown-order", "block not found", "not-found" and a
// height out of range into NotFound.
async function orNotFound(promise, what) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof RpcError && /unknown|not-found|not found|out of range/.test(e.rpcMessage)) {
      throw new NotFound(`${what}: ${e.rpcMessage}`);
    }
    throw e;
  }
}

function unavailable(what, e) {
  if (e instanceof RpcError && e.missing) return note(`${what}: not offered by this node (${e.method} is not available).`, "muted");
  if (e instanceof RpcError && e.rule) return note(`${what}: ${e.rpcMessage}`, "muted");
  return note(`${what}: ${e.message}`, "error");
}

const stateBadge = (state) => h("span", { class: `badge state-${String(state).replace(/[^a-z-]/g, "")}` }, state);

// ---------------------------------------------------------------- home

export async function home(_parts, ctx) {
  const blocksBody = h("tbody");
  const txsBody = h("tbody");
  const stats = h("div", { class: "stats" });
  const root = h("div", null,
    stats,
    h("div", { class: "grid2" },
      section("Latest blocks", h("div", { class: "table-wrap" }, h("table", { id: "latest-blocks" },
        h("thead", null, h("tr", null, ["Height", "Hash", "Age", "Txs", "Miner"].map((c) => h("th", null, c)))),
        blocksBody))),
      section("Latest transactions", h("div", { class: "table-wrap" }, h("table", { id: "latest-txs" },
        h("thead", null, h("tr", null, ["Tx", "Block", "From", "To", "Value"].map((c) => h("th", null, c)))),
        txsBody)))));

  const addBlock = (b, atTop) => {
    const row = h("tr", { dataset: { height: String(hexNum(b.number)) } },
      h("td", null, blockLink(hexNum(b.number))),
      h("td", { class: "hash" }, link(["block", b.hash], short(b.hash))),
      h("td", { title: time(hexNum(b.timestamp)) }, ago(hexNum(b.timestamp))),
      h("td", null, String(b.transactions.length)),
      h("td", null, addrLink(b.miner)));
    if (atTop) blocksBody.prepend(row); else blocksBody.append(row);
    while (blocksBody.children.length > 10) blocksBody.lastChild.remove();
    const txRows = b.transactions.map((tx) => h("tr", null,
      h("td", null, txLink(tx.hash)),
      h("td", null, blockLink(hexNum(b.number))),
      h("td", null, addrLink(tx.from)),
      h("td", null, tx.to ? addrLink(tx.to, MODULES[tx.to.toLowerCase()]) : "—"),
      h("td", null, dpn(tx.value))));
    if (atTop) txsBody.prepend(...txRows); else txsBody.append(...txRows);
    while (txsBody.children.length > 15) txsBody.lastChild.remove();
  };

  const renderStats = (b, market) => {
    stats.replaceChildren(...[
      stat("Height", num(b.number), "stat-height"),
      stat("Base fee", `${num(b.baseFeePerGas)} wei`),
      stat("Difficulty", num(b.difficulty)),
      stat("Txs in block", String(b.transactions.length)),
      market ? stat("Open orders", num(market.openorders)) : null,
      market ? stat("Active leases", num(market.activeleases)) : null,
      market ? stat("Providers", num(market.providers)) : null,
    ].filter(Boolean));
  };

  const tip = await call("eth_getBlockByNumber", "latest", true);
  const top = hexNum(tip.number);
  const heights = [];
  for (let n = top - 1; n >= Math.max(0, top - 9); --n) heights.push(n);
  const [rest, market] = await Promise.all([
    batch(heights.map((n) => ["eth_getBlockByNumber", `0x${n.toString(16)}`, true])),
    optional("getmarketstats").catch(() => null),
  ]);
  addBlock(tip, false);
  for (const r of rest) if (r.result) addBlock(r.result, false);
  renderStats(tip, market);
  // Older txs than the last ten blocks when those are empty: leave it; the
  // address and block pages reach further back.
  if (txsBody.children.length === 0) txsBody.append(h("tr", { class: "empty" }, h("td", { colspan: "5" }, "No transactions in the last 10 blocks.")));

  ctx.onHead(async (head) => {
    const b = await call("eth_getBlockByNumber", `0x${head.number.toString(16)}`, true);
    if (!b || blocksBody.querySelector(`tr[data-height="${hexNum(b.number)}"]`)) return;
    txsBody.querySelector("tr.empty")?.remove();
    addBlock(b, true);
    renderStats(b, market);
  });
  return root;
}

function stat(label, value, id) {
  return h("div", { class: "stat", id }, h("div", { class: "stat-label" }, label), h("div", { class: "stat-value" }, value));
}

// ---------------------------------------------------------------- block

export async function block([id]) {
  let hash = id;
  if (UINT.test(id ?? "")) hash = await orNotFound(call("getblockhash", Number(id)), `block ${id}`);
  need(HASH.test(hash ?? ""), `block ${id}: neither a height nor a block hash`);
  const [b, eb, stats] = await Promise.all([
    orNotFound(call("getblock", hash, 1), `block ${id}`),
    call("eth_getBlockByHash", hash, true),
    optional("getblockstats", hash).catch(() => null),
  ]);
  const nav = h("div", { class: "pager" },
    b.height > 0 ? blockLink(b.height - 1, "← previous") : null,
    b.nextblockhash ? blockLink(b.height + 1, "next →") : null);
  const txs = eb?.transactions ?? [];
  return h("div", null,
    h("h1", null, `Block ${num(b.height)}`),
    nav,
    section("Overview", facts([
      ["Hash", h("span", { class: "hash" }, b.hash)],
      ["Height", num(b.height)],
      ["Time", `${time(b.time)} (${ago(b.time)})`],
      ["Confirmations", num(b.confirmations)],
      ["Miner", addrLink(b.miner, b.miner)],
      ["Transactions", num(b.ntx)],
      ["Gas used / limit", `${num(b.gasused)} / ${num(b.gaslimit)}`],
      ["Base fee", `${num(b.basefee)} wei`],
      ["Difficulty", String(b.difficulty)],
      ["Size", bytes(b.size)],
      ["Parent", b.previousblockhash ? link(["block", b.previousblockhash], b.previousblockhash) : "—"],
      ["State root", h("span", { class: "hash" }, b.stateroot)],
      stats ? ["Fees (tips) / burned", `${dpn(stats.fees)} / ${dpn(stats.burned)}`] : null,
      stats ? ["Miner reward", dpn(stats.minerreward)] : null,
      stats ? ["Proof-carrying txs", num(stats.proofs)] : null,
      stats && stats.interval !== undefined ? ["Interval", `${stats.interval} s`] : null,
    ])),
    section(`Transactions (${txs.length})`, txs.length ? table(["#", "Hash", "From", "To", "Value", "Call"],
      await Promise.all(txs.map(async (tx) => {
        const call_ = await decodeCall(tx.to, tx.input).catch(() => null);
        return [String(hexNum(tx.transactionIndex)), txLink(tx.hash), addrLink(tx.from), tx.to ? addrLink(tx.to) : "—",
          dpn(tx.value), call_ ? `${call_.module}.${call_.name}` : (tx.input && tx.input !== "0x" ? short(tx.input) : "transfer")];
      })), { id: "block-txs" }) : note("No transactions.", "muted")));
}

// ---------------------------------------------------------------- tx

const LINK_ARGS = { orderId: "order", leaseId: "lease", dealId: "deal" };
const BLOCK_ARG = /(Block|End|Height|At)$/;

function argValue(a) {
  if (a.type === "address") return addrLink(a.value, a.value);
  if (LINK_ARGS[a.name] && typeof a.value === "bigint") return link([LINK_ARGS[a.name], a.value], a.value.toString());
  if (BLOCK_ARG.test(a.name) && typeof a.value === "bigint") return blockLink(a.value.toString());
  return h("span", { class: "value" }, formatValue(a.value));
}

function decodedArgs(d) {
  if (d.error) return note(`${d.sig}: the arguments do not decode (${d.error})`, "error");
  return facts(d.args.map((a) => [`${a.name} (${a.type})`, argValue(a)]));
}

// Otterscan's internal operation types (ots_getInternalOperations).
const OTS_OP_TYPES = { 0: "transfer", 1: "self-destruct", 2: "create", 3: "create2" };

// A revert's data as text: Error(string) decoded, else the hex.
function revertText(data) {
  if (typeof data === "string" && data.startsWith("0x08c379a0")) {
    try {
      return decodeParams([{ name: "reason", type: "string" }], hexBytes(data.slice(10)))[0].value;
    } catch { /* not a well-formed Error(string) */ }
  }
  return String(data);
}

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; ++i) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export async function tx([hash]) {
  need(HASH.test(hash ?? ""), `transaction ${hash}: not a 0x 32-byte hash`);
  const [t, r] = await Promise.all([
    call("eth_getTransactionByHash", hash),
    call("eth_getTransactionReceipt", hash),
  ]);
  need(t, `transaction ${hash}`);
  const decoded = await decodeCall(t.to, t.input).catch(() => null);
  const status = r ? (r.status === "0x1" ? "success" : "failed") : "pending";
  const parts = [
    h("h1", null, "Transaction"),
    section("Overview", facts([
      ["Hash", h("span", { class: "hash", id: "tx-hash" }, t.hash)],
      ["Status", stateBadge(status)],
      ["Block", t.blockNumber ? blockLink(hexNum(t.blockNumber)) : "pending"],
      ["Position", t.transactionIndex ? String(hexNum(t.transactionIndex)) : "—"],
      ["From", addrLink(t.from, t.from)],
      ["To", t.to ? h("span", null, addrLink(t.to, t.to), MODULES[t.to.toLowerCase()] ? ` (${MODULES[t.to.toLowerCase()]} module)` : "") : "—"],
      ["Value", dpn(t.value)],
      ["Nonce", String(hexNum(t.nonce))],
      ["Gas used / limit", r ? `${num(r.gasUsed)} / ${num(t.gas)}` : num(t.gas)],
      ["Effective gas price", r ? `${num(r.effectiveGasPrice)} wei` : "—"],
      ["Fee", r ? dpn(BigInt(r.gasUsed) * BigInt(r.effectiveGasPrice)) : "—"],
    ])),
  ];
  if (decoded) {
    parts.push(section(`Module call: ${decoded.module}.${decoded.name}`, h("p", { class: "sig" }, decoded.sig), decodedArgs(decoded)));
  } else if (t.input && t.input !== "0x") {
    parts.push(section("Input", h("pre", { class: "data" }, t.input)));
  }
  if (status === "failed") {
    const err = await optional("ots_getTransactionError", hash).catch(() => null);
    if (err && err !== "0x") parts.push(section("Revert", h("pre", { class: "data", id: "tx-revert" }, revertText(err))));
  }
  if (r) {
    const logs = await Promise.all(r.logs.map(async (log) => {
      const d = await decodeLog(log).catch(() => null);
      return h("div", { class: "log" },
        h("div", { class: "log-head" }, `#${hexNum(log.logIndex)} `, addrLink(log.address), d ? ` ${d.module}.${d.name}` : " (unknown event)"),
        d ? decodedArgs(d) : facts([["Topics", h("pre", { class: "data" }, log.topics.join("\n"))], ["Data", h("pre", { class: "data" }, log.data)]]));
    }));
    parts.push(section(`Events (${r.logs.length})`, logs.length ? logs : note("No events.", "muted")));
  }
  let internal;
  try {
    const ops = await call("ots_getInternalOperations", hash);
    internal = ops.length ? table(["Type", "From", "To", "Value"], ops.map((op) =>
      [OTS_OP_TYPES[op.type] ?? String(op.type), addrLink(op.from), addrLink(op.to), dpn(op.value)]),
    { id: "tx-internal" }) : note("No internal value transfers.", "muted");
  } catch (e) {
    internal = unavailable("Internal operations", e);
  }
  parts.push(section("Internal operations (module value transfers)", internal));
  return h("div", null, parts);
}

// ---------------------------------------------------------------- address

const PAGE = 25;

export async function address([addr, cursor]) {
  need(ADDRESS.test(addr ?? ""), `address ${addr}: not a 0x 20-byte address`);
  const [acct, summary, cprov, sprov] = await Promise.all([
    call("getaccount", addr),
    call("getaddresssummary", addr).catch((e) => e),
    call("compute_getProvider", addr).catch(() => null),
    call("storage_getProvider", addr).catch(() => null),
  ]);
  const module = MODULES[addr.toLowerCase()];
  const parts = [h("h1", null, module ? `${module} module` : "Address"), h("p", { class: "hash big" }, acct.address)];
  const roles = [];
  if (cprov?.registered) roles.push(link(["provider", acct.address], "compute provider"));
  if (sprov?.registered) roles.push(link(["sp", acct.address], "storage provider"));
  const s = summary instanceof Error ? null : summary;
  parts.push(section("Overview", facts([
    ["Balance", h("span", { id: "balance" }, dpn(acct.balance))],
    ["Nonce", num(acct.nonce)],
    ["Module", acct.ismodule ? "yes (native module account)" : "no"],
    roles.length ? ["Roles", h("span", null, roles.flatMap((r, i) => (i ? [", ", r] : [r])))] : null,
    s ? ["Transactions", num(s.txcount)] : null,
    s ? ["Sent / received", `${dpn(s.sent)} / ${dpn(s.received)}`] : null,
    s?.firstseen ? ["First seen", h("span", null, blockLink(s.firstseen.height), s.firstseen.txhash ? [" ", txLink(s.firstseen.txhash)] : [])] : null,
    s?.lastseen ? ["Last seen", h("span", null, blockLink(s.lastseen.height), s.lastseen.txhash ? [" ", txLink(s.lastseen.txhash)] : [])] : null,
  ])));
  if (summary instanceof Error && !(summary instanceof RpcError && summary.missing)) {
    parts.push(unavailable("Summary", summary));
  }

  // History from -addressindex, newest first, paged by the server's cursor.
  let history;
  try {
    const hist = await call("getaddresshistory", addr, PAGE, cursor ?? null);
    history = h("div", null,
      hist.entries.length ? table(["Block", "Tx", "Kind", "Dir", "Counterparty", "Value", "Call"], hist.entries.map((e) => [
        blockLink(e.height), e.txhash ? txLink(e.txhash) : "(block work)", e.kind, e.direction,
        addrLink(e.counterparty), dpn(e.value),
        e.module ? `${MODULES[e.module.toLowerCase()] ?? short(e.module)}${e.method ? "." + e.method : ""}` : "—",
      ]), { id: "address-history" }) : note("No history.", "muted"),
      h("div", { class: "pager" },
        cursor ? link(["address", acct.address], "← newest") : null,
        hist.next ? link(["address", acct.address, hist.next], "older →") : null));
  } catch (e) {
    history = unavailable("History (needs -addressindex)", e);
  }
  parts.push(section("History", history));

  // Market objects from the modules' own lists (no index needed).
  const lists = await batch([
    ["compute_listOrders", addr, null, 0, 100],
    ["compute_listLeases", addr, null, null, 0, 100],
    ["compute_listLeases", null, addr, null, 0, 100],
    ["storage_listDeals", addr, null, null, 0, 100],
    ["storage_listDeals", null, addr, null, 0, 100],
  ]);
  const [orders, leasesT, leasesP, dealsC, dealsP] = lists.map((x) => x.result ?? []);
  const leases = [...leasesT.map((l) => ["tenant", l]), ...leasesP.map((l) => ["provider", l])];
  if (orders.length) {
    parts.push(section(`Orders (${orders.length})`, table(["Order", "State", "Spec", "Max price / block", "Created"],
      orders.map((o) => [link(["order", o.id], String(o.id)), stateBadge(o.state), h("span", { class: "value" }, o.spec), dpn(o.maxpriceperblock), blockLink(o.createdat)]),
      { id: "address-orders" })));
  }
  if (leases.length) {
    parts.push(section(`Leases (${leases.length})`, table(["Lease", "Role", "State", "GPU", "Price / block", "Start"],
      leases.map(([role, l]) => [link(["lease", l.id], String(l.id)), role, stateBadge(l.state), h("span", { class: "value" }, l.gpumodel), dpn(l.priceperblock), blockLink(l.startblock)]),
      { id: "address-leases" })));
  }
  // Every market object the address takes part in (bids, sectors and audits
  // included), from -marketindex when the node keeps it.
  try {
    const objs = await call("getmarketobjects", addr, null, null, 100, null);
    if (objs.objects.length) {
      parts.push(section(`Market objects (${objs.objects.length}${objs.next ? "+" : ""})`,
        table(["Kind", "Id", "Role", "State", "Height"], objs.objects.map((o) =>
          [o.kind, objectLink(o, acct.address), o.role, stateBadge(o.state), blockLink(o.height)]),
        { id: "address-objects" })));
    }
  } catch (e) {
    if (!(e instanceof RpcError && e.missing)) parts.push(unavailable("Market objects", e));
  }
  const deals = [...dealsC.map((d) => ["client", d]), ...dealsP.map((d) => ["provider", d])];
  if (deals.length) {
    parts.push(section(`Storage deals (${deals.length})`, table(["Deal", "Role", "State", "Piece", "Blocks"],
      deals.map(([role, d]) => [link(["deal", d.id], String(d.id)), role, stateBadge(d.state), bytes(d.piecesize), `${d.startblock}–${d.endblock}`]))));
  }
  return h("div", null, parts);
}

// A link to a getmarketobjects entry's page (a bid has none of its own).
function objectLink(o, address) {
  const id = String(o.id);
  switch (o.kind) {
    case "order": case "lease": case "deal": return link([o.kind, id], id);
    case "provider": return /^0x[0-9a-fA-F]{40}$/.test(id) ? link(["address", id], short(id)) : h("span", { class: "value" }, id);
    case "sector": return /^\d+$/.test(id) ? link(["sector", address, id], id) : h("span", { class: "value" }, id);
    default: return h("span", { class: "value" }, id);
  }
}

// ---------------------------------------------------------------- order / lease

function needId(id, what) {
  need(UINT.test(id ?? ""), `${what} ${id}: not a number`);
  return Number(id);
}

export async function order([id]) {
  const n = needId(id, "order");
  // Either call may be the first to say the order does not exist.
  const [o, bids] = await orNotFound(Promise.all([
    call("compute_getOrder", n),
    call("compute_listBids", n, 0, 100),
  ]), `order ${id}`);
  return h("div", null,
    h("h1", null, `Order ${o.id}`),
    section("Overview", facts([
      ["State", stateBadge(o.state)],
      ["Tenant", addrLink(o.tenant, o.tenant)],
      ["Spec", h("span", { class: "value" }, o.spec)],
      ["Max price / block", dpn(o.maxpriceperblock)],
      ["Duration", `${num(o.durationblocks)} blocks`],
      ["Bidding ends", blockLink(o.biddingend)],
      ["Escrow", dpn(o.escrow)],
      ["Created", blockLink(o.createdat)],
      ["Data deal", o.datadealid ? link(["deal", o.datadealid], String(o.datadealid)) : "—"],
      ["Required auditors", o.requiredauditors?.length ? h("span", null, o.requiredauditors.map((a) => addrLink(a))) : "none"],
      o.state === "leased" || o.state === "closed" ? ["Lease", link(["lease", o.id], `lease ${o.id}`)] : null,
    ])),
    section(`Bids (${bids.length})`, bids.length ? table(["Bid", "Provider", "Price / block", "GPU", "Deposit", "State", "Placed"],
      bids.map((b) => [String(b.id), addrLink(b.provider), dpn(b.priceperblock), h("span", { class: "value" }, b.gpumodel), dpn(b.deposit), stateBadge(b.state), blockLink(b.placedat)]),
      { id: "order-bids" }) : note("No bids yet.", "muted")));
}

export async function lease([id], ctx) {
  const n = needId(id, "lease");
  const l = await orNotFound(call("compute_getLease", n), `lease ${id}`);
  const live = h("div");
  const render = async () => {
    const [lease_, escrow, tip] = await Promise.all([call("compute_getLease", n), call("compute_getEscrow", n), call("eth_blockNumber")]);
    const height = hexNum(tip);
    live.replaceChildren(facts([
      ["State", stateBadge(lease_.state)],
      ["As of block", h("span", { id: "lease-height" }, num(height))],
      ["Accrued pay", h("span", { id: "lease-accrued" }, dpn(escrow.accrued))],
      ["Escrow balance", dpn(escrow.balance)],
      ["Withdrawable", dpn(escrow.withdrawable)],
      ["Paid out", dpn(lease_.paidtotal)],
      [escrow.closed ? "Closed at" : "Projected close", h("span", { id: "lease-close" }, blockLink(escrow.projectedend))],
      escrow.closed ? null : ["Blocks left", num(Math.max(0, escrow.projectedend - height))],
      // A data-local lease: pay follows the storage market's record of the
      // deal being served.
      escrow.datadeal ? ["Data deal", link(["deal", escrow.datadeal], `deal ${escrow.datadeal}`)] : null,
      escrow.datadeal ? ["Settled below block", blockLink(escrow.resolvedto)] : null,
      escrow.datadeal ? ["Paid for served blocks", dpn(escrow.servedpay)] : null,
      escrow.datadeal ? ["Refunded for unserved blocks", dpn(escrow.refunded)] : null,
      escrow.datadeal ? ["Pending settlement", dpn(escrow.pending)] : null,
    ]));
  };
  await render();
  ctx.onHead(() => render().catch(() => {}));
  return h("div", null,
    h("h1", null, `Lease ${l.id}`),
    section("Live (updates each block)", live),
    section("Terms", facts([
      ["Tenant", addrLink(l.tenant, l.tenant)],
      ["Provider", h("span", { id: "lease-provider" }, link(["provider", l.provider], l.provider))],
      ["Order", link(["order", l.id], `order ${l.id}`)],
      ["GPU", h("span", { class: "value" }, `${l.gpucount} × ${l.gpumodel}`)],
      ["Price / block", dpn(l.priceperblock)],
      ["Start", blockLink(l.startblock)],
      ["Term end", blockLink(l.termend)],
      ["Close reason", l.reason ? String(l.reason) : "—"],
    ])));
}

// ---------------------------------------------------------------- providers

export async function provider([addr]) {
  need(ADDRESS.test(addr ?? ""), `provider ${addr}: not a 0x 20-byte address`);
  const [p, leases] = await Promise.all([
    call("compute_getProvider", addr),
    call("compute_listLeases", null, addr, null, 0, 100),
  ]);
  need(p.registered, `compute provider ${addr}: not registered`);
  const attrs = Object.entries(p.attributes ?? {});
  return h("div", null,
    h("h1", null, "Compute provider"),
    h("p", { class: "hash big" }, addrLink(p.address, p.address)),
    section("Overview", facts([
      ["Host URI", h("span", { class: "value", id: "provider-uri" }, p.hosturi)],
      ["Stake", dpn(p.stake)],
      ["Active leases", num(p.activeleases)],
      ["Leased GPUs", num(p.leasedgpus)],
      ["Open bids", num(p.openbids)],
      ["Registered at", blockLink(p.registeredat)],
    ])),
    section("Attributes", attrs.length ? h("div", { id: "provider-attributes" }, facts(attrs.map(([k, v]) => [k, h("span", { class: "value" }, typeof v === "string" ? v : JSON.stringify(v))])))
      : note("None.", "muted")),
    section(`Leases (${leases.length})`, leases.length ? table(["Lease", "Tenant", "State", "GPU", "Price / block"],
      leases.map((l) => [link(["lease", l.id], String(l.id)), addrLink(l.tenant), stateBadge(l.state), h("span", { class: "value" }, l.gpumodel), dpn(l.priceperblock)])) : note("None.", "muted")));
}

export async function storageProvider([addr]) {
  need(ADDRESS.test(addr ?? ""), `storage provider ${addr}: not a 0x 20-byte address`);
  const [p, deadlines, deals] = await Promise.all([
    call("storage_getProvider", addr),
    call("storage_getDeadlines", addr).catch(() => []),
    call("storage_listDeals", null, addr, null, 0, 100),
  ]);
  need(p.registered, `storage provider ${addr}: not registered`);
  return h("div", null,
    h("h1", null, "Storage provider"),
    h("p", { class: "hash big" }, addrLink(p.address, p.address)),
    section("Overview", facts([
      ["URI", h("span", { class: "value" }, p.uri)],
      ["Price", `${dpn(p.pricepergibperblock)} per GiB per block`],
      ["Min duration", `${num(p.mindurationblocks)} blocks`],
      ["Sector size", bytes(p.sectorsize)],
      ["Stake", dpn(p.stake)],
      ["Locked collateral", dpn(p.lockedcollateral)],
      ["Earnings", dpn(p.earnings)],
      ["Active sectors", num(p.activesectors)],
      ["Pre-committed sectors", num(p.precommittedsectors)],
    ])),
    section("Proving deadlines", deadlines.length ? table(["Deadline", "Period", "Window opens", "Check", "Open", "Active sectors"],
      deadlines.map((d) => [String(d.deadline), String(d.period), blockLink(d.windowopen), blockLink(d.check), d.isopen ? "yes" : "no", num(d.activesectors)])) : note("None.", "muted")),
    section(`Deals (${deals.length})`, deals.length ? table(["Deal", "Client", "State", "Piece", "Sector"],
      deals.map((d) => [link(["deal", d.id], String(d.id)), addrLink(d.client), stateBadge(d.state), bytes(d.piecesize),
        d.sector === null || d.sector === undefined ? "—" : link(["sector", p.address, d.sector], String(d.sector))])) : note("None.", "muted")));
}

export async function deal([id]) {
  const n = needId(id, "deal");
  const d = await orNotFound(call("storage_getDeal", n), `deal ${id}`);
  return h("div", null,
    h("h1", null, `Storage deal ${d.id}`),
    section("Overview", facts([
      ["State", stateBadge(d.state)],
      ["Client", addrLink(d.client, d.client)],
      ["Provider", link(["sp", d.provider], d.provider)],
      ["Piece CID (commD)", h("span", { class: "hash" }, d.commd)],
      ["Piece size", bytes(d.piecesize)],
      ["Blocks", `${d.startblock} – ${d.endblock}`],
      ["Price / block", dpn(d.priceperblock)],
      ["Sector", d.sector === null || d.sector === undefined ? "not yet pre-committed" : link(["sector", d.provider, d.sector], `sector ${d.sector}`)],
      ["Paid", dpn(d.paid)],
      ["Fault fees received", dpn(d.faultfeesreceived)],
      ["Collateral (provider / client)", `${dpn(d.providercollateral)} / ${dpn(d.clientcollateral)}`],
      ["Faulty periods", num(d.faultyperiods)],
    ])));
}

export async function sector([addr, number]) {
  need(ADDRESS.test(addr ?? ""), `sector: ${addr} is not a 0x 20-byte address`);
  const n = needId(number, "sector");
  const s = await orNotFound(call("storage_getSector", addr, n), `sector ${number} of ${addr}`);
  return h("div", null,
    h("h1", null, `Sector ${s.number}`),
    section("Overview", facts([
      ["Provider", link(["sp", s.provider], s.provider)],
      ["State", stateBadge(s.state)],
      ["Size", bytes(s.sectorsize)],
      ["commR", h("span", { class: "hash" }, s.commr)],
      ["commD", h("span", { class: "hash" }, s.commd)],
      ["Pre-committed at", blockLink(s.precommitheight)],
      ["Activated at", s.activationheight ? blockLink(s.activationheight) : "—"],
      ["Deadline", String(s.deadline)],
      ["Next window opens", s.nextwindowopen ? blockLink(s.nextwindowopen) : "—"],
      ["Proven this period", s.proventhisperiod ? "yes" : "no"],
      ["Consecutive faults", num(s.consecutivefaults)],
      ["Declared faulty", s.declaredfaulty ? "yes" : "no"],
      ["Faulty periods", num(s.faultyperiods)],
      ["Deals", s.deals?.length ? h("span", null, s.deals.map((id, i) => [i ? ", " : "", link(["deal", id], String(id))])) : "—"],
    ])));
}

// ---------------------------------------------------------------- search

// Where a query leads: [{kind, route, label}]; the `search` RPC when the
// node has it, else the query's shape plus existence checks.
export async function resolve(query) {
  const q = query.trim();
  if (!q) return [];
  try {
    const r = await call("search", q);
    return r.results.map((x) => {
      const id = x.id ?? x.hash ?? x.height;
      const route = x.kind === "provider" ? ["provider", id] : x.kind === "sector" ? ["sector", ...String(id).split("/")] : [x.kind, id];
      return { kind: x.kind, route, label: x.label ?? `${x.kind} ${id}` };
    });
  } catch (e) {
    if (!(e instanceof RpcError && e.missing)) {
      if (e instanceof RpcError && e.code === -32602) return [];
      throw e;
    }
  }
  const out = [];
  if (UINT.test(q)) {
    const n = Number(q);
    const r = await batch([["getblockhash", n], ["compute_getOrder", n], ["compute_getLease", n], ["storage_getDeal", n]]);
    if (r[0].result) out.push({ kind: "block", route: ["block", n], label: `Block ${n}` });
    if (r[1].result) out.push({ kind: "order", route: ["order", n], label: `Order ${n}` });
    if (r[2].result) out.push({ kind: "lease", route: ["lease", n], label: `Lease ${n}` });
    if (r[3].result) out.push({ kind: "deal", route: ["deal", n], label: `Deal ${n}` });
  } else if (HASH.test(q)) {
    const r = await batch([["eth_getTransactionByHash", q], ["getblockheader", q]]);
    if (r[0].result) out.push({ kind: "tx", route: ["tx", q], label: `Transaction ${q}` });
    if (r[1].result) out.push({ kind: "block", route: ["block", q], label: `Block ${r[1].result.height}` });
  } else if (ADDRESS.test(q)) {
    out.push({ kind: "address", route: ["address", q], label: `Address ${q}` });
  }
  return out;
}

export async function search([query]) {
  const q = query ?? "";
  const results = await resolve(q);
  return h("div", null,
    h("h1", null, "Search"),
    h("p", null, "Results for ", h("span", { class: "value" }, q)),
    results.length ? h("ul", { class: "results", id: "search-results" }, results.map((r) => h("li", null, link(r.route, r.label))))
      : note("Nothing on this chain matches: try a block height, a 0x block or transaction hash, an address, or an order, lease or deal id.", "muted"));
}
