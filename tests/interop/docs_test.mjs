// docs/wallets.md's examples, run as written against a depind -dev node
// (started by run.mjs): each ```js block is extracted, only its port
// (8545) is changed to the node's, and it runs as its own Node.js process
// from the repository root (the ethers example reads docs/abi/), with this
// folder's ethers and viem. Each must exit 0 and print what its comments
// promise.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

// The ```js blocks of a markdown file, with the heading they sit under.
export function extractSnippets(markdown) {
  const out = [];
  let heading = "";
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; ++i) {
    if (lines[i].startsWith("## ")) heading = lines[i].slice(3).trim();
    if (lines[i].trim() !== "```js") continue;
    const body = [];
    for (++i; i < lines.length && lines[i].trim() !== "```"; ++i) body.push(lines[i]);
    out.push({ heading, code: body.join("\n") + "\n" });
  }
  return out;
}

function runScript(file, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT });
    let output = "";
    child.stdout.on("data", (d) => { output += d; });
    child.stderr.on("data", (d) => { output += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

// What each example's comments say it prints.
const EXPECTED = {
  "ethers v6": ["1337n", "\n1\n", "42n", "CALL_EXCEPTION testmod-fail: boom",
    'execution reverted: "tx-data-to-non-module: ', "new head "],
  "viem": ["1337", "success", "new head "],
  "Multicall3: many reads in one call": ["success success failure"],
};

export async function run(node) {
  const markdown = fs.readFileSync(path.join(ROOT, "docs/wallets.md"), "utf8");
  const snippets = extractSnippets(markdown);
  assert.deepEqual(snippets.map((s) => s.heading), Object.keys(EXPECTED),
    "docs/wallets.md has one js example under each library's heading");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "depin_docs_snippets_"));
  // Imports of "ethers" and "viem" resolve from the snippet's folder up.
  fs.symlinkSync(path.join(HERE, "node_modules"), path.join(dir, "node_modules"), "dir");
  try {
    for (const { heading, code } of snippets) {
      console.log(`- ${heading} example`);
      assert.ok(code.includes("127.0.0.1:8545"), `${heading}: the example uses the dev URL`);
      const file = path.join(dir, `${heading.replace(/\W+/g, "_")}.mjs`);
      fs.writeFileSync(file, code.replaceAll("127.0.0.1:8545", `127.0.0.1:${node.rpcPort}`));
      const { code: exit, signal, output } = await runScript(file, 60_000);
      assert.equal(signal, null, `${heading}: did not finish within 60 s:\n${output}`);
      assert.equal(exit, 0, `${heading}: exit ${exit}:\n${output}`);
      for (const text of EXPECTED[heading]) {
        assert.ok(output.includes(text), `${heading}: expected "${text}" in:\n${output}`);
      }
      assert.ok(!output.includes("Network {}"), `${heading}: prints an opaque object`);
      console.log(output.trim().split("\n").map((l) => `    ${l}`).join("\n"));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
