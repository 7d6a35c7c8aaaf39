// Scratch: N held "attempts" due at one instant, each its own timer, then callWebhook (the worker's client), in one
// process; options: ALS (every attempt inside AsyncLocalStorage.run, as the SDK runs activities) and HEAP_KB per
// attempt of live small objects (the SDK's held state is ~33 KB per attempt).
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
// Which delivery layer: DELIVERY=/path/to/src/delivery (a checkout of each version, alternated); this repository's
// by default.
// eslint-disable-next-line
const { callStopOn, callWebhook, createKeepAliveFetch, LOOPBACK_DESTINATIONS, preconnectWebhook, prepareWebhook } = require(process.env.DELIVERY ?? '../../../src/delivery');

const N = Number(process.env.N ?? 10000);
const ALS = process.env.ALS === '1' || process.env.ALS === '2';
// ALS=2: a second storage enabled too, as the worker's Temporal client enables its own (withDeadline).
if (process.env.ALS === '2') new AsyncLocalStorage().enterWith({});
const HEAP_KB = Number(process.env.HEAP_KB ?? 0);
const PORT = Number(process.env.PORT ?? 47123);
const LEAD_MS = Number(process.env.LEAD_MS ?? 8000);
const fetch = createKeepAliveFetch({ maxSocketsPerHost: Number(process.env.SOCKETS ?? 256), allowedDestinations: LOOPBACK_DESTINATIONS });
const deps = { env: {}, userAgent: 'scratch/1', fetch };
const als = new AsyncLocalStorage<{ id: number }>();
const junk: unknown[] = [];

function heapFor(i: number): unknown {
  // ~HEAP_KB of small objects and closures per attempt
  const out: unknown[] = [];
  for (let b = 0; b < (HEAP_KB * 1024) / 100; b++) {
    const o = { i, b, s: 'x' + b, f: () => i + b };
    out.push(o);
  }
  return out;
}

async function attempt(i: number, dueMs: number): Promise<void> {
  // Stands for the SDK's cancellation signal, there long before the call; NEWAPI=2 follows it from here (callStopOn).
  const sdk = new AbortController().signal;
  const stop = process.env.NEWAPI === '2' ? callStopOn(sdk, () => true) : undefined;
  const prepared = prepareWebhook(
    {
      eventId: `e${i}`,
      invocationId: `inv${i}`,
      attempt: 1,
      webhook: `http://127.0.0.1:${PORT}/hook`,
      headers: [],
      body: { id: `e${i}`, scheduled_time: new Date(dueMs).toISOString(), payload: { pad: 'x'.repeat(200) }, created_at: new Date().toISOString() },
      timeoutSeconds: 30,
    } as never,
    deps,
  );
  // HOLD=sig: each wait of the hold is timers/promises' delay with the hold's signal (AbortSignal.any of two), as the
  // activity's holdUntil was; HOLD=one: one listener on each of the two plain signals for the whole hold (holdWaits
  // in activities/deliver-webhook.ts).
  const held = new AbortController().signal;
  const holdSignal = process.env.HOLD === 'sig' ? AbortSignal.any([sdk, held]) : undefined;
  const wait = process.env.HOLD === 'one' ? oneListenerWaits([sdk, held]) : undefined;
  const until = async (targetMs: number): Promise<void> => {
    for (let r = targetMs - Date.now(); r > 0; r = targetMs - Date.now()) {
      if (wait) await wait(r);
      else await delay(r, undefined, holdSignal ? { signal: holdSignal } : undefined);
    }
  };
  await until(dueMs - 500);
  preconnectWebhook(prepared, dueMs, deps);
  await until(dueMs);
  if (process.env.CLIENT === 'plain') await plainPost(JSON.stringify(prepared.body), `e${i}`);
  else if (process.env.CLIENT === 'mid') await midPost(JSON.stringify(prepared.body), `e${i}`);
  else if (process.env.CLIENT === 'cur' || process.env.CLIENT === 'new') await abortPost(JSON.stringify(prepared.body), `e${i}`, process.env.CLIENT === 'new');
  else if (process.env.NEWAPI === '2') await callWebhook(prepared, deps, stop);
  else if (process.env.NEWAPI === '1') await callWebhook(prepared, deps, sdk, () => true);
  else if (process.env.NEWAPI === '0') {
    const a = new AbortController();
    sdk.addEventListener('abort', () => a.abort(sdk.reason), { once: true });
    await callWebhook(prepared, deps, a.signal);
  } else await callWebhook(prepared, deps);
}
function oneListenerWaits(signals: AbortSignal[]): (ms: number) => Promise<void> {
  const waiting = new Set<{ timer: NodeJS.Timeout; reject: (reason: unknown) => void }>();
  for (const signal of signals) signal.addEventListener('abort', () => { for (const w of waiting) { clearTimeout(w.timer); w.reject(signal.reason); } waiting.clear(); }, { once: true });
  return (ms) => new Promise<void>((resolve, reject) => {
    const w = { timer: setTimeout(() => { waiting.delete(w); resolve(); }, ms), reject };
    waiting.add(w);
  });
}
import http from 'node:http';
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(process.env.SOCKETS ?? 256), keepAliveMsecs: 10_000 });
const MID = (process.env.MID ?? '').split(',');
function midPost(body: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'x/1', 'webhook-id': key, 'webhook-timestamp': '123' };
    if (MID.includes('reqheaders')) headers = Object.fromEntries(new Headers(headers));
    const controller = MID.includes('signal') || MID.includes('ctrl') || MID.includes('ourabort') ? new AbortController() : undefined;
    const timer = MID.includes('signal') || MID.includes('ctrl') || MID.includes('ourabort') ? setTimeout(() => controller!.abort(), 30000) : undefined;
    const target = MID.includes('url') ? new URL(`http://127.0.0.1:${PORT}/hook`) : undefined;
    const opts = { method: 'POST', agent, headers, signal: MID.includes('signal') ? controller?.signal : undefined };
    const cb = (res: http.IncomingMessage) => {
      if (MID.includes('resheaders')) { const h = new Headers(); const raw = res.rawHeaders; for (let i = 0; i + 1 < raw.length; i += 2) h.append(raw[i]!, raw[i + 1]!); }
      res.on('data', () => {}); res.on('end', () => { clearTimeout(timer); resolve(); });
    };
    const req = target ? http.request(target, opts, cb) : http.request({ host: '127.0.0.1', port: PORT, path: '/hook', ...opts }, cb);
    req.on('error', reject);
    if (MID.includes('ourabort')) {
      const onAbort = () => req.destroy(new Error('aborted'));
      controller!.signal.addEventListener('abort', onAbort, { once: true });
      req.once('close', () => controller!.signal.removeEventListener('abort', onAbort));
    }
    req.end(Buffer.from(body));
  });
}
const sdkSignals = new Map<number, AbortSignal>();
function abortPost(body: string, key: string, direct: boolean): Promise<void> {
  const sdk = new AbortController().signal; // stands for the SDK's cancellation signal, created long before
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'idempotency-key': key };
    if (direct) {
      let req: http.ClientRequest | undefined;
      const abort = (reason: unknown) => req?.destroy(reason as Error);
      const timer = setTimeout(() => abort(new Error('timeout')), 30000);
      const onAbort = () => abort(sdk.reason);
      sdk.addEventListener('abort', onAbort, { once: true });
      req = http.request({ host: '127.0.0.1', port: PORT, path: '/hook', method: 'POST', agent, headers }, (res) => {
        res.on('data', () => {}); res.on('end', () => { clearTimeout(timer); sdk.removeEventListener('abort', onAbort); resolve(); });
      });
      req.on('error', reject);
      req.end(Buffer.from(body));
    } else {
      const a = new AbortController();
      sdk.addEventListener('abort', () => a.abort(sdk.reason), { once: true });
      const b = new AbortController();
      const timer = setTimeout(() => b.abort(new Error('timeout')), 30000);
      const fromCaller = () => b.abort(a.signal.reason);
      a.signal.addEventListener('abort', fromCaller, { once: true });
      const req = http.request({ host: '127.0.0.1', port: PORT, path: '/hook', method: 'POST', agent, headers, signal: b.signal }, (res) => {
        res.on('data', () => {}); res.on('end', () => { clearTimeout(timer); a.signal.removeEventListener('abort', fromCaller); resolve(); });
      });
      req.on('error', reject);
      req.end(Buffer.from(body));
    }
  });
}
function plainPost(body: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, path: '/hook', method: 'POST', agent, headers: { 'content-type': 'application/json', 'idempotency-key': key, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => {}); res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const dueMs = Date.now() + LEAD_MS;
  const all: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    if (HEAP_KB > 0) junk.push(heapFor(i));
    all.push(ALS ? als.run({ id: i }, () => attempt(i, dueMs)) : attempt(i, dueMs));
  }
  if (Date.now() > dueMs - 1000) throw new Error('setup ran past the instant; raise LEAD_MS');
  await Promise.all(all);
  const doneMs = Date.now();
  const res = await (await globalThis.fetch(`http://127.0.0.1:${PORT}/report?due=${dueMs}`)).json();
  console.log(JSON.stringify({ client: process.env.CLIENT, mid: process.env.MID, sockets: process.env.SOCKETS, ALS, HEAP_KB, N, heapMB: Math.round(process.memoryUsage().heapUsed / 1e6), lastReturnedMs: doneMs - dueMs, ...res }));
}
main().catch((e) => { console.error(e); process.exit(1); });
