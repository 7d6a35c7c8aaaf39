import { FakeEventScheduler } from '../../test/doubles/fake-scheduler';
import {
  CallInFlightError,
  CancelUnconfirmedError,
  EventConflictError,
  EventNotFoundError,
  EventTooLargeError,
} from '../shared/errors';
import { DEFAULT_RETRY_CONF, type EventDefinition } from '../shared/event';
import { EventService } from './event-service';
import { eventIdForIdempotencyKey } from './idempotency';

const definition: EventDefinition = {
  webhook: 'https://example.com/hook',
  scheduledTime: '2030-01-01T09:00:00.000Z',
  payload: { orderId: 42 },
  headers: [],
  retryConf: DEFAULT_RETRY_CONF,
  comment: null,
};

function setup() {
  const scheduler = new FakeEventScheduler();
  return { scheduler, service: new EventService(scheduler) };
}

describe('EventService', () => {
  it('creates once per idempotency key: a repeat gets the first event, another body or a deleted event is a conflict', async () => {
    const { scheduler, service } = setup();
    const first = await service.createOnce(definition, 'order-42');
    expect(first).toMatchObject({ replayed: false, event: { id: eventIdForIdempotencyKey('order-42') } });
    expect(await service.createOnce({ ...definition }, 'order-42')).toEqual({ event: first.event, replayed: true });
    await expect(service.createOnce({ ...definition, payload: 1 }, 'order-42')).rejects.toThrow(
      /already used for event .* with a different body/,
    );
    // An id Temporal refuses (still reserved) whose event cannot be read: deleted since.
    const gone = eventIdForIdempotencyKey('order-43');
    scheduler.failOn.create = new EventConflictError(gone, `an event with id ${gone} already exists`);
    const repeat = service.createOnce(definition, 'order-43');
    await expect(repeat).rejects.toThrow(/"order-43" was used for an event that has since been deleted/);
    await expect(repeat).rejects.toBeInstanceOf(EventConflictError);
  });

  it('creates each of a batch, a failure being its own result, in order', async () => {
    const { scheduler, service } = setup();
    const definitions = Array.from({ length: 40 }, (_, i) => ({ ...definition, payload: { i } }));
    const results = await service.createEach(definitions);
    expect(results.map((r) => ('event' in r ? r.event.payload : 'error'))).toEqual(definitions.map((d) => d.payload));
    scheduler.failWith = new Error('down');
    const failed = await service.createEach([definition]);
    expect(failed).toEqual([{ error: scheduler.failWith }]);
  });

  it('refuses an edit that would outgrow the history, naming the field, and only while the event can be edited', async () => {
    const { scheduler, service } = setup();
    const event = await service.create(definition);
    const huge = 'x'.repeat(1024 * 1024);
    const edit = service.edit(event.id, { payload: huge, retryConf: { numRetries: 100 } });
    await expect(edit).rejects.toBeInstanceOf(EventTooLargeError);
    await expect(edit).rejects.toMatchObject({ field: 'retry_conf.num_retries' });
    await expect(service.edit(event.id, { comment: huge.repeat(20) })).rejects.toMatchObject({ field: 'comment' });
    expect((await service.edit(event.id, { comment: 'fits' })).comment).toBe('fits');
    scheduler.setStatus(event.id, 'locked');
    // Past editing: the scheduler's conflict, not a budget error.
    await expect(service.edit(event.id, { comment: huge.repeat(20) })).rejects.toThrow(/can no longer be changed/);
  });

  it("removes as Hasura's delete does: cancels a pending event, deletes a finished one, and an unknown id is done", async () => {
    const { scheduler, service } = setup();
    const pending = await service.create(definition);
    await service.remove(pending.id);
    expect(scheduler.peek(pending.id)?.status).toBe('cancelled');
    await service.remove(pending.id); // finished now: deleted
    expect(scheduler.peek(pending.id)).toBeUndefined();
    await expect(service.remove('unknown')).resolves.toBeUndefined();

    const held = await service.create(definition);
    scheduler.unconfirmedCancels.add(held.id);
    await expect(service.remove(held.id)).rejects.toBeInstanceOf(CancelUnconfirmedError);

    const called = await service.create(definition);
    scheduler.failOn.cancel = new CallInFlightError(called.id, 'delivered');
    await expect(service.remove(called.id)).rejects.toBeInstanceOf(CallInFlightError);
    expect(scheduler.peek(called.id)).toBeDefined();
  });

  it("reads an unknown event's attempts as a 404 for REST and an empty log for Hasura", async () => {
    const { service } = setup();
    await expect(service.attemptsOf('unknown')).rejects.toBeInstanceOf(EventNotFoundError);
    expect(await service.invocations({ eventId: 'unknown' })).toEqual({ invocations: [], total: 0 });
  });

  it('streams every event in pages, in order, from an offset', async () => {
    const { service } = setup();
    const times = Array.from({ length: 2500 }, (_, i) => new Date(Date.UTC(2030, 0, 1) + (i % 7) * 1000));
    for (const t of times) await service.create({ ...definition, scheduledTime: t.toISOString() });
    const seen = [];
    for await (const event of await service.every(undefined, 10, true)) seen.push(event);
    expect(seen).toHaveLength(2490);
    expect(await service.count(undefined)).toBe(2500);
    const sorted = [...seen].sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime) || a.id.localeCompare(b.id));
    expect(seen.map((e) => e.id)).toEqual(sorted.map((e) => e.id));
  });
});
