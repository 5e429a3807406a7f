// Charts (Chart.js from Debian's libjs-chart.js, served at
// /explorer/vendor/chart.umd.js and loaded only when this page opens, so
// the home page stays light): block interval and difficulty over recent
// blocks, GPU capacity and median price per model (getmarketstats), proven
// storage over time (the storage module's providers at sampled heights) and
// faults per period (getstoragestats).
import { h, note, section } from "./dom.js";
import { RpcError, batchPatient, call } from "./rpc.js";

let chartLib = null;
function loadChartJs() {
  if (!chartLib) {
    chartLib = new Promise((resolve, reject) => {
      if (window.Chart) return resolve(window.Chart);
      const s = document.createElement("script");
      s.src = "vendor/chart.umd.js";
      s.onload = () => resolve(window.Chart);
      s.onerror = () => reject(new Error("Chart.js did not load"));
      document.head.append(s);
    });
  }
  return chartLib;
}

const WINDOW = 100;
const SAMPLES = 24;
const hex = (n) => `0x${n.toString(16)}`;
const dpnNumber = (wei) => Number(BigInt(wei)) / 1e18;

function canvasCard(title, id) {
  const canvas = h("canvas", { id, role: "img", "aria-label": title });
  return { card: section(title, h("div", { class: "chart" }, canvas)), canvas };
}

function lineChart(Chart, canvas, labels, label, data, color) {
  return new Chart(canvas, {
    type: "line",
    data: { labels, datasets: [{ label, data, borderColor: color, backgroundColor: color, pointRadius: 0, tension: 0.2 }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } },
  });
}

export async function charts() {
  const Chart = await loadChartJs();
  const tipHex = await call("eth_blockNumber");
  const tip = Number(BigInt(tipHex));
  const from = Math.max(0, tip - WINDOW);
  const heights = [];
  for (let n = from; n <= tip; ++n) heights.push(n);
  const blocks = (await batchPatient(heights.map((n) => ["eth_getBlockByNumber", hex(n), false])))
    .map((r) => r.result).filter(Boolean);

  const interval = canvasCard(`Block interval (s), blocks ${Math.max(2, from + 1)}–${tip}`, "chart-interval");
  const difficulty = canvasCard(`Difficulty, blocks ${from}–${tip}`, "chart-difficulty");
  const root = h("div", null, h("h1", null, "Charts"), h("div", { class: "grid2" }, interval.card, difficulty.card));

  // Intervals between consecutive blocks; the genesis block's fixed, older
  // time would dwarf the rest, so block 1's interval is left out.
  const pairs = blocks.slice(1).map((b, i) => [b, blocks[i]]).filter(([, parent]) => BigInt(parent.number) > 0n);
  const labels = pairs.map(([b]) => Number(BigInt(b.number)));
  const gaps = pairs.map(([b, parent]) => Number(BigInt(b.timestamp)) - Number(BigInt(parent.timestamp)));
  const done = [];
  done.push(() => lineChart(Chart, interval.canvas, labels, "seconds", gaps, "#2563eb"));
  done.push(() => lineChart(Chart, difficulty.canvas, blocks.map((b) => Number(BigInt(b.number))), "difficulty",
    blocks.map((b) => Number(BigInt(b.difficulty))), "#b45309"));

  // GPU prices per model over the market's window.
  try {
    const m = await call("getmarketstats");
    if (m.prices.length || m.gpus.length) {
      const price = canvasCard(`Median GPU price per model (DPN per block, last ${m.window} blocks)`, "chart-gpu-price");
      const gpus = canvasCard("GPUs registered and leased per model", "chart-gpus");
      root.append(h("div", { class: "grid2" }, price.card, gpus.card));
      done.push(() => new Chart(price.canvas, {
        type: "bar",
        data: { labels: m.prices.map((p) => p.model), datasets: [{ label: "median DPN / block", data: m.prices.map((p) => dpnNumber(p.median)), backgroundColor: "#059669" }] },
        options: { animation: false, responsive: true, maintainAspectRatio: false },
      }));
      done.push(() => new Chart(gpus.canvas, {
        type: "bar",
        data: { labels: m.gpus.map((g) => g.model), datasets: [
          { label: "registered", data: m.gpus.map((g) => g.registered), backgroundColor: "#64748b" },
          { label: "leased", data: m.gpus.map((g) => g.leased), backgroundColor: "#2563eb" }] },
        options: { animation: false, responsive: true, maintainAspectRatio: false },
      }));
    } else {
      root.append(section("GPU prices per model", note("No GPU leases in the market's window yet.", "muted")));
    }
  } catch (e) {
    root.append(section("GPU prices per model", note(e instanceof RpcError && e.missing
      ? "Not offered by this node (getmarketstats is not available)." : `getmarketstats: ${e.message}`, "muted")));
  }

  // Proven storage: the storage providers' active sectors at sampled heights.
  const step = Math.max(1, Math.floor((tip - from) / SAMPLES));
  const sampled = [];
  for (let n = tip; n >= from && sampled.length < SAMPLES; n -= step) sampled.unshift(n);
  const lists = await batchPatient(sampled.map((n) => ["storage_listProviders", null, 1000, hex(n)]));
  if (lists.every((r) => r.result)) {
    const provenGiB = lists.map((r) => r.result.reduce((sum, p) => sum + Number(p.activesectors) * Number(p.sectorsize), 0) / 2 ** 30);
    const proven = canvasCard("Proven storage (GiB in active sectors)", "chart-proven");
    root.append(proven.card);
    done.push(() => lineChart(Chart, proven.canvas, sampled, "GiB", provenGiB, "#7c3aed"));
  } else {
    root.append(section("Proven storage", note(`storage_listProviders: ${lists.find((r) => r.error)?.error.message}`, "muted")));
  }
  try {
    const s = await call("getstoragestats");
    const faults = canvasCard(`Faulty sectors per proving period (${s.activesectors} active sectors now)`, "chart-faults");
    root.append(faults.card);
    done.push(() => new Chart(faults.canvas, {
      type: "bar",
      data: { labels: s.faults.map((f) => f.period), datasets: [{ label: "faulty sectors", data: s.faults.map((f) => f.faultysectors), backgroundColor: "#dc2626" }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false },
    }));
  } catch (e) {
    root.append(section("Storage faults per period", note(e instanceof RpcError && e.missing
      ? "Not offered by this node (getstoragestats is not available)." : `getstoragestats: ${e.message}`, "muted")));
  }
  // Chart.js measures its canvas: draw once the page is in the document.
  root.afterMount = () => { for (const f of done) f(); };
  return root;
}
