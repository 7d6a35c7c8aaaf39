import { DEFAULT_RETRY_CONF, type EventDefinition } from '../../src/shared/event';
import { EventConflictError, EventNotFoundError, SchedulerUnavailableError } from '../../src/shared/errors';
import { FakeEventScheduler } from './fake-scheduler';

const NOW = new Date('2024-05-01T12:00:00.000Z');

function definition(scheduledTime: string, changes: Partial<EventDefinition> = {}): EventDefinition {
  return {
    webhook: 'https://example.com/hook',
    scheduledTime,
    payload: null,
    headers: [],
    retryConf: { ...DEFAULT_RETRY_CONF },
    comment: null,
    ...changes,
  };
}

function setup() {
  let clock = NOW.getTime();
  let ids = 0;
  const scheduler = new FakeEventScheduler({
    now: () => new Date(clock),
    newId: () => `id-${String(++ids).padStart(3, '0')}`,
  });
  return { scheduler, advance: (ms: number) => (clock += ms) };
}

describe('FakeEventScheduler', () => {
  it('creates scheduled events, with a chosen id or a new one', async () => {
    const { scheduler } = setup();
    const event = await scheduler.create(definition('2024-06-01T00:00:00.000Z'));
    expect(event).toMatchObject({
      id: 'id-001',
      status: 'scheduled',
      tries: 0,
      nextRetryAt: null,
      createdAt: NOW.toISOString(),
    });
    const chosen = await scheduler.create(definition('2024-06-01T00:00:00.000Z'), { eventId: 'mine' });
    expect(chosen.id).toBe('mine');
    await expect(scheduler.create(definition('2024-06-01T00:00:00.000Z'), { eventId: 'mine' })).rejects.toBeInstanceOf(
      EventConflictError,
    );
  });

  it('hands out copies, so callers cannot change its state', async () => {
    const { scheduler } = setup();
    const def = definition('2024-06-01T00:00:00.000Z', { payload: { a: 1 } });
    const event = await scheduler.create(def);
    (def.payload as { a: number }).a = 2;
    event.status = 'dead';
    expect(await scheduler.get(event.id)).toMatchObject({ status: 'scheduled', payload: { a: 1 } });
  });

  it('lists by scheduledTime then id, filters by status and time, pages with offset/limit/after', async () => {
    const { scheduler } = setup();
    await scheduler.create(definition('2024-06-02T00:00:00.000Z'), { eventId: 'b' });
    await scheduler.create(definition('2024-06-01T00:00:00.000Z'), { eventId: 'z' });
    await scheduler.create(definition('2024-06-02T00:00:00.000Z'), { eventId: 'a' });
    await scheduler.create(definition('2024-06-03T00:00:00.000Z'), { eventId: 'c' });
    await scheduler.cancel('c');

    const ids = async (query: Parameters<FakeEventScheduler['list']>[0]) => {
      const page = await scheduler.list(query);
      return { ids: page.events.map((e) => e.id), total: page.total };
    };
    expect(await ids({})).toEqual({ ids: ['z', 'a', 'b'], total: 3 });
    expect(await ids({ statuses: [] })).toEqual({ ids: ['z', 'a', 'b'], total: 3 });
    expect(await ids({ statuses: ['cancelled'] })).toEqual({ ids: ['c'], total: 1 });
    expect(await ids({ offset: 1, limit: 1 })).toEqual({ ids: ['a'], total: 3 });
    expect(await ids({ offset: 5 })).toEqual({ ids: [], total: 3 });
    expect(await ids({ limit: 0 })).toEqual({ ids: [], total: 3 });
    expect(await ids({ scheduledAfter: '2024-06-02T00:00:00Z', scheduledBefore: '2024-06-03T00:00:00Z' })).toEqual({
      ids: ['a', 'b'],
      total: 2,
    });
    // `total` counts what follows the cursor, as the real scheduler does.
    expect(await ids({ after: { scheduledTime: '2024-06-02T00:00:00.000Z', id: 'a' } })).toEqual({
      ids: ['b'],
      total: 1,
    });
  });

  it('cancels pending events only', async () => {
    const { scheduler } = setup();
    const { id } = await scheduler.create(definition('2024-06-01T00:00:00.000Z'));
    scheduler.setStatus(id, 'locked');
    expect(await scheduler.cancel(id)).toMatchObject({ status: 'cancelled', nextRetryAt: null });
    await expect(scheduler.cancel(id)).rejects.toBeInstanceOf(EventConflictError);
    await expect(scheduler.cancel('unknown')).rejects.toBeInstanceOf(EventNotFoundError);
  });

  it('deletes finished events only, with their attempts', async () => {
    const { scheduler } = setup();
    const { id } = await scheduler.create(definition('2024-06-01T00:00:00.000Z'));
    await expect(scheduler.delete(id)).rejects.toBeInstanceOf(EventConflictError);
    scheduler.recordAttempt(id, { status: 200 });
    await scheduler.delete(id);
    await expect(scheduler.get(id)).rejects.toBeInstanceOf(EventNotFoundError);
    expect((await scheduler.invocations({})).total).toBe(0);
    await expect(scheduler.delete(id)).rejects.toBeInstanceOf(EventNotFoundError);
  });

  it('updates only before the first attempt', async () => {
    const { scheduler } = setup();
    const { id } = await scheduler.create(
      definition('2024-06-01T00:00:00.000Z', { retryConf: { ...DEFAULT_RETRY_CONF, numRetries: 2 } }),
    );
    expect(await scheduler.update(id, { comment: 'moved', scheduledTime: '2024-07-01T00:00:00.000Z' })).toMatchObject({
      comment: 'moved',
      scheduledTime: '2024-07-01T00:00:00.000Z',
      webhook: 'https://example.com/hook',
    });
    scheduler.recordAttempt(id, { status: 500 });
    await expect(scheduler.update(id, { comment: 'again' })).rejects.toBeInstanceOf(EventConflictError);
  });

  it('plays attempts as the workflow would: retry, Retry-After, error when retries run out', async () => {
    const { scheduler, advance } = setup();
    const { id } = await scheduler.create(
      definition('2024-05-01T12:00:00.000Z', {
        retryConf: { ...DEFAULT_RETRY_CONF, numRetries: 2, retryIntervalSeconds: 5 },
      }),
    );
    const first = scheduler.recordAttempt(id, { status: 503, body: 'busy' });
    expect(first).toMatchObject({ attempt: 1, success: false, response: { type: 'client_error', message: 'busy' } });
    expect(scheduler.peek(id)).toMatchObject({
      status: 'scheduled',
      tries: 1,
      nextRetryAt: '2024-05-01T12:00:05.000Z',
    });
    advance(5000);
    scheduler.recordAttempt(id, { status: 429, retryAfterSeconds: 30 });
    expect(scheduler.peek(id)).toMatchObject({
      status: 'scheduled',
      tries: 2,
      nextRetryAt: '2024-05-01T12:00:35.000Z',
    });
    advance(30_000);
    scheduler.recordAttempt(id, { status: null, body: 'timeout' });
    expect(scheduler.peek(id)).toMatchObject({ status: 'error', tries: 3, nextRetryAt: null });

    const page = await scheduler.invocations({ eventId: id });
    expect(page.invocations.map((r) => r.attempt)).toEqual([3, 2, 1]);
    expect(page.total).toBe(3);
  });

  it('cuts stored bodies to the limit and says so', async () => {
    const { scheduler } = setup();
    const { id } = await scheduler.create(definition('2024-06-01T00:00:00.000Z'));
    const record = scheduler.recordAttempt(id, { status: 200, body: '€'.repeat(30_000) });
    expect(record.response).toMatchObject({ type: 'webhook_response', bodyTruncated: true });
    const body = record.response.type === 'webhook_response' ? record.response.body : '';
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(64 * 1024);
    expect(body).toMatch(/^€+$/);
  });

  it('fails on demand, for every method or one', async () => {
    const { scheduler } = setup();
    scheduler.failOn.list = new SchedulerUnavailableError();
    await expect(scheduler.list({})).rejects.toBeInstanceOf(SchedulerUnavailableError);
    await expect(scheduler.create(definition('2024-06-01T00:00:00.000Z'))).resolves.toBeDefined();
    scheduler.failWith = new SchedulerUnavailableError();
    await expect(scheduler.readiness()).rejects.toBeInstanceOf(SchedulerUnavailableError);
    expect(scheduler.calls.map((c) => c.method)).toEqual(['list', 'create', 'readiness']);
  });
});
