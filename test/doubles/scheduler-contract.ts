/**
 * The EventScheduler contract (src/shared/scheduler.ts) as one suite, run against the fake (unit,
 * fake-scheduler.contract.test.ts) and the real Temporal scheduler (integration, test/scheduler-contract.int.test.ts),
 * so that the two cannot drift apart: API tests trust the fake to behave as the real one does.
 *
 * Events are due far in the future, in a window of their own, so that nothing fires and listings on a shared
 * namespace see only this suite's events. Listings read visibility, which the real server updates a moment after a
 * change: `eventually` polls for the expected answer.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_RETRY_CONF, type EventDefinition } from '../../src/shared/event';
import { EventConflictError, EventNotFoundError } from '../../src/shared/errors';
import type { EventScheduler, ListEventsQuery } from '../../src/shared/scheduler';

export interface ContractSubject {
  scheduler: EventScheduler;
  close?: () => Promise<void>;
}

/** How long to wait for visibility to show a change, and how often to look. */
const EVENTUALLY_MS = 15_000;
const POLL_MS = 100;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + EVENTUALLY_MS;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function schedulerContract(name: string, subject: () => Promise<ContractSubject>): void {
  describe(`EventScheduler contract: ${name}`, () => {
    let s: ContractSubject;
    // A window of its own, decades ahead: a random minute in 2090-2099.
    const windowStart = Date.UTC(2090, 0, 1) + Math.floor(Math.random() * 5e6) * 60_000;
    const at = (minutes: number): string => new Date(windowStart + minutes * 60_000).toISOString();
    const inWindow: Pick<ListEventsQuery, 'scheduledAfter' | 'scheduledBefore'> = {
      scheduledAfter: at(0),
      scheduledBefore: at(60),
    };
    const run = randomUUID().slice(0, 8);
    const definition = (minutes: number, comment: string | null = null): EventDefinition => ({
      webhook: 'https://example.com/contract',
      scheduledTime: at(minutes),
      payload: { run },
      headers: [{ name: 'X-Run', value: run }],
      retryConf: { ...DEFAULT_RETRY_CONF },
      comment,
    });

    beforeAll(async () => {
      s = await subject();
    });
    afterAll(async () => {
      await s?.close?.();
    });

    it('creates and reads an event back as given, scheduled with no tries', async () => {
      const created = await s.scheduler.create(definition(1, 'hello'));
      const read = await s.scheduler.get(created.id);
      expect(read).toMatchObject({
        ...definition(1, 'hello'),
        id: created.id,
        status: 'scheduled',
        tries: 0,
        nextRetryAt: null,
      });
      expect(Date.parse(read.createdAt)).not.toBeNaN();
      await s.scheduler.cancel(created.id);
    });

    it('refuses an id already taken, and answers EventNotFoundError for an unknown one', async () => {
      const id = `contract-${run}-taken`;
      await s.scheduler.create(definition(2), { eventId: id });
      await expect(s.scheduler.create(definition(2), { eventId: id })).rejects.toBeInstanceOf(EventConflictError);
      await expect(s.scheduler.get(`contract-${run}-unknown`)).rejects.toBeInstanceOf(EventNotFoundError);
      await expect(s.scheduler.invocations({ eventId: `contract-${run}-unknown` })).rejects.toBeInstanceOf(
        EventNotFoundError,
      );
      await s.scheduler.cancel(id);
    });

    it('lists by due time, then id by code unit; pages with offset, limit and a cursor; total follows the cursor', async () => {
      // Same instant, ids that localeCompare would order differently from code units (case, punctuation).
      const ids = ['B', 'a', 'a-c', 'ab'].map((suffix) => `contract-${run}-order-${suffix}`);
      for (const id of ids) await s.scheduler.create(definition(10), { eventId: id });
      await s.scheduler.create(definition(9), { eventId: `contract-${run}-order-early` });
      const expected = [`contract-${run}-order-early`, ...[...ids].sort()];
      const window = { ...inWindow, scheduledAfter: at(9), scheduledBefore: at(11), withTotal: true };

      const all = await eventually(
        () => s.scheduler.list(window),
        (page) => page.total === expected.length,
      );
      expect(all.events.map((e) => e.id)).toEqual(expected);
      expect(all.total).toBe(expected.length);

      const paged = await s.scheduler.list({ ...window, offset: 1, limit: 2 });
      expect(paged.events.map((e) => e.id)).toEqual(expected.slice(1, 3));
      expect(paged.total).toBe(expected.length);

      const cursor = all.events[2]!;
      const after = await s.scheduler.list({
        ...window,
        after: { scheduledTime: cursor.scheduledTime, id: cursor.id },
      });
      expect(after.events.map((e) => e.id)).toEqual(expected.slice(3));
      expect(after.total).toBe(expected.length - 3);

      for (const id of expected) await s.scheduler.cancel(id);
    });

    it('filters by status: cancelled only when asked for', async () => {
      const id = `contract-${run}-status`;
      await s.scheduler.create(definition(20), { eventId: id });
      await s.scheduler.cancel(id);
      const window = { scheduledAfter: at(20), scheduledBefore: at(21) };
      const cancelled = await eventually(
        () => s.scheduler.list({ ...window, statuses: ['cancelled'], withTotal: true }),
        (page) => page.total === 1,
      );
      expect(cancelled.events.map((e) => [e.id, e.status])).toEqual([[id, 'cancelled']]);
      expect((await s.scheduler.list(window)).events.map((e) => e.id)).not.toContain(id);
    });

    it('edits a pending event, merging retry_conf field by field; refuses edits of a finished one', async () => {
      const id = `contract-${run}-edit`;
      await s.scheduler.create(definition(30), { eventId: id });
      const edited = await s.scheduler.update(id, { comment: 'edited', retryConf: { numRetries: 2 } });
      expect(edited).toMatchObject({
        comment: 'edited',
        retryConf: { ...DEFAULT_RETRY_CONF, numRetries: 2 },
        scheduledTime: at(30),
      });
      expect(await s.scheduler.get(id)).toMatchObject({ comment: 'edited', retryConf: { numRetries: 2 } });
      await s.scheduler.cancel(id);
      await expect(s.scheduler.update(id, { comment: 'late' })).rejects.toBeInstanceOf(EventConflictError);
      await expect(s.scheduler.update(`contract-${run}-nobody`, { comment: 'x' })).rejects.toBeInstanceOf(
        EventNotFoundError,
      );
    });

    // Deleting a finished event is left to test/delete-finished.int.test.ts: the dev server removes an execution in
    // the background (~33 s), and with a delete from here running beside it that test once waited past 85 s in CI.
    it('cancels a pending event once; refuses to delete a pending one', async () => {
      const id = `contract-${run}-cancel`;
      await s.scheduler.create(definition(40), { eventId: id });
      await expect(s.scheduler.delete(id)).rejects.toBeInstanceOf(EventConflictError);
      expect(await s.scheduler.cancel(id)).toMatchObject({ id, status: 'cancelled' });
      await expect(s.scheduler.cancel(id)).rejects.toBeInstanceOf(EventConflictError);
      await expect(s.scheduler.cancel(`contract-${run}-nobody`)).rejects.toBeInstanceOf(EventNotFoundError);
    });

    it('has no invocations for an event that has made no attempt', async () => {
      const id = `contract-${run}-quiet`;
      await s.scheduler.create(definition(50), { eventId: id });
      expect(await s.scheduler.invocations({ eventId: id })).toEqual({ invocations: [], total: 0 });
      await s.scheduler.cancel(id);
    });
  });
}
