import { CallInFlightError, EventConflictError, SchedulerUnavailableError } from '../../shared/errors';
import type { EventDefinition, ScheduledEvent } from '../../shared/event';
import { ScheduledEventsClient } from '../../sdk';
import { createApp } from '../app';
import { decodeCursor, encodeCursor } from '../cursor';
import { UNEXPECTED_ERROR_MESSAGE } from '../errors';
import { FakeEventScheduler } from '../../../test/doubles/fake-scheduler';
import { eventIdForIdempotencyKey } from '../../events/idempotency';
import { BATCH_CREATE_CONCURRENCY } from '../../events/event-service';
import { DEFAULT_LIST_LIMIT, INVALID_CURSOR_MESSAGE, MAX_BATCH_EVENTS, MAX_LIST_LIMIT } from '../schemas/events';
import {
  BatchResponseSchema,
  ErrorObjectSchema,
  EventDetailsSchema,
  EventObjectSchema,
  EventPageSchema,
  InvocationListSchema,
} from '../schemas/responses';
import { createTestApp, OPERATOR_ALLOWED_TEST_SECRETS, RecordingLogger } from '../../../test/doubles/api';
import { IDEMPOTENT_REPLAYED_HEADER } from '../schemas/events';
import { temporalUiUrlOf } from './events';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const minimal = { webhook: 'https://example.com/hook', schedule_at: '2030-06-01T10:00:00Z' };

const definition: EventDefinition = {
  webhook: 'https://example.com/hook',
  scheduledTime: '2030-06-01T10:00:00.000Z',
  payload: null,
  headers: [],
  retryConf: { numRetries: 0, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 21600 },
  comment: null,
};

function setup(options: { temporalUiUrl?: string; temporalNamespace?: string } = {}) {
  const scheduler = new FakeEventScheduler({ now: () => NOW });
  const logger = new RecordingLogger();
  const app = createApp({ scheduler, logger, webhookRules: OPERATOR_ALLOWED_TEST_SECRETS, ...options });
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await app.request(path, {
      method,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown };
  }
  return {
    app,
    scheduler,
    logger,
    call,
    post: (path: string, body: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    get: (path: string) => call('GET', path),
    /** Creates an event directly in the scheduler (as any API would). */
    seed: (changes: Partial<EventDefinition> = {}, eventId?: string) =>
      scheduler.create({ ...definition, ...changes }, eventId === undefined ? undefined : { eventId }),
  };
}

function idOf(body: unknown): string {
  return (body as { id: string }).id;
}

describe('POST /v1/events', () => {
  it('schedules the event and answers 201 with the event object and its Location', async () => {
    const { post, scheduler } = setup();
    const res = await post('/v1/events', minimal);
    expect(res.status).toBe(201);
    const event = EventObjectSchema.parse(res.body);
    expect(event).toEqual({
      id: expect.stringMatching(UUID),
      webhook_conf: 'https://example.com/hook',
      scheduled_time: '2030-06-01T10:00:00.000Z',
      retry_conf: { num_retries: 0, retry_interval_seconds: 10, timeout_seconds: 60, tolerance_seconds: 21600 },
      payload: null,
      header_conf: [],
      status: 'scheduled',
      tries: 0,
      created_at: NOW.toISOString(),
      next_retry_at: null,
      comment: null,
    });
    expect(res.headers.get('location')).toBe(`/v1/events/${event.id}`);
    expect(res.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBeNull();
    expect(scheduler.peek(event.id)).toMatchObject(definition);
  });

  it('takes every create_scheduled_event field, normalized as the Hasura API does', async () => {
    const { post, scheduler } = setup();
    const res = await post('/v1/events', {
      webhook: '{{BASE}}/hook',
      schedule_at: '2030-06-01T12:00:00+02:00',
      payload: { a: [1, { b: null }] },
      headers: [
        { name: 'X-A', value: '1' },
        { name: 'X-B', value_from_env: 'SECRET' },
      ],
      retry_conf: { num_retries: 2, tolerance_seconds: 60 },
      comment: 'hello',
      ignored_key: true,
    });
    expect(res.status).toBe(201);
    expect(scheduler.peek(idOf(res.body))).toMatchObject({
      webhook: '{{BASE}}/hook',
      scheduledTime: '2030-06-01T10:00:00.000Z',
      payload: { a: [1, { b: null }] },
      headers: [
        { name: 'X-A', value: '1' },
        { name: 'X-B', valueFromEnv: 'SECRET' },
      ],
      retryConf: { numRetries: 2, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 60 },
      comment: 'hello',
    });
  });

  it('is the same event for the Hasura API (one scheduler, one code path)', async () => {
    const { post } = setup();
    const created = await post('/v1/events', minimal);
    const listed = await post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off' } });
    expect(listed.body).toEqual({ events: [created.body] });
  });

  it.each([
    ['{"webhook": ', 'invalid-json', '$'],
    [{ webhook: 'https://example.com' }, 'parse-failed', '$'],
    [{ ...minimal, schedule_at: '2030-06-01T10:00:00' }, 'parse-failed', '$.schedule_at'],
    [{ ...minimal, webhook: 'ftp://example.com' }, 'parse-failed', '$.webhook'],
    [{ ...minimal, retry_conf: { num_retries: -1 } }, 'parse-failed', '$.retry_conf.num_retries'],
    [{ ...minimal, headers: [{ name: 'X' }] }, 'parse-failed', '$.headers[0]'],
    [{ ...minimal, request_transform: { body: 'x' } }, 'not-supported', '$.request_transform'],
    [[minimal], 'parse-failed', '$'],
  ])('refuses %j with 400 %s at %s', async (body, code, path) => {
    const { post, scheduler } = setup();
    const res = await post('/v1/events', body);
    expect(res.status).toBe(400);
    expect(ErrorObjectSchema.parse(res.body)).toMatchObject({ code, path });
    expect(scheduler.size).toBe(0);
  });

  it('names the missing key as Hasura does', async () => {
    const { post } = setup();
    const res = await post('/v1/events', { webhook: 'https://example.com' });
    expect(res.body).toEqual({ path: '$', error: 'key "schedule_at" not found', code: 'parse-failed' });
  });

  it('answers 503 unavailable when Temporal is down', async () => {
    const { post, scheduler } = setup();
    scheduler.failWith = new SchedulerUnavailableError();
    const res = await post('/v1/events', minimal);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'unavailable', path: '$' });
  });
});

describe('failure_webhook (our extension)', () => {
  it("is stored at create and shown on the event; an event without one has exactly Hasura's shape", async () => {
    const { post, get, scheduler } = setup();
    const created = await post('/v1/events', { ...minimal, failure_webhook: 'https://example.com/failed' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ failure_webhook: 'https://example.com/failed' });
    const [event] = (await scheduler.list({})).events;
    expect(event?.failureWebhook).toBe('https://example.com/failed');
    const plain = await post('/v1/events', { ...minimal, failure_webhook: null });
    expect(plain.body).not.toHaveProperty('failure_webhook');
    expect((await get(`/v1/events/${idOf(plain.body)}`)).body).not.toHaveProperty('failure_webhook');
  });

  it('follows the webhook rules: a URL, and a public destination unless allowed', async () => {
    const { post, scheduler } = setup();
    const bad = await post('/v1/events', { ...minimal, failure_webhook: 'not a url' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ path: '$.failure_webhook', code: 'parse-failed' });
    expect((bad.body as { error: string }).error).toMatch(/^failure_webhook/);
    const internal = await post('/v1/events', { ...minimal, failure_webhook: 'http://169.254.169.254/latest' });
    expect(internal.status).toBe(400);
    expect(internal.body).toMatchObject({ path: '$.failure_webhook' });
    expect((internal.body as { error: string }).error).toMatch(/^failure_webhook points at 169\.254\.169\.254/);
    expect(scheduler.size).toBe(0);
  });

  it('is set at create only: a PATCH that names it is refused', async () => {
    const { post, call } = setup();
    const id = idOf((await post('/v1/events', minimal)).body);
    const res = await call('PATCH', `/v1/events/${id}`, { failure_webhook: 'https://example.com/failed' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'not-supported', path: '$.failure_webhook' });
  });
});

describe('POST /v1/events with Idempotency-Key', () => {
  const key = { 'Idempotency-Key': 'order-42-reminder' };

  it('derives the event id from the key (a UUIDv5, the same on every server)', async () => {
    const { post } = setup();
    const res = await post('/v1/events', minimal, key);
    expect(res.status).toBe(201);
    expect(idOf(res.body)).toBe(eventIdForIdempotencyKey('order-42-reminder'));
    expect(idOf(res.body)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('answers a repeat with the same body with the first event (200), creating nothing', async () => {
    const { post, scheduler } = setup();
    const first = await post('/v1/events', { ...minimal, payload: { a: 1, b: 2 } }, key);
    // The same request, spelled differently: key order, the offset form of the time, a default spelled out.
    const repeat = await post(
      '/v1/events',
      {
        payload: { b: 2, a: 1 },
        schedule_at: '2030-06-01T12:00:00+02:00',
        webhook: minimal.webhook,
        retry_conf: { num_retries: 0 },
        headers: null,
      },
      key,
    );
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get(IDEMPOTENT_REPLAYED_HEADER)).toBe('true');
    expect(repeat.headers.get('location')).toBe(`/v1/events/${idOf(first.body)}`);
    expect(scheduler.size).toBe(1);
  });

  it('answers 409 when the key was used with a different body', async () => {
    const { post, scheduler } = setup();
    await post('/v1/events', minimal, key);
    const res = await post('/v1/events', { ...minimal, payload: { other: true } }, key);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'conflict', path: '$' });
    expect((res.body as { error: string }).error).toContain('order-42-reminder');
    expect(scheduler.size).toBe(1);
  });

  it('answers 409 for a repeat after the event was changed', async () => {
    const { post, call } = setup();
    const first = await post('/v1/events', minimal, key);
    await call('PATCH', `/v1/events/${idOf(first.body)}`, { comment: 'changed' });
    expect((await post('/v1/events', minimal, key)).status).toBe(409);
  });

  it('creates one event under concurrent repeats', async () => {
    const { post, scheduler } = setup();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post('/v1/events', minimal, key)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(9);
    expect(new Set(answers.map((a) => idOf(a.body))).size).toBe(1);
    expect(scheduler.size).toBe(1);
  });

  it('gives different keys different events', async () => {
    const { post, scheduler } = setup();
    await post('/v1/events', minimal, { 'Idempotency-Key': 'a' });
    await post('/v1/events', minimal, { 'Idempotency-Key': 'b' });
    expect(scheduler.size).toBe(2);
  });

  it.each([
    ['', 'Idempotency-Key must not be empty'],
    ['k'.repeat(256), 'Idempotency-Key can have at most 255 characters'],
  ])('refuses the key %j', async (value, error) => {
    const { post, scheduler } = setup();
    const res = await post('/v1/events', minimal, { 'Idempotency-Key': value });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path: "$.headers['Idempotency-Key']", error, code: 'parse-failed' });
    expect(scheduler.size).toBe(0);
  });

  it('answers 409 when the event of the key was deleted but its id stays taken', async () => {
    const { post, scheduler } = setup();
    scheduler.failOn.create = new EventConflictError('x', 'an event with id x already exists');
    const res = await post('/v1/events', minimal, key);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'conflict', error: expect.stringContaining('deleted') });
  });

  it('passes other scheduler errors through (503)', async () => {
    const { post, scheduler } = setup();
    scheduler.failOn.create = new SchedulerUnavailableError();
    expect((await post('/v1/events', minimal, key)).status).toBe(503);
  });
});

describe('POST /v1/events/batch', () => {
  it('answers one result per item, in input order; a bad item fails only itself', async () => {
    const { post, scheduler } = setup();
    const res = await post('/v1/events/batch', {
      events: [
        minimal,
        { ...minimal, schedule_at: 'tomorrow' },
        { ...minimal, comment: 'third' },
        7,
        { webhook: minimal.webhook },
        { ...minimal, response_transform: {} },
      ],
    });
    expect(res.status).toBe(200);
    const { results } = BatchResponseSchema.parse(res.body);
    expect(results).toHaveLength(6);
    expect(results[0]).toMatchObject({ webhook_conf: minimal.webhook, status: 'scheduled' });
    expect(results[1]).toEqual({
      error: expect.objectContaining({ path: '$.events[1].schedule_at', code: 'parse-failed' }),
    });
    expect(results[2]).toMatchObject({ comment: 'third' });
    expect(results[3]).toEqual({
      error: { path: '$.events[3]', error: 'events[3] must be an object (got number)', code: 'parse-failed' },
    });
    expect(results[4]).toEqual({
      error: { path: '$.events[4]', error: 'key "schedule_at" not found', code: 'parse-failed' },
    });
    expect(results[5]).toEqual({
      error: expect.objectContaining({ path: '$.events[5].response_transform', code: 'not-supported' }),
    });
    expect(scheduler.size).toBe(2);
  });

  it('validates every item before starting any', async () => {
    const { post, scheduler } = setup();
    await post('/v1/events/batch', { events: [{}, { webhook: 1 }] });
    expect(scheduler.calls).toEqual([]);
  });

  it('accepts an empty batch', async () => {
    const { post } = setup();
    expect((await post('/v1/events/batch', { events: [] })).body).toEqual({ results: [] });
  });

  it(`takes ${MAX_BATCH_EVENTS} events, and refuses more`, async () => {
    const { post, scheduler } = setup();
    const full = await post('/v1/events/batch', { events: Array<unknown>(MAX_BATCH_EVENTS).fill(minimal) });
    expect(full.status).toBe(200);
    expect(scheduler.size).toBe(MAX_BATCH_EVENTS);
    const over = await post('/v1/events/batch', { events: Array<unknown>(MAX_BATCH_EVENTS + 1).fill(minimal) });
    expect(over.status).toBe(400);
    expect(over.body).toEqual({
      path: '$.events',
      error: `events can have at most ${MAX_BATCH_EVENTS} items`,
      code: 'parse-failed',
    });
    expect(scheduler.size).toBe(MAX_BATCH_EVENTS);
  });

  it.each([
    [{}, { path: '$', error: 'key "events" not found', code: 'parse-failed' }],
    [{ events: {} }, { path: '$.events', code: 'parse-failed' }],
    ['nope', { path: '$', code: 'invalid-json' }],
  ])('refuses the envelope %j', async (body, error) => {
    const { post } = setup();
    const res = await post('/v1/events/batch', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject(error);
  });

  it(`starts at most ${BATCH_CREATE_CONCURRENCY} creates at once`, async () => {
    let inFlight = 0;
    let most = 0;
    class SlowScheduler extends FakeEventScheduler {
      override async create(def: EventDefinition, options?: { eventId?: string }): Promise<ScheduledEvent> {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        return super.create(def, options);
      }
    }
    const scheduler = new SlowScheduler();
    const app = createApp({ scheduler, logger: new RecordingLogger() });
    const res = await app.request('/v1/events/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ events: Array<unknown>(200).fill(minimal) }),
    });
    expect(res.status).toBe(200);
    expect(scheduler.size).toBe(200);
    expect(most).toBe(BATCH_CREATE_CONCURRENCY);
  });

  it("reports a scheduler failure in its item's result, and logs an unexpected one", async () => {
    class FlakyScheduler extends FakeEventScheduler {
      override async create(def: EventDefinition, options?: { eventId?: string }): Promise<ScheduledEvent> {
        if (def.comment === 'down') throw new SchedulerUnavailableError();
        if (def.comment === 'bug') throw new TypeError('boom');
        return super.create(def, options);
      }
    }
    const logger = new RecordingLogger();
    const app = createApp({ scheduler: new FlakyScheduler(), logger });
    const res = await app.request('/v1/events/batch', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ events: [minimal, { ...minimal, comment: 'down' }, { ...minimal, comment: 'bug' }] }),
    });
    const { results } = BatchResponseSchema.parse(await res.json());
    expect(results[0]).toHaveProperty('id');
    expect(results[1]).toEqual({ error: expect.objectContaining({ code: 'unavailable', path: '$.events[1]' }) });
    expect(results[2]).toEqual({ error: { code: 'unexpected', path: '$', error: UNEXPECTED_ERROR_MESSAGE } });
    expect(logger.entries).toEqual([
      expect.objectContaining({ level: 'error', details: expect.objectContaining({ path: '$.events[2]' }) }),
    ]);
  });
});

describe('GET /v1/events', () => {
  /** Events due one minute apart, in order. */
  async function seedMany(seed: ReturnType<typeof setup>['seed'], count: number) {
    const events: ScheduledEvent[] = [];
    for (let i = 0; i < count; i++) {
      events.push(await seed({ scheduledTime: new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString() }));
    }
    return events;
  }

  async function listAll(get: (path: string) => Promise<{ status: number; body: unknown }>, query: string) {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const res = await get(`/v1/events?${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(res.status).toBe(200);
      const page = EventPageSchema.parse(res.body);
      ids.push(...page.events.map((e) => e.id));
      cursor = page.next_cursor;
      if (cursor === null) return ids;
    }
    throw new Error('paging did not end');
  }

  it(`lists by scheduled_time, ${DEFAULT_LIST_LIMIT} per page by default, with next_cursor`, async () => {
    const { get, seed } = setup();
    const events = await seedMany(seed, DEFAULT_LIST_LIMIT + 1);
    const first = EventPageSchema.parse((await get('/v1/events')).body);
    expect(first.events.map((e) => e.id)).toEqual(events.slice(0, DEFAULT_LIST_LIMIT).map((e) => e.id));
    expect(first.next_cursor).not.toBeNull();
    const second = EventPageSchema.parse((await get(`/v1/events?cursor=${first.next_cursor}`)).body);
    expect(second).toEqual({
      events: [expect.objectContaining({ id: events[DEFAULT_LIST_LIMIT]?.id })],
      next_cursor: null,
    });
  });

  it('orders equal times by id, and pages through them without repeats', async () => {
    const { get, seed } = setup();
    const ids = ['e', 'a', 'd', 'b', 'c'];
    for (const id of ids) await seed({}, id);
    expect(await listAll(get, 'limit=2')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('has no next_cursor when the page ends exactly at the last event', async () => {
    const { get, seed } = setup();
    await seedMany(seed, 2);
    expect(EventPageSchema.parse((await get('/v1/events?limit=2')).body).next_cursor).toBeNull();
  });

  it('stays correct while events are created and change status between pages', async () => {
    const { get, seed, scheduler } = setup();
    const events = await seedMany(seed, 6);
    const first = EventPageSchema.parse((await get('/v1/events?limit=3')).body);
    expect(first.events.map((e) => e.id)).toEqual(events.slice(0, 3).map((e) => e.id));
    // Between pages: an event before the cursor is cancelled (an offset would now skip one), one is created before
    // the cursor (an offset would now repeat one), and one after it is delivered.
    await scheduler.cancel(events[0]?.id ?? '');
    await seed({ scheduledTime: '2029-01-01T00:00:00.000Z' });
    scheduler.setStatus(events[4]?.id ?? '', 'delivered');
    const created = await seed({ scheduledTime: '2031-01-01T00:00:00.000Z' });
    const second = EventPageSchema.parse((await get(`/v1/events?limit=3&cursor=${first.next_cursor}`)).body);
    expect(second.events.map((e) => e.id)).toEqual([events[3]?.id, events[4]?.id, events[5]?.id]);
    const third = EventPageSchema.parse((await get(`/v1/events?limit=3&cursor=${second.next_cursor}`)).body);
    expect(third).toEqual({ events: [expect.objectContaining({ id: created.id })], next_cursor: null });
  });

  it('lists every status but cancelled by default, and filters by a status list', async () => {
    const { get, seed, scheduler } = setup();
    const [a, b, c] = await seedMany(seed, 3);
    await scheduler.cancel(a?.id ?? '');
    scheduler.setStatus(b?.id ?? '', 'error');
    const ids = async (query: string) =>
      EventPageSchema.parse((await get(`/v1/events${query}`)).body).events.map((e) => e.id);
    expect(await ids('')).toEqual([b?.id, c?.id]);
    expect(await ids('?status=cancelled')).toEqual([a?.id]);
    expect(await ids('?status=cancelled,error')).toEqual([a?.id, b?.id]);
    expect(await ids('?status=cancelled&status=scheduled')).toEqual([a?.id, c?.id]);
    expect(await ids('?status=error,error')).toEqual([b?.id]);
    expect(scheduler.calls.filter((call) => call.method === 'list').at(-1)?.args[0]).toMatchObject({
      statuses: ['error'],
    });
  });

  it('bounds by scheduled_after (inclusive) and scheduled_before (exclusive)', async () => {
    const { get, seed } = setup();
    const events = await seedMany(seed, 5);
    const res = await get(
      `/v1/events?scheduled_after=${encodeURIComponent('2030-01-01T02:01:00+02:00')}&scheduled_before=2030-01-01T00:04:00Z`,
    );
    expect(EventPageSchema.parse(res.body).events.map((e) => e.id)).toEqual(events.slice(1, 4).map((e) => e.id));
  });

  it.each([
    ['limit=0', '$.query.limit', 'limit must be at least 1'],
    [`limit=${MAX_LIST_LIMIT + 1}`, '$.query.limit', `limit can be at most ${MAX_LIST_LIMIT}`],
    ['limit=ten', '$.query.limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`],
    ['limit=1.5', '$.query.limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`],
    ['limit=1&limit=2', '$.query.limit', 'limit is given more than once'],
    [
      'status=scheduled,sent',
      '$.query.status[1]',
      'unexpected status: sent (expected one of scheduled, locked, delivered, error, dead, cancelled)',
    ],
    ['scheduled_after=2030-01-01T00:00:00', '$.query.scheduled_after', expect.stringContaining('no timezone')],
    ['scheduled_before=soon', '$.query.scheduled_before', expect.stringContaining('ISO-8601')],
    ['cursor=abc', '$.query.cursor', INVALID_CURSOR_MESSAGE],
    ['cursor=%3D%3D', '$.query.cursor', INVALID_CURSOR_MESSAGE],
    [
      `cursor=${Buffer.from('{"scheduledTime":"x","id":"a"}').toString('base64url')}`,
      '$.query.cursor',
      INVALID_CURSOR_MESSAGE,
    ],
    ['page_size=10', '$.query.page_size', expect.stringContaining('unknown query parameter "page_size"')],
  ])('refuses %s with 400 at %s', async (query, path, error) => {
    const { get, scheduler } = setup();
    const res = await get(`/v1/events?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path, error, code: 'parse-failed' });
    expect(scheduler.calls).toEqual([]);
  });

  it(`accepts limit=${MAX_LIST_LIMIT}`, async () => {
    const { get } = setup();
    expect((await get(`/v1/events?limit=${MAX_LIST_LIMIT}`)).status).toBe(200);
  });

  it("hands out cursors holding the last event's position", async () => {
    const { get, seed } = setup();
    const [a] = await seedMany(seed, 2);
    const page = EventPageSchema.parse((await get('/v1/events?limit=1')).body);
    expect(decodeCursor(page.next_cursor ?? '')).toEqual({ scheduledTime: a?.scheduledTime, id: a?.id });
    expect(page.next_cursor).toBe(encodeCursor({ scheduledTime: a?.scheduledTime ?? '', id: a?.id ?? '' }));
  });
});

describe('GET /v1/events/:id', () => {
  it('answers the event with its Temporal Web UI link', async () => {
    const { get, seed } = setup({ temporalUiUrl: 'http://127.0.0.1:8233/', temporalNamespace: 'prod' });
    const event = await seed({}, 'evt/1');
    const res = await get(`/v1/events/${encodeURIComponent('evt/1')}`);
    expect(res.status).toBe(200);
    expect(EventDetailsSchema.parse(res.body)).toMatchObject({
      id: 'evt/1',
      scheduled_time: event.scheduledTime,
      temporal_ui_url: 'http://127.0.0.1:8233/namespaces/prod/workflows/evt%2F1',
    });
  });

  it("uses the 'default' namespace unless told otherwise", async () => {
    const { get, seed } = setup({ temporalUiUrl: 'http://ui.test' });
    const event = await seed();
    expect((await get(`/v1/events/${event.id}`)).body).toMatchObject({
      temporal_ui_url: `http://ui.test/namespaces/default/workflows/${event.id}`,
    });
    expect(temporalUiUrlOf('http://ui.test///', 'a b', 'x')).toBe('http://ui.test/namespaces/a%20b/workflows/x');
  });

  it('has no link when the UI address is unknown', async () => {
    const { get, seed } = setup();
    const event = await seed();
    expect((await get(`/v1/events/${event.id}`)).body).not.toHaveProperty('temporal_ui_url');
  });

  it('answers 404 for an unknown id', async () => {
    const { get } = setup();
    const res = await get('/v1/events/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ path: '$', error: 'scheduled event not found: nope', code: 'not-found' });
  });
});

describe('GET /v1/events/:id/invocations', () => {
  it('lists the attempts, newest first', async () => {
    let clock = NOW.getTime();
    const scheduler = new FakeEventScheduler({ now: () => new Date((clock += 1000)) });
    const app = createApp({ scheduler, logger: new RecordingLogger() });
    const event = await scheduler.create({ ...definition, retryConf: { ...definition.retryConf, numRetries: 1 } });
    scheduler.recordAttempt(event.id, { status: 500, body: 'down' });
    scheduler.recordAttempt(event.id, { status: 200, body: 'ok' });
    const res = await app.request(`/v1/events/${event.id}/invocations`);
    expect(res.status).toBe(200);
    const { invocations } = InvocationListSchema.parse(await res.json());
    expect(invocations.map((i) => [i.status, i.response.type])).toEqual([
      [200, 'webhook_response'],
      [500, 'client_error'],
    ]);
  });

  it('answers an event without attempts with an empty list', async () => {
    const { get, seed } = setup();
    const event = await seed();
    expect((await get(`/v1/events/${event.id}/invocations`)).body).toEqual({ invocations: [] });
  });

  it('answers 404 for an unknown id', async () => {
    const { get } = setup();
    const res = await get('/v1/events/nope/invocations');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'not-found' });
  });
});

describe('PATCH /v1/events/:id', () => {
  const patch = (ctx: ReturnType<typeof setup>, id: string, body: unknown) =>
    ctx.call('PATCH', `/v1/events/${id}`, body);

  it('reschedules, answering the changed event', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    const res = await patch(ctx, event.id, { schedule_at: '2030-07-01T12:00:00+02:00' });
    expect(res.status).toBe(200);
    expect(EventObjectSchema.parse(res.body)).toMatchObject({
      id: event.id,
      scheduled_time: '2030-07-01T10:00:00.000Z',
    });
    expect(ctx.scheduler.peek(event.id)?.scheduledTime).toBe('2030-07-01T10:00:00.000Z');
  });

  it('refuses an edit that would outgrow the history with a 400 naming the field, and changes nothing', async () => {
    const ctx = setup();
    const event = await ctx.seed({ payload: 'x'.repeat(600 * 1024) });
    const retries = await patch(ctx, event.id, { retry_conf: { num_retries: 100 } });
    expect(retries.status).toBe(400);
    expect(retries.body).toMatchObject({ code: 'parse-failed', path: '$.retry_conf.num_retries' });
    expect(ctx.scheduler.peek(event.id)).toMatchObject({ retryConf: event.retryConf });
    const retrying = await ctx.seed({ retryConf: { ...event.retryConf, numRetries: 60 } });
    const comment = await patch(ctx, retrying.id, { comment: 'y'.repeat(600 * 1024) });
    expect(comment.status).toBe(400);
    expect(comment.body).toMatchObject({ code: 'parse-failed', path: '$.comment' });
    expect(ctx.scheduler.peek(retrying.id)?.comment).toBe(retrying.comment);
  });

  it('changes only the fields given, merging retry_conf field by field', async () => {
    const ctx = setup();
    const event = await ctx.seed({
      payload: { keep: true },
      comment: 'keep',
      retryConf: { numRetries: 1, retryIntervalSeconds: 5, timeoutSeconds: 30, toleranceSeconds: 100 },
    });
    await patch(ctx, event.id, { retry_conf: { num_retries: 4 }, webhook: 'https://example.com/other' });
    expect(ctx.scheduler.peek(event.id)).toMatchObject({
      webhook: 'https://example.com/other',
      payload: { keep: true },
      comment: 'keep',
      retryConf: { numRetries: 4, retryIntervalSeconds: 5, timeoutSeconds: 30, toleranceSeconds: 100 },
    });
    // Only the fields given go to the scheduler: the merge is the workflow's, so concurrent edits do not collide.
    expect(ctx.scheduler.calls.filter((c) => c.method === 'update').at(-1)?.args[1]).toEqual({
      webhook: 'https://example.com/other',
      retryConf: { numRetries: 4 },
    });
  });

  it('gives a null field the value a create gives it when absent', async () => {
    const ctx = setup();
    const event = await ctx.seed({
      payload: { x: 1 },
      comment: 'c',
      headers: [{ name: 'X', value: '1' }],
      retryConf: { numRetries: 1, retryIntervalSeconds: 5, timeoutSeconds: 30, toleranceSeconds: 100 },
    });
    await patch(ctx, event.id, { payload: null, comment: null, headers: null, retry_conf: { timeout_seconds: null } });
    expect(ctx.scheduler.peek(event.id)).toMatchObject({
      payload: null,
      comment: null,
      headers: [],
      retryConf: { numRetries: 1, retryIntervalSeconds: 5, timeoutSeconds: 60, toleranceSeconds: 100 },
    });
    await patch(ctx, event.id, { retry_conf: null });
    expect(ctx.scheduler.peek(event.id)?.retryConf).toEqual(definition.retryConf);
  });

  it('reads the event once when the whole retry_conf is given (budget check only)', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    const conf = { num_retries: 1, retry_interval_seconds: 2, timeout_seconds: 3, tolerance_seconds: 4 };
    await patch(ctx, event.id, { retry_conf: conf });
    // One read only, for the history budget check (payload size x attempts); none to merge retry_conf.
    expect(ctx.scheduler.calls.map((c) => c.method)).toEqual(['create', 'get', 'update']);
  });

  it.each([
    [{}, '$', 'request body must set at least one of schedule_at, payload, headers, retry_conf, comment, webhook'],
    [{ unknown: 1 }, '$', expect.stringContaining('at least one of')],
    [{ schedule_at: null }, '$.schedule_at', expect.any(String)],
    [{ schedule_at: '2030-01-01' }, '$.schedule_at', expect.any(String)],
    [{ webhook: null }, '$.webhook', 'webhook must be a string (got null)'],
    [{ retry_conf: { num_retries: -1 } }, '$.retry_conf.num_retries', 'num_retries cannot be a negative value'],
    [{ headers: [{ name: 'X', value: 'a', value_from_env: 'B' }] }, '$.headers[0]', expect.any(String)],
    ['[]', '$', expect.any(String)],
  ])('refuses %j with 400 at %s', async (body, path, error) => {
    const ctx = setup();
    const event = await ctx.seed();
    const res = await patch(ctx, event.id, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path, error, code: 'parse-failed' });
    expect(ctx.scheduler.peek(event.id)).toEqual(event);
  });

  it('refuses transforms as create does', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    const res = await patch(ctx, event.id, { comment: 'x', request_transform: {} });
    expect(res.body).toMatchObject({ code: 'not-supported', path: '$.request_transform' });
  });

  it('answers 409 once an attempt has started, and 404 for an unknown id', async () => {
    const ctx = setup();
    const event = await ctx.seed({ retryConf: { ...definition.retryConf, numRetries: 3 } });
    ctx.scheduler.recordAttempt(event.id, { status: 500 });
    const res = await patch(ctx, event.id, { schedule_at: '2031-01-01T00:00:00Z' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'conflict', path: '$' });
    expect((await patch(ctx, 'nope', { comment: 'x' })).status).toBe(404);
    expect((await patch(ctx, 'nope', { retry_conf: { num_retries: 1 } })).status).toBe(404);
  });

  it('passes the scheduler conflict through (a Temporal Update refused by its validator)', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    ctx.scheduler.failOn.update = new EventConflictError(event.id, 'an attempt has already started');
    const res = await patch(ctx, event.id, { comment: 'x' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ path: '$', error: 'an attempt has already started', code: 'conflict' });
  });
});

describe('DELETE /v1/events/:id', () => {
  it('cancels a pending event and answers it', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    const res = await ctx.call('DELETE', `/v1/events/${event.id}`);
    expect(res.status).toBe(200);
    expect(EventObjectSchema.parse(res.body)).toMatchObject({ id: event.id, status: 'cancelled' });
    expect(ctx.scheduler.peek(event.id)?.status).toBe('cancelled');
  });

  it('answers 409 when the event has finished, and 404 for an unknown id', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    ctx.scheduler.setStatus(event.id, 'delivered');
    const finished = await ctx.call('DELETE', `/v1/events/${event.id}`);
    expect(finished.status).toBe(409);
    expect(finished.body).toMatchObject({ code: 'conflict' });
    const unknown = await ctx.call('DELETE', '/v1/events/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'not-found' });
  });

  it('answers 202 with the pending event when the cancel is recorded but not confirmed', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    ctx.scheduler.setStatus(event.id, 'locked');
    ctx.scheduler.unconfirmedCancels.add(event.id);
    const res = await ctx.call('DELETE', `/v1/events/${event.id}`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: event.id, status: 'locked' });
  });

  it('answers 409 when a call under way decided the event', async () => {
    const ctx = setup();
    const event = await ctx.seed();
    ctx.scheduler.failOn.cancel = new CallInFlightError(event.id, 'delivered');
    const res = await ctx.call('DELETE', `/v1/events/${event.id}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'conflict', error: expect.stringContaining('already started') });
  });
});

describe('the admin secret', () => {
  it('guards every /v1/events route', async () => {
    const { request } = createTestApp({ adminSecret: 'secret-123' });
    for (const [method, path] of [
      ['POST', '/v1/events'],
      ['POST', '/v1/events/batch'],
      ['GET', '/v1/events'],
      ['GET', '/v1/events/x'],
      ['GET', '/v1/events/x/invocations'],
      ['PATCH', '/v1/events/x'],
      ['DELETE', '/v1/events/x'],
    ] as const) {
      const res = await request(path, { method });
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
    const ok = await request('/v1/events', { headers: { Authorization: 'Bearer secret-123' } });
    expect(ok.status).toBe(200);
  });
});

describe('the SDK against this server', () => {
  function client() {
    const ctx = setup({ temporalUiUrl: 'http://127.0.0.1:8233' });
    const sdk = new ScheduledEventsClient({
      baseUrl: 'http://api.test',
      fetch: (url, init) => Promise.resolve(ctx.app.request(url, init)),
      retries: 0,
    });
    return { ...ctx, sdk };
  }

  it('creates, reads, lists, reschedules and cancels through the wire contract', async () => {
    const { sdk } = client();
    const event = await sdk.create(
      {
        webhook: 'https://example.com/hook',
        scheduleAt: new Date('2030-06-01T10:00:00Z'),
        payload: { n: 1 },
        retryConf: { numRetries: 2 },
        comment: 'sdk',
      },
      { idempotencyKey: 'sdk-1' },
    );
    expect(event.id).toBe(eventIdForIdempotencyKey('sdk-1'));
    const again = await sdk.create(
      {
        webhook: 'https://example.com/hook',
        scheduleAt: '2030-06-01T10:00:00Z',
        payload: { n: 1 },
        retryConf: { numRetries: 2 },
        comment: 'sdk',
      },
      { idempotencyKey: 'sdk-1' },
    );
    expect(again).toEqual(event);

    const details = await sdk.get(event.id);
    expect(details.temporalUiUrl).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${event.id}`);

    const many = await sdk.createMany([
      { webhook: 'https://example.com/a', scheduleAt: '2030-06-01T09:00:00Z' },
      { webhook: 'not a url', scheduleAt: '2030-06-01T09:00:00Z' },
    ]);
    expect(many.map((r) => r.ok)).toEqual([true, false]);

    const listed: string[] = [];
    for await (const e of sdk.list({ pageSize: 1 })) listed.push(e.webhook);
    expect(listed).toEqual(['https://example.com/a', 'https://example.com/hook']);

    const moved = await sdk.reschedule(event.id, new Date('2030-06-02T10:00:00Z'));
    expect(moved.scheduledTime).toEqual(new Date('2030-06-02T10:00:00Z'));
    const updated = await sdk.update(event.id, { comment: null, retryConf: { timeoutSeconds: 5 } });
    expect(updated).toMatchObject({ comment: null, retryConf: { numRetries: 2, timeoutSeconds: 5 } });

    expect(await sdk.invocations(event.id)).toEqual([]);
    expect((await sdk.cancel(event.id)).status).toBe('cancelled');
    await expect(sdk.cancel(event.id)).rejects.toMatchObject({ status: 409, code: 'conflict' });
    await expect(sdk.get('nope')).rejects.toMatchObject({ status: 404, code: 'not-found', path: '$' });
  });
});
