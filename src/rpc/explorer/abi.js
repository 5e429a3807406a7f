// Module calls and events decoded with the published ABIs (docs/abi/*.json,
// served at /explorer/abi/): calldata -> {module, name, args}, a log ->
// {module, name, args}. Types: the ones the modules use (uint, bool,
// address, bytes32, bytes, string and arrays of uint, address and string).
import { checksum, keccak256 } from "./keccak.js";

export const MODULES = {
  "0x0000000000000000000000000000000000001000": "compute",
  "0x0000000000000000000000000000000000002000": "storage",
};

let tables = null;

const signature = (e) => `${e.name}(${e.inputs.map((i) => i.type).join(",")})`;

export async function loadAbis() {
  if (tables) return tables;
  tables = (async () => {
    const t = { functions: new Map(), events: new Map() };
    for (const [address, name] of Object.entries(MODULES)) {
      const res = await fetch(`abi/${name}.json`);
      if (!res.ok) continue;
      for (const e of await res.json()) {
        const sig = signature(e);
        if (e.type === "function") {
          t.functions.set(`${address}:${keccak256(sig).slice(0, 10)}`, { module: name, sig, ...e });
        } else if (e.type === "event") {
          t.events.set(`${address}:${keccak256(sig)}`, { module: name, sig, ...e });
        }
      }
    }
    return t;
  })();
  return tables;
}

function hexToBytes(hex) {
  const s = hex.startsWith("0x") ? hex.slice(2) : hex;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; ++i) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
const toHex = (b) => "0x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function word(data, offset) {
  if (offset + 32 > data.length) throw new Error("calldata too short");
  return data.subarray(offset, offset + 32);
}
const wordInt = (data, offset) => BigInt(toHex(word(data, offset)));
const wordNumber = (data, offset) => {
  const v = wordInt(data, offset);
  if (v > BigInt(data.length)) throw new Error("offset out of range");
  return Number(v);
};

function decodeStatic(type, data, offset) {
  const w = word(data, offset);
  if (type.startsWith("uint")) return BigInt(toHex(w));
  if (type.startsWith("int")) return BigInt.asIntN(256, BigInt(toHex(w)));
  if (type === "bool") return w[31] === 1;
  if (type === "address") return checksum(toHex(w.subarray(12)));
  if (/^bytes\d+$/.test(type)) return toHex(w.subarray(0, Number(type.slice(5))));
  throw new Error(`unsupported type ${type}`);
}

const isDynamic = (type) => type === "string" || type === "bytes" || type.endsWith("[]");

function decodeDynamic(type, data, start) {
  const len = wordNumber(data, start);
  if (type === "bytes" || type === "string") {
    const body = data.subarray(start + 32, start + 32 + len);
    if (body.length !== len) throw new Error("data too short");
    return type === "string" ? new TextDecoder().decode(body) : toHex(body);
  }
  const inner = type.slice(0, -2);
  const out = [];
  const base = start + 32;
  for (let i = 0; i < len; ++i) {
    out.push(isDynamic(inner) ? decodeDynamic(inner, data, base + wordNumber(data, base + 32 * i))
      : decodeStatic(inner, data, base + 32 * i));
  }
  return out;
}

// Decodes an ABI tuple of `inputs` from bytes.
export function decodeParams(inputs, data) {
  return inputs.map((input, i) => {
    const head = 32 * i;
    return {
      name: input.name,
      type: input.type,
      value: isDynamic(input.type) ? decodeDynamic(input.type, data, wordNumber(data, head))
        : decodeStatic(input.type, data, head),
    };
  });
}

// A module call: {module, name, sig, args} or null when `to` is no module or
// the selector is unknown; {error} when the arguments do not decode.
export async function decodeCall(to, input) {
  if (!to || !input || input.length < 10) return null;
  const t = await loadAbis();
  const f = t.functions.get(`${to.toLowerCase()}:${input.slice(0, 10).toLowerCase()}`);
  if (!f) return null;
  try {
    return { module: f.module, name: f.name, sig: f.sig, args: decodeParams(f.inputs, hexToBytes(input.slice(10))) };
  } catch (e) {
    return { module: f.module, name: f.name, sig: f.sig, error: e.message };
  }
}

// An event log: {module, name, sig, args} or null when unknown.
export async function decodeLog(log) {
  if (!log.topics?.length) return null;
  const t = await loadAbis();
  const e = t.events.get(`${log.address.toLowerCase()}:${log.topics[0].toLowerCase()}`);
  if (!e) return null;
  try {
    const indexed = e.inputs.filter((i) => i.indexed);
    const plain = e.inputs.filter((i) => !i.indexed);
    const values = new Map();
    indexed.forEach((input, i) => {
      const topic = log.topics[i + 1];
      values.set(input.name, isDynamic(input.type) ? `${topic} (hash)` : decodeStatic(input.type, hexToBytes(topic), 0));
    });
    for (const p of decodeParams(plain, hexToBytes(log.data))) values.set(p.name, p.value);
    return { module: e.module, name: e.name, sig: e.sig,
      args: e.inputs.map((i) => ({ name: i.name, type: i.type, value: values.get(i.name) })) };
  } catch (err) {
    return { module: e.module, name: e.name, sig: e.sig, error: err.message };
  }
}

// A decoded value as text (bigint, arrays, strings stay strings).
export function formatValue(v) {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (typeof v === "bigint") return v.toString();
  return String(v);
}
