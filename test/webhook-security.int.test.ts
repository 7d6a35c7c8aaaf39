/**
 * Hostile callers on the real stack with the production defaults (WEBHOOK_ALLOWED_DESTINATIONS allows only a stand-in
 * for one internal receiver, 127.0.0.2): webhooks cannot reach loopback, private or metadata addresses in any
 * spelling, a DNS answer cannot be rebound to one, env values and service settings do not leak, and a refused
 * attempt is not retried. Every other integration test runs with loopback allowed, as `npm start` does.
 *
 * All traffic stays on loopback: the worker's resolver is a fake (no DNS query leaves the process), the "internal"
 * victim is a receiver on 127.0.0.1, and the stand-in for an allowed host listens on 127.0.0.2 on the same port.
 */
import type dns from 'node:dns';
import type { LookupLike } from '../src/delivery';
import { type Receiver, startReceiver } from './helpers/receiver';
import { type Stack, startStack } from './helpers/stack';

const SECRET_HOST_VALUE = 'Sup3rPrivateTenant';
const RECEIVER_TOKEN_VALUE = 'tok-9f8e7d6c5b4a';

let victim: Receiver;
let allowed: Receiver;
let stack: Stack;
let rebound = false;
const lookups: string[] = [];

/** What /etc/hosts and a hostile DNS server would answer; nothing here leaves the process. */
const ANSWERS: Record<string, readonly dns.LookupAddress[]> = {
  localhost: [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ],
  'internal.test': [{ address: '10.0.0.7', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'loopback.test': [{ address: '127.0.0.1', family: 4 }],
  'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'v6-loopback.test': [{ address: '::1', family: 6 }],
  'cgnat.test': [{ address: '100.64.0.1', family: 4 }],
  'link-local-v6.test': [{ address: 'fe80::1', family: 6 }],
  // One allowed address and one refused: the whole name is refused.
  'mixed.test': [
    { address: '127.0.0.2', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
  'allowed.test': [{ address: '127.0.0.2', family: 4 }],
};

const resolver: LookupLike = (hostname, _options, callback) => {
  lookups.push(hostname);
  // As DNS does: case does not matter, and a trailing dot only says the name is absolute.
  const name = hostname.toLowerCase().replace(/\.$/, '');
  // A rebinding server: the allowed address until the test flips it, the victim's after.
  const answer = name === 'rebind.test' ? [{ address: rebound ? '127.0.0.1' : '127.0.0.2', family: 4 }] : ANSWERS[name];
  setImmediate(() => {
    if (answer !== undefined) return callback(null, [...answer]);
    callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), []);
  });
};

beforeAll(async () => {
  victim = await startReceiver();
  allowed = await startReceiver({ host: '127.0.0.2', port: victim.port });
  stack = await startStack({
    env: {
      TENANT_HOST: SECRET_HOST_VALUE,
      RECEIVER_TOKEN: RECEIVER_TOKEN_VALUE,
      ADMIN_SECRET: 'the-admin-secret',
      LOOPBACK_ADDR: '127.0.0.1',
      LOCAL_NAME: 'localhost',
    },
    webhooks: { allowedDestinations: '127.0.0.2/32', envAllow: '*,RECEIVER_TOKEN', lookup: resolver },
  });
});

afterAll(async () => {
  await stack?.stop();
  await allowed?.close();
  await victim?.close();
});

const now = (): string => new Date().toISOString();

async function create(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  return stack.request('POST', '/v1/events', { schedule_at: now(), ...body });
}

/** Every spelling of a refused address we know of, each a 400 at create. */
const LITERAL_FORMS = [
  '127.0.0.1',
  '2130706433',
  '0x7f000001',
  '017700000001',
  '0177.0.0.1',
  '0x7f.0.0.1',
  '0x7f.1',
  '127.1',
  '127.0.1',
  '127.0.0.1.',
  '%31%32%37.0.0.1',
  '127.255.255.254',
  '[::1]',
  '[0:0:0:0:0:0:0:1]',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[64:ff9b::7f00:1]',
  '[2002:7f00:1::]',
  '[::127.0.0.1]',
  '[::]',
  'localhost',
  'LOCALHOST',
  'localhost.',
  'api.localhost',
  '0.0.0.0',
  '0',
  '169.254.169.254',
  '[::ffff:169.254.169.254]',
  '[::ffff:a9fe:a9fe]',
  '[fe80::1]',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.0.1',
  '100.64.0.1',
  '[fd00::1]',
  '224.0.0.1',
  '255.255.255.255',
  '[ff02::1]',
];

describe('a literal address that is not public is a 400 at create, in every spelling', () => {
  test.each(LITERAL_FORMS)('http://%s/', async (host) => {
    const res = await create({ webhook: `http://${host}:${victim.port}/literal` });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: '$.webhook' });
    expect(res.body.error).toMatch(/not a public address/);
  });

  test('the Hasura API refuses the same way, at its own path', async () => {
    const res = await stack.post('/v1/metadata', {
      type: 'create_scheduled_event',
      args: { webhook: `http://2130706433:${victim.port}/literal`, schedule_at: now() },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: '$.args.webhook' });
  });

  test('an address the allow-list names is accepted and called', async () => {
    const res = await create({ webhook: `${allowed.origin}/allowed-literal` });
    expect(res.status).toBe(201);
    const event = await stack.waitForEvent(res.body.id, (e) => e.status === 'delivered');
    expect(event.tries).toBe(1);
    expect(allowed.requestsTo('/allowed-literal')).toHaveLength(1);
  });

  afterAll(() => {
    expect(victim.requests).toHaveLength(0);
  });
});

describe('a name that resolves to a refused address is a failed attempt, not retried', () => {
  const cases: [string, string][] = [
    ['internal.test', 'http://internal.test:PORT/name'],
    ['metadata.test', 'http://metadata.test/latest/meta-data/'],
    ['loopback.test', 'http://loopback.test:PORT/name'],
    ['mapped.test', 'http://mapped.test:PORT/name'],
    ['v6-loopback.test', 'http://v6-loopback.test:PORT/name'],
    ['cgnat.test', 'http://cgnat.test:PORT/name'],
    ['link-local-v6.test', 'http://link-local-v6.test:PORT/name'],
    ['mixed.test', 'http://mixed.test:PORT/name'],
    ['a trailing dot', 'http://loopback.test.:PORT/name'],
    ['upper case', 'http://LOOPBACK.TEST:PORT/name'],
    ['a template naming localhost', 'http://{{LOCAL_NAME}}:PORT/name'],
    ['a template holding a loopback literal', 'http://{{LOOPBACK_ADDR}}:PORT/name'],
  ];

  test.each(cases)('%s', async (_label, template) => {
    const webhook = template.replace('PORT', String(victim.port));
    const res = await create({ webhook, retry_conf: { num_retries: 3, retry_interval_seconds: 1 } });
    expect(res.status).toBe(201);
    const event = await stack.waitForEvent(res.body.id, (e) => e.status === 'error', 20_000);
    // Refused once, and not tried again: a retry would be refused the same way.
    expect(event.tries).toBe(1);
    const log = await stack.request('GET', `/v1/events/${res.body.id}/invocations`);
    expect(log.body.invocations).toHaveLength(1);
    expect(log.body.invocations[0]).toMatchObject({ status: null });
    expect(JSON.stringify(log.body.invocations[0].response)).toMatch(/destination refused: .* is not a public address/);
  });

  afterAll(() => {
    expect(victim.requests).toHaveLength(0);
  });
});

test('a DNS answer rebound to a refused address after a first, allowed one is refused at the next connection', async () => {
  // The allowed receiver closes each connection, so the next call must resolve the name again.
  allowed.respond('/rebind', { status: 200, headers: { Connection: 'close' } });
  const url = `http://rebind.test:${victim.port}/rebind`;
  const first = await create({ webhook: url });
  expect(first.status).toBe(201);
  await stack.waitForEvent(first.body.id, (e) => e.status === 'delivered');
  expect(allowed.requestsTo('/rebind')).toHaveLength(1);

  rebound = true;
  const lookupsBefore = lookups.filter((name) => name === 'rebind.test').length;
  const second = await create({ webhook: url, retry_conf: { num_retries: 2, retry_interval_seconds: 1 } });
  const event = await stack.waitForEvent(second.body.id, (e) => e.status === 'error', 20_000);
  expect(event.tries).toBe(1);
  // It was refused on a fresh answer for the name, not on a cached one.
  expect(lookups.filter((name) => name === 'rebind.test').length).toBeGreaterThan(lookupsBefore);
  expect(allowed.requestsTo('/rebind')).toHaveLength(1);
  expect(victim.requests).toHaveLength(0);
});

describe('env values and service settings never leak', () => {
  test.each([
    ['{{ADMIN_SECRET}}', 'webhook', { webhook: 'https://example.com/?k={{ADMIN_SECRET}}' }],
    ['{{TEMPORAL_API_KEY}}', 'webhook', { webhook: 'https://example.com/{{TEMPORAL_API_KEY}}' }],
    ['{{HASURA_GRAPHQL_ADMIN_SECRET}}', 'webhook', { webhook: 'https://{{HASURA_GRAPHQL_ADMIN_SECRET}}.example.com/' }],
    ['{{AWS_SECRET_ACCESS_KEY}}', 'webhook', { webhook: 'https://example.com/?k={{AWS_SECRET_ACCESS_KEY}}' }],
    [
      'value_from_env GITHUB_TOKEN',
      'headers[0].value_from_env',
      { webhook: 'https://example.com/', headers: [{ name: 'X-T', value_from_env: 'GITHUB_TOKEN' }] },
    ],
    [
      'value_from_env WEBHOOK_ALLOWED_DESTINATIONS (a service setting)',
      'headers[0].value_from_env',
      { webhook: 'https://example.com/', headers: [{ name: 'X-T', value_from_env: 'WEBHOOK_ALLOWED_DESTINATIONS' }] },
    ],
  ])('%s is a 400 at create naming the rule', async (_label, field, body) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `$.${field}` });
    expect(res.body.error).toMatch(/service's own settings|WEBHOOK_ENV_ALLOW/);
  });

  test('a refused name in an event that reached the worker some other way is refused there too, not retried', async () => {
    // Created past the API (as an event from before the rule would be): the worker applies the rule itself.
    const event = await stack.scheduler.create({
      webhook: `http://127.0.0.2:${victim.port}/?k={{ADMIN_SECRET}}`,
      scheduledTime: now(),
      payload: null,
      headers: [],
      retryConf: { numRetries: 2, retryIntervalSeconds: 1, timeoutSeconds: 5, toleranceSeconds: 3600 },
      comment: null,
    });
    const ended = await stack.waitForEvent(event.id, (e) => e.status === 'error', 20_000);
    expect(ended.tries).toBe(1);
    const log = await stack.request('GET', `/v1/events/${event.id}/invocations`);
    expect(log.body.invocations[0]).toMatchObject({ status: 500 });
    expect(JSON.stringify(log.body)).toMatch(/one of the service's own settings/);
    expect(allowed.requests.filter((r) => r.url.includes('the-admin-secret'))).toHaveLength(0);
  });

  test('values read by an attempt are scrubbed from its record: DNS errors, echoed bodies and headers', async () => {
    // The receiver echoes the token it was sent, in a failing body and in a header.
    allowed.respond('/echo', (request) => ({
      status: 500,
      headers: { 'X-Echo': String(request.headers['x-token']) },
      body: `you sent ${String(request.headers['x-token'])}`,
    }));
    const dnsFailure = await create({ webhook: `http://{{TENANT_HOST}}.invalid:${victim.port}/` });
    const echoed = await create({
      webhook: `http://allowed.test:${victim.port}/echo`,
      headers: [{ name: 'X-Token', value_from_env: 'RECEIVER_TOKEN' }],
    });
    expect([dnsFailure.status, echoed.status]).toEqual([201, 201]);
    await stack.waitForEvent(dnsFailure.body.id, (e) => e.status === 'error', 20_000);
    await stack.waitForEvent(echoed.body.id, (e) => e.status === 'error', 20_000);
    // The receiver did get the token: it is the receiver's to see.
    expect(allowed.requestsTo('/echo')[0]?.headers['x-token']).toBe(RECEIVER_TOKEN_VALUE);

    const answers: string[] = [];
    for (const id of [dnsFailure.body.id, echoed.body.id]) {
      answers.push(JSON.stringify((await stack.request('GET', `/v1/events/${id}`)).body));
      answers.push(JSON.stringify((await stack.request('GET', `/v1/events/${id}/invocations`)).body));
      const hasura = await stack.post('/v1/metadata', {
        type: 'get_scheduled_event_invocations',
        args: { type: 'one_off', event_id: id },
      });
      answers.push(JSON.stringify(hasura.body));
      // The workflow's own history, as the Web UI shows it.
      answers.push(JSON.stringify((await stack.client.workflow.getHandle(id).fetchHistory()).events));
    }
    answers.push(
      JSON.stringify(
        (await stack.post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off' } })).body,
      ),
    );
    const all = answers.join('\n').toLowerCase();
    for (const value of [SECRET_HOST_VALUE, RECEIVER_TOKEN_VALUE]) expect(all).not.toContain(value.toLowerCase());
    // The records say what happened, with the value replaced.
    expect(all).toContain('getaddrinfo enotfound [redacted].invalid');
    expect(all).toContain('you sent [redacted]');
  });
});
