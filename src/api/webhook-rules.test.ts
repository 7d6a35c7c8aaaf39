import { createEnvPolicy, parseDestinationAllowList } from '../delivery';
import type { EventDefinition } from '../shared/event';
import { createTestApp } from '../../test/doubles/api';
import { checkWebhookRules, DEFAULT_WEBHOOK_RULES, type WebhookRules } from './webhook-rules';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const SCHEDULE_AT = '2030-06-01T10:00:00Z';

/** An operator's rules: WEBHOOK_ENV_ALLOW and WEBHOOK_ALLOWED_DESTINATIONS as they would be set. */
function rulesOf(envAllow: string, allowedDestinations: string): WebhookRules {
  const env = createEnvPolicy(envAllow);
  const destinations = parseDestinationAllowList(allowedDestinations);
  if (!env.ok || !destinations.ok) throw new Error('bad test rules');
  return { envPolicy: env.policy, allowedDestinations: destinations.list };
}

/** Rules that allow every destination and env name the refused cases below use (but never ADMIN_SECRET). */
const PERMISSIVE_RULES = rulesOf(
  '*,AWS_SECRET_ACCESS_KEY,ADMIN_SECRET',
  '127.0.0.0/8,::1,10.0.0.0/8,169.254.169.254,localhost,*.localhost',
);

function setup(webhookRules: WebhookRules = DEFAULT_WEBHOOK_RULES) {
  const ctx = createTestApp({ webhookRules, scheduler: { now: () => NOW } });
  const call = (method: string, path: string, body: unknown) =>
    ctx.request(path, { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { ...ctx, call };
}

const definition: EventDefinition = {
  webhook: 'https://example.com/hook',
  scheduledTime: '2030-06-01T10:00:00.000Z',
  payload: null,
  headers: [],
  retryConf: { numRetries: 0, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 21600 },
  comment: null,
};

/** Webhook URLs whose literal host is not a public address. */
const REFUSED_DESTINATIONS = [
  ['http://127.0.0.1/x', '127.0.0.1', 'loopback address'],
  ['http://[::1]/', '::1', 'loopback address'],
  ['http://169.254.169.254/latest', '169.254.169.254', 'link-local address'],
  ['http://localhost:8080/', 'localhost', 'loopback address'],
  ['http://foo.localhost/', 'foo.localhost', 'loopback address'],
  ['http://10.0.0.1/', '10.0.0.1', 'private network address'],
] as const;

const env = (name: string) => [
  { name: 'X-Plain', value: 'plain' },
  { name: 'X-Secret', value_from_env: name },
];

/** A create request on each API, with the path its fields sit at. */
const CREATES = [
  {
    api: 'POST /v1/metadata create_scheduled_event',
    at: '$.args',
    send: (ctx: ReturnType<typeof setup>, fields: Record<string, unknown>) =>
      ctx.call('POST', '/v1/metadata', {
        type: 'create_scheduled_event',
        args: { webhook: 'https://example.com/hook', schedule_at: SCHEDULE_AT, ...fields },
      }),
  },
  {
    api: 'POST /v1/query create_scheduled_event',
    at: '$.args',
    send: (ctx: ReturnType<typeof setup>, fields: Record<string, unknown>) =>
      ctx.call('POST', '/v1/query', {
        type: 'create_scheduled_event',
        args: { webhook: 'https://example.com/hook', schedule_at: SCHEDULE_AT, ...fields },
      }),
  },
  {
    api: 'POST /v1/events',
    at: '$',
    send: (ctx: ReturnType<typeof setup>, fields: Record<string, unknown>) =>
      ctx.call('POST', '/v1/events', { webhook: 'https://example.com/hook', schedule_at: SCHEDULE_AT, ...fields }),
  },
  {
    api: 'PATCH /v1/events/:id',
    at: '$',
    send: async (ctx: ReturnType<typeof setup>, fields: Record<string, unknown>) => {
      const event = await ctx.scheduler.create(definition);
      const res = await ctx.call('PATCH', `/v1/events/${event.id}`, fields);
      return { ...res, unchanged: ctx.scheduler.peek(event.id)?.webhook === definition.webhook };
    },
  },
] as const;

describe.each(CREATES)('$api under DEFAULT_WEBHOOK_RULES', ({ at, send }) => {
  it('refuses {{ADMIN_SECRET}} in the webhook at the webhook path, naming the rule', async () => {
    const ctx = setup();
    const res = await send(ctx, { webhook: 'https://example.com/{{ADMIN_SECRET}}' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'parse-failed',
      path: `${at}.webhook`,
      error:
        'webhook may not use {{ADMIN_SECRET}}: environment variable "ADMIN_SECRET" is one of the service\'s own ' +
        'settings, which webhooks never read',
    });
  });

  it('refuses value_from_env AWS_SECRET_ACCESS_KEY at that header, naming WEBHOOK_ENV_ALLOW', async () => {
    const ctx = setup();
    const res = await send(ctx, { headers: env('AWS_SECRET_ACCESS_KEY') });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.headers[1].value_from_env` });
    const { error } = res.body as { error: string };
    expect(error).toMatch(
      /^value_from_env is refused: environment variable "AWS_SECRET_ACCESS_KEY" looks like a credential/,
    );
    expect(error).toContain('WEBHOOK_ENV_ALLOW');
  });

  it('refuses a credential-like {{NAME}} in the webhook', async () => {
    const ctx = setup();
    const res = await send(ctx, { webhook: 'https://example.com/?token={{GITHUB_TOKEN}}' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.webhook` });
    expect((res.body as { error: string }).error).toMatch(/looks like a credential/);
  });

  it.each(REFUSED_DESTINATIONS)('refuses webhook %s at the webhook path', async (webhook, host, reason) => {
    const ctx = setup();
    const res = await send(ctx, { webhook });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.webhook` });
    const { error } = res.body as { error: string };
    expect(error).toContain(`webhook points at ${host}, which is not a public address (${reason}`);
    expect(error).toContain('WEBHOOK_ALLOWED_DESTINATIONS');
    if ('unchanged' in res) expect(res.unchanged).toBe(true);
    else expect(ctx.scheduler.size).toBe(0);
  });

  it('accepts ordinary env names and public destinations', async () => {
    const ctx = setup();
    const res = await send(ctx, {
      webhook: '{{WEBHOOK_BASE_URL}}/hook',
      headers: env('RECEIVER_PATH'),
    });
    expect(res.status).toBeLessThan(300);
    const literal = await send(ctx, { webhook: 'https://93.184.215.14/hook' });
    expect(literal.status).toBeLessThan(300);
  });
});

describe.each(CREATES)('$api under rules that allow them', ({ at, send }) => {
  it.each(REFUSED_DESTINATIONS)('accepts webhook %s', async (webhook) => {
    const ctx = setup(PERMISSIVE_RULES);
    const res = await send(ctx, { webhook });
    expect(res.status).toBeLessThan(300);
    if ('unchanged' in res) expect(res.unchanged).toBe(false);
    else expect(ctx.scheduler.size).toBe(1);
  });

  it('accepts value_from_env AWS_SECRET_ACCESS_KEY when WEBHOOK_ENV_ALLOW names it', async () => {
    const ctx = setup(PERMISSIVE_RULES);
    const res = await send(ctx, { headers: env('AWS_SECRET_ACCESS_KEY') });
    expect(res.status).toBeLessThan(300);
  });

  it('still refuses {{ADMIN_SECRET}}, even when WEBHOOK_ENV_ALLOW names it', async () => {
    const ctx = setup(PERMISSIVE_RULES);
    const res = await send(ctx, { webhook: 'https://example.com/{{ADMIN_SECRET}}' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.webhook` });
  });

  it('still refuses a private address the allow-list does not have', async () => {
    const ctx = setup(PERMISSIVE_RULES);
    const res = await send(ctx, { webhook: 'http://192.168.1.1/' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.webhook` });
  });
});

describe('bulk and batch', () => {
  it('refuses a whole Hasura bulk at the refused item, creating nothing', async () => {
    const ctx = setup();
    const item = (webhook: string) => ({ type: 'create_scheduled_event', args: { webhook, schedule_at: SCHEDULE_AT } });
    const res = await ctx.call('POST', '/v1/metadata', {
      type: 'bulk',
      args: [item('https://example.com/a'), item('http://169.254.169.254/latest'), item('https://example.com/b')],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: '$.args[1].args.webhook' });
    expect(ctx.scheduler.size).toBe(0);
  });

  it('refuses a whole Hasura bulk for a refused value_from_env in an item', async () => {
    const ctx = setup();
    const res = await ctx.call('POST', '/v1/metadata', {
      type: 'bulk',
      args: [
        { type: 'create_scheduled_event', args: { webhook: 'https://example.com/a', schedule_at: SCHEDULE_AT } },
        {
          type: 'create_scheduled_event',
          args: { webhook: 'https://example.com/b', schedule_at: SCHEDULE_AT, headers: env('DB_PASSWORD') },
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: '$.args[1].args.headers[1].value_from_env' });
    expect(ctx.scheduler.size).toBe(0);
  });

  it('answers a refused REST batch item with its own error at its path, creating the others', async () => {
    const ctx = setup();
    const res = await ctx.call('POST', '/v1/events/batch', {
      events: [
        { webhook: 'https://example.com/a', schedule_at: SCHEDULE_AT },
        { webhook: 'http://[::1]/', schedule_at: SCHEDULE_AT },
        { webhook: 'https://example.com/{{ADMIN_SECRET}}', schedule_at: SCHEDULE_AT },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = res.body as { results: ({ error: { path: string; code: string } } | { id: string })[] };
    expect(results[0]).toHaveProperty('id');
    expect(results[1]).toMatchObject({ error: { code: 'parse-failed', path: '$.events[1].webhook' } });
    expect(results[2]).toMatchObject({ error: { code: 'parse-failed', path: '$.events[2].webhook' } });
    expect(ctx.scheduler.size).toBe(1);
  });
});

describe('checkWebhookRules', () => {
  it('checks the host of a templated webhook when the templates come after it, else leaves it to delivery', () => {
    expect(() =>
      checkWebhookRules(DEFAULT_WEBHOOK_RULES, { webhook: 'http://127.0.0.1/{{RECEIVER_PATH}}' }, '$'),
    ).toThrow(/not a public address/);
    expect(() =>
      checkWebhookRules(DEFAULT_WEBHOOK_RULES, { webhook: 'http://169.254.169.254?x={{RECEIVER_PATH}}' }, '$'),
    ).toThrow(/not a public address/);
    expect(() =>
      checkWebhookRules(DEFAULT_WEBHOOK_RULES, { webhook: 'http://{{RECEIVER_HOST}}/hook' }, '$'),
    ).not.toThrow();
    expect(() =>
      checkWebhookRules(DEFAULT_WEBHOOK_RULES, { webhook: 'http://10.0.0.{{LAST_OCTET}}/hook' }, '$'),
    ).not.toThrow();
    expect(() =>
      checkWebhookRules(DEFAULT_WEBHOOK_RULES, { webhook: 'https://example.com/{{RECEIVER_PATH}}' }, '$'),
    ).not.toThrow();
  });

  it('checks every header, reporting the first refused one', () => {
    expect(() =>
      checkWebhookRules(
        DEFAULT_WEBHOOK_RULES,
        {
          headers: [
            { name: 'A', value_from_env: 'ACTION_HOST' },
            { name: 'B', value_from_env: 'STRIPE_API_KEY' },
            { name: 'C', value_from_env: 'ADMIN_SECRET' },
          ],
        },
        '$.events[3]',
      ),
    ).toThrow(expect.objectContaining({ path: '$.events[3].headers[1].value_from_env', code: 'parse-failed' }));
  });

  it('refuses IPv4-mapped, NAT64 and numeric spellings of forbidden addresses', () => {
    for (const webhook of [
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[64:ff9b::a00:1]/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0/',
      'http://LOCALHOST./',
    ]) {
      expect(() => checkWebhookRules(DEFAULT_WEBHOOK_RULES, { webhook }, '$')).toThrow(
        expect.objectContaining({ path: '$.webhook', code: 'parse-failed' }),
      );
    }
  });
});
