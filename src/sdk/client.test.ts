import { ScheduledEventsClient } from './client';
import {
  AccessDeniedApiError,
  BadRequestApiError,
  ConflictApiError,
  InvalidResponseError,
  NetworkError,
  NotFoundApiError,
  UnavailableApiError,
  UnexpectedStatusError,
  WaitTimeoutError,
} from './errors';
import type { FetchInit, FetchLike, FetchResponse } from './transport';

type Handler = (url: URL, init: FetchInit) => FetchResponse | Promise<FetchResponse>;

/** A fetch that answers the n-th request with the n-th handler and records every request, body parsed. */
function fakeFetch(...handlers: Handler[]) {
  const calls: { method: string; url: URL; headers: Record<string, string>; body: unknown }[] = [];
  const fetch: FetchLike = async (url, init) => {
    const body: unknown = init.body === undefined ? undefined : JSON.parse(init.body);
    calls.push({ method: init.method, url: new URL(url), headers: init.headers, body });
    const handler = handlers[calls.length - 1];
    if (handler === undefined) throw new Error(`unexpected request #${calls.length}: ${init.method} ${url}`);
    return handler(new URL(url), init);
  };
  return { fetch, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  () =>
    new Response(JSON.stringify(body), { status, headers });
const refused: Handler = () => {
  throw new TypeError('fetch failed');
};
const apiError = (status: number, code: string, path = '$') => json(status, { path, error: `${code} here`, code });

function wireEvent(overrides: Record<string, unknown> = {}) {
  return {
    id: 'evt-1',
    webhook_conf: 'https://example.com/hook',
    scheduled_time: '2030-01-01T09:00:00.000Z',
    retry_conf: { num_retries: 0, retry_interval_seconds: 10, timeout_seconds: 60, tolerance_seconds: 21600 },
    payload: null,
    header_conf: [],
    status: 'scheduled',
    tries: 0,
    created_at: '2029-12-31T00:00:00.000Z',
    next_retry_at: null,
    comment: null,
    ...overrides,
  };
}

function setup(...handlers: Handler[]) {
  const fake = fakeFetch(...handlers);
  const sleeps: number[] = [];
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const client = new ScheduledEventsClient({
    baseUrl: 'http://api.test/',
    adminSecret: 'secret',
    fetch: fake.fetch,
    // The fake sleep moves the fake clock, so waitFor deadlines pass without real waiting.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 0,
  });
  return { client, calls: fake.calls, sleeps };
}

describe('ScheduledEventsClient options', () => {
  it('refuses a base URL that is not http(s), and bad numbers', () => {
    expect(() => new ScheduledEventsClient({ baseUrl: 'not a url' })).toThrow(TypeError);
    expect(() => new ScheduledEventsClient({ baseUrl: 'ftp://x.test' })).toThrow(TypeError);
    expect(() => new ScheduledEventsClient({ baseUrl: 'http://x.test?a=1' })).toThrow(TypeError);
    expect(() => new ScheduledEventsClient({ baseUrl: 'http://x.test', retries: 1.5 })).toThrow(RangeError);
    expect(() => new ScheduledEventsClient({ baseUrl: 'http://x.test', timeoutMs: -1 })).toThrow(RangeError);
  });

  it('keeps a path prefix and accepts a URL object', async () => {
    const fake = fakeFetch(json(200, wireEvent()));
    const client = new ScheduledEventsClient({ baseUrl: new URL('https://host.test/scheduler/'), fetch: fake.fetch });
    await client.get('evt-1');
    expect(fake.calls[0]?.url.href).toBe('https://host.test/scheduler/v1/events/evt-1');
    expect(fake.calls[0]?.headers.authorization).toBeUndefined();
  });

  it('uses the global fetch by default', async () => {
    const original = globalThis.fetch;
    const spy = jest.fn(() => Promise.resolve(new Response(JSON.stringify(wireEvent()), { status: 200 })));
    globalThis.fetch = spy;
    try {
      await new ScheduledEventsClient({ baseUrl: 'http://x.test' }).get('evt-1');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('create', () => {
  it('POSTs the snake_case args and maps the event back', async () => {
    const { client, calls } = setup(json(201, wireEvent({ payload: { n: 1 }, comment: 'c' })));
    const event = await client.create({
      webhook: 'https://example.com/hook',
      scheduleAt: new Date('2030-01-01T09:00:00Z'),
      payload: { n: 1 },
      headers: [{ name: 'X-Key', valueFromEnv: 'KEY' }],
      retryConf: { numRetries: 2 },
      comment: 'c',
    });
    expect(calls[0]).toMatchObject({
      method: 'POST',
      body: {
        webhook: 'https://example.com/hook',
        schedule_at: '2030-01-01T09:00:00.000Z',
        payload: { n: 1 },
        headers: [{ name: 'X-Key', value_from_env: 'KEY' }],
        retry_conf: { num_retries: 2 },
        comment: 'c',
      },
      headers: { authorization: 'Bearer secret' },
    });
    expect(calls[0]?.url.pathname).toBe('/v1/events');
    expect(calls[0]?.headers['idempotency-key']).toBeUndefined();
    expect(event).toMatchObject({ id: 'evt-1', scheduledTime: new Date('2030-01-01T09:00:00Z'), comment: 'c' });
    expect(event.createdAt).toBeInstanceOf(Date);
  });

  it('does not retry a create without an idempotency key', async () => {
    const { client, calls } = setup(apiError(503, 'unavailable'));
    await expect(
      client.create({ webhook: 'https://x.test', scheduleAt: '2030-01-01T00:00:00Z' }),
    ).rejects.toBeInstanceOf(UnavailableApiError);
    expect(calls).toHaveLength(1);
  });

  it('retries a create with an idempotency key, sending the same key each time', async () => {
    const { client, calls, sleeps } = setup(refused, apiError(503, 'unavailable'), json(200, wireEvent()));
    const event = await client.create(
      { webhook: 'https://x.test', scheduleAt: '2030-01-01T00:00:00Z' },
      { idempotencyKey: 'order-42' },
    );
    expect(event.id).toBe('evt-1');
    expect(calls.map((c) => c.headers['idempotency-key'])).toEqual(['order-42', 'order-42', 'order-42']);
    // random() = 0: half of each step (500, 1000).
    expect(sleeps).toEqual([250, 500]);
  });

  it('types a validation error with its path', async () => {
    const { client } = setup(apiError(400, 'parse-failed', '$.schedule_at'));
    const error = await client.create({ webhook: 'https://x.test', scheduleAt: '2030-01-01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestApiError);
    expect(error).toMatchObject({ status: 400, code: 'parse-failed', path: '$.schedule_at' });
  });

  it('surfaces a reused idempotency key as a conflict', async () => {
    const { client } = setup(apiError(409, 'conflict'));
    await expect(
      client.create({ webhook: 'https://x.test', scheduleAt: '2030-01-01T00:00:00Z' }, { idempotencyKey: 'k' }),
    ).rejects.toBeInstanceOf(ConflictApiError);
  });

  it('throws before sending for an invalid Date', async () => {
    const { client, calls } = setup();
    await expect(client.create({ webhook: 'https://x.test', scheduleAt: new Date('x') })).rejects.toThrow(RangeError);
    expect(calls).toHaveLength(0);
  });

  it('reports an answer that is not an event', async () => {
    const { client } = setup(json(201, { message: 'success' }));
    const error = await client
      .create({ webhook: 'https://x.test', scheduleAt: '2030-01-01T00:00:00Z' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ status: 201, message: 'unexpected response from the API: event id is not a string' });
  });
});

describe('createMany', () => {
  const item = (n: number) => ({ webhook: `https://x.test/${n}`, scheduleAt: '2030-01-01T00:00:00Z' });

  it('returns per-item results in input order', async () => {
    const { client, calls } = setup(
      json(200, {
        results: [
          wireEvent({ id: 'a' }),
          { error: { path: '$.events[1].webhook', error: 'bad', code: 'parse-failed' } },
        ],
      }),
    );
    const results = await client.createMany([item(0), item(1)]);
    expect(calls[0]?.url.pathname).toBe('/v1/events/batch');
    expect(calls[0]?.body).toEqual({
      events: [
        { webhook: 'https://x.test/0', schedule_at: '2030-01-01T00:00:00Z' },
        { webhook: 'https://x.test/1', schedule_at: '2030-01-01T00:00:00Z' },
      ],
    });
    expect(results[0]).toMatchObject({ ok: true, event: { id: 'a' } });
    expect(results[1]).toMatchObject({ ok: false, error: { status: 400, path: '$.events[1].webhook' } });
    expect(results[1]?.ok === false && results[1].error).toBeInstanceOf(BadRequestApiError);
  });

  it('sends nothing for an empty list', async () => {
    const { client, calls } = setup();
    await expect(client.createMany([])).resolves.toEqual([]);
    expect(calls).toHaveLength(0);
  });

  it('splits more than 1,000 events into requests of 1,000', async () => {
    const answer: Handler = (_url, init) => {
      const { events } = JSON.parse(init.body ?? '{}') as { events: unknown[] };
      return new Response(JSON.stringify({ results: events.map((_e, i) => wireEvent({ id: `e${i}` })) }));
    };
    const { client, calls } = setup(answer, answer, answer);
    const results = await client.createMany(Array.from({ length: 2_500 }, (_v, n) => item(n)));
    expect(calls.map((c) => (c.body as { events: unknown[] }).events.length)).toEqual([1_000, 1_000, 500]);
    expect(results).toHaveLength(2_500);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('gives the items of a failed request and all later ones its error, and never retries', async () => {
    const answer: Handler = (_url, init) => {
      const { events } = JSON.parse(init.body ?? '{}') as { events: unknown[] };
      return new Response(JSON.stringify({ results: events.map(() => wireEvent()) }));
    };
    const { client, calls } = setup(answer, apiError(503, 'unavailable'));
    const results = await client.createMany(Array.from({ length: 2_100 }, (_v, n) => item(n)));
    expect(calls).toHaveLength(2);
    expect(results).toHaveLength(2_100);
    expect(results.slice(0, 1_000).every((r) => r.ok)).toBe(true);
    const failed = results.slice(1_000);
    expect(failed.every((r) => !r.ok && r.error instanceof UnavailableApiError)).toBe(true);
  });

  it('reports an auth failure on every item', async () => {
    const { client } = setup(apiError(401, 'access-denied'));
    const results = await client.createMany([item(0), item(1)]);
    expect(results.map((r) => !r.ok && r.error instanceof AccessDeniedApiError)).toEqual([true, true]);
  });

  it('reports a result count mismatch as an invalid response on every item', async () => {
    const { client } = setup(json(200, { results: [wireEvent()] }));
    const results = await client.createMany([item(0), item(1)]);
    expect(results.map((r) => !r.ok && r.error instanceof InvalidResponseError)).toEqual([true, true]);
  });

  it('checks every item before sending any', async () => {
    const { client, calls } = setup();
    await expect(client.createMany([item(0), { ...item(1), scheduleAt: new Date(NaN) }])).rejects.toThrow(RangeError);
    expect(calls).toHaveLength(0);
  });
});

describe('get', () => {
  it('encodes the id and adds the Temporal UI link', async () => {
    const { client, calls } = setup(json(200, wireEvent({ id: 'a/b c', temporal_ui_url: 'http://ui.test/x' })));
    const event = await client.get('a/b c');
    expect(calls[0]?.url.pathname).toBe('/v1/events/a%2Fb%20c');
    expect(event.temporalUiUrl).toBe('http://ui.test/x');
  });

  it('throws NotFoundApiError for an unknown id, without retrying', async () => {
    const { client, calls } = setup(apiError(404, 'not-found'));
    await expect(client.get('nope')).rejects.toBeInstanceOf(NotFoundApiError);
    expect(calls).toHaveLength(1);
  });

  it('retries a GET on 502', async () => {
    const { client, calls } = setup(json(502, 'bad gateway'), json(200, wireEvent()));
    await expect(client.get('evt-1')).resolves.toMatchObject({ id: 'evt-1' });
    expect(calls).toHaveLength(2);
  });

  it('refuses an empty id, and ids a URL would resolve as a path step (`..` is the parent), sending nothing', async () => {
    const { client, calls } = setup();
    for (const id of ['', '.', '..', '%2e%2E', '.%2e']) await expect(client.get(id)).rejects.toThrow(TypeError);
    expect(calls).toEqual([]);
  });
});

describe('list', () => {
  it('follows next_cursor across pages and passes the filter on every page', async () => {
    const { client, calls } = setup(
      json(200, { events: [wireEvent({ id: 'a' }), wireEvent({ id: 'b' })], next_cursor: 'c1' }),
      json(200, { events: [], next_cursor: 'c2' }),
      json(200, { events: [wireEvent({ id: 'c' })], next_cursor: null }),
    );
    const ids: string[] = [];
    for await (const event of client.list({
      status: ['error', 'dead'],
      scheduledAfter: new Date('2030-01-01T00:00:00Z'),
      scheduledBefore: '2030-02-01T00:00:00+01:00',
      pageSize: 2,
    })) {
      ids.push(event.id);
    }
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(calls.map((c) => c.url.searchParams.get('cursor'))).toEqual([null, 'c1', 'c2']);
    for (const call of calls) {
      expect(call.url.pathname).toBe('/v1/events');
      expect(call.url.searchParams.get('status')).toBe('error,dead');
      expect(call.url.searchParams.get('scheduled_after')).toBe('2030-01-01T00:00:00.000Z');
      expect(call.url.searchParams.get('scheduled_before')).toBe('2030-02-01T00:00:00+01:00');
      expect(call.url.searchParams.get('limit')).toBe('2');
    }
  });

  it('sends no filter for an empty filter or an empty status list', async () => {
    const { client, calls } = setup(json(200, { events: [], next_cursor: null }));
    for await (const _event of client.list({ status: [] })) throw new Error('no events expected');
    expect(calls[0]?.url.search).toBe('');
  });

  it('stops fetching when the loop breaks', async () => {
    const { client, calls } = setup(
      json(200, { events: [wireEvent({ id: 'a' }), wireEvent({ id: 'b' })], next_cursor: 'c1' }),
    );
    for await (const event of client.list()) {
      expect(event.id).toBe('a');
      break;
    }
    expect(calls).toHaveLength(1);
  });

  it('starts from a given cursor', async () => {
    const { client, calls } = setup(json(200, { events: [], next_cursor: null }));
    const page = await client.listPage({ cursor: 'resume', status: 'scheduled' });
    expect(page).toEqual({ events: [], nextCursor: null });
    expect(calls[0]?.url.searchParams.get('cursor')).toBe('resume');
    expect(calls[0]?.url.searchParams.get('status')).toBe('scheduled');
  });

  it('stops with an error when the server repeats a cursor', async () => {
    const { client } = setup(
      json(200, { events: [], next_cursor: 'same' }),
      json(200, { events: [], next_cursor: 'same' }),
    );
    const drain = async () => {
      for await (const _event of client.list()) void _event;
    };
    await expect(drain()).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it('retries a page', async () => {
    const { client, calls } = setup(
      json(200, { events: [wireEvent({ id: 'a' })], next_cursor: 'c1' }),
      apiError(503, 'unavailable'),
      json(200, { events: [wireEvent({ id: 'b' })], next_cursor: null }),
    );
    const ids: string[] = [];
    for await (const event of client.list()) ids.push(event.id);
    expect(ids).toEqual(['a', 'b']);
    expect(calls).toHaveLength(3);
  });
});

describe('invocations', () => {
  it('reads the invocations of an event', async () => {
    const { client, calls } = setup(
      json(200, {
        invocations: [
          {
            id: 'i1',
            event_id: 'evt-1',
            status: 500,
            request: { payload: { id: 'evt-1' }, headers: [], version: '1' },
            response: { type: 'client_error', data: { message: 'boom' }, version: '1' },
            created_at: '2030-01-01T09:00:00.000Z',
          },
        ],
      }),
    );
    const invocations = await client.invocations('evt-1');
    expect(calls[0]?.url.pathname).toBe('/v1/events/evt-1/invocations');
    expect(invocations).toEqual([
      {
        id: 'i1',
        eventId: 'evt-1',
        status: 500,
        request: { payload: { id: 'evt-1' }, headers: [] },
        response: { type: 'client_error', message: 'boom', truncated: false },
        createdAt: new Date('2030-01-01T09:00:00.000Z'),
        failureCallback: false,
      },
    ]);
  });
});

describe('update and reschedule', () => {
  it('PATCHes only the given fields', async () => {
    const { client, calls } = setup(json(200, wireEvent({ comment: 'new' })));
    const event = await client.update('evt-1', { comment: 'new', retryConf: { numRetries: 3 } });
    expect(calls[0]).toMatchObject({ method: 'PATCH', body: { comment: 'new', retry_conf: { num_retries: 3 } } });
    expect(calls[0]?.url.pathname).toBe('/v1/events/evt-1');
    expect(event.comment).toBe('new');
  });

  it('reschedules with a Date or a string', async () => {
    const { client, calls } = setup(json(200, wireEvent()), json(200, wireEvent()));
    await client.reschedule('evt-1', new Date('2030-03-01T00:00:00Z'));
    await client.reschedule('evt-1', '2030-03-01T02:00:00+02:00');
    expect(calls.map((c) => c.body)).toEqual([
      { schedule_at: '2030-03-01T00:00:00.000Z' },
      { schedule_at: '2030-03-01T02:00:00+02:00' },
    ]);
  });

  it('retries a PATCH on a network error, but not a 409', async () => {
    const retried = setup(refused, json(200, wireEvent()));
    await retried.client.reschedule('evt-1', '2030-03-01T00:00:00Z');
    expect(retried.calls).toHaveLength(2);

    const conflict = setup(apiError(409, 'conflict'));
    await expect(conflict.client.reschedule('evt-1', '2030-03-01T00:00:00Z')).rejects.toBeInstanceOf(ConflictApiError);
    expect(conflict.calls).toHaveLength(1);
  });
});

describe('cancel', () => {
  it('DELETEs and returns the cancelled event', async () => {
    const { client, calls } = setup(json(200, wireEvent({ status: 'cancelled' })));
    await expect(client.cancel('evt-1')).resolves.toMatchObject({ status: 'cancelled' });
    expect(calls[0]).toMatchObject({ method: 'DELETE' });
  });

  it('throws ConflictApiError for a finished event', async () => {
    const { client, calls } = setup(apiError(409, 'conflict'));
    await expect(client.cancel('evt-1')).rejects.toBeInstanceOf(ConflictApiError);
    expect(calls).toHaveLength(1);
  });

  it('returns the event when a retry finds it already cancelled by the lost first attempt', async () => {
    const { client, calls } = setup(refused, apiError(409, 'conflict'), json(200, wireEvent({ status: 'cancelled' })));
    await expect(client.cancel('evt-1')).resolves.toMatchObject({ status: 'cancelled' });
    expect(calls.map((c) => c.method)).toEqual(['DELETE', 'DELETE', 'GET']);
  });

  it('keeps the 409 when a retry finds the event finished otherwise', async () => {
    const { client } = setup(refused, apiError(409, 'conflict'), json(200, wireEvent({ status: 'delivered' })));
    await expect(client.cancel('evt-1')).rejects.toBeInstanceOf(ConflictApiError);
  });

  it('throws NetworkError when every attempt fails', async () => {
    const { client, calls } = setup(refused, refused, refused);
    await expect(client.cancel('evt-1')).rejects.toBeInstanceOf(NetworkError);
    expect(calls).toHaveLength(3);
  });
});

describe('waitFor', () => {
  it('polls until the event reaches an awaited status', async () => {
    const { client, calls, sleeps } = setup(
      json(200, wireEvent({ status: 'scheduled' })),
      json(200, wireEvent({ status: 'locked' })),
      json(200, wireEvent({ status: 'delivered', tries: 1 })),
    );
    const event = await client.waitFor('evt-1', ['delivered', 'error'], { pollIntervalMs: 250 });
    expect(event).toMatchObject({ status: 'delivered', tries: 1 });
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([250, 250]);
  });

  it('returns at once when the status is already there', async () => {
    const { client, sleeps } = setup(json(200, wireEvent({ status: 'scheduled' })));
    await expect(client.waitFor('evt-1', 'scheduled')).resolves.toMatchObject({ status: 'scheduled' });
    expect(sleeps).toEqual([]);
  });

  it('throws UnexpectedStatusError when the event finishes otherwise', async () => {
    const { client } = setup(json(200, wireEvent({ status: 'scheduled' })), json(200, wireEvent({ status: 'dead' })));
    const error = await client.waitFor('evt-1', 'delivered').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedStatusError);
    expect(error).toMatchObject({ code: 'unexpected-status', event: { status: 'dead' } });
  });

  it('throws WaitTimeoutError with the last event after the deadline, polling once more at it', async () => {
    const scheduled = json(200, wireEvent({ status: 'scheduled' }));
    const { client, calls, sleeps } = setup(scheduled, scheduled, scheduled, scheduled);
    const error = await client
      .waitFor('evt-1', 'delivered', { timeoutMs: 2_500, pollIntervalMs: 1_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ code: 'wait-timeout', lastEvent: { status: 'scheduled' } });
    // Polls at 0, 1000, 2000 and a last one at the 2500 deadline.
    expect(sleeps).toEqual([1_000, 1_000, 500]);
    expect(calls).toHaveLength(4);
  });

  it('passes on a NotFoundApiError', async () => {
    const { client } = setup(apiError(404, 'not-found'));
    await expect(client.waitFor('nope', 'delivered')).rejects.toBeInstanceOf(NotFoundApiError);
  });
});
