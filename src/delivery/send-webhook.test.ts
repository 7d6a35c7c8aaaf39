import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { MAX_STORED_RESPONSE_BODY_BYTES, type WebhookBody } from '../shared/event';
import { callStopOn } from './call-stop';
import { LOOPBACK_DESTINATIONS } from './destination-guard';
import { createEnvPolicy } from './env-policy';
import type { FetchLike } from './keep-alive-fetch';
import {
  callWebhook,
  createWebhookFetch,
  describeFetchError,
  preconnectWebhook,
  prepareWebhook,
  REQUEST_NOT_MADE_STATUS,
  sendWebhook,
  type SendWebhookRequest,
} from './send-webhook';

/** What the test webhook saw of one request. */
interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A real webhook receiver on 127.0.0.1 with an ephemeral port; `handler` answers after the request body is read. */
async function startServer(handler: Handler): Promise<{ origin: string; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () => {
      // Stalled handlers never end their responses: drop their sockets so the server can close.
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A port nothing listens on: bind one, then free it. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const BODY: WebhookBody = {
  id: 'evt-1',
  scheduled_time: '2025-06-01T12:00:00.000Z',
  payload: { foo: 'baz' },
  comment: 'test scheduled event',
  created_at: '2025-06-01T11:59:58.123Z',
};
const USER_AGENT = 'scheduled-events/0.1.0';

function request(webhook: string, overrides: Partial<SendWebhookRequest> = {}): SendWebhookRequest {
  return {
    eventId: 'evt-1',
    invocationId: 'inv-1',
    attempt: 1,
    webhook,
    headers: [{ name: 'header-key', value: 'header-value' }],
    body: BODY,
    timeoutSeconds: 5,
    ...overrides,
  };
}

/** Receivers here are on 127.0.0.1, which the default client refuses (the SSRF guard). */
const loopbackFetch = createWebhookFetch(LOOPBACK_DESTINATIONS);
/** An operator's WEBHOOK_ENV_ALLOW that names the credential-like variables these tests read. */
const envPolicy = (() => {
  const built = createEnvPolicy('*,API_TOKEN,KEY');
  if (!built.ok) throw new Error(built.problems.join());
  return built.policy;
})();
const deps = (env: Record<string, string> = {}) => ({ env, envPolicy, userAgent: USER_AGENT, fetch: loopbackFetch });

let servers: { close: () => void }[] = [];
async function serve(handler: Handler) {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}
afterEach(() => {
  servers.forEach((server) => server.close());
  servers = [];
});

describe('sendWebhook against a real server', () => {
  it('records a 2xx with its status, headers and body, and sends the documented request', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Reply': 'yes' });
      res.end('{"ok":true}');
    });
    const record = await sendWebhook(request(`${server.origin}/test`), deps());

    expect(record).toMatchObject({
      id: 'inv-1',
      eventId: 'evt-1',
      attempt: 1,
      success: true,
      status: 200,
      retryAfterSeconds: null,
      response: { type: 'webhook_response', status: 200, body: '{"ok":true}', bodyTruncated: false },
    });
    expect(record.response.type === 'webhook_response' && record.response.headers).toEqual(
      expect.arrayContaining([
        { name: 'x-reply', value: 'yes' },
        { name: 'content-type', value: 'application/json' },
      ]),
    );
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(record.createdAt)).not.toBeNaN();

    const [received] = server.received;
    expect(server.received).toHaveLength(1);
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/test');
    expect(received?.headers).toMatchObject({
      'header-key': 'header-value',
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'idempotency-key': 'evt-1',
    });
    expect(JSON.parse(received?.body ?? '')).toEqual(BODY);
    expect(record.request.body).toEqual(BODY);
  });

  it('records a 204 with an empty body as delivered', async () => {
    const server = await serve((_req, res) => res.writeHead(204).end());
    const record = await sendWebhook(request(server.origin), deps());
    expect(record).toMatchObject({ success: true, status: 204, response: { type: 'webhook_response', body: '' } });
  });

  it('records a 500 with its body as the message', async () => {
    const server = await serve((_req, res) => res.writeHead(500).end('database on fire'));
    const record = await sendWebhook(request(`${server.origin}/fail`), deps());
    expect(record).toMatchObject({
      success: false,
      status: 500,
      retryAfterSeconds: null,
      response: { type: 'client_error', message: 'database on fire', bodyTruncated: false },
    });
  });

  it('records a status outside 100-599 as the receiver sent it, as a failure', async () => {
    const server = await serve((_req, res) => res.writeHead(799).end('odd'));
    const record = await sendWebhook(request(server.origin), deps());
    expect(record).toMatchObject({ success: false, status: 799, response: { message: 'odd' } });
  });

  it('does not follow a redirect and names the Location', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { Location: '/elsewhere' }).end();
      else res.writeHead(200).end('should not be reached');
    });
    const record = await sendWebhook(request(`${server.origin}/moved`), deps());
    expect(record).toMatchObject({
      success: false,
      status: 302,
      response: { type: 'client_error', message: 'redirect not followed: HTTP 302 to /elsewhere' },
    });
    expect(server.received.map((r) => r.url)).toEqual(['/moved']);
  });

  it('reads Retry-After as delta-seconds', async () => {
    const server = await serve((_req, res) => res.writeHead(503, { 'Retry-After': '7' }).end('busy'));
    const record = await sendWebhook(request(server.origin), deps());
    expect(record).toMatchObject({ success: false, status: 503, retryAfterSeconds: 7 });
  });

  it('reads Retry-After as an HTTP-date, against the injected clock', async () => {
    const now = Date.parse('2025-06-01T12:00:00.000Z');
    const server = await serve((_req, res) =>
      res.writeHead(429, { 'Retry-After': 'Sun, 01 Jun 2025 12:02:00 GMT' }).end(),
    );
    const record = await sendWebhook(request(server.origin), { ...deps(), now: () => now });
    expect(record).toMatchObject({ status: 429, retryAfterSeconds: 120, createdAt: '2025-06-01T12:00:00.000Z' });
  });

  it('ignores an invalid Retry-After', async () => {
    const server = await serve((_req, res) => res.writeHead(503, { 'Retry-After': 'soon' }).end());
    const record = await sendWebhook(request(server.origin), deps());
    expect(record.retryAfterSeconds).toBeNull();
  });

  it('times out when the server never answers', async () => {
    const server = await serve(() => undefined);
    const record = await sendWebhook(request(server.origin, { timeoutSeconds: 0.3 }), deps());
    expect(record).toMatchObject({
      success: false,
      status: null,
      response: { type: 'client_error', message: 'timeout after 0.3 s' },
    });
    expect(record.durationMs).toBeGreaterThanOrEqual(290);
    expect(record.durationMs).toBeLessThan(3000);
  });

  it('times out when the server sends headers and then stalls the body (the timeout covers the body)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
    });
    const record = await sendWebhook(request(server.origin, { timeoutSeconds: 0.3 }), deps());
    expect(record).toMatchObject({
      success: false,
      status: null,
      response: { type: 'client_error', message: 'timeout after 0.3 s while reading the response body (HTTP 200)' },
    });
    expect(record.durationMs).toBeLessThan(3000);
  });

  it('records a connection broken off in the middle of the body without a status', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
      res.write('only part of it');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const record = await sendWebhook(request(server.origin, { timeoutSeconds: 5 }), deps());
    expect(record).toMatchObject({ success: false, status: null });
    expect(record.response).toMatchObject({
      type: 'client_error',
      message: 'aborted while reading the response body (HTTP 200)',
    });
    expect(record.durationMs).toBeLessThan(3000);
  });

  it('records a refused connection with the socket error', async () => {
    const port = await closedPort();
    const record = await sendWebhook(request(`http://127.0.0.1:${port}/x`), deps());
    expect(record).toMatchObject({
      success: false,
      status: null,
      response: { type: 'client_error', message: `connect ECONNREFUSED 127.0.0.1:${port}` },
    });
  });

  it('keeps 64 KiB of a huge body, marks it truncated and stops reading an endless one', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      // Never ends: only a reader that stops at the cap can finish before the timeout.
      const pump = () => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      pump();
    });
    const record = await sendWebhook(request(server.origin, { timeoutSeconds: 5 }), deps());
    expect(record.success).toBe(true);
    expect(record.response).toMatchObject({ type: 'webhook_response', bodyTruncated: true });
    expect(record.response.type === 'webhook_response' && record.response.body.length).toBe(
      MAX_STORED_RESPONSE_BODY_BYTES,
    );
    expect(record.durationMs).toBeLessThan(4000);
  });

  it('keeps a failed response body up to the cap too', async () => {
    const server = await serve((_req, res) => res.writeHead(500).end('e'.repeat(MAX_STORED_RESPONSE_BODY_BYTES + 10)));
    const record = await sendWebhook(request(server.origin), deps());
    expect(record.response).toMatchObject({ type: 'client_error', bodyTruncated: true });
    expect(record.response.type === 'client_error' && record.response.message.length).toBe(
      MAX_STORED_RESPONSE_BODY_BYTES,
    );
  });

  it('does not mark a body of exactly the cap as truncated', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('y'.repeat(MAX_STORED_RESPONSE_BODY_BYTES)));
    const record = await sendWebhook(request(server.origin), deps());
    expect(record.response).toMatchObject({ type: 'webhook_response', bodyTruncated: false });
  });

  it('lets our headers override configured ones of the same name, and logs what was sent', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const record = await sendWebhook(
      request(server.origin, {
        headers: [
          { name: 'content-type', value: 'text/plain' },
          { name: 'USER-AGENT', value: 'curl/8' },
          { name: 'idempotency-key', value: 'mine' },
          { name: 'Webhook-Signature', value: 'v1,forged' },
          { name: 'X-Custom', value: 'kept' },
        ],
      }),
      deps(),
    );
    expect(server.received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'idempotency-key': 'evt-1',
      'webhook-id': 'evt-1',
      'webhook-timestamp': expect.stringMatching(/^\d+$/),
      'x-custom': 'kept',
    });
    // Unsigned (no keys): a configured signature is not passed on.
    expect(server.received[0]?.headers['webhook-signature']).toBeUndefined();
    expect(record.request.headers).toEqual([
      { name: 'X-Custom', value: 'kept' },
      { name: 'Content-Type', value: 'application/json' },
      { name: 'User-Agent', value: USER_AGENT },
      { name: 'Idempotency-Key', value: 'evt-1' },
      { name: 'webhook-id', value: 'evt-1' },
      { name: 'webhook-timestamp', value: server.received[0]?.headers['webhook-timestamp'] },
    ]);
  });

  it('joins headers configured twice as fetch would, and leaves the prepared request as it was for the next call', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const prepared = prepareWebhook(
      request(server.origin, {
        headers: [
          { name: 'X-Tag', value: 'a' },
          { name: 'x-tag', value: ' b ' },
        ],
      }),
      deps(),
    );
    const before = prepared.send.kind === 'ready' ? { ...prepared.send.headers } : undefined;
    expect(before).toMatchObject({ 'x-tag': 'a, b' });
    await callWebhook(prepared, deps());
    await callWebhook(prepared, deps());
    expect(server.received.map((received) => received.headers['x-tag'])).toEqual(['a, b', 'a, b']);
    expect(server.received[1]?.headers['webhook-timestamp']).toMatch(/^\d+$/);
    // The stamp is the call's own, never written into what was prepared.
    expect(prepared.send.kind === 'ready' && prepared.send.headers).toEqual(before);
  });

  it('signs the body exactly as sent, with every key, and records the stamp and signature it sent', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const keys = [Buffer.alloc(32, 1), Buffer.alloc(24, 2)];
    // Characters that take several bytes, and one JSON leaves unescaped: the signature covers the UTF-8 sent.
    const body = { ...BODY, payload: { text: 'é 😀 \u2028 ✓' } };
    const record = await sendWebhook(request(server.origin, { body }), {
      ...deps(),
      signingKeys: keys,
      now: () => 1_700_000_000_999,
    });
    const received = server.received[0]!;
    expect(received.headers['webhook-timestamp']).toBe('1700000000');
    const expected = keys
      .map((key) => `v1,${createHmac('sha256', key).update(`evt-1.1700000000.${received.body}`).digest('base64')}`)
      .join(' ');
    expect(received.headers['webhook-signature']).toBe(expected);
    expect(record.request.headers.slice(-2)).toEqual([
      { name: 'webhook-timestamp', value: '1700000000' },
      { name: 'webhook-signature', value: expected },
    ]);
  });

  it('signs ahead for the second an attempt is due in, and again when the call falls in another second', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const keys = [Buffer.alloc(32, 1)];
    const notBefore = new Date(1_700_000_000_500).toISOString();
    for (const nowMs of [1_700_000_000_900, 1_700_000_001_200]) {
      await sendWebhook(request(server.origin, { notBefore }), { ...deps(), signingKeys: keys, now: () => nowMs });
    }
    for (const [i, seconds] of [1_700_000_000, 1_700_000_001].entries()) {
      const received = server.received[i]!;
      expect(received.headers['webhook-timestamp']).toBe(String(seconds));
      const mac = createHmac('sha256', keys[0]!).update(`evt-1.${seconds}.${received.body}`).digest('base64');
      expect(received.headers['webhook-signature']).toBe(`v1,${mac}`);
    }
  });

  it('sends env header values but logs only the reference', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const record = await sendWebhook(
      request(server.origin, { headers: [{ name: 'Authorization', valueFromEnv: 'API_TOKEN' }] }),
      deps({ API_TOKEN: 'Bearer s3cret' }),
    );
    expect(server.received[0]?.headers.authorization).toBe('Bearer s3cret');
    expect(record.request.headers[0]).toEqual({ name: 'Authorization', valueFromEnv: 'API_TOKEN' });
    expect(JSON.stringify(record)).not.toContain('s3cret');
  });

  it('makes no request and records a 500 naming the variable when an env header is unset', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const record = await sendWebhook(
      request(server.origin, { headers: [{ name: 'Authorization', valueFromEnv: 'API_TOKEN' }] }),
      deps(),
    );
    expect(record).toMatchObject({
      success: false,
      status: REQUEST_NOT_MADE_STATUS,
      retryAfterSeconds: null,
      response: {
        type: 'client_error',
        message: 'Error creating the request. The value for environment variables not found: API_TOKEN',
      },
    });
    expect(record.request.headers[0]).toEqual({ name: 'Authorization', valueFromEnv: 'API_TOKEN' });
    expect(server.received).toHaveLength(0);
  });

  it('refuses, without calling, a framing header stored before the API refused them, and marks it final', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const record = await sendWebhook(
      request(server.origin, { headers: [{ name: 'Transfer-Encoding', value: 'chunked' }] }),
      deps(),
    );
    expect(record).toMatchObject({ success: false, status: REQUEST_NOT_MADE_STATUS, refused: true });
    expect(server.received).toHaveLength(0);
  });

  it('refuses, without reading it, an env name the policy forbids, and marks it final', async () => {
    const record = await sendWebhook(request('{{ADMIN_SECRET}}/x'), deps({ ADMIN_SECRET: 'the-admin-secret' }));
    expect(record).toMatchObject({ success: false, status: REQUEST_NOT_MADE_STATUS, refused: true });
    expect(JSON.stringify(record)).toMatch(/service's own settings/);
    expect(JSON.stringify(record)).not.toContain('the-admin-secret');
  });

  it('resolves a webhook template from the injected env', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const record = await sendWebhook(request('{{WEBHOOK_DOMAIN}}/test'), deps({ WEBHOOK_DOMAIN: server.origin }));
    expect(record.success).toBe(true);
    expect(server.received[0]?.url).toBe('/test');
  });

  it('makes no request and names every unset variable, template and header alike', async () => {
    const record = await sendWebhook(
      request('{{WEBHOOK_DOMAIN}}/test', { headers: [{ name: 'X-Key', valueFromEnv: 'KEY' }] }),
      deps(),
    );
    expect(record).toMatchObject({
      status: 500,
      response: {
        message: 'Error creating the request. The value for environment variables not found: WEBHOOK_DOMAIN, KEY',
      },
    });
  });

  it('makes no request for a resolved URL that is not http(s), without logging the resolved value', async () => {
    const bad = await sendWebhook(request('{{HOST}}/x'), deps({ HOST: 'not-a-url-s3cret' }));
    expect(bad).toMatchObject({
      status: 500,
      response: {
        message:
          'Error creating the request. Invalid webhook URL "{{HOST}}/x" after resolving templates: not an absolute URL',
      },
    });
    expect(JSON.stringify(bad)).not.toContain('s3cret');
    const ftp = await sendWebhook(request('ftp://127.0.0.1/x'), deps());
    expect(ftp.response).toMatchObject({ message: expect.stringContaining('unsupported scheme "ftp:"') });
  });

  it('makes no request for a header value with a line break, without quoting it', async () => {
    const record = await sendWebhook(
      request('http://127.0.0.1:1/x', { headers: [{ name: 'X-Key', valueFromEnv: 'KEY' }] }),
      deps({ KEY: 'a\r\nInjected: s3cret' }),
    );
    expect(record).toMatchObject({ status: 500, response: { message: expect.stringContaining('header "X-Key"') } });
    expect(JSON.stringify(record)).not.toContain('s3cret');
  });

  it('sends the body in Hasura shape: comment omitted when unset, payload null when unset', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const bare = { id: 'evt-2', scheduled_time: BODY.scheduled_time, payload: null, created_at: BODY.created_at };
    await sendWebhook(request(server.origin, { body: bare }), deps());
    // A null comment can arrive at run time from untyped callers; it is omitted the same way.
    const withNullComment = { ...bare, comment: null } as unknown as WebhookBody;
    const record = await sendWebhook(request(server.origin, { body: withNullComment }), deps());
    for (const received of server.received) {
      const sent = JSON.parse(received.body);
      expect(sent).toEqual({
        id: 'evt-2',
        scheduled_time: BODY.scheduled_time,
        payload: null,
        created_at: BODY.created_at,
      });
      expect(Object.keys(sent)).toContain('payload');
      expect(Object.keys(sent)).not.toContain('comment');
    }
    expect(record.request.body).not.toHaveProperty('comment');
  });

  it('stops when the caller aborts, saying so', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('activity cancelled')), 100);
    const record = await sendWebhook(request(server.origin, { signal: controller.signal }), deps());
    expect(record).toMatchObject({
      status: null,
      response: { message: 'request aborted: activity cancelled' },
    });
  });

  it("goes on when the caller's abort is one it says does not stop the call", async () => {
    const server = await serve((_req, res) => setTimeout(() => res.writeHead(200).end('late'), 200));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancel requested')), 50);
    let asked = 0;
    const stops = (): boolean => (asked++, false);
    const stop = callStopOn(controller.signal, stops);
    const record = await callWebhook(prepareWebhook(request(server.origin), deps()), deps(), stop);
    expect(record).toMatchObject({ success: true, status: 200 });
    expect(asked).toBe(1);
  });

  it('says the caller stopped it when the caller had already aborted, and sends nothing', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const record = await sendWebhook(
      request(server.origin, { signal: AbortSignal.abort(new Error('activity cancelled')) }),
      deps(),
    );
    expect(record).toMatchObject({ status: null, response: { message: 'request aborted: activity cancelled' } });
    expect(server.received).toHaveLength(0);
  });

  it('reuses the connection across attempts (keep-alive)', async () => {
    const sockets = new Set<unknown>();
    const server = await serve((req, res) => {
      sockets.add(req.socket);
      res.writeHead(200).end('ok');
    });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await sendWebhook(request(server.origin, { attempt }), deps());
      // Attempts are seconds apart in practice; this lets undici return the socket to its pool first.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.received).toHaveLength(3);
    expect(sockets.size).toBe(1);
  });
});

describe('sendWebhook with a fake fetch', () => {
  it('passes method, JSON body, manual redirects and a signal', async () => {
    const fakeFetch = jest.fn<Promise<Response>, Parameters<typeof fetch>>(() => Promise.resolve(new Response('ok')));
    await sendWebhook(request('https://example.com/hook'), { ...deps(), fetch: fakeFetch });
    const [url, init] = fakeFetch.mock.calls[0] ?? [];
    expect(url).toBe('https://example.com/hook');
    expect(init).toMatchObject({ method: 'POST', redirect: 'manual', body: JSON.stringify(BODY) });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('reports every address of a failed multi-address connect', async () => {
    const cause = new AggregateError(
      [new Error('connect ECONNREFUSED ::1:9'), new Error('connect ECONNREFUSED 127.0.0.1:9')],
      '',
    );
    const fakeFetch = (): Promise<Response> => Promise.reject(new TypeError('fetch failed', { cause }));
    const record = await sendWebhook(request('http://localhost:9/x'), { ...deps(), fetch: fakeFetch });
    expect(record).toMatchObject({
      status: null,
      response: { message: 'connect ECONNREFUSED ::1:9; connect ECONNREFUSED 127.0.0.1:9' },
    });
  });

  it('records a body-read failure without a status', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('half'));
        controller.error(new Error('other side closed'));
      },
    });
    const record = await sendWebhook(request('https://example.com'), {
      ...deps(),
      fetch: () => Promise.resolve(new Response(stream, { status: 200 })),
    });
    expect(record).toMatchObject({
      success: false,
      status: null,
      response: { message: 'other side closed while reading the response body (HTTP 200)' },
    });
  });

  it('drops a multi-byte character cut by the cap instead of storing a broken one', async () => {
    const body = 'a'.repeat(MAX_STORED_RESPONSE_BODY_BYTES - 1) + '€';
    const record = await sendWebhook(request('https://example.com'), {
      ...deps(),
      fetch: () => Promise.resolve(new Response(body, { status: 200 })),
    });
    expect(record.response).toMatchObject({
      body: 'a'.repeat(MAX_STORED_RESPONSE_BODY_BYTES - 1),
      bodyTruncated: true,
    });
  });

  it('drops a multi-byte character cut by the cap in a node:http response too', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('a'.repeat(MAX_STORED_RESPONSE_BODY_BYTES - 1) + '€ and more');
    });
    const record = await sendWebhook(request(server.origin), deps());
    expect(record.response).toMatchObject({
      body: 'a'.repeat(MAX_STORED_RESPONSE_BODY_BYTES - 1),
      bodyTruncated: true,
    });
  });

  it('records a node stream closed before its end, without an error, as a body-read failure', async () => {
    const stream = new PassThrough();
    stream.write('half');
    setTimeout(() => stream.destroy(), 20);
    const record = await sendWebhook(request('https://example.com'), {
      ...deps(),
      fetch: () => Promise.resolve({ status: 200, headers: new Headers(), body: stream }),
    });
    expect(record).toMatchObject({
      success: false,
      status: null,
      response: {
        message: 'the connection closed before the body ended while reading the response body (HTTP 200)',
      },
    });
  });

  it('throws only for a caller bug: a non-positive timeout', async () => {
    await expect(sendWebhook(request('https://example.com', { timeoutSeconds: 0 }), deps())).rejects.toThrow(
      RangeError,
    );
  });
});

describe('preconnectWebhook', () => {
  /** A client that only notes the calls announced to it. */
  function announcing(): { fetch: FetchLike; announced: string[] } {
    const announced: string[] = [];
    const fetch: FetchLike = Object.assign(() => Promise.reject(new Error('no call expected')), {
      preconnect: (url: string) => void announced.push(url),
    });
    return { fetch, announced };
  }

  it('announces the resolved URL to the client', () => {
    const { fetch, announced } = announcing();
    const env = { BASE: 'https://example.com' };
    preconnectWebhook(prepareWebhook(request('{{BASE}}/hook'), deps(env)), Date.now() + 500, { ...deps(env), fetch });
    expect(announced).toEqual(['https://example.com/hook']);
  });

  it('announces nothing when a variable is unset or the URL is not http(s): the attempt reports it', () => {
    const { fetch, announced } = announcing();
    for (const env of [{}, { BASE: 'ftp://example.com' }] as Record<string, string>[]) {
      preconnectWebhook(prepareWebhook(request('{{BASE}}/hook'), deps(env)), Date.now() + 500, { ...deps(env), fetch });
    }
    expect(announced).toEqual([]);
  });

  it('does nothing with a client that cannot open connections ahead', () => {
    const fetch: FetchLike = () => Promise.reject(new Error('no call expected'));
    const prepared = prepareWebhook(request('https://example.com/'), deps());
    expect(() => preconnectWebhook(prepared, Date.now() + 500, { ...deps(), fetch })).not.toThrow();
  });
});

describe('prepareWebhook, then callWebhook', () => {
  it("reads the env when preparing and sends what was prepared, with the call's own start time", async () => {
    const server = await serve((_req, res) => res.writeHead(204).end());
    const env: Record<string, string> = { BASE: server.origin, KEY: 'k1' };
    const prepared = prepareWebhook(
      request('{{BASE}}/hook', { headers: [{ name: 'X-Key', valueFromEnv: 'KEY' }] }),
      deps(env),
    );
    expect(server.received).toHaveLength(0);
    env.BASE = 'http://127.0.0.1:1';
    env.KEY = 'k2';
    const record = await callWebhook(prepared, { ...deps(), now: () => Date.parse('2030-01-01T00:00:00Z') });
    expect(record).toMatchObject({ success: true, status: 204, createdAt: '2030-01-01T00:00:00.000Z' });
    expect(server.received[0]).toMatchObject({ url: '/hook', headers: { 'x-key': 'k1' }, body: JSON.stringify(BODY) });
    expect(record.request.headers[0]).toEqual({ name: 'X-Key', valueFromEnv: 'KEY' });
  });

  it('records at the call what kept the request from being made when it was prepared', async () => {
    const prepared = prepareWebhook(request('{{BASE}}/hook'), deps());
    expect(prepared.send).toEqual({
      kind: 'notMade',
      reason: 'Error creating the request. The value for environment variables not found: BASE',
    });
    const record = await callWebhook(prepared, deps());
    expect(record).toMatchObject({
      success: false,
      status: REQUEST_NOT_MADE_STATUS,
      response: {
        message: 'Error creating the request. The value for environment variables not found: BASE',
      },
    });
  });
});

describe('describeFetchError', () => {
  it('unwraps undici causes', () => {
    const error = new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND nowhere.invalid') });
    expect(describeFetchError(error)).toBe('getaddrinfo ENOTFOUND nowhere.invalid');
    expect(describeFetchError('plain')).toBe('plain');
  });
});
