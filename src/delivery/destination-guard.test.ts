/**
 * The SSRF guard where connections are made. Every resolver here is a fake: no test asks real DNS. Fakes that answer
 * with a public address are only handed to `guardedLookup` itself, never to a client that would connect; the clients
 * below connect only to a receiver on 127.0.0.1.
 */
import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookBody } from '../shared/event';
import { guardedLookup, literalRefusal, LOOPBACK_DESTINATIONS, type LookupLike } from './destination-guard';
import { type DestinationAllowList, NO_ALLOWED_DESTINATIONS, parseDestinationAllowList } from './destinations';
import { createEnvPolicy } from './env-policy';
import { DESTINATION_REFUSED_CODE, DestinationRefusedError } from './errors';
import { createKeepAliveFetch, type FetchLike, type WebhookResponse } from './keep-alive-fetch';
import { REDACTED } from './redact';
import { createWebhookFetch, REQUEST_NOT_MADE_STATUS, sendWebhook, type SendWebhookRequest } from './send-webhook';

// --- Helpers ---------------------------------------------------------------------------------------------------------

/** Documentation-free public addresses (never connected to: only `guardedLookup` sees them). */
const PUBLIC_V4 = '93.184.215.14';
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c';

function allowList(text: string): DestinationAllowList {
  const parsed = parseDestinationAllowList(text);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.list;
}

const family = (address: string): number => (address.includes(':') ? 6 : 4);

/** A resolver that answers every name with `addresses` (or with what `answers` says for each call in turn). */
function fakeResolver(...answers: string[][]): LookupLike & { calls: { hostname: string; all: unknown }[] } {
  const calls: { hostname: string; all: unknown }[] = [];
  const resolve = (
    hostname: string,
    options: dns.LookupAllOptions,
    callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
  ): void => {
    const answer = answers[Math.min(calls.length, answers.length - 1)] ?? [];
    calls.push({ hostname, all: options.all });
    // Asynchronous, as dns.lookup is.
    setImmediate(() =>
      callback(
        null,
        answer.map((address) => ({ address, family: family(address) })),
      ),
    );
  };
  return Object.assign(resolve, { calls });
}

/** A resolver for names on this machine only: `names` resolve to 127.0.0.1, anything else is not found. */
function loopbackResolver(...names: string[]): LookupLike & { asked: string[] } {
  const asked: string[] = [];
  const resolve: LookupLike = (hostname, _options, callback) => {
    asked.push(hostname);
    setImmediate(() => {
      if (names.includes(hostname)) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    });
  };
  return Object.assign(resolve, { asked });
}

interface LookupOutcome {
  error: NodeJS.ErrnoException | null;
  address: string | dns.LookupAddress[];
  family?: number;
}

/** Runs a lookup as net.connect would (with `all` or without), collecting what it answers. */
function runLookup(
  list: DestinationAllowList,
  resolver: LookupLike,
  hostname: string,
  all: boolean,
  lookup = guardedLookup({ allowedDestinations: list, lookup: resolver }),
): Promise<LookupOutcome> {
  return new Promise((resolve) => {
    const options = (all ? { all: true } : {}) as dns.LookupOptions;
    // net.LookupFunction's callback is typed for the single form; the guard answers in both.
    (lookup as (h: string, o: dns.LookupOptions, cb: (...args: unknown[]) => void) => void)(
      hostname,
      options,
      (error, address, fam) =>
        resolve({
          error: error as NodeJS.ErrnoException | null,
          address: address as LookupOutcome['address'],
          family: fam as number,
        }),
    );
  });
}

function expectRefused(outcome: LookupOutcome, address: string): void {
  expect(outcome.error).toBeInstanceOf(DestinationRefusedError);
  expect(outcome.error).toMatchObject({ code: DESTINATION_REFUSED_CODE, name: 'DestinationRefusedError' });
  // A resolved address is not named: the record would map internal DNS for whoever reads invocations.
  expect(outcome.error?.message).toMatch(/^destination refused: the host resolves to an address that is not a public/);
  expect(outcome.error?.message).not.toContain(address);
  // The refused address is never handed on for a connection.
  expect(outcome.address).toBe('');
  expect(JSON.stringify(outcome.address)).not.toContain(address);
}

// --- guardedLookup ---------------------------------------------------------------------------------------------------

describe('guardedLookup', () => {
  it.each([
    ['127.0.0.1', 'loopback address'],
    ['10.0.0.1', 'private network address (RFC 1918)'],
    ['::1', 'loopback address'],
    ['::ffff:169.254.169.254', 'link-local address (cloud metadata and fe80::/10)'],
  ])('refuses a name that resolves to %s (%s), in both lookup forms', async (address, reason) => {
    for (const all of [true, false]) {
      const outcome = await runLookup(NO_ALLOWED_DESTINATIONS, fakeResolver([address]), 'evil.example', all);
      expectRefused(outcome, address);
      expect(outcome.error?.message).toContain(`(${reason}`);
      expect(outcome.error?.message).toContain('WEBHOOK_ALLOWED_DESTINATIONS');
    }
  });

  it('asks the resolver for every address, whatever form it was asked in', async () => {
    const resolver = fakeResolver([PUBLIC_V4]);
    await runLookup(NO_ALLOWED_DESTINATIONS, resolver, 'one.example', false);
    await runLookup(NO_ALLOWED_DESTINATIONS, resolver, 'two.example', true);
    expect(resolver.calls).toEqual([
      { hostname: 'one.example', all: true },
      { hostname: 'two.example', all: true },
    ]);
  });

  it('refuses a whole answer that mixes public and private addresses, whichever comes first', async () => {
    for (const answer of [
      [PUBLIC_V4, '10.0.0.1'],
      ['192.168.1.1', PUBLIC_V4],
      [PUBLIC_V6, '::1'],
      [PUBLIC_V4, PUBLIC_V6, 'fd00::1'],
    ]) {
      for (const all of [true, false]) {
        const outcome = await runLookup(NO_ALLOWED_DESTINATIONS, fakeResolver(answer), 'mixed.example', all);
        expect(outcome.error).toBeInstanceOf(DestinationRefusedError);
        expect(outcome.address).toBe('');
      }
    }
  });

  it('passes a public answer on: every address with all: true, the first one without', async () => {
    const resolver = fakeResolver([PUBLIC_V4, PUBLIC_V6]);
    const all = await runLookup(NO_ALLOWED_DESTINATIONS, resolver, 'public.example', true);
    expect(all.error).toBeNull();
    expect(all.address).toEqual([
      { address: PUBLIC_V4, family: 4 },
      { address: PUBLIC_V6, family: 6 },
    ]);

    const single = await runLookup(NO_ALLOWED_DESTINATIONS, fakeResolver([PUBLIC_V6, PUBLIC_V4]), 'v6.example', false);
    expect(single).toEqual({ error: null, address: PUBLIC_V6, family: 6 });
  });

  it('allows a private address when the allow-list has its CIDR', async () => {
    const list = allowList('10.0.0.0/8, fd00::/8');
    for (const address of ['10.0.0.1', '10.255.0.7', 'fd00::5', '::ffff:10.0.0.9']) {
      const outcome = await runLookup(list, fakeResolver([address]), 'internal.example', false);
      expect(outcome).toEqual({ error: null, address, family: family(address) });
    }
    // Outside the listed CIDRs: still refused.
    expectRefused(await runLookup(list, fakeResolver(['192.168.0.1']), 'internal.example', true), '192.168.0.1');
    expectRefused(await runLookup(list, fakeResolver(['127.0.0.1']), 'internal.example', true), '127.0.0.1');
  });

  it('allows a private address when the allow-list has the host name (or a glob over it)', async () => {
    const list = allowList('receiver.internal, *.svc.cluster.local');
    const answer = ['10.0.0.1', '127.0.0.1'];
    for (const host of ['receiver.internal', 'RECEIVER.internal.', 'hook.ns.svc.cluster.local']) {
      const outcome = await runLookup(list, fakeResolver(answer), host, true);
      expect(outcome.error).toBeNull();
      expect(outcome.address).toEqual([
        { address: '10.0.0.1', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
    }
    for (const host of ['other.internal', 'svc.cluster.local', 'receiver.internal.evil.example']) {
      expect((await runLookup(list, fakeResolver(answer), host, true)).error).toBeInstanceOf(DestinationRefusedError);
    }
  });

  it('refuses the second lookup of a rebinding name (first public, then private)', async () => {
    const resolver = fakeResolver([PUBLIC_V4], ['127.0.0.1']);
    const lookup = guardedLookup({ allowedDestinations: NO_ALLOWED_DESTINATIONS, lookup: resolver });
    const first = await runLookup(NO_ALLOWED_DESTINATIONS, resolver, 'rebind.example', false, lookup);
    expect(first).toEqual({ error: null, address: PUBLIC_V4, family: 4 });
    const second = await runLookup(NO_ALLOWED_DESTINATIONS, resolver, 'rebind.example', false, lookup);
    expectRefused(second, '127.0.0.1');
    expect(resolver.calls).toHaveLength(2);
  });

  it('passes the resolver error on, and answers ENOTFOUND for an empty answer', async () => {
    const failing: LookupLike = (_hostname, _options, callback) =>
      callback(Object.assign(new Error('getaddrinfo EAI_AGAIN x.example'), { code: 'EAI_AGAIN' }), []);
    const failed = await runLookup(NO_ALLOWED_DESTINATIONS, failing, 'x.example', true);
    expect(failed.error).toMatchObject({ code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN x.example' });
    expect(failed.address).toBe('');

    const empty = await runLookup(NO_ALLOWED_DESTINATIONS, fakeResolver([]), 'empty.example', false);
    expect(empty.error).toMatchObject({ code: 'ENOTFOUND' });
    expect(empty.address).toBe('');
  });

  it('refuses an answer that is not an IP address, even for an allowed host name', async () => {
    const outcome = await runLookup(allowList('odd.example'), fakeResolver(['not-an-ip']), 'odd.example', true);
    expect(outcome.error).toBeInstanceOf(DestinationRefusedError);
    expect(outcome.error?.message).toContain('not an IP address');
  });
});

// --- literalRefusal --------------------------------------------------------------------------------------------------

describe('literalRefusal', () => {
  it.each([
    'http://127.0.0.1/x',
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://0/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'https://192.168.1.1:8443/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'http://100.64.0.1/',
  ])('refuses %s', (url) => {
    const refusal = literalRefusal(NO_ALLOWED_DESTINATIONS, new URL(url));
    expect(refusal).toBeInstanceOf(DestinationRefusedError);
    expect(refusal?.code).toBe(DESTINATION_REFUSED_CODE);
    expect(refusal?.message).toMatch(/^destination refused: \S+ is not a public address \(/);
  });

  it('leaves host names to the lookup, even localhost', () => {
    for (const url of ['http://localhost/', 'http://example.com/', 'http://127.0.0.1.nip.io/']) {
      expect(literalRefusal(NO_ALLOWED_DESTINATIONS, new URL(url))).toBeNull();
    }
  });

  it('allows public literals, and private ones the allow-list has', () => {
    expect(literalRefusal(NO_ALLOWED_DESTINATIONS, new URL(`http://${PUBLIC_V4}/`))).toBeNull();
    expect(literalRefusal(NO_ALLOWED_DESTINATIONS, new URL(`http://[${PUBLIC_V6}]/`))).toBeNull();
    expect(literalRefusal(LOOPBACK_DESTINATIONS, new URL('http://127.0.0.1:8080/'))).toBeNull();
    expect(literalRefusal(LOOPBACK_DESTINATIONS, new URL('http://[::1]/'))).toBeNull();
    expect(literalRefusal(LOOPBACK_DESTINATIONS, new URL('http://[::ffff:127.0.0.1]/'))).toBeNull();
    expect(literalRefusal(LOOPBACK_DESTINATIONS, new URL('http://10.0.0.1/'))).toBeInstanceOf(DestinationRefusedError);
  });
});

// --- The real client, a real receiver on 127.0.0.1, an injected resolver -------------------------------------------

interface Receiver {
  port: number;
  /** Requests the receiver got, with their headers. */
  requests: { url: string; headers: http.IncomingHttpHeaders }[];
  /** Connections it accepted. */
  connections: () => number;
}

let closers: (() => void)[] = [];
afterEach(() => {
  closers.forEach((close) => close());
  closers = [];
});

async function startReceiver(): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers });
      res.end('ok');
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, requests, connections: () => connections };
}

async function text(response: WebhookResponse): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const post = (): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

/** Lets the event loop run long enough for a connection attempt to reach the receiver. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('createKeepAliveFetch with the guard', () => {
  it('refuses a host name that resolves to 127.0.0.1 when nothing is allowed: the receiver gets nothing', async () => {
    const receiver = await startReceiver();
    const resolver = loopbackResolver('receiver.test');
    const fetchLike = createKeepAliveFetch({
      maxSocketsPerHost: 4,
      allowedDestinations: NO_ALLOWED_DESTINATIONS,
      lookup: resolver,
    });

    const call = fetchLike(`http://receiver.test:${receiver.port}/hook`, post());
    await expect(call).rejects.toBeInstanceOf(DestinationRefusedError);
    await expect(call).rejects.toMatchObject({ code: DESTINATION_REFUSED_CODE });
    await settle();
    expect(resolver.asked).toEqual(['receiver.test']);
    expect(receiver.connections()).toBe(0);
    expect(receiver.requests).toEqual([]);
  });

  it("reaches the receiver through the same name when the allow-list is '127.0.0.0/8'", async () => {
    const receiver = await startReceiver();
    const fetchLike = createKeepAliveFetch({
      maxSocketsPerHost: 4,
      allowedDestinations: allowList('127.0.0.0/8'),
      lookup: loopbackResolver('receiver.test'),
    });

    const response = await fetchLike(`http://receiver.test:${receiver.port}/hook`, post());
    expect(response.status).toBe(200);
    expect(await text(response)).toBe('ok');
    expect(receiver.requests).toEqual([
      { url: '/hook', headers: expect.objectContaining({ host: `receiver.test:${receiver.port}` }) },
    ]);
  });

  it('refuses an IP literal before connecting, whatever the resolver says', async () => {
    const receiver = await startReceiver();
    const resolver = loopbackResolver();
    const fetchLike = createKeepAliveFetch({
      maxSocketsPerHost: 4,
      allowedDestinations: NO_ALLOWED_DESTINATIONS,
      lookup: resolver,
    });

    for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '2130706433']) {
      await expect(fetchLike(`http://${host}:${receiver.port}/hook`, post())).rejects.toMatchObject({
        code: DESTINATION_REFUSED_CODE,
      });
    }
    await settle();
    expect(resolver.asked).toEqual([]);
    expect(receiver.connections()).toBe(0);
  });

  it('opens no connection ahead for a refused destination (preconnect goes through the guard)', async () => {
    const receiver = await startReceiver();
    const fetchLike = createKeepAliveFetch({
      maxSocketsPerHost: 4,
      allowedDestinations: NO_ALLOWED_DESTINATIONS,
      lookup: loopbackResolver('receiver.test'),
    });

    const dueAt = Date.now() + 500;
    expect(() => fetchLike.preconnect?.(`http://receiver.test:${receiver.port}/hook`, dueAt)).not.toThrow();
    expect(() => fetchLike.preconnect?.(`http://127.0.0.1:${receiver.port}/hook`, dueAt)).not.toThrow();
    await settle();
    expect(receiver.connections()).toBe(0);
  });

  it('opens connections ahead for an allowed destination', async () => {
    const receiver = await startReceiver();
    const fetchLike = createKeepAliveFetch({
      maxSocketsPerHost: 4,
      allowedDestinations: allowList('receiver.test'),
      lookup: loopbackResolver('receiver.test'),
    });

    fetchLike.preconnect?.(`http://receiver.test:${receiver.port}/hook`, Date.now() + 500);
    await settle();
    expect(receiver.connections()).toBe(1);
    const response = await fetchLike(`http://receiver.test:${receiver.port}/hook`, post());
    expect(await text(response)).toBe('ok');
    expect(receiver.connections()).toBe(1);
  });

  it('does not let a name ride on a pooled connection another, allowed, name opened to the same address', async () => {
    const receiver = await startReceiver();
    const fetchLike = createKeepAliveFetch({
      maxSocketsPerHost: 4,
      allowedDestinations: allowList('receiver.test'),
      lookup: loopbackResolver('receiver.test', 'other.test'),
    });

    expect(await text(await fetchLike(`http://receiver.test:${receiver.port}/a`, post()))).toBe('ok');
    await expect(fetchLike(`http://other.test:${receiver.port}/b`, post())).rejects.toMatchObject({
      code: DESTINATION_REFUSED_CODE,
    });
    expect(receiver.requests.map((r) => r.url)).toEqual(['/a']);
  });
});

// --- sendWebhook over the guarded client -----------------------------------------------------------------------------

const BODY: WebhookBody = {
  id: 'evt-1',
  scheduled_time: '2025-06-01T12:00:00.000Z',
  payload: null,
  created_at: '2025-06-01T11:59:58.123Z',
};

function webhookRequest(webhook: string, overrides: Partial<SendWebhookRequest> = {}): SendWebhookRequest {
  return {
    eventId: 'evt-1',
    invocationId: 'inv-1',
    attempt: 1,
    webhook,
    headers: [],
    body: BODY,
    timeoutSeconds: 5,
    ...overrides,
  };
}

/** A client that fails the test if it is ever called. */
const unusedFetch: FetchLike = () => Promise.reject(new Error('the client must not be called'));

describe('sendWebhook with the guard', () => {
  it('records a refused destination as refused, with no status and a message naming the refusal', async () => {
    const receiver = await startReceiver();
    const fetch = createWebhookFetch(NO_ALLOWED_DESTINATIONS, loopbackResolver('receiver.test'));

    for (const webhook of [`http://receiver.test:${receiver.port}/hook`, `http://127.0.0.1:${receiver.port}/hook`]) {
      const record = await sendWebhook(webhookRequest(webhook), { env: {}, userAgent: 'test/1', fetch });
      expect(record).toMatchObject({ success: false, status: null, refused: true });
      expect(record.response).toMatchObject({ type: 'client_error' });
      expect(record.response.type === 'client_error' && record.response.message).toMatch(
        /^destination refused: (127\.0\.0\.1|the host resolves to an address that) is not a public address \(loopback address\)/,
      );
    }
    await settle();
    expect(receiver.connections()).toBe(0);
  });

  it('delivers to the same receiver when the allow-list has it, with no refused flag', async () => {
    const receiver = await startReceiver();
    const fetch = createWebhookFetch(allowList('127.0.0.0/8'), loopbackResolver('receiver.test'));
    const record = await sendWebhook(webhookRequest(`http://receiver.test:${receiver.port}/hook`), {
      env: {},
      userAgent: 'test/1',
      fetch,
    });
    expect(record).toMatchObject({ success: true, status: 200 });
    expect(record).not.toHaveProperty('refused');
    expect(receiver.requests).toHaveLength(1);
  });

  it('records an env name the policy refuses as refused, status 500, without calling the client', async () => {
    const env = { AWS_SECRET_ACCESS_KEY: 'aws-secret-value', WEBHOOK_BASE_URL: 'https://receiver.example' };
    for (const request of [
      webhookRequest('{{WEBHOOK_BASE_URL}}/hook', {
        headers: [{ name: 'X-Key', valueFromEnv: 'AWS_SECRET_ACCESS_KEY' }],
      }),
      webhookRequest('https://receiver.example/{{AWS_SECRET_ACCESS_KEY}}'),
      webhookRequest('https://receiver.example/{{ADMIN_SECRET}}'),
    ]) {
      const record = await sendWebhook(request, { env, userAgent: 'test/1', fetch: unusedFetch });
      expect(record).toMatchObject({ success: false, status: REQUEST_NOT_MADE_STATUS, refused: true });
      const message = record.response.type === 'client_error' ? record.response.message : '';
      expect(message).toMatch(/^Error creating the request\. The webhook may not read it: environment variable "/);
      expect(message).not.toContain('aws-secret-value');
    }
  });

  it('does not mark a missing env variable as refused (a retry may find it set)', async () => {
    const record = await sendWebhook(webhookRequest('{{WEBHOOK_BASE_URL}}/hook'), {
      env: {},
      userAgent: 'test/1',
      fetch: unusedFetch,
    });
    expect(record).toMatchObject({ success: false, status: REQUEST_NOT_MADE_STATUS });
    expect(record).not.toHaveProperty('refused');
  });

  it('keeps an env value out of the record when the lookup of the host it names fails', async () => {
    const fetch = createWebhookFetch(NO_ALLOWED_DESTINATIONS, loopbackResolver());
    const record = await sendWebhook(webhookRequest('http://{{RECEIVER_HOST}}:9/hook'), {
      env: { RECEIVER_HOST: 'private-tenant-42.internal' },
      userAgent: 'test/1',
      fetch,
    });
    expect(record).toMatchObject({ success: false, status: null });
    expect(record).not.toHaveProperty('refused');
    const message = record.response.type === 'client_error' ? record.response.message : '';
    expect(message).toBe(`getaddrinfo ENOTFOUND ${REDACTED}`);
  });

  it('refuses a value_from_env value with CR/LF inside: nothing is sent, no header is smuggled', async () => {
    const receiver = await startReceiver();
    const fetch = createWebhookFetch(LOOPBACK_DESTINATIONS);
    const policy = createEnvPolicy('*');
    if (!policy.ok) throw new Error('bad policy');
    const record = await sendWebhook(
      webhookRequest(`http://127.0.0.1:${receiver.port}/hook`, {
        headers: [{ name: 'X-Value', valueFromEnv: 'INJECTED_VALUE' }],
      }),
      { env: { INJECTED_VALUE: 'abc\r\nX-Injected: yes' }, envPolicy: policy.policy, userAgent: 'test/1', fetch },
    );
    expect(record).toMatchObject({ success: false, status: REQUEST_NOT_MADE_STATUS });
    const message = record.response.type === 'client_error' ? record.response.message : '';
    expect(message).toContain('invalid value for header "X-Value"');
    expect(message).not.toContain('X-Injected');
    await settle();
    expect(receiver.requests).toEqual([]);
  });

  it('sends a value_from_env value with CR/LF only at its ends trimmed, as one header', async () => {
    const receiver = await startReceiver();
    const fetch = createWebhookFetch(LOOPBACK_DESTINATIONS);
    const record = await sendWebhook(
      webhookRequest(`http://127.0.0.1:${receiver.port}/hook`, {
        headers: [{ name: 'X-Value', valueFromEnv: 'TRAILING_NEWLINE' }],
      }),
      { env: { TRAILING_NEWLINE: 'abc\r\n' }, userAgent: 'test/1', fetch },
    );
    expect(record).toMatchObject({ success: true, status: 200 });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.headers['x-value']).toBe('abc');
  });
});
