import {
  CallInFlightError,
  EventConflictError,
  EventNotFoundError,
  SchedulerUnavailableError,
} from '../../shared/errors';
import { MAX_STORED_RESPONSE_BODY_BYTES } from '../../shared/event';
import { MAX_REQUEST_BODY_BYTES } from '../app';
import { createTestApp } from '../../../test/doubles/api';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function setup() {
  return createTestApp({ scheduler: { now: () => NOW } });
}

const minimalArgs = { webhook: 'https://example.com/hook', schedule_at: '2024-06-01T10:00:00Z' };

function create(args: Record<string, unknown>) {
  return { type: 'create_scheduled_event', args };
}

describe('create_scheduled_event', () => {
  it('answers {message, event_id} and schedules the event with defaults filled in', async () => {
    const { post, scheduler } = setup();
    const res = await post('/v1/metadata', create(minimalArgs));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body).toEqual({ message: 'success', event_id: expect.stringMatching(UUID) });
    const id = (res.body as { event_id: string }).event_id;
    expect(scheduler.peek(id)).toMatchObject({
      webhook: 'https://example.com/hook',
      scheduledTime: '2024-06-01T10:00:00.000Z',
      payload: null,
      headers: [],
      retryConf: { numRetries: 0, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 21600 },
      comment: null,
    });
  });

  it("takes Hasura's documented example and keeps every field", async () => {
    const { post, scheduler } = setup();
    const res = await post('/v1/metadata', {
      type: 'create_scheduled_event',
      args: {
        webhook: 'https://httpbin.org/post',
        schedule_at: '2019-09-09T22:00:00Z',
        payload: { key1: 'value1', key2: 'value2' },
        headers: [
          { name: 'header-key', value: 'header-value' },
          { name: 'X-Secret', value_from_env: 'MY_SECRET' },
        ],
        retry_conf: { num_retries: 3, retry_interval_seconds: 2 },
        comment: 'sample scheduled event comment',
        some_future_key: true,
      },
    });
    expect(res.status).toBe(200);
    const id = (res.body as { event_id: string }).event_id;
    expect(scheduler.peek(id)).toMatchObject({
      scheduledTime: '2019-09-09T22:00:00.000Z',
      payload: { key1: 'value1', key2: 'value2' },
      headers: [
        { name: 'header-key', value: 'header-value' },
        { name: 'X-Secret', valueFromEnv: 'MY_SECRET' },
      ],
      retryConf: { numRetries: 3, retryIntervalSeconds: 2, timeoutSeconds: 60, toleranceSeconds: 21600 },
      comment: 'sample scheduled event comment',
    });
  });

  it.each([
    ['2024-06-01T12:00:00+02:00', '2024-06-01T10:00:00.000Z'],
    ['2024-06-01T10:00:00.123456Z', '2024-06-01T10:00:00.123Z'],
    ['2024-06-01T05:30:00-04:30', '2024-06-01T10:00:00.000Z'],
    ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z'],
  ])('normalizes schedule_at %s to %s (past times accepted)', async (scheduleAt, normalized) => {
    const { post, scheduler } = setup();
    const res = await post('/v1/metadata', create({ ...minimalArgs, schedule_at: scheduleAt }));
    expect(res.status).toBe(200);
    expect(scheduler.peek((res.body as { event_id: string }).event_id)?.scheduledTime).toBe(normalized);
  });

  it('accepts a templated webhook and stores it unresolved', async () => {
    const { post, scheduler } = setup();
    const res = await post(
      '/v1/metadata',
      create({ ...minimalArgs, webhook: '{{SCHEDULED_TRIGGERS_WEBHOOK_DOMAIN}}/test' }),
    );
    expect(res.status).toBe(200);
    expect(scheduler.peek((res.body as { event_id: string }).event_id)?.webhook).toBe(
      '{{SCHEDULED_TRIGGERS_WEBHOOK_DOMAIN}}/test',
    );
  });

  it('treats null optional fields as absent, as Hasura does', async () => {
    const { post, scheduler } = setup();
    const res = await post(
      '/v1/metadata',
      create({
        ...minimalArgs,
        payload: null,
        headers: null,
        retry_conf: { num_retries: null },
        comment: null,
        request_transform: null,
      }),
    );
    expect(res.status).toBe(200);
    expect(scheduler.peek((res.body as { event_id: string }).event_id)).toMatchObject({
      payload: null,
      headers: [],
      retryConf: { numRetries: 0 },
      comment: null,
    });
  });

  it('round-trips a unicode payload byte for byte', async () => {
    const { post } = setup();
    const payload = { text: 'héllo wörld ✓ 日本語 🎉', nested: ['ü', { ключ: 'значение' }], rtl: 'שלום' };
    const created = await post('/v1/metadata', create({ ...minimalArgs, payload, comment: 'ça va 🙂' }));
    expect(created.status).toBe(200);
    const listed = await post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off' } });
    expect(listed.body).toMatchObject({ events: [{ payload, comment: 'ça va 🙂' }] });
  });

  it('is served on /v1/query too', async () => {
    const { post } = setup();
    const res = await post('/v1/query', create(minimalArgs));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'success', event_id: expect.stringMatching(UUID) });
  });

  it.each(['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', undefined])(
    'refuses a body not sent as JSON (%s) with 415, scheduling nothing: a web page can send those cross-site',
    async (contentType) => {
      const { request, scheduler } = setup();
      const res = await request('/v1/metadata', {
        method: 'POST',
        body: JSON.stringify(create(minimalArgs)),
        headers: contentType === undefined ? {} : { 'Content-Type': contentType },
      });
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ code: 'unsupported-media-type', path: '$' });
      expect(scheduler.calls).toEqual([]);
    },
  );

  it('takes JSON with parameters (charset) and in any case', async () => {
    const { request } = setup();
    const res = await request('/v1/metadata', {
      method: 'POST',
      body: JSON.stringify(create(minimalArgs)),
      headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
    });
    expect(res.status).toBe(200);
  });
});

describe('create_scheduled_event: bad input is a 400 naming the field', () => {
  const cases: [string, Record<string, unknown>, { path: string; code: string; error: string | RegExp }][] = [
    [
      'missing webhook',
      { schedule_at: '2024-06-01T10:00:00Z' },
      { path: '$.args', code: 'parse-failed', error: 'key "webhook" not found' },
    ],
    [
      'missing schedule_at',
      { webhook: 'https://example.com' },
      { path: '$.args', code: 'parse-failed', error: 'key "schedule_at" not found' },
    ],
    [
      'non-string webhook',
      { ...minimalArgs, webhook: 42 },
      { path: '$.args.webhook', code: 'parse-failed', error: 'webhook must be a string (got 42)' },
    ],
    [
      'empty webhook',
      { ...minimalArgs, webhook: '' },
      { path: '$.args.webhook', code: 'parse-failed', error: 'webhook must not be empty' },
    ],
    [
      'file: webhook',
      { ...minimalArgs, webhook: 'file:///etc/passwd' },
      { path: '$.args.webhook', code: 'parse-failed', error: /webhook must be an absolute http: or https: URL/ },
    ],
    [
      'javascript: webhook',
      { ...minimalArgs, webhook: 'javascript:alert(1)' },
      { path: '$.args.webhook', code: 'parse-failed', error: /webhook must be an absolute http: or https: URL/ },
    ],
    [
      'relative webhook',
      { ...minimalArgs, webhook: '/hook' },
      { path: '$.args.webhook', code: 'parse-failed', error: /webhook must be an absolute http: or https: URL/ },
    ],
    [
      'unclosed template',
      { ...minimalArgs, webhook: '{{HOST/hook' },
      { path: '$.args.webhook', code: 'parse-failed', error: /^webhook: unclosed "\{\{"/ },
    ],
    [
      'bad schedule_at',
      { ...minimalArgs, schedule_at: 'tomorrow' },
      {
        path: '$.args.schedule_at',
        code: 'parse-failed',
        error: /^schedule_at must be an ISO-8601 timestamp with a timezone/,
      },
    ],
    [
      'impossible date',
      { ...minimalArgs, schedule_at: '2024-02-30T10:00:00Z' },
      { path: '$.args.schedule_at', code: 'parse-failed', error: /^schedule_at must be an ISO-8601 timestamp/ },
    ],
    [
      'schedule_at without timezone',
      { ...minimalArgs, schedule_at: '2024-06-01T10:00:00' },
      {
        path: '$.args.schedule_at',
        code: 'parse-failed',
        error: 'schedule_at has no timezone: end it with "Z" for UTC or an offset such as "+02:00"',
      },
    ],
    [
      'numeric schedule_at',
      { ...minimalArgs, schedule_at: 1717236000 },
      { path: '$.args.schedule_at', code: 'parse-failed', error: 'schedule_at must be a string (got 1717236000)' },
    ],
    [
      'negative num_retries',
      { ...minimalArgs, retry_conf: { num_retries: -1 } },
      { path: '$.args.retry_conf.num_retries', code: 'parse-failed', error: 'num_retries cannot be a negative value' },
    ],
    [
      'non-integer num_retries',
      { ...minimalArgs, retry_conf: { num_retries: 1.5 } },
      {
        path: '$.args.retry_conf.num_retries',
        code: 'parse-failed',
        error: 'num_retries must be an integer (got 1.5)',
      },
    ],
    [
      'string num_retries',
      { ...minimalArgs, retry_conf: { num_retries: '3' } },
      {
        path: '$.args.retry_conf.num_retries',
        code: 'parse-failed',
        error: 'num_retries must be a number (got string)',
      },
    ],
    [
      'negative retry_interval_seconds',
      { ...minimalArgs, retry_conf: { retry_interval_seconds: -1 } },
      {
        path: '$.args.retry_conf.retry_interval_seconds',
        code: 'parse-failed',
        error: 'retry_interval_seconds cannot be a negative value',
      },
    ],
    [
      'timeout_seconds 0',
      { ...minimalArgs, retry_conf: { timeout_seconds: 0 } },
      {
        path: '$.args.retry_conf.timeout_seconds',
        code: 'parse-failed',
        error: 'timeout_seconds must be greater than 0',
      },
    ],
    [
      'negative tolerance_seconds',
      { ...minimalArgs, retry_conf: { tolerance_seconds: -5 } },
      {
        path: '$.args.retry_conf.tolerance_seconds',
        code: 'parse-failed',
        error: 'tolerance_seconds cannot be a negative value',
      },
    ],
    [
      'absurd tolerance_seconds',
      { ...minimalArgs, retry_conf: { tolerance_seconds: 1e300 } },
      {
        path: '$.args.retry_conf.tolerance_seconds',
        code: 'parse-failed',
        error: 'tolerance_seconds can be at most 2592000 (MAX_TOLERANCE_SECONDS, 30 days)',
      },
    ],
    [
      'retry_conf not an object',
      { ...minimalArgs, retry_conf: 3 },
      { path: '$.args.retry_conf', code: 'parse-failed', error: 'retry_conf must be an object (got 3)' },
    ],
    [
      'headers not an array',
      { ...minimalArgs, headers: { name: 'a', value: 'b' } },
      { path: '$.args.headers', code: 'parse-failed', error: 'headers must be an array (got object)' },
    ],
    [
      'header not an object',
      { ...minimalArgs, headers: ['X-A: b'] },
      { path: '$.args.headers[0]', code: 'parse-failed', error: 'expecting object for headers' },
    ],
    [
      'header with neither value',
      { ...minimalArgs, headers: [{ name: 'X-A' }] },
      { path: '$.args.headers[0]', code: 'parse-failed', error: 'expecting value or value_from_env keys' },
    ],
    [
      'header with both values',
      { ...minimalArgs, headers: [{ name: 'X-A', value: 'b', value_from_env: 'B' }] },
      { path: '$.args.headers[0]', code: 'parse-failed', error: 'expecting only one of value or value_from_env keys' },
    ],
    [
      'header without name',
      { ...minimalArgs, headers: [{ value: 'b' }] },
      { path: '$.args.headers[0]', code: 'parse-failed', error: 'key "name" not found' },
    ],
    [
      'header name not a token',
      { ...minimalArgs, headers: [{ name: 'X A', value: 'b' }] },
      { path: '$.args.headers[0].name', code: 'parse-failed', error: /^header name must be a valid HTTP token/ },
    ],
    [
      'header value with CRLF',
      { ...minimalArgs, headers: [{ name: 'X-A', value: 'b\r\nX-Injected: 1' }] },
      {
        path: '$.args.headers[0].value',
        code: 'parse-failed',
        error: 'header value must not contain CR, LF or NUL characters',
      },
    ],
    [
      'HASURA_GRAPHQL_ env',
      {
        ...minimalArgs,
        headers: [
          { name: 'X-A', value: 'ok' },
          { name: 'X-B', value_from_env: 'HASURA_GRAPHQL_ADMIN_SECRET' },
        ],
      },
      {
        path: '$.args.headers[1].value_from_env',
        code: 'parse-failed',
        error:
          'env variables starting with "HASURA_GRAPHQL_" are not allowed in value_from_env: HASURA_GRAPHQL_ADMIN_SECRET',
      },
    ],
    [
      'comment not a string',
      { ...minimalArgs, comment: 5 },
      { path: '$.args.comment', code: 'parse-failed', error: 'comment must be a string (got 5)' },
    ],
    [
      'request_transform',
      { ...minimalArgs, request_transform: { body: '{{$body}}' } },
      {
        path: '$.args.request_transform',
        code: 'not-supported',
        error: 'request_transform is not supported for one-off scheduled events',
      },
    ],
    [
      'response_transform',
      { ...minimalArgs, response_transform: { body: 'x' } },
      {
        path: '$.args.response_transform',
        code: 'not-supported',
        error: 'response_transform is not supported for one-off scheduled events',
      },
    ],
  ];

  it.each(cases)('%s', async (_name, args, expected) => {
    const { post, scheduler } = setup();
    const res = await post('/v1/metadata', create(args));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path: expected.path, code: expected.code, error: expect.anything() });
    const { error } = res.body as { error: string };
    if (typeof expected.error === 'string') expect(error).toBe(expected.error);
    else expect(error).toMatch(expected.error);
    expect(scheduler.size).toBe(0);
  });

  it('args that are not an object', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', { type: 'create_scheduled_event', args: [1] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path: '$.args', code: 'parse-failed', error: 'args must be an object (got array)' });
  });
});

describe('envelope errors', () => {
  it('malformed JSON is 400 invalid-json at $', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', '{"type": "create_scheduled_event", "args": {');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      path: '$',
      code: 'invalid-json',
      error: expect.stringMatching(/^invalid JSON in request body: /),
    });
  });

  it('an empty body is invalid JSON', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', '');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ path: '$', code: 'invalid-json' });
  });

  it('an unknown command names it', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', { type: 'create_cron_trigger', args: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      path: '$',
      code: 'parse-failed',
      error: 'unknown metadata command "create_cron_trigger"',
    });
  });

  it('a metadata-only command on /v1/query points to /v1/metadata', async () => {
    const { post } = setup();
    const res = await post('/v1/query', { type: 'get_scheduled_events', args: { type: 'one_off' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      path: '$',
      code: 'parse-failed',
      error: 'unknown query command "get_scheduled_events": it is served on /v1/metadata',
    });
  });

  it('missing args is aeson\'s "key not found"', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', { type: 'create_scheduled_event' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path: '$', code: 'parse-failed', error: 'key "args" not found' });
  });

  it('missing type', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', { args: {} });
    expect(res.body).toEqual({ path: '$', code: 'parse-failed', error: 'key "type" not found' });
  });

  it('a body that is not an object', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', [1, 2]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ path: '$', code: 'parse-failed' });
  });

  it('a body over the limit is 413 payload-too-large', async () => {
    const { post, scheduler } = setup();
    const huge = create({ ...minimalArgs, payload: { blob: 'x'.repeat(MAX_REQUEST_BODY_BYTES) } });
    const res = await post('/v1/metadata', huge);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      path: '$',
      code: 'payload-too-large',
      error: expect.stringContaining(String(MAX_REQUEST_BODY_BYTES)),
    });
    expect(scheduler.size).toBe(0);
  });

  it('a streamed body over the limit (no Content-Length) is 413 too', async () => {
    const { request } = setup();
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_REQUEST_BODY_BYTES) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const res = await request('/v1/metadata', {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'payload-too-large' });
  });
});

describe('delete_scheduled_event', () => {
  async function createOne(post: ReturnType<typeof setup>['post']): Promise<string> {
    const res = await post('/v1/metadata', create(minimalArgs));
    return (res.body as { event_id: string }).event_id;
  }
  const del = (eventId: string, type = 'one_off') => ({
    type: 'delete_scheduled_event',
    args: { type, event_id: eventId },
  });

  it('cancels a pending event', async () => {
    const { post, scheduler } = setup();
    const id = await createOne(post);
    const res = await post('/v1/metadata', del(id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'success' });
    expect(scheduler.peek(id)?.status).toBe('cancelled');
  });

  it('deletes a finished event with its history', async () => {
    const { post, scheduler } = setup();
    const id = await createOne(post);
    scheduler.recordAttempt(id, { status: 200, body: 'ok' });
    const res = await post('/v1/metadata', del(id));
    expect(res.body).toEqual({ message: 'success' });
    expect(scheduler.calls.map((c) => c.method).slice(-2)).toEqual(['cancel', 'delete']);
    expect(scheduler.peek(id)).toBeUndefined();
    // Its history went with it: the log of the id is gone (the Hasura API answers that with an empty log).
    await expect(scheduler.invocations({ eventId: id })).rejects.toBeInstanceOf(EventNotFoundError);
  });

  it('is not a success when the cancel is not confirmed (503), nor when a call under way decided it (409)', async () => {
    const { post, scheduler } = setup();
    const held = await createOne(post);
    scheduler.unconfirmedCancels.add(held);
    const unconfirmed = await post('/v1/metadata', del(held));
    expect(unconfirmed.status).toBe(503);
    expect(unconfirmed.body).toMatchObject({
      code: 'unavailable',
      error: expect.stringContaining('recorded'),
      path: '$.args',
    });

    const calling = await createOne(post);
    scheduler.failOn.cancel = new CallInFlightError(calling, 'delivered');
    const decided = await post('/v1/metadata', del(calling));
    expect(decided.status).toBe(409);
    // The event, and with it the record of the call, is kept.
    expect(scheduler.calls.map((c) => c.method)).not.toContain('delete');
  });

  it('is a success for an unknown id, as in Hasura', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', del('no-such-event'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'success' });
  });

  it('refuses cron with 400 not-supported', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', del('x', 'cron'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path: '$.args.type', code: 'not-supported', error: expect.stringContaining('cron') });
  });

  it('requires type and event_id', async () => {
    const { post } = setup();
    expect((await post('/v1/metadata', { type: 'delete_scheduled_event', args: { event_id: 'x' } })).body).toEqual({
      path: '$.args',
      code: 'parse-failed',
      error: 'key "type" not found',
    });
    expect((await post('/v1/metadata', { type: 'delete_scheduled_event', args: { type: 'one_off' } })).body).toEqual({
      path: '$.args',
      code: 'parse-failed',
      error: 'key "event_id" not found',
    });
    expect((await post('/v1/metadata', del('x', 'weekly'))).body).toEqual({
      path: '$.args.type',
      code: 'parse-failed',
      error: 'type must be one of "one_off", "cron"',
    });
  });

  it('reports a conflict from delete (a race with a restart) as 409 conflict', async () => {
    const { post, scheduler } = setup();
    const id = await createOne(post);
    scheduler.failOn.cancel = new EventConflictError(id, 'already finished');
    scheduler.failOn.delete = new EventConflictError(id, `scheduled event ${id} is still pending`);
    const res = await post('/v1/metadata', del(id));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ path: '$.args', code: 'conflict', error: `scheduled event ${id} is still pending` });
  });
});

describe('get_scheduled_events', () => {
  async function seed(post: ReturnType<typeof setup>['post'], times: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const t of times) {
      const res = await post('/v1/metadata', create({ ...minimalArgs, schedule_at: t, payload: { t } }));
      ids.push((res.body as { event_id: string }).event_id);
    }
    return ids;
  }
  const get = (args: Record<string, unknown>) => ({ type: 'get_scheduled_events', args: { type: 'one_off', ...args } });

  it('lists Hasura event objects ordered by scheduled_time, without count by default', async () => {
    const { post } = setup();
    const [late, early] = await seed(post, ['2024-06-03T00:00:00Z', '2024-06-01T00:00:00Z']);
    const res = await post('/v1/metadata', get({}));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      events: [
        {
          id: early,
          webhook_conf: 'https://example.com/hook',
          scheduled_time: '2024-06-01T00:00:00.000Z',
          retry_conf: { num_retries: 0, retry_interval_seconds: 10, timeout_seconds: 60, tolerance_seconds: 21600 },
          payload: { t: '2024-06-01T00:00:00Z' },
          header_conf: [],
          status: 'scheduled',
          tries: 0,
          created_at: NOW.toISOString(),
          next_retry_at: null,
          comment: null,
        },
        expect.objectContaining({ id: late }),
      ],
    });
  });

  it('pages with limit and offset and counts with get_rows_count', async () => {
    const { post } = setup();
    const ids = await seed(post, ['2024-06-01T00:00:00Z', '2024-06-02T00:00:00Z', '2024-06-03T00:00:00Z']);
    const res = await post('/v1/metadata', get({ limit: 1, offset: 1, get_rows_count: true }));
    expect(res.body).toEqual({ events: [expect.objectContaining({ id: ids[1] })], count: 3 });
  });

  it('filters by status; without one it hides cancelled events', async () => {
    const { post, scheduler } = setup();
    const [a, b, c] = await seed(post, ['2024-06-01T00:00:00Z', '2024-06-02T00:00:00Z', '2024-06-03T00:00:00Z']);
    scheduler.recordAttempt(a!, { status: 200 });
    await post('/v1/metadata', { type: 'delete_scheduled_event', args: { type: 'one_off', event_id: b } });

    const all = await post('/v1/metadata', get({ get_rows_count: true }));
    expect(all.body).toMatchObject({ events: [{ id: a, status: 'delivered', tries: 1 }, { id: c }], count: 2 });

    const cancelled = await post('/v1/metadata', get({ status: ['cancelled'] }));
    expect(cancelled.body).toEqual({ events: [expect.objectContaining({ id: b, status: 'cancelled' })] });

    const some = await post('/v1/metadata', get({ status: ['delivered', 'scheduled'] }));
    expect((some.body as { events: { id: string }[] }).events.map((e) => e.id)).toEqual([a, c]);
  });

  it('shows header_conf as given, env references unresolved', async () => {
    const { post } = setup();
    const headers = [
      { name: 'X-A', value: 'a' },
      { name: 'X-B', value_from_env: 'B_SECRET' },
    ];
    await post('/v1/metadata', create({ ...minimalArgs, headers }));
    const res = await post('/v1/metadata', get({}));
    expect(res.body).toMatchObject({ events: [{ header_conf: headers }] });
  });

  it.each([
    [
      { status: ['scheduled', 'pending'] },
      '$.args.status[1]',
      'unexpected status: pending (expected one of scheduled, locked, delivered, error, dead, cancelled)',
    ],
    [{ status: 'scheduled' }, '$.args.status', 'status must be an array (got string)'],
    [{ limit: -1 }, '$.args.limit', 'limit must be at least 0'],
    [{ offset: 1.5 }, '$.args.offset', 'offset must be an integer (got 1.5)'],
    [{ get_rows_count: 'yes' }, '$.args.get_rows_count', 'get_rows_count must be a boolean (got string)'],
  ])('rejects %j', async (args, path, error) => {
    const { post } = setup();
    const res = await post('/v1/metadata', get(args));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path, code: 'parse-failed', error });
  });

  it('requires type and refuses cron', async () => {
    const { post } = setup();
    expect((await post('/v1/metadata', { type: 'get_scheduled_events', args: {} })).body).toEqual({
      path: '$.args',
      code: 'parse-failed',
      error: 'key "type" not found',
    });
    const cron = await post('/v1/metadata', get({ type: 'cron', trigger_name: 't' }));
    expect(cron.status).toBe(400);
    expect(cron.body).toMatchObject({ path: '$.args.type', code: 'not-supported' });
  });
});

describe('get_scheduled_event_invocations', () => {
  const inv = (args: Record<string, unknown>) => ({
    type: 'get_scheduled_event_invocations',
    args: { type: 'one_off', ...args },
  });

  it('lists Hasura invocation objects newest first, for one event or all', async () => {
    let clock = NOW.getTime();
    const { post, scheduler } = createTestApp({ scheduler: { now: () => new Date(clock) } });
    const res1 = await post(
      '/v1/metadata',
      create({ ...minimalArgs, retry_conf: { num_retries: 1 }, payload: { n: 1 } }),
    );
    const id = (res1.body as { event_id: string }).event_id;
    const res2 = await post('/v1/metadata', create(minimalArgs));
    const other = (res2.body as { event_id: string }).event_id;

    clock += 1000;
    const failed = scheduler.recordAttempt(id, { status: 500, body: 'boom' });
    clock += 1000;
    const delivered = scheduler.recordAttempt(id, {
      status: 200,
      body: '{"ok":true}',
      responseHeaders: [{ name: 'content-type', value: 'application/json' }],
    });
    clock += 1000;
    const timeout = scheduler.recordAttempt(other, { status: null, body: 'timeout after 60s' });

    const one = await post('/v1/metadata', inv({ event_id: id, get_rows_count: true }));
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      invocations: [
        {
          id: delivered.id,
          event_id: id,
          status: 200,
          request: {
            payload: {
              id,
              scheduled_time: '2024-06-01T10:00:00.000Z',
              payload: { n: 1 },
              created_at: NOW.toISOString(),
            },
            headers: [{ name: 'Content-Type', value: 'application/json' }],
            version: '1',
          },
          response: {
            type: 'webhook_response',
            data: { status: 200, headers: [{ name: 'content-type', value: 'application/json' }], body: '{"ok":true}' },
            version: '1',
          },
          created_at: new Date(NOW.getTime() + 2000).toISOString(),
        },
        expect.objectContaining({
          id: failed.id,
          status: 500,
          response: { type: 'client_error', data: { message: 'boom' }, version: '1' },
        }),
      ],
      count: 2,
    });

    const all = await post('/v1/metadata', inv({}));
    expect((all.body as { invocations: { id: string }[] }).invocations.map((i) => i.id)).toEqual([
      timeout.id,
      delivered.id,
      failed.id,
    ]);
    expect((all.body as { invocations: unknown[] }).invocations[0]).toMatchObject({
      status: null,
      response: { type: 'client_error', data: { message: 'timeout after 60s' } },
    });
    expect(all.body).not.toHaveProperty('count');

    const paged = await post('/v1/metadata', inv({ limit: 1, offset: 1, get_rows_count: true }));
    expect(paged.body).toEqual({ invocations: [expect.objectContaining({ id: delivered.id })], count: 3 });
  });

  it('flags a truncated response body with data.truncated', async () => {
    const { post, scheduler } = setup();
    const created = await post('/v1/metadata', create(minimalArgs));
    const id = (created.body as { event_id: string }).event_id;
    scheduler.recordAttempt(id, { status: 200, body: 'y'.repeat(MAX_STORED_RESPONSE_BODY_BYTES + 10) });
    const res = await post('/v1/metadata', inv({ event_id: id }));
    const [only] = (res.body as { invocations: { response: { data: { body: string; truncated?: boolean } } }[] })
      .invocations;
    expect(only?.response.data.truncated).toBe(true);
    expect(only?.response.data.body).toHaveLength(MAX_STORED_RESPONSE_BODY_BYTES);
  });

  it('answers an unknown event with an empty log', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', inv({ event_id: 'nope', get_rows_count: true }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ invocations: [], count: 0 });
  });

  it('refuses cron', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', inv({ type: 'cron' }));
    expect(res.body).toMatchObject({ path: '$.args.type', code: 'not-supported' });
  });
});

describe('bulk', () => {
  /** Hasura's test_scheduled_events: one /v1/query bulk of three creates. */
  function hasuraScenario() {
    const now = new Date().toISOString();
    const common = { payload: { foo: 'baz' }, headers: [{ name: 'header-key', value: 'header-value' }] };
    return {
      type: 'bulk',
      args: [
        create({
          webhook: '{{SCHEDULED_TRIGGERS_WEBHOOK_DOMAIN}}/test',
          schedule_at: now,
          ...common,
          comment: 'test scheduled event',
        }),
        create({ webhook: '{{SCHEDULED_TRIGGERS_WEBHOOK_DOMAIN}}/', schedule_at: '2020-01-01T00:00:00Z', ...common }),
        create({
          webhook: '{{SCHEDULED_TRIGGERS_WEBHOOK_DOMAIN}}/fail',
          schedule_at: now,
          ...common,
          retry_conf: { num_retries: 1, retry_interval_seconds: 1, timeout_seconds: 1, tolerance_seconds: 21600 },
        }),
      ],
    };
  }

  it.each(['/v1/query', '/v1/metadata'])("runs Hasura's three-create scenario on %s", async (endpoint) => {
    const { post, scheduler } = setup();
    const res = await post(endpoint, hasuraScenario());
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { message: 'success', event_id: expect.stringMatching(UUID) },
      { message: 'success', event_id: expect.stringMatching(UUID) },
      { message: 'success', event_id: expect.stringMatching(UUID) },
    ]);
    expect(scheduler.size).toBe(3);
  });

  it('mixes commands on /v1/metadata and returns each result in order', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', {
      type: 'bulk',
      args: [
        create(minimalArgs),
        { type: 'get_scheduled_events', args: { type: 'one_off', get_rows_count: true } },
        { type: 'delete_scheduled_event', args: { type: 'one_off', event_id: 'unknown' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { message: 'success', event_id: expect.any(String) },
      { events: [expect.objectContaining({ status: 'scheduled' })], count: 1 },
      { message: 'success' },
    ]);
  });

  it('validates every item before running any: a bad item fails the bulk with its path', async () => {
    const { post, scheduler } = setup();
    const res = await post('/v1/query', {
      type: 'bulk',
      args: [create(minimalArgs), create({ ...minimalArgs, retry_conf: { num_retries: -1 } })],
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      path: '$.args[1].args.retry_conf.num_retries',
      code: 'parse-failed',
      error: 'num_retries cannot be a negative value',
    });
    expect(scheduler.size).toBe(0);
  });

  it("points at the item's args when a missing key is inside an item", async () => {
    const { post } = setup();
    const res = await post('/v1/query', { type: 'bulk', args: [create({ schedule_at: '2024-06-01T10:00:00Z' })] });
    expect(res.body).toEqual({ path: '$.args[0].args', code: 'parse-failed', error: 'key "webhook" not found' });
  });

  it('names an unknown or misplaced command at its item', async () => {
    const { post } = setup();
    const unknown = await post('/v1/metadata', {
      type: 'bulk',
      args: [create(minimalArgs), { type: 'run_sql', args: {} }],
    });
    expect(unknown.body).toEqual({
      path: '$.args[1]',
      code: 'parse-failed',
      error: 'unknown metadata command "run_sql"',
    });
    const misplaced = await post('/v1/query', {
      type: 'bulk',
      args: [{ type: 'delete_scheduled_event', args: { type: 'one_off', event_id: 'x' } }],
    });
    expect(misplaced.body).toMatchObject({ path: '$.args[0]', code: 'parse-failed' });
  });

  it('refuses nested bulk and a non-array args', async () => {
    const { post } = setup();
    const nested = await post('/v1/metadata', { type: 'bulk', args: [{ type: 'bulk', args: [] }] });
    expect(nested.body).toEqual({ path: '$.args[0]', code: 'parse-failed', error: 'bulk commands cannot be nested' });
    const notArray = await post('/v1/metadata', { type: 'bulk', args: {} });
    expect(notArray.body).toEqual({
      path: '$.args',
      code: 'parse-failed',
      error: 'args of bulk must be an array of commands',
    });
  });

  it('answers an empty bulk with an empty array', async () => {
    const { post } = setup();
    const res = await post('/v1/metadata', { type: 'bulk', args: [] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('stops at the first failing item and returns its error with its path', async () => {
    const { post, scheduler } = setup();
    let creates = 0;
    const realCreate = scheduler.create.bind(scheduler);
    scheduler.create = async (definition, options) => {
      creates += 1;
      if (creates === 2) throw new SchedulerUnavailableError();
      return realCreate(definition, options);
    };
    const res = await post('/v1/query', {
      type: 'bulk',
      args: [create(minimalArgs), create(minimalArgs), create(minimalArgs)],
    });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      path: '$.args[1].args',
      code: 'unavailable',
      error: expect.stringMatching(/unavailable/),
    });
    expect(creates).toBe(2);
  });
});

describe('scheduler failures', () => {
  it('is 503 unavailable, quickly and without a stack, when Temporal is unreachable', async () => {
    const { post, scheduler, logger } = setup();
    scheduler.failWith = new SchedulerUnavailableError({ cause: new Error('connect ECONNREFUSED 127.0.0.1:7233') });
    const res = await post('/v1/metadata', create(minimalArgs));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      path: '$.args',
      code: 'unavailable',
      error: 'the scheduler (Temporal) is unavailable; try again shortly',
    });
    expect(res.text).not.toMatch(/ECONNREFUSED|at .*\.ts/);
    expect(logger.entries).toEqual([
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ cause: 'connect ECONNREFUSED 127.0.0.1:7233' }),
      }),
    ]);
  });

  it('is 503 for reads too', async () => {
    const { post, scheduler } = setup();
    scheduler.failWith = new SchedulerUnavailableError();
    const res = await post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off' } });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'unavailable' });
  });

  it('is a generic 500 for anything unexpected, logged in full but never shown', async () => {
    const { post, scheduler, logger } = setup();
    const bug = new TypeError("Cannot read properties of undefined (reading 'secret-detail')");
    scheduler.failOn.create = bug;
    const res = await post('/v1/metadata', create(minimalArgs));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      path: '$',
      code: 'unexpected',
      error: 'internal error: the request could not be completed (see the server log)',
    });
    expect(res.text).not.toContain('secret-detail');
    expect(logger.entries).toEqual([
      { level: 'error', message: expect.any(String), details: { method: 'POST', path: '/v1/metadata', error: bug } },
    ]);
  });
});

describe('get_scheduled_events without a limit', () => {
  it('streams every event in order, across pages of 1,000, with the count', async () => {
    const { post } = setup();
    const batch = Array.from({ length: 1203 }, (_, i) =>
      create({ ...minimalArgs, schedule_at: new Date(Date.UTC(2024, 5, 1) + (i % 50) * 60_000).toISOString() }),
    );
    for (const args of [batch.slice(0, 1000), batch.slice(1000)]) {
      expect((await post('/v1/metadata', { type: 'bulk', args })).status).toBe(200);
    }
    const res = await post('/v1/metadata', {
      type: 'get_scheduled_events',
      args: { type: 'one_off', get_rows_count: true },
    });
    expect(res.status).toBe(200);
    const body = res.body as { events: { id: string; scheduled_time: string }[]; count: number };
    expect(body.count).toBe(1203);
    expect(new Set(body.events.map((e) => e.id)).size).toBe(1203);
    const keys = body.events.map((e) => [e.scheduled_time, e.id].join(' '));
    expect(keys).toEqual([...keys].sort());
  });

  it('inside a bulk, answers each listing in full, one page read per listing', async () => {
    const { post, scheduler } = setup();
    await post('/v1/metadata', create(minimalArgs));
    const list = jest.spyOn(scheduler, 'list');
    const item = { type: 'get_scheduled_events', args: { type: 'one_off' } };
    const res = await post('/v1/metadata', { type: 'bulk', args: [item, item, item] });
    expect(res.status).toBe(200);
    expect((res.body as { events: unknown[] }[]).map((r) => r.events.length)).toEqual([1, 1, 1]);
    expect(list).toHaveBeenCalledTimes(3);
  });
});
