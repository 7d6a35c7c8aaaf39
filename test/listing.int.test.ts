/**
 * Listings from visibility (docs/contract.md §4): ordered by scheduled_time ascending at any size, status filter,
 * limit/offset and count, in a namespace of this file's own so "every event" means exactly the events made here.
 */
import { randomUUID } from 'node:crypto';
import { createIsolatedNamespace, eventually, type Stack, startStack } from './helpers/stack';

let stack: Stack;

beforeAll(async () => {
  const namespace = await createIsolatedNamespace(`listing-${randomUUID().slice(0, 8)}`);
  // No worker: every event stays `scheduled` unless cancelled, which makes the expected listing exact.
  stack = await startStack({ namespace, withoutWorker: true });
});

afterAll(async () => {
  await stack?.stop();
});

const list = async (args: Record<string, unknown>) => {
  const res = await stack.post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off', ...args } });
  expect(res.status).toBe(200);
  return res.body as { events: { id: string; scheduled_time: string; status: string }[]; count?: number };
};

test('ordered by scheduled_time ascending, with limit, offset, count and status filter', async () => {
  const base = Date.parse('2030-01-01T00:00:00Z');
  // Created in shuffled order, so the order of the answer cannot come from creation order.
  const offsetsMinutes = [7, 3, 11, 0, 5, 9, 1, 4, 10, 2, 8, 6];
  const ids: Record<string, string> = {};
  for (const minutes of offsetsMinutes) {
    const scheduledAt = new Date(base + minutes * 60_000).toISOString();
    const res = await stack.post('/v1/metadata', {
      type: 'create_scheduled_event',
      args: { webhook: 'http://127.0.0.1:9/hook', schedule_at: scheduledAt, comment: `m${minutes}` },
    });
    ids[scheduledAt] = res.body.event_id;
  }
  const expected = Object.keys(ids).sort();

  const all = await eventually(() => list({ get_rows_count: true }), (r) => r.count === expected.length);
  expect(all.events.map((e) => e.scheduled_time)).toEqual(expected);
  expect(all.events.every((e) => e.status === 'scheduled')).toBe(true);

  const page = await list({ limit: 5, offset: 3, get_rows_count: true });
  expect(page.events.map((e) => e.scheduled_time)).toEqual(expected.slice(3, 8));
  expect(page.count).toBe(expected.length);
  expect(await list({ limit: 5 })).not.toHaveProperty('count');

  // Cancel two; default listings hide them, a status filter finds them.
  const cancelled = [expected[2]!, expected[9]!].map((t) => ids[t]!);
  for (const id of cancelled) {
    const res = await stack.post('/v1/metadata', { type: 'delete_scheduled_event', args: { type: 'one_off', event_id: id } });
    expect(res.status).toBe(200);
  }
  const visible = await eventually(() => list({ get_rows_count: true }), (r) => r.count === expected.length - 2);
  expect(visible.events.map((e) => e.scheduled_time)).toEqual(expected.filter((_, i) => i !== 2 && i !== 9));
  // Cancelled at once on the server, even with no worker running.
  const shown = await eventually(() => list({ status: ['cancelled'], get_rows_count: true }), (r) => r.count === 2);
  expect(shown.events.map((e) => e.id)).toEqual(cancelled);
  expect(shown.events.every((e) => e.status === 'cancelled')).toBe(true);
  const both = await list({ status: ['scheduled', 'cancelled'], get_rows_count: true });
  expect(both.events.map((e) => e.scheduled_time)).toEqual(expected);
});

test('an unknown status is a 400 naming it', async () => {
  const res = await stack.post('/v1/metadata', {
    type: 'get_scheduled_events',
    args: { type: 'one_off', status: ['scheduled', 'sleeping'] },
  });
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ code: 'parse-failed', error: expect.stringContaining('sleeping') });
});
