#!/usr/bin/env node
// Interop test driver: starts a depind -dev node on free loopback ports in a
// temporary datadir, runs every *_test.mjs scenario in this folder against it
// with real client libraries (ethers v6 from npm, pinned by package-lock.json)
// and stops the node.
//
//   node tests/interop/run.mjs --bindir build/bin [--keep] [name_test ...]
//
// Exit codes: 0 passed, 1 failed, 77 skipped (no node_modules: run
// `npm ci --prefix tests/interop`, which `make test` does when npm exists;
// or every named scenario skipped itself, e.g. no chromium for explorer_test).
// On failure the node's stdout/stderr and debug.log tails are printed and the
// datadir is kept.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXIT_SKIP = 77;

function parseArgs(argv) {
  const opts = { bindir: process.env.DEPIN_BINDIR || "build/bin", keep: false, tests: [] };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === "--bindir") opts.bindir = argv[++i];
    else if (a.startsWith("--bindir=")) opts.bindir = a.slice("--bindir=".length);
    else if (a === "--keep") opts.keep = true;
    else opts.tests.push(a.replace(/\.mjs$/, ""));
  }
  opts.bindir = path.resolve(opts.bindir);
  return opts;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return res.json();
}

export class DevNode {
  constructor(bindir, datadir) {
    this.bindir = bindir;
    this.datadir = datadir;
    this.proc = null;
  }

  async start(extraArgs = []) {
    this.rpcPort = await freePort();
    this.p2pPort = await freePort();
    this.url = `http://127.0.0.1:${this.rpcPort}`;
    this.wsUrl = `ws://127.0.0.1:${this.rpcPort}`;
    const args = [`-datadir=${this.datadir}`, "-dev", `-rpcport=${this.rpcPort}`,
      `-port=${this.p2pPort}`, "-devblocktime=1",
      // A 1-wei tip floor: every wallet default passes it, a zero tip gets
      // geth's "transaction underpriced".
      "-mintxtip=1", ...extraArgs];
    this.stdout = fs.openSync(path.join(this.datadir, "stdout.txt"), "a");
    this.stderr = fs.openSync(path.join(this.datadir, "stderr.txt"), "a");
    this.proc = spawn(path.join(this.bindir, "depind"), args,
      { stdio: ["ignore", this.stdout, this.stderr] });
    this.exited = new Promise((resolve) => this.proc.on("exit", (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.proc.exitCode !== null) throw new Error(`depind exited with ${this.proc.exitCode}`);
      try {
        const r = await rpc(this.url, "eth_chainId");
        if (r.result) return;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error("depind RPC did not come up in 60 s");
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), 30_000);
    await this.exited;
    clearTimeout(timer);
  }

  tails(lines = 40) {
    const out = [];
    for (const f of ["stdout.txt", "stderr.txt", "regtest/debug.log"]) {
      const p = path.join(this.datadir, f);
      if (!fs.existsSync(p)) continue;
      const text = fs.readFileSync(p, "utf8").split("\n").slice(-lines).join("\n");
      out.push(`--- ${f} ---\n${text}`);
    }
    return out.join("\n");
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const packages = ["ethers", "viem"];
  if (!packages.every((p) => fs.existsSync(path.join(HERE, "node_modules", p)))) {
    console.log("SKIP: tests/interop/node_modules is missing; run `npm ci --prefix tests/interop` " +
      "(make test does this when npm is installed)");
    return EXIT_SKIP;
  }
  const depind = path.join(opts.bindir, "depind");
  if (!fs.existsSync(depind)) {
    console.log(`FAIL: no depind in ${opts.bindir} (use --bindir)`);
    return 1;
  }
  const names = opts.tests.length ? opts.tests
    : fs.readdirSync(HERE).filter((f) => f.endsWith("_test.mjs")).map((f) => f.slice(0, -4)).sort();
  let failed = 0;
  let skipped = 0;
  for (const name of names) {
    // A scenario may export nodeArgs (extra depind arguments, or a function
    // of the options returning them or a promise of them) and
    // skipReason() (a string when something it needs, such as a browser,
    // is missing on this machine).
    const mod = await import(pathToFileURL(path.join(HERE, `${name}.mjs`)).href);
    const skip = mod.skipReason ? await mod.skipReason(opts) : null;
    if (skip) {
      console.log(`SKIP ${name}: ${skip}`);
      ++skipped;
      continue;
    }
    const datadir = fs.mkdtempSync(path.join(os.tmpdir(), `depin_interop_${name}_`));
    const node = new DevNode(opts.bindir, datadir);
    const started = Date.now();
    let ok = false;
    try {
      const extra = typeof mod.nodeArgs === "function" ? await mod.nodeArgs(opts) : mod.nodeArgs;
      await node.start(extra ?? []);
      await mod.run(node);
      ok = true;
    } catch (e) {
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    } finally {
      await node.stop();
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (ok) {
      console.log(`PASS ${name} (${secs} s)`);
      if (!opts.keep) fs.rmSync(datadir, { recursive: true, force: true });
    } else {
      ++failed;
      console.log(node.tails());
      console.log(`datadir kept in ${datadir}`);
    }
  }
  console.log(`${names.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
  if (failed) return 1;
  return skipped === names.length ? EXIT_SKIP : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
