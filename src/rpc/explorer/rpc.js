// The explorer's view of the node: JSON-RPC over HTTP POST to this origin's
// "/" (the same port that served the page) and a WebSocket feed of new
// heads (eth_subscribe newHeads), falling back to polling eth_blockNumber
// when the websocket is refused (e.g. a non-localhost origin without
// -rpccorsdomain) or drops.

export class RpcError extends Error {
  constructor(method, error) {
    super(`${method}: ${error.message}`);
    this.method = method;
    this.code = error.code;
    this.rpcMessage = error.message;
  }
  // The method does not exist on this node (not built in, or an index that
  // lands later): pages say so and carry on.
  get missing() { return this.code === -32601; }
  // A rule name such as "addressindex-disabled" at the start of the message.
  get rule() { return /^([a-z0-9]+(?:-[a-z0-9]+)+)/.exec(this.rpcMessage || "")?.[1] ?? null; }
}

let nextId = 1;

export async function call(method, ...params) {
  let res;
  // The public port answers 429 while this client's token bucket is empty:
  // wait for it to refill a little, a few times, before giving up.
  for (let attempt = 0; ; ++attempt) {
    res = await fetch("/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
    if (res.status !== 429 || attempt === 3) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (!res.ok) throw new RpcError(method, { code: -res.status, message: `HTTP ${res.status}` });
  const body = await res.json();
  if (body.error) throw new RpcError(method, body.error);
  return body.result;
}

// The result, or null when the method is missing or fails with one of
// `okCodes`' rules (e.g. "not-found"); other errors are thrown.
export async function optional(method, ...params) {
  try {
    return await call(method, ...params);
  } catch (e) {
    if (e instanceof RpcError && e.missing) return null;
    throw e;
  }
}

// Several calls in one HTTP request: [[method, ...params], ...] ->
// [{result} | {error: RpcError}] in order.
export async function batch(calls) {
  if (calls.length === 0) return [];
  const first = nextId;
  nextId += calls.length;
  const res = await fetch("/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map(([method, ...params], i) =>
      ({ jsonrpc: "2.0", id: first + i, method, params }))),
  });
  if (!res.ok) throw new RpcError("batch", { code: -res.status, message: `HTTP ${res.status}` });
  const body = await res.json();
  const byId = new Map(body.map((r) => [r.id, r]));
  return calls.map(([method], i) => {
    const r = byId.get(first + i);
    if (!r) return { error: new RpcError(method, { code: -32603, message: "no reply" }) };
    return r.error ? { error: new RpcError(method, r.error) } : { result: r.result };
  });
}

// batch() for many calls on a rate-limited listener (-rpcpublicport: each
// entry costs a token, and entries past the bucket get -32005): resends
// the refused entries after a pause, up to `rounds` times, so a chart of
// 100 blocks fills in over a few seconds instead of showing holes.
export async function batchPatient(calls, rounds = 8) {
  const limited = { error: new RpcError("batch", { code: -32005, message: "rate limit exceeded" }) };
  const out = calls.map(() => limited);
  for (let round = 0; round <= rounds; ++round) {
    const again = out.map((r, i) => (r.error?.code === -32005 ? i : -1)).filter((i) => i >= 0);
    if (again.length === 0) break;
    if (round > 0) await new Promise((r) => setTimeout(r, 1_000));
    try {
      const replies = await batch(again.map((i) => calls[i]));
      again.forEach((i, k) => { out[i] = replies[k]; });
    } catch (e) {
      // HTTP 429: the bucket was empty before the batch was even read.
      if (!(e instanceof RpcError && e.code === -429)) throw e;
    }
  }
  return out;
}

// New chain heads: onHead({number, hash, timestamp}) for each block, over
// the websocket when it works, else by polling. onMode("live"|"polling").
export class HeadFeed {
  constructor(onHead, onMode) {
    this.onHead = onHead;
    this.onMode = onMode;
    this.ws = null;
    this.pollTimer = null;
    this.lastNumber = null;
    this.failures = 0;
  }

  start() { this.connect(); }

  connect() {
    let ws;
    try {
      ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`);
    } catch {
      return this.poll();
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.id === 1) {
        if (msg.error) { ws.close(); return; }
        this.failures = 0;
        this.stopPolling();
        this.onMode("live");
        return;
      }
      if (msg.method === "eth_subscription" && msg.params?.result) {
        const head = msg.params.result;
        this.emit(Number(head.number), head.hash, Number(head.timestamp));
      }
    };
    ws.onclose = () => {
      this.ws = null;
      ++this.failures;
      this.poll();
      // Try the websocket again later (backing off) in case it was a blip.
      const delay = Math.min(60_000, 2_000 * 2 ** Math.min(this.failures, 5));
      if (opened || this.failures < 8) setTimeout(() => this.connect(), delay);
    };
  }

  emit(number, hash, timestamp) {
    if (this.lastNumber !== null && number <= this.lastNumber && hash === this.lastHash) return;
    this.lastNumber = number;
    this.lastHash = hash;
    this.onHead({ number, hash, timestamp });
  }

  poll() {
    if (this.pollTimer) return;
    this.onMode("polling");
    const tick = async () => {
      try {
        const b = await call("eth_getBlockByNumber", "latest", false);
        if (b) this.emit(Number(b.number), b.hash, Number(b.timestamp));
      } catch { /* node away: keep trying */ }
    };
    this.pollTimer = setInterval(tick, 2_000);
    tick();
  }

  stopPolling() {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }
}
