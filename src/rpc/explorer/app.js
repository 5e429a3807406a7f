// The explorer's shell: a hash router (#/block/12, #/tx/0x.., ...), the
// search box, and the new-block feed shared by the pages. Each render
// replaces #view; body[data-page] and body[data-state] ("loading", "ready",
// "notfound", "error") say what shows, for people and for the browser test.
import { charts } from "./charts.js";
import { clear, h, link, note } from "./dom.js";
import * as pages from "./pages.js";
import { HeadFeed, call } from "./rpc.js";

const ROUTES = {
  "": pages.home,
  block: pages.block,
  tx: pages.tx,
  address: pages.address,
  order: pages.order,
  lease: pages.lease,
  provider: pages.provider,
  sp: pages.storageProvider,
  deal: pages.deal,
  sector: pages.sector,
  search: pages.search,
  charts,
};

const view = document.getElementById("view");
const liveBadge = document.getElementById("live");
const tipLink = document.getElementById("tip");
let headListeners = [];
let renderSeq = 0;

function parseHash() {
  const path = location.hash.replace(/^#\/?/, "");
  const parts = path.split("/").filter((p) => p !== "").map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  return { name: parts[0] ?? "", args: parts.slice(1) };
}

function setState(page, state) {
  document.body.dataset.page = page;
  document.body.dataset.state = state;
}

function notFoundView(message) {
  return h("div", { class: "notfound" },
    h("h1", null, "Not found"),
    h("p", { id: "notfound-message" }, message),
    h("p", null, link([], "Latest blocks"), " · ", link(["charts"], "Charts")));
}

async function render() {
  const seq = ++renderSeq;
  headListeners = [];
  const { name, args } = parseHash();
  const page = ROUTES[name];
  setState(name || "home", "loading");
  view.setAttribute("aria-busy", "true");
  // This render's live-update callbacks; they take effect only if it is
  // still the newest render when it finishes.
  const listeners = [];
  let node;
  let state = "ready";
  if (!page) {
    node = notFoundView(`There is no page "${name}" in this explorer.`);
    state = "notfound";
  } else {
    try {
      node = await page(args, { onHead: (fn) => listeners.push(fn) });
    } catch (e) {
      if (e instanceof pages.NotFound) {
        node = notFoundView(e.message);
        state = "notfound";
      } else {
        console.error(e);
        node = h("div", null, h("h1", null, "Something went wrong"), note(e.message, "error"));
        state = "error";
      }
    }
    if (seq !== renderSeq) return;  // a newer navigation won
  }
  headListeners = state === "ready" ? listeners : [];
  clear(view).append(node);
  node.afterMount?.();
  view.removeAttribute("aria-busy");
  window.scrollTo(0, 0);
  setState(name || "home", state);
  // Time to interactive of the first page, for contrib/bench/explorer.sh.
  if (!performance.getEntriesByName("explorer-ready").length) performance.mark("explorer-ready");
}

const feed = new HeadFeed((head) => {
  showTip(head.number);
  for (const fn of headListeners) {
    Promise.resolve().then(() => fn(head)).catch((e) => console.warn("live update failed", e));
  }
}, (mode) => {
  liveBadge.textContent = mode === "live" ? "live" : "polling";
  liveBadge.className = `badge ${mode}`;
  liveBadge.title = mode === "live" ? "new blocks arrive over the WebSocket (eth_subscribe newHeads)"
    : "the WebSocket is unavailable; checking for new blocks every 2 s";
});

document.getElementById("search").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = document.getElementById("q");
  const q = input.value.trim();
  if (!q) return;
  setState("search", "loading");
  let results = [];
  try {
    results = await pages.resolve(q);
  } catch { /* the results page shows the error */ }
  input.blur();
  if (results.length === 1) input.value = "";
  const target = results.length === 1 ? "#/" + results[0].route.map((p) => encodeURIComponent(String(p))).join("/")
    : `#/search/${encodeURIComponent(q)}`;
  if (location.hash === target) render(); else location.hash = target;
});

function showTip(number) {
  tipLink.replaceChildren(link(["block", number], `#${number.toLocaleString("en-US")}`));
}

window.addEventListener("hashchange", render);
render();
feed.start();
call("eth_blockNumber").then((n) => { if (!tipLink.firstChild) showTip(Number(BigInt(n))); }, () => {});
