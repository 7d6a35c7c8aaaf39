/**
 * The call thread's client against real receivers on 127.0.0.1: every outcome is recorded as the in-process client
 * records it (the same request in both, records compared field by field), and what only the thread has (preconnect
 * across threads, a thread that stops) behaves.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttemptRecord } from '../shared/event';
import { LOOPBACK_DESTINATIONS } from './destination-guard';
import { NO_ALLOWED_DESTINATIONS } from './destinations';
import type { FetchLike } from './keep-alive-fetch';
import {
  createThreadedWebhookFetch,
  createWebhookFetch,
  preconnectWebhook,
  prepareWebhook,
  sendWebhook,
  type SendWebhookRequest,
} from './send-webhook';
import type { ThreadedFetch } from './webhook-thread';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Receiver {
  origin: string;
  /** Request bodies received, in order. */
  bodies: string[];
  /** Connections accepted so far. */
  connections: () => number;
  close: () => void;
}

/** A receiver that reads each request body, then lets `handler` answer (routes by path). */
async function startReceiver(handler: Handler): Promise<Receiver> {
  const bodies: string[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      handler(req, res);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const routes: Record<string, Handler> = {
  '/ok': (_req, res) => res.writeHead(200, { 'X-Answer': 'yes' }).end('{"ok":true}'),
  '/empty': (_req, res) => res.writeHead(204).end(),
  '/big': (_req, res) => res.writeHead(200).end('é'.repeat(40_000)), // 80,000 bytes, cut within a character
  '/redirect': (_req, res) => res.writeHead(302, { Location: 'http://example.invalid/' }).end('moved'),
  '/busy': (_req, res) => res.writeHead(503, { 'Retry-After': '7' }).end('busy'),
  // Unref'd: a stalled answer must not keep the test process alive once the receiver is closed.
  '/slow-head': (_req, res) => void setTimeout(() => res.end('late'), 2000).unref(),
  '/slow-body': (_req, res) => {
    res.writeHead(200).write('part');
    setTimeout(() => res.end('rest'), 2000).unref();
  },
  '/broken': (_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' }).write('only part');
    setTimeout(() => res.destroy(), 50);
  },
};

let receiver: Receiver;
let threaded: ThreadedFetch;
const inProcess = createWebhookFetch(LOOPBACK_DESTINATIONS);

beforeAll(async () => {
  receiver = await startReceiver((req, res) => (routes[req.url ?? ''] ?? routes['/ok']!)(req, res));
  threaded = createThreadedWebhookFetch(LOOPBACK_DESTINATIONS);
});
afterAll(async () => {
  receiver.close();
  await threaded.close();
});

function request(path: string, overrides: Partial<SendWebhookRequest> = {}): SendWebhookRequest {
  return {
    eventId: 'evt-1',
    invocationId: 'inv-1',
    attempt: 1,
    webhook: `${receiver.origin}${path}`,
    headers: [{ name: 'X-Custom', value: 'v' }],
    body: { id: 'evt-1', scheduled_time: '2026-12-05T00:00:00.000Z', payload: { a: 1 }, created_at: 'x' },
    timeoutSeconds: 1,
    ...overrides,
  };
}

const send = (fetch: FetchLike, req: SendWebhookRequest): Promise<AttemptRecord> =>
  sendWebhook(req, {
    env: {},
    userAgent: 'scheduled-events-test/1',
    fetch,
    now: () => Date.parse('2026-12-05T00:00:00Z'),
  });

/** A record without what differs from one call to the next (times, the receiver's Date and Keep-Alive headers). */
function comparable(record: AttemptRecord): unknown {
  const { durationMs: _duration, ...rest } = record;
  if (rest.response.type !== 'webhook_response') return rest;
  const headers = rest.response.headers.filter(({ name }) => name !== 'date' && name !== 'keep-alive');
  return { ...rest, response: { ...rest.response, headers } };
}

describe('createThreadedWebhookFetch', () => {
  /** What each route's record says, so that the comparison below is not between two records equally wrong. */
  const expected: Record<string, Partial<AttemptRecord>> = {
    '/ok': { success: true, status: 200 },
    '/empty': { success: true, status: 204 },
    '/big': { success: true, response: expect.objectContaining({ bodyTruncated: true }) },
    '/redirect': { success: false, status: 302 },
    '/busy': { success: false, status: 503, retryAfterSeconds: 7 },
    '/slow-head': { status: null, response: expect.objectContaining({ message: 'timeout after 1 s' }) },
    '/slow-body': {
      status: null,
      response: expect.objectContaining({ message: 'timeout after 1 s while reading the response body (HTTP 200)' }),
    },
    '/broken': {
      status: null,
      response: expect.objectContaining({ message: 'aborted while reading the response body (HTTP 200)' }),
    },
  };

  it.each(Object.keys(expected))('records %s as the in-process client does', async (path) => {
    const [here, there] = await Promise.all([send(inProcess, request(path)), send(threaded, request(path))]);
    expect(there).toMatchObject(expected[path]!);
    expect(comparable(there)).toEqual(comparable(here));
  });

  it('sends the same request body and headers', async () => {
    const before = receiver.bodies.length;
    const record = await send(threaded, request('/ok'));
    expect(record.success).toBe(true);
    expect(JSON.parse(receiver.bodies[before]!)).toMatchObject({ id: 'evt-1', payload: { a: 1 } });
    if (record.response.type !== 'webhook_response') throw new Error('expected a response');
    expect(record.response.headers).toContainEqual({ name: 'x-answer', value: 'yes' });
    expect(record.response.body).toBe('{"ok":true}');
  });

  it('records a refused connection and a refused destination as the in-process client does', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = request('/', { webhook: `http://127.0.0.1:${port}/` });
    const [here, there] = await Promise.all([send(inProcess, refused), send(threaded, refused)]);
    expect(comparable(there)).toEqual(comparable(here));
    expect(there.response).toMatchObject({ message: expect.stringContaining('ECONNREFUSED') });

    // The guard runs on the thread: without an allow-list, loopback is refused before any connection.
    const strict = createThreadedWebhookFetch(NO_ALLOWED_DESTINATIONS);
    const connections = receiver.connections();
    try {
      const record = await send(strict, request('/ok'));
      expect(record.refused).toBe(true);
      expect(record.response).toMatchObject({ message: expect.stringContaining('destination refused') });
      expect(receiver.connections()).toBe(connections);
    } finally {
      await strict.close();
    }
  });

  it("stops a call when the caller's signal aborts, as the in-process client does", async () => {
    const abortAfter = (ms: number): AbortSignal => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('shutting down')), ms);
      return controller.signal;
    };
    const [here, there] = await Promise.all([
      send(inProcess, { ...request('/slow-head'), signal: abortAfter(100) }),
      send(threaded, { ...request('/slow-head'), signal: abortAfter(100) }),
    ]);
    expect(comparable(there)).toEqual(comparable(here));
    expect(there.response).toMatchObject({ message: 'request aborted: shutting down' });
  });

  it('opens the connection of an announced call ahead, on the thread', async () => {
    const fresh = createThreadedWebhookFetch(LOOPBACK_DESTINATIONS);
    try {
      const connections = receiver.connections();
      const prepared = prepareWebhook(request('/ok'), { env: {}, userAgent: 'scheduled-events-test/1' });
      preconnectWebhook(prepared, Date.now() + 500, { fetch: fresh });
      const deadline = Date.now() + 5000;
      while (receiver.connections() === connections && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(receiver.connections()).toBe(connections + 1);
      const record = await send(fresh, request('/ok'));
      expect(record.success).toBe(true);
      // The call went out on the connection opened for it.
      expect(receiver.connections()).toBe(connections + 1);
    } finally {
      await fresh.close();
    }
  });

  it('does not send a call aborted before it left the queue', async () => {
    const fresh = createThreadedWebhookFetch(LOOPBACK_DESTINATIONS);
    try {
      const before = receiver.bodies.length;
      // The first call of a turn is posted at once; the second waits for the turn's end, and is aborted before it.
      const first = send(fresh, request('/ok', { body: { ...request('/ok').body, id: 'first' } }));
      const controller = new AbortController();
      const second = send(fresh, {
        ...request('/ok', { body: { ...request('/ok').body, id: 'second' } }),
        signal: controller.signal,
      });
      controller.abort(new Error('cancelled'));
      expect((await first).success).toBe(true);
      expect((await second).response).toMatchObject({ message: 'request aborted: cancelled' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.bodies.slice(before).map((body) => (JSON.parse(body) as { id: string }).id)).toEqual(['first']);
    } finally {
      await fresh.close();
    }
  });

  it('fails the calls in flight when its thread stops, and starts a new one for the next call', async () => {
    const fresh = createThreadedWebhookFetch(LOOPBACK_DESTINATIONS);
    const inFlight = send(fresh, request('/slow-head', { timeoutSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fresh.close();
    const record = await inFlight;
    expect(record.success).toBe(false);
    expect(record.response).toMatchObject({ message: 'the webhook call thread stopped' });
    const next = await send(fresh, request('/ok'));
    expect(next.success).toBe(true);
    // A call made while the old thread is still stopping goes to the new one, and is not failed with the old one.
    const slow = send(fresh, request('/slow-head', { timeoutSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = fresh.close();
    const during = send(fresh, request('/ok'));
    await closing;
    expect((await slow).response).toMatchObject({ message: 'the webhook call thread stopped' });
    expect((await during).success).toBe(true);
    await fresh.close();
  });
});
