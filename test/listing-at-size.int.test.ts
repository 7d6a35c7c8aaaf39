/**
 * Listings at a size that matters (docs/listing.md): 3,300 events in a namespace of this file's own, among them a
 * burst of 1,200 sharing one instant (more than a visibility page) and, three years past the rest, a burst of 300
 * (found by a pivot, not by halving years of empty time), compared page by page with a plain sort of what was
 * created. No worker: every event stays `scheduled` unless cancelled, so the expected answer is exact.
 */
import { randomUUID } from 'node:crypto';
import { compareEventOrder } from '../src/shared/event';
import { createIsolatedNamespace, eventually, type Stack, startStack } from './helpers/stack';
import { seededRandom as random } from './helpers/seeded-random';

const WEBHOOK = 'http://127.0.0.1:9/hook';
const BASE_MS = Date.parse('2031-03-01T00:00:00Z');
const DAY_MS = 86_400_000;
const BURST_AT = new Date(BASE_MS + 10 * DAY_MS).toISOString();
const FAR_BURST_AT = new Date(BASE_MS + 3 * 365 * DAY_MS + 12_345).toISOString();

let stack: Stack;
/** Every event made, in listing order. */
let expected: { id: string; scheduledTime: string }[];

const hasura = async (args: Record<string, unknown>) => {
  const res = await stack.post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off', ...args } });
  expect(res.status).toBe(200);
  return res.body as { events: { id: string; scheduled_time: string }[]; count?: number };
};
const ids = (events: { id: string }[]) => events.map((e) => e.id);

beforeAll(async () => {
  const namespace = await createIsolatedNamespace(`listing-size-${randomUUID().slice(0, 8)}`);
  stack = await startStack({ namespace, withoutWorker: true });
  const rnd = random(3);
  const times = [
    // Made first, so that visibility's newest events (the walk's sample) are elsewhere, as for an old tail.
    ...Array.from({ length: 300 }, () => FAR_BURST_AT),
    ...Array.from({ length: 1800 }, () => new Date(BASE_MS + Math.floor(rnd() * 30 * DAY_MS)).toISOString()),
    ...Array.from({ length: 1200 }, () => BURST_AT),
  ];
  expected = [];
  for (let i = 0; i < times.length; i += 1000) {
    const chunk = times.slice(i, i + 1000);
    const res = await stack.post('/v1/events/batch', {
      events: chunk.map((t) => ({ webhook: WEBHOOK, schedule_at: t })),
    });
    expect(res.status).toBe(200);
    (res.body.results as { id: string }[]).forEach((r, j) => expected.push({ id: r.id, scheduledTime: chunk[j]! }));
  }
  expected.sort(compareEventOrder);
  // Visibility is eventually consistent: wait until it holds every event.
  await eventually(
    () => hasura({ limit: 0, get_rows_count: true }),
    (r) => r.count === expected.length,
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test('Hasura without a limit streams every event, in order', async () => {
  const all = await hasura({ get_rows_count: true });
  expect(all.count).toBe(expected.length);
  expect(ids(all.events)).toEqual(ids(expected));
});

test('REST cursor pages walk every event once, across the burst', async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${cursor}`;
    const res = await stack.request('GET', `/v1/events?limit=250${query}`);
    expect(res.status).toBe(200);
    seen.push(...ids(res.body.events));
    cursor = res.body.next_cursor;
  } while (cursor !== null);
  expect(seen).toEqual(ids(expected));
}, 60_000);

test('Hasura offset pages are the slices of the sorted events, with the count', async () => {
  const rnd = random(5);
  const n = expected.length;
  const offsets = [
    0,
    100,
    1799,
    1850,
    2950,
    2999,
    3000,
    3150,
    n - 1,
    n,
    ...Array.from({ length: 6 }, () => Math.floor(rnd() * n)),
  ];
  for (const offset of offsets) {
    const page = await hasura({ limit: 100, offset, get_rows_count: true });
    expect({ offset, ids: ids(page.events) }).toEqual({ offset, ids: ids(expected.slice(offset, offset + 100)) });
    expect(page.count).toBe(expected.length);
  }
}, 60_000);

test('a time window is the sorted events within it', async () => {
  const after = new Date(BASE_MS + 9 * DAY_MS).toISOString();
  const before = new Date(BASE_MS + 12 * DAY_MS).toISOString();
  const res = await stack.request('GET', `/v1/events?limit=1000&scheduled_after=${after}&scheduled_before=${before}`);
  expect(res.status).toBe(200);
  const inWindow = expected.filter((e) => e.scheduledTime >= after && e.scheduledTime < before);
  expect(inWindow.length).toBeGreaterThan(1200);
  expect(ids(res.body.events)).toEqual(ids(inWindow.slice(0, 1000)));
});

test('a page after a position years before a far burst is the burst, in id order', async () => {
  const after = new Date(BASE_MS + 40 * DAY_MS).toISOString();
  for (const limit of [100, 250]) {
    const res = await stack.request('GET', `/v1/events?limit=${limit}&scheduled_after=${after}`);
    expect(res.status).toBe(200);
    const far = expected.filter((e) => e.scheduledTime === FAR_BURST_AT);
    expect(ids(res.body.events)).toEqual(ids(far.slice(0, limit)));
  }
});

test('a status filter counts and pages exactly: cancelled events move from one listing to the other', async () => {
  const cancelled = [expected[5]!, expected[1500]!, expected[2900]!];
  for (const e of cancelled) {
    const res = await stack.request('DELETE', `/v1/events/${e.id}`);
    expect(res.status).toBe(200);
  }
  const shown = await eventually(
    () => hasura({ status: ['cancelled'], get_rows_count: true }),
    (r) => r.count === cancelled.length,
    30_000,
  );
  expect(ids(shown.events)).toEqual(ids(cancelled));
  const rest = expected.filter((e) => !cancelled.includes(e));
  const page = await eventually(
    () => hasura({ status: ['scheduled'], limit: 100, offset: 1450, get_rows_count: true }),
    (r) => r.count === rest.length,
    30_000,
  );
  expect(ids(page.events)).toEqual(ids(rest.slice(1450, 1550)));
}, 60_000);
