/**
 * The shared webhook receiver: a plain `node:http` server on 127.0.0.1, run as its own process so that the system
 * under test and the load generator cannot stall its clock. Every POST under /hook/ is answered 200 at once and its
 * arrival time (wall clock, sub-millisecond) recorded under the bench id carried in `payload.bid` (falling back to
 * the body's `id`, then to the Idempotency-Key header). Duplicates are kept, so the harness counts them.
 *
 * Control endpoints (same server): GET /_count, GET /_dump, POST /_reset. The port is given by env RECEIVER_PORT
 * (0 = any); the process tells its parent the port over IPC.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

interface Arrival {
  /** Wall-clock ms (fractional) when the request's headers arrived. */
  t: number;
  /** Idempotency-Key header present and equal to the body's `id`. */
  idemOk: boolean;
}

const delayMs = Number(process.env.RECEIVER_DELAY_MS ?? 0);
let arrivals = new Map<string, Arrival[]>();
let total = 0;
let bad = 0;

const now = (): number => performance.timeOrigin + performance.now();

function onHook(req: http.IncomingMessage, res: http.ServerResponse, t: number): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let bid: string | undefined;
    let idemOk = false;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id?: unknown;
        payload?: { bid?: unknown } | null;
      };
      const key = req.headers['idempotency-key'];
      idemOk = typeof key === 'string' && key === body.id;
      if (body.payload && typeof body.payload.bid === 'string') bid = body.payload.bid;
      else if (typeof body.id === 'string') bid = body.id;
      else if (typeof key === 'string') bid = key;
    } catch {
      // counted below as a bad request
    }
    if (bid === undefined) {
      bad++;
    } else {
      total++;
      const list = arrivals.get(bid);
      if (list) list.push({ t, idemOk });
      else arrivals.set(bid, [{ t, idemOk }]);
    }
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
}

function json(res: http.ServerResponse, value: unknown): void {
  const data = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(data.length) });
  res.end(data);
}

const server = http.createServer((req, res) => {
  const t = now();
  const url = req.url ?? '/';
  if (req.method === 'POST' && url.startsWith('/hook')) return onHook(req, res, t);
  req.resume();
  if (url === '/_count') return json(res, { unique: arrivals.size, total, bad });
  if (url === '/_dump') {
    const rows: [string, number, number][] = [];
    for (const [bid, list] of arrivals) for (const a of list) rows.push([bid, a.t, a.idemOk ? 1 : 0]);
    return json(res, { rows, bad });
  }
  if (req.method === 'POST' && url === '/_reset') {
    arrivals = new Map();
    total = 0;
    bad = 0;
    return json(res, { ok: true });
  }
  res.writeHead(404);
  res.end();
});
// Generous keep-alive so that no sender races a server-side socket close.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.maxRequestsPerSocket = 0;

server.listen(Number(process.env.RECEIVER_PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  if (process.send) process.send({ type: 'ready', port });
  else console.log(`receiver listening on 127.0.0.1:${port}`);
});

const stop = (): void => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
