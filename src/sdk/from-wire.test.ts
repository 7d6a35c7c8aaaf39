import {
  fromWireBatchResults,
  fromWireEvent,
  fromWireEventDetails,
  fromWireEventPage,
  fromWireInvocationList,
  MalformedResponseError,
} from './from-wire';

const WIRE_EVENT = {
  id: 'evt-1',
  webhook_conf: 'https://example.com/hook',
  scheduled_time: '2030-01-01T09:00:00.000Z',
  retry_conf: { num_retries: 2, retry_interval_seconds: 5, timeout_seconds: 30, tolerance_seconds: 3600 },
  payload: { orderId: 42 },
  header_conf: [
    { name: 'X-Plain', value: 'v' },
    { name: 'X-Secret', value_from_env: 'HOOK_SECRET' },
  ],
  status: 'scheduled',
  tries: 1,
  created_at: '2029-12-31T00:00:00.000Z',
  next_retry_at: '2030-01-01T09:00:05.000Z',
  comment: 'reminder',
};

describe('fromWireEvent', () => {
  it('maps to camelCase with Date times', () => {
    expect(fromWireEvent(WIRE_EVENT)).toEqual({
      id: 'evt-1',
      webhook: 'https://example.com/hook',
      scheduledTime: new Date('2030-01-01T09:00:00.000Z'),
      retryConf: { numRetries: 2, retryIntervalSeconds: 5, timeoutSeconds: 30, toleranceSeconds: 3600 },
      payload: { orderId: 42 },
      headers: [
        { name: 'X-Plain', value: 'v' },
        { name: 'X-Secret', valueFromEnv: 'HOOK_SECRET' },
      ],
      status: 'scheduled',
      tries: 1,
      createdAt: new Date('2029-12-31T00:00:00.000Z'),
      nextRetryAt: new Date('2030-01-01T09:00:05.000Z'),
      comment: 'reminder',
      failureWebhook: null,
    });
    expect(fromWireEvent({ ...WIRE_EVENT, failure_webhook: 'https://example.com/failed' }).failureWebhook).toBe(
      'https://example.com/failed',
    );
  });

  it('reads null/absent optional parts as empty', () => {
    const event = fromWireEvent({
      ...WIRE_EVENT,
      header_conf: null,
      next_retry_at: null,
      comment: null,
      payload: undefined,
    });
    expect(event).toMatchObject({ headers: [], nextRetryAt: null, comment: null, payload: null });
  });

  it('refuses a body that is not an event', () => {
    expect(() => fromWireEvent([])).toThrow(MalformedResponseError);
    expect(() => fromWireEvent({ ...WIRE_EVENT, id: 7 })).toThrow('event id is not a string');
    expect(() => fromWireEvent({ ...WIRE_EVENT, scheduled_time: 'tomorrow' })).toThrow(
      'scheduled_time of event evt-1 is not a valid timestamp',
    );
    expect(() => fromWireEvent({ ...WIRE_EVENT, retry_conf: null })).toThrow(MalformedResponseError);
  });

  it('adds the Temporal UI link for a single event', () => {
    expect(fromWireEventDetails({ ...WIRE_EVENT, temporal_ui_url: 'http://ui/evt-1' }).temporalUiUrl).toBe(
      'http://ui/evt-1',
    );
    expect(fromWireEventDetails(WIRE_EVENT).temporalUiUrl).toBeNull();
  });
});

describe('fromWireEventPage', () => {
  it('maps the events and the cursor', () => {
    const page = fromWireEventPage({ events: [WIRE_EVENT], next_cursor: 'c2' });
    expect(page.events.map((e) => e.id)).toEqual(['evt-1']);
    expect(page.nextCursor).toBe('c2');
  });

  it('treats a null, absent or empty cursor as the last page', () => {
    expect(fromWireEventPage({ events: [], next_cursor: null }).nextCursor).toBeNull();
    expect(fromWireEventPage({ events: [] }).nextCursor).toBeNull();
    expect(fromWireEventPage({ events: [], next_cursor: '' }).nextCursor).toBeNull();
  });

  it('refuses a page without an events array or with a bad cursor', () => {
    expect(() => fromWireEventPage({ next_cursor: null })).toThrow('events is not a JSON array');
    expect(() => fromWireEventPage({ events: [], next_cursor: 3 })).toThrow(MalformedResponseError);
  });
});

describe('fromWireInvocationList', () => {
  const request = {
    payload: {
      id: 'evt-1',
      scheduled_time: '2030-01-01T09:00:00.000Z',
      payload: null,
      created_at: '2029-12-31T00:00:00.000Z',
    },
    headers: [{ name: 'X-Secret', value_from_env: 'HOOK_SECRET' }],
    version: '1',
  };

  it('flattens a webhook response', () => {
    const [invocation] = fromWireInvocationList({
      invocations: [
        {
          id: 'inv-2',
          event_id: 'evt-1',
          status: 200,
          request,
          response: {
            type: 'webhook_response',
            data: { status: 200, headers: [{ name: 'content-type', value: 'text/plain' }], body: 'ok' },
            version: '1',
          },
          created_at: '2030-01-01T09:00:00.100Z',
        },
      ],
    });
    expect(invocation).toEqual({
      id: 'inv-2',
      eventId: 'evt-1',
      status: 200,
      request: { payload: request.payload, headers: [{ name: 'X-Secret', valueFromEnv: 'HOOK_SECRET' }] },
      response: {
        type: 'webhook_response',
        status: 200,
        headers: [{ name: 'content-type', value: 'text/plain' }],
        body: 'ok',
        truncated: false,
      },
      createdAt: new Date('2030-01-01T09:00:00.100Z'),
      failureCallback: false,
    });
  });

  it('flattens a client error with no status, and header maps', () => {
    const invocations = fromWireInvocationList({
      invocations: [
        {
          id: 'inv-1',
          event_id: 'evt-1',
          status: null,
          request,
          response: { type: 'client_error', data: { message: 'timeout', truncated: true }, version: '1' },
          created_at: '2030-01-01T09:00:00.000Z',
        },
        {
          id: 'inv-0',
          event_id: 'evt-1',
          status: 201,
          request,
          response: { type: 'webhook_response', data: { status: 201, headers: { etag: 'x' }, body: '' }, version: '1' },
          created_at: '2030-01-01T08:59:00.000Z',
        },
      ],
    });
    expect(invocations[0]).toMatchObject({
      status: null,
      response: { type: 'client_error', message: 'timeout', truncated: true },
    });
    expect(invocations[1]?.response).toMatchObject({ headers: [{ name: 'etag', value: 'x' }] });
  });

  it('refuses a body without an invocations array', () => {
    expect(() => fromWireInvocationList({})).toThrow('invocations is not a JSON array');
  });
});

describe('fromWireBatchResults', () => {
  it('keeps input order, events and errors', () => {
    const error = { path: '$.events[1].webhook', error: 'bad', code: 'parse-failed' };
    const items = fromWireBatchResults({ results: [WIRE_EVENT, { error }] }, 2);
    expect(items[0]).toMatchObject({ ok: true, event: { id: 'evt-1' } });
    expect(items[1]).toEqual({ ok: false, error });
  });

  it('refuses a result count that does not match what was sent', () => {
    expect(() => fromWireBatchResults({ results: [WIRE_EVENT] }, 2)).toThrow('results has 1 entries for 2 events sent');
  });
});
