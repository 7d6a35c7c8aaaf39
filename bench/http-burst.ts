/**
 * Which HTTP client the worker should call webhooks with when a burst comes due: N calls started in the same
 * instant (as N held attempts do when their hold ends), through `sendWebhook`, to a receiver in another process.
 * `sendWebhook` also prepares each request at the instant, where held attempts prepare theirs 500 ms ahead: the
 * numbers here are a little pessimistic, and comparable with those measured before that change.
 * Compares Node's global `fetch` (undici) with `createKeepAliveFetch` (node:http, pooled), and both with a bare
 * `node:http` request on a pooled agent (no guard, record, timeout or cancel: what the calls alone cost), alternating,
 * several rounds; prints the median lateness of the first and last arrival and of the last call to return.
 *
 *   node_modules/.bin/tsx bench/http-burst.ts [calls=1000] [rounds=5]
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createKeepAliveFetch, createWebhookFetch, type FetchLike, sendWebhook } from '../src/delivery';
import { LOOPBACK_DESTINATIONS as LOOPBACK } from '../src/delivery';

const CALLS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);
/** Time between scheduling the calls and their instant, so that setting up does not count. */
const LEAD_MS = Number(process.env.LEAD_MS ?? 1000);

interface Round {
  firstArrivalMs: number;
  lastArrivalMs: number;
  lastReturnMs: number;
}

/** The receiver: a child process that reports each arrival time to the parent. */
function receiverMain(): void {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(Date.now());
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', (msg: { collect?: boolean }) => {
    if (msg.collect) process.send?.({ arrivals: arrivals.splice(0) });
  });
}

/** One call of a burst, the `i`th, to `url`. */
type Call = (url: string, i: number) => Promise<unknown>;

const bodyOf = (i: number) => ({ id: `e${i}`, scheduled_time: '', payload: { pad: 'x'.repeat(200) }, created_at: '' });

/** A call through `sendWebhook` with `client` (the service's path: guard, headers, timeout, record). */
const throughSendWebhook =
  (client: FetchLike | undefined): Call =>
  (url, i) =>
    sendWebhook(
      {
        eventId: `e${i}`,
        invocationId: `i${i}`,
        attempt: 1,
        webhook: url,
        headers: [],
        body: bodyOf(i),
        timeoutSeconds: 60,
      },
      { env: {}, userAgent: 'http-burst', ...(client ? { fetch: client } : {}) },
    );

/** The same POST as a bare `node:http` request on a keep-alive agent: the calls' own cost, nothing else. */
function bareRequest(maxSockets: number): Call {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return (url, i) =>
    new Promise<void>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify(bodyOf(i)));
      const headers = { 'content-type': 'application/json', 'user-agent': 'http-burst', 'idempotency-key': `e${i}` };
      const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(body);
    });
}

async function round(call: Call, url: string, receiver: ReturnType<typeof fork>): Promise<Round> {
  const instant = Date.now() + LEAD_MS;
  const returns = await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      await delay(instant - Date.now());
      await call(url, i);
      return Date.now();
    }),
  );
  const arrivals = await new Promise<number[]>((resolve) => {
    receiver.once('message', (msg: { arrivals: number[] }) => resolve(msg.arrivals));
    receiver.send({ collect: true });
  });
  if (arrivals.length !== CALLS) throw new Error(`expected ${CALLS} arrivals, got ${arrivals.length}`);
  return {
    firstArrivalMs: Math.min(...arrivals) - instant,
    lastArrivalMs: Math.max(...arrivals) - instant,
    lastReturnMs: Math.max(...returns) - instant,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const receiver = fork(__filename, ['--receiver'], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) =>
    receiver.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const url = `http://127.0.0.1:${port}/hook`;
  const clients: [string, Call][] = [
    ['global fetch (undici)', throughSendWebhook(async (u, init) => fetch(u, init))],
    ['keep-alive node:http, 256 per host (the default)', throughSendWebhook(createWebhookFetch(LOOPBACK))],
    [
      'keep-alive node:http, 64 per host',
      throughSendWebhook(createKeepAliveFetch({ maxSocketsPerHost: 64, allowedDestinations: LOOPBACK })),
    ],
    ['bare node:http request, 256 per host (no sendWebhook)', bareRequest(256)],
  ];
  const results = new Map<string, Round[]>(clients.map(([name]) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, client] of clients) results.get(name)?.push(await round(client, url, receiver));
  }
  console.log(`${CALLS} calls started in one instant, median of ${ROUNDS} rounds (ms after the instant):`);
  console.log('| client | first arrival | last arrival | last call returned |');
  console.log('|---|---|---|---|');
  for (const [name, rounds] of results) {
    const m = (key: keyof Round) => median(rounds.map((x) => x[key]));
    console.log(`| ${name} | ${m('firstArrivalMs')} | ${m('lastArrivalMs')} | ${m('lastReturnMs')} |`);
  }
  receiver.kill();
}

if (process.argv.includes('--receiver')) receiverMain();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
