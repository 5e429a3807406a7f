// DOM building without HTML: every string from the chain becomes a text node
// (textContent), never markup; the explorer uses no API that parses HTML
// from a string (a unit test checks its files for them). A provider URI
// holding "<img onerror=...>" shows as those characters.

// h("a", {href: "#/block/1", class: "x"}, "text", childNode, [more]) -> Element.
// Attribute values are set with setAttribute (never parsed as markup); an
// href must be an in-app "#/" route (links to chain-supplied URLs are not made).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "href" && !String(v).startsWith("#/")) throw new Error(`unsafe href ${v}`);
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// In-app links, their path parts URI-encoded.
export function link(route, text) {
  return h("a", { href: "#/" + route.map((p) => encodeURIComponent(String(p))).join("/") }, text);
}
export const blockLink = (id, text) => link(["block", id], text ?? String(id));
export const txLink = (hash, text) => h("span", { class: "hash" }, link(["tx", hash], text ?? short(hash)));
export const addrLink = (a, text) =>
  a ? h("span", { class: "hash" }, link(["address", a], text ?? short(a))) : "—";

export function short(hex) {
  const s = String(hex ?? "");
  return s.length > 20 ? `${s.slice(0, 10)}…${s.slice(-8)}` : s;
}

const WEI = 10n ** 18n;
// "1234.5 DPN" from a wei amount (decimal string, 0x hex or bigint), exact.
export function dpn(wei) {
  if (wei === null || wei === undefined) return "—";
  const v = BigInt(wei);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / WEI;
  let frac = (a % WEI).toString().padStart(18, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole.toLocaleString("en-US")}${frac ? "." + frac : ""} DPN`;
}

export function num(x) {
  if (x === null || x === undefined) return "—";
  if (typeof x === "string" && x.startsWith("0x")) return BigInt(x).toLocaleString("en-US");
  return Number(x).toLocaleString("en-US");
}

export function bytes(n) {
  let v = Number(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; ++i; }
  return `${i ? v.toFixed(2) : v} ${units[i]}`;
}

export function ago(unixSeconds) {
  const s = Math.max(0, Math.round(Date.now() / 1000 - Number(unixSeconds)));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function time(unixSeconds) {
  return new Date(Number(unixSeconds) * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
}

// A two-column list of facts: rows of [label, value (node or text)].
export function facts(rows) {
  return h("dl", { class: "facts" },
    rows.filter(Boolean).map(([k, v]) => [h("dt", null, k), h("dd", null, v ?? "—")]));
}

// A table: columns are header texts, rows arrays of cells (nodes or text).
export function table(columns, rows, attrs = {}) {
  return h("div", { class: "table-wrap" },
    h("table", attrs,
      h("thead", null, h("tr", null, columns.map((c) => h("th", null, c)))),
      h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => h("td", null, c)))))));
}

export function section(title, ...body) {
  return h("section", { class: "card" }, h("h2", null, title), ...body);
}

export function note(text, kind = "info") {
  return h("p", { class: `note ${kind}` }, text);
}
