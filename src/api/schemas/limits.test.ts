import { MAX_HISTORY_PAYLOAD_BYTES, projectedPayloadHistoryBytes, recordedLength } from '../../shared/event';
import { createTestApp } from '../../../test/doubles/api';
import { DEFAULT_WEBHOOK_RULES } from '../webhook-rules';
import { FORBIDDEN_HEADER_NAMES } from '../../delivery/resolve-headers';
import {
  MAX_HEADERS,
  MAX_HEADERS_BYTES,
  MAX_NUM_RETRIES,
  MAX_TIMEOUT_SECONDS,
  MAX_TOLERANCE_SECONDS,
  MIN_RETRY_INTERVAL_SECONDS,
} from './common';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const SCHEDULE_AT = '2030-06-01T10:00:00Z';

function setup() {
  const ctx = createTestApp({ webhookRules: DEFAULT_WEBHOOK_RULES, scheduler: { now: () => NOW } });
  const call = (method: string, path: string, body: unknown) =>
    ctx.request(path, { method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { ...ctx, call };
}

type Ctx = ReturnType<typeof setup>;

/** A create on each API: the Hasura command (fields under `$.args`) and the REST create (fields at `$`). */
const CREATES = [
  {
    api: 'POST /v1/metadata create_scheduled_event',
    at: '$.args',
    send: (ctx: Ctx, fields: Record<string, unknown>) =>
      ctx.call('POST', '/v1/metadata', {
        type: 'create_scheduled_event',
        args: { webhook: 'https://example.com/hook', schedule_at: SCHEDULE_AT, ...fields },
      }),
  },
  {
    api: 'POST /v1/events',
    at: '$',
    send: (ctx: Ctx, fields: Record<string, unknown>) =>
      ctx.call('POST', '/v1/events', { webhook: 'https://example.com/hook', schedule_at: SCHEDULE_AT, ...fields }),
  },
] as const;

/** `count` literal headers, each `valueBytes` long. */
function headers(count: number, valueBytes = 1): { name: string; value: string }[] {
  return Array.from({ length: count }, (_, i) => ({ name: `X-H${i}`, value: 'v'.repeat(valueBytes) }));
}

const FORBIDDEN = [
  'Host',
  'content-length',
  'Transfer-Encoding',
  'Connection',
  'Keep-Alive',
  'Upgrade',
  'TE',
  'Trailer',
  'Expect',
  'Proxy-Authorization',
];

describe.each(CREATES)('$api: header limits', ({ at, send }) => {
  it.each(FORBIDDEN)('refuses a header named %s, naming the rule', async (name) => {
    const ctx = setup();
    const res = await send(ctx, {
      headers: [
        { name: 'X-Fine', value: 'ok' },
        { name, value: 'x' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.headers[1].name` });
    const { error } = res.body as { error: string };
    expect(error).toContain(`header "${name}" cannot be set: it frames the request or applies to one hop`);
    expect(error).toContain(`refused: ${FORBIDDEN_HEADER_NAMES.join(', ')}, proxy-*`);
    expect(ctx.scheduler.size).toBe(0);
  });

  it('refuses a forbidden name given as value_from_env too', async () => {
    const ctx = setup();
    const res = await send(ctx, { headers: [{ name: 'transfer-encoding', value_from_env: 'WEBHOOK_TE' }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.headers[0].name` });
  });

  it(`refuses ${MAX_HEADERS + 1} headers, naming MAX_HEADERS; takes ${MAX_HEADERS}`, async () => {
    const ctx = setup();
    const res = await send(ctx, { headers: headers(MAX_HEADERS + 1) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'parse-failed',
      path: `${at}.headers`,
      error: `headers can have at most ${MAX_HEADERS} items (MAX_HEADERS)`,
    });
    expect((await send(ctx, { headers: headers(MAX_HEADERS) })).status).toBeLessThan(300);
  });

  it(`refuses headers over ${MAX_HEADERS_BYTES} bytes, naming MAX_HEADERS_BYTES; takes exactly that many`, async () => {
    const ctx = setup();
    // Names `X-H0` .. `X-H3` (4 bytes each) and values: 4 headers of 2,044 bytes is 8,192 bytes in all.
    const exact = headers(4, MAX_HEADERS_BYTES / 4 - 4);
    expect((await send(ctx, { headers: exact })).status).toBeLessThan(300);

    const over = headers(4, MAX_HEADERS_BYTES / 4 - 4);
    over[3] = { name: 'X-H3', value: `${over[3]?.value ?? ''}v` };
    const res = await send(ctx, { headers: over });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'parse-failed',
      path: `${at}.headers`,
      error: `headers are too large: names and values may take at most ${MAX_HEADERS_BYTES} bytes (MAX_HEADERS_BYTES)`,
    });
  });

  it('counts header bytes as UTF-8, not characters', async () => {
    const ctx = setup();
    // 4,100 characters of "é" are 8,200 bytes: over the limit though under it in characters.
    const res = await send(ctx, { headers: [{ name: 'X-Latin', value: 'é'.repeat(4100) }] });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toMatch(/MAX_HEADERS_BYTES/);
  });
});

describe.each(CREATES)('$api: retry_conf limits', ({ at, send }) => {
  it(`refuses timeout_seconds ${MAX_TIMEOUT_SECONDS + 1}, naming MAX_TIMEOUT_SECONDS; takes ${MAX_TIMEOUT_SECONDS}`, async () => {
    const ctx = setup();
    const res = await send(ctx, { retry_conf: { timeout_seconds: MAX_TIMEOUT_SECONDS + 1 } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'parse-failed',
      path: `${at}.retry_conf.timeout_seconds`,
      error: `timeout_seconds can be at most ${MAX_TIMEOUT_SECONDS} (MAX_TIMEOUT_SECONDS)`,
    });
    expect((await send(ctx, { retry_conf: { timeout_seconds: MAX_TIMEOUT_SECONDS } })).status).toBeLessThan(300);
  });

  it('refuses tolerance_seconds of 30 days + 1, naming MAX_TOLERANCE_SECONDS; takes 30 days', async () => {
    expect(MAX_TOLERANCE_SECONDS).toBe(30 * 24 * 60 * 60);
    const ctx = setup();
    const res = await send(ctx, { retry_conf: { tolerance_seconds: MAX_TOLERANCE_SECONDS + 1 } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.retry_conf.tolerance_seconds` });
    expect((res.body as { error: string }).error).toContain(
      `tolerance_seconds can be at most ${MAX_TOLERANCE_SECONDS} (MAX_TOLERANCE_SECONDS`,
    );
    expect((await send(ctx, { retry_conf: { tolerance_seconds: MAX_TOLERANCE_SECONDS } })).status).toBeLessThan(300);
  });

  it.each([0, 0.5, 0.999])('refuses retry_interval_seconds %s, naming MIN_RETRY_INTERVAL_SECONDS', async (seconds) => {
    const ctx = setup();
    const res = await send(ctx, { retry_conf: { retry_interval_seconds: seconds } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'parse-failed',
      path: `${at}.retry_conf.retry_interval_seconds`,
      error: `retry_interval_seconds must be at least ${MIN_RETRY_INTERVAL_SECONDS} (MIN_RETRY_INTERVAL_SECONDS)`,
    });
    expect(ctx.scheduler.size).toBe(0);
  });

  it('takes retry_interval_seconds of exactly the floor, and above it', async () => {
    const ctx = setup();
    for (const seconds of [MIN_RETRY_INTERVAL_SECONDS, 1.5, 3600]) {
      expect((await send(ctx, { retry_conf: { retry_interval_seconds: seconds } })).status).toBeLessThan(300);
    }
  });

  it("keeps Hasura's message for a negative retry_interval_seconds", async () => {
    const ctx = setup();
    const res = await send(ctx, { retry_conf: { retry_interval_seconds: -1 } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'parse-failed',
      path: `${at}.retry_conf.retry_interval_seconds`,
      error: 'retry_interval_seconds cannot be a negative value',
    });
  });
});

describe.each(CREATES)('$api: the history budget counts comment and headers', ({ at, send }) => {
  const retries = MAX_NUM_RETRIES;
  /** Bytes one attempt may record again with `retries` retries and still fit. */
  const budget = Math.floor(MAX_HISTORY_PAYLOAD_BYTES / (2 * (retries + 2)));

  it('refuses a big comment with many retries, and takes the same retries with a small comment', async () => {
    expect(projectedPayloadHistoryBytes(budget + 1, retries)).toBeGreaterThan(MAX_HISTORY_PAYLOAD_BYTES);
    const ctx = setup();
    const res = await send(ctx, { comment: 'c'.repeat(budget + 100), retry_conf: { num_retries: retries } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: `${at}.retry_conf.num_retries` });
    const { error } = res.body as { error: string };
    expect(error).toContain(`num_retries ${retries} with `);
    expect(error).toContain('bytes of payload, comment and headers');
    expect(ctx.scheduler.size).toBe(0);

    const small = await send(ctx, { comment: 'a short comment', retry_conf: { num_retries: retries } });
    expect(small.status).toBeLessThan(300);
    // The big comment on its own (no retries) is fine too: only the product is limited.
    const alone = await send(ctx, { comment: 'c'.repeat(budget + 100) });
    expect(alone.status).toBeLessThan(300);
  });

  it('adds the headers to the payload: each fits alone, together they are over', async () => {
    const ctx = setup();
    const payload = { text: 'p'.repeat(budget - 6000) };
    const bigHeaders = headers(4, MAX_HEADERS_BYTES / 4 - 4);
    const conf = { retry_conf: { num_retries: retries } };
    expect((await send(ctx, { payload, ...conf })).status).toBeLessThan(300);
    expect((await send(ctx, { headers: bigHeaders, ...conf })).status).toBeLessThan(300);
    const both = await send(ctx, { payload, headers: bigHeaders, ...conf });
    expect(both.status).toBe(400);
    expect(both.body).toMatchObject({ code: 'parse-failed', path: `${at}.retry_conf.num_retries` });
  });
});

describe('PATCH /v1/events/:id: the same limits', () => {
  async function seeded() {
    const ctx = setup();
    const created = await ctx.call('POST', '/v1/events', {
      webhook: 'https://example.com/hook',
      schedule_at: SCHEDULE_AT,
    });
    expect(created.status).toBe(201);
    return { ctx, id: (created.body as { id: string }).id };
  }

  it('refuses a forbidden header name, too many headers and the retry_conf limits', async () => {
    const { ctx, id } = await seeded();
    const cases: [unknown, string, RegExp][] = [
      [{ headers: [{ name: 'Host', value: 'internal' }] }, '$.headers[0].name', /header "Host" cannot be set/],
      [{ headers: headers(MAX_HEADERS + 1) }, '$.headers', /MAX_HEADERS\)/],
      [{ retry_conf: { timeout_seconds: MAX_TIMEOUT_SECONDS + 1 } }, '$.retry_conf.timeout_seconds', /MAX_TIMEOUT/],
      [
        { retry_conf: { tolerance_seconds: MAX_TOLERANCE_SECONDS + 1 } },
        '$.retry_conf.tolerance_seconds',
        /MAX_TOLERANCE/,
      ],
      [{ retry_conf: { retry_interval_seconds: 0 } }, '$.retry_conf.retry_interval_seconds', /MIN_RETRY_INTERVAL/],
      [{ retry_conf: { retry_interval_seconds: -2 } }, '$.retry_conf.retry_interval_seconds', /cannot be a negative/],
    ];
    for (const [body, path, error] of cases) {
      const res = await ctx.call('PATCH', `/v1/events/${id}`, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'parse-failed', path, error: expect.stringMatching(error) });
    }
    expect(ctx.scheduler.peek(id)).toMatchObject({ headers: [], retryConf: { timeoutSeconds: 60 } });
  });

  it('refuses a comment that puts an event with many retries over the history budget, at $.comment', async () => {
    const { ctx, id } = await seeded();
    const retries = MAX_NUM_RETRIES;
    expect((await ctx.call('PATCH', `/v1/events/${id}`, { retry_conf: { num_retries: retries } })).status).toBe(200);
    const budget = Math.floor(MAX_HISTORY_PAYLOAD_BYTES / (2 * (retries + 2)));

    const res = await ctx.call('PATCH', `/v1/events/${id}`, { comment: 'c'.repeat(budget + 100) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parse-failed', path: '$.comment' });
    expect(ctx.scheduler.peek(id)?.comment).toBeNull();

    expect((await ctx.call('PATCH', `/v1/events/${id}`, { comment: 'small' })).status).toBe(200);
    expect(ctx.scheduler.peek(id)?.comment).toBe('small');
  });
});

it('counts the comment as history stores it (JSON-escaped), as it counts the payload', async () => {
  // 20,000 U+0001 are 20,000 bytes raw but 120,002 as JSON; with 1,000 retries that is over the budget.
  const comment = '\u0001'.repeat(20_000);
  const { call } = setup();
  const res = await call('POST', '/v1/events', {
    webhook: 'https://example.com/hook',
    schedule_at: SCHEDULE_AT,
    comment,
    retry_conf: { num_retries: 1000 },
  });
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ code: 'parse-failed', path: '$.retry_conf.num_retries' });
  expect(recordedLength({ payload: null, comment, headers: [] })).toBeGreaterThan(120_000);
});
