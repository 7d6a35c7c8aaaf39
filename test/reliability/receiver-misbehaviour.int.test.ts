/**
 * Receivers that misbehave: too slow, huge answers, redirects, answers that never end or break off. Each attempt is
 * bounded in time (`timeout_seconds` covers the whole exchange, body included) and in what it stores (64 KiB of
 * body, marked `truncated: true`), and the outcome is logged in the invocation (docs/contract.md §2, §4).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { MAX_STORED_RESPONSE_BODY_BYTES } from '../../src/shared/event';
import { type Receiver, startReceiver } from '../helpers/receiver';
import { type Stack, startStack } from '../helpers/stack';
import { inMs, recordFigures } from './support';

let receiver: Receiver;
let raw: RawServer;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  raw = await startRawServer();
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await raw?.close();
  await receiver?.close();
});

/** A bare HTTP server whose handler writes whatever it likes (partial bodies, streams, resets), per path. */
interface RawServer {
  url(path: string): string;
  handle(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  hits(path: string): number;
  close(): Promise<void>;
}

async function startRawServer(): Promise<RawServer> {
  const handlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    req.resume();
    req.on('end', () => (handlers.get(path) ?? ((_q, r) => r.writeHead(404).end()))(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    handle: (path, handler) => handlers.set(path, handler),
    hits: (path) => hits.get(path) ?? 0,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function create(args: Record<string, unknown>): Promise<string> {
  const res = await stack.post('/v1/metadata', {
    type: 'create_scheduled_event',
    args: { schedule_at: inMs(0), ...args },
  });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.event_id as string;
}

/** Invocations, oldest first. */
async function invocationsOf(eventId: string): Promise<any[]> {
  const res = await stack.post('/v1/metadata', {
    type: 'get_scheduled_event_invocations',
    args: { type: 'one_off', event_id: eventId },
  });
  expect(res.status).toBe(200);
  return [...(res.body.invocations as any[])].reverse();
}

/** Runs the events of a case together and waits for each to end in `status`. */
async function settle(id: string, status: string) {
  return stack.waitForEvent(id, (e) => e.status === status, 30_000);
}

const figures: Record<string, unknown> = {};
afterAll(() => recordFigures('receiver-misbehaviour', figures));

test('a receiver slower than timeout_seconds: each attempt fails with no status, retries follow retry_conf', async () => {
  receiver.respond('/slow', { status: 200, delayMs: 3000 });
  const started = Date.now();
  const id = await create({
    webhook: receiver.url('/slow'),
    retry_conf: { timeout_seconds: 1, num_retries: 1, retry_interval_seconds: 1 },
  });
  const event = await settle(id, 'error');
  expect(event.tries).toBe(2);
  const log = await invocationsOf(id);
  expect(log).toHaveLength(2);
  for (const invocation of log) {
    expect(invocation).toMatchObject({
      status: null,
      response: { type: 'client_error', data: { message: 'timeout after 1 s' } },
    });
  }
  expect(receiver.requestsTo('/slow')).toHaveLength(2);
  figures.slowReceiver = { timeoutSeconds: 1, attempts: 2, endedErrorAfterMs: Date.now() - started };
});

test('a very large 2xx body is stored truncated at 64 KiB and marked truncated', async () => {
  const big = 'x'.repeat(4 * 1024 * 1024);
  // Multi-byte characters: the cut must not leave half a character.
  const euros = '€'.repeat(100_000);
  receiver.respond('/large', { status: 200, body: big, headers: { 'content-type': 'text/plain' } });
  receiver.respond('/large-utf8', {
    status: 200,
    body: euros,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
  receiver.respond('/large-error', { status: 500, body: 'e'.repeat(300_000) });
  const [large, utf8, error] = await Promise.all([
    create({ webhook: receiver.url('/large') }),
    create({ webhook: receiver.url('/large-utf8') }),
    create({ webhook: receiver.url('/large-error') }),
  ]);
  await Promise.all([settle(large, 'delivered'), settle(utf8, 'delivered'), settle(error, 'error')]);

  const [largeLog] = await invocationsOf(large);
  expect(largeLog.response.type).toBe('webhook_response');
  expect(largeLog.response.data.truncated).toBe(true);
  expect(largeLog.response.data.body).toBe('x'.repeat(MAX_STORED_RESPONSE_BODY_BYTES));

  const [utf8Log] = await invocationsOf(utf8);
  const stored = utf8Log.response.data.body as string;
  expect(utf8Log.response.data.truncated).toBe(true);
  expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(MAX_STORED_RESPONSE_BODY_BYTES);
  expect(Buffer.byteLength(stored)).toBeGreaterThan(MAX_STORED_RESPONSE_BODY_BYTES - 3);
  expect(euros.startsWith(stored)).toBe(true);

  const [errorLog] = await invocationsOf(error);
  expect(errorLog).toMatchObject({ status: 500, response: { type: 'client_error', data: { truncated: true } } });
  expect(errorLog.response.data.message).toBe('e'.repeat(MAX_STORED_RESPONSE_BODY_BYTES));

  // An untruncated answer has exactly Hasura's shape: no `truncated` key at all.
  receiver.respond('/small', { status: 200, body: 'ok' });
  const small = await create({ webhook: receiver.url('/small') });
  await settle(small, 'delivered');
  expect((await invocationsOf(small))[0].response.data).toEqual({
    status: 200,
    headers: expect.any(Array),
    body: 'ok',
  });
  figures.largeBody = { sentBytes: big.length, storedBytes: MAX_STORED_RESPONSE_BODY_BYTES, truncated: true };
});

test('3xx answers are not followed: a failed attempt whose message names the Location', async () => {
  receiver.respond('/moved', { status: 302, headers: { Location: receiver.url('/target') } });
  receiver.respond('/moved-permanently', { status: 308, headers: { Location: receiver.url('/target') } });
  receiver.respond('/moved-nowhere', { status: 301 });
  const [moved, permanent, nowhere] = await Promise.all([
    create({ webhook: receiver.url('/moved') }),
    create({ webhook: receiver.url('/moved-permanently') }),
    create({ webhook: receiver.url('/moved-nowhere') }),
  ]);
  await Promise.all([settle(moved, 'error'), settle(permanent, 'error'), settle(nowhere, 'error')]);

  for (const [id, status] of [
    [moved, 302],
    [permanent, 308],
  ] as const) {
    const [invocation] = await invocationsOf(id);
    expect(invocation).toMatchObject({
      status,
      response: {
        type: 'client_error',
        data: { message: `redirect not followed: HTTP ${status} to ${receiver.url('/target')}` },
      },
    });
  }
  const [noLocation] = await invocationsOf(nowhere);
  expect(noLocation.response.data.message).toBe('redirect not followed: HTTP 301 to (no Location header)');
  expect(receiver.requestsTo('/target')).toHaveLength(0);
  figures.redirects = { statuses: [301, 302, 308], followed: 0 };
});

test('an answer that never ends (headers sent, body stalls) fails at timeout_seconds with no status', async () => {
  raw.handle('/stall', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial body, then nothing');
  });
  const started = Date.now();
  const id = await create({ webhook: raw.url('/stall'), retry_conf: { timeout_seconds: 1 } });
  const event = await settle(id, 'error');
  expect(event.tries).toBe(1);
  const [invocation] = await invocationsOf(id);
  // A 200 whose body never finished is not a delivery, and records no status.
  expect(invocation).toMatchObject({
    status: null,
    response: {
      type: 'client_error',
      data: { message: 'timeout after 1 s while reading the response body (HTTP 200)' },
    },
  });
  expect(raw.hits('/stall')).toBe(1);
  figures.stalledBody = { timeoutSeconds: 1, endedErrorAfterMs: Date.now() - started };
});

test('an endless 2xx stream is read up to 64 KiB, then dropped: delivered, truncated, well within the timeout', async () => {
  raw.handle('/endless', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = 'y'.repeat(16 * 1024);
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const started = Date.now();
  const id = await create({ webhook: raw.url('/endless'), retry_conf: { timeout_seconds: 10 } });
  await settle(id, 'delivered');
  // Read until the cap, not until the timeout.
  const deliveredAfterMs = Date.now() - started;
  expect(deliveredAfterMs).toBeLessThan(8000);
  const [invocation] = await invocationsOf(id);
  expect(invocation.response.data).toMatchObject({ status: 200, truncated: true });
  expect(invocation.response.data.body).toHaveLength(MAX_STORED_RESPONSE_BODY_BYTES);
  figures.endlessBody = { timeoutSeconds: 10, deliveredAfterMs, storedBytes: MAX_STORED_RESPONSE_BODY_BYTES };
});

test('a connection broken off in the middle of the body is a failed attempt with no status', async () => {
  raw.handle('/reset', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
    res.write('only part of it');
    setTimeout(() => req.socket.destroy(), 50);
  });
  const id = await create({ webhook: raw.url('/reset'), retry_conf: { timeout_seconds: 5 } });
  await settle(id, 'error');
  const [invocation] = await invocationsOf(id);
  expect(invocation).toMatchObject({
    status: null,
    response: {
      type: 'client_error',
      data: { message: expect.stringMatching(/while reading the response body \(HTTP 200\)$/) },
    },
  });
  figures.brokenBody = { message: invocation.response.data.message };
});
