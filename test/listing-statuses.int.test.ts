/**
 * Status filters count and page exactly on both sides of the listings' near bound (src/temporal/event-listing.ts):
 * events due now that were delivered or failed, events due in minutes (pending or cancelled) and events due in
 * years (pending or cancelled), in a namespace of this file's own, with a worker and a real local receiver. Far
 * ranges count open runs from the index alone, so this checks that their counts still agree with the rows.
 */
import { randomUUID } from 'node:crypto';
import { type Receiver, startReceiver } from './helpers/receiver';
import { createIsolatedNamespace, eventually, type Stack, startStack } from './helpers/stack';

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  const namespace = await createIsolatedNamespace(`listing-statuses-${randomUUID().slice(0, 8)}`);
  stack = await startStack({ namespace });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const list = async (args: Record<string, unknown>) => {
  const res = await stack.post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off', ...args } });
  expect(res.status).toBe(200);
  return res.body as { events: { id: string; status: string }[]; count?: number };
};

test('every status filter counts and pages the same near now and years ahead', async () => {
  receiver.respond('/down', { status: 503 });
  const create = async (path: string, at: string, extra: Record<string, unknown> = {}) => {
    const res = await stack.post('/v1/events', { webhook: receiver.url(path), schedule_at: at, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const now = Date.now();
  const soon = (ms: number) => new Date(now + ms).toISOString();
  const delivered = [await create('/ok', soon(300)), await create('/ok', soon(301))];
  const failed = await create('/down', soon(302), { retry_conf: { num_retries: 0 } });
  const pendingSoon = await create('/ok', soon(5 * 60_000));
  const cancelledSoon = await create('/ok', soon(5 * 60_000 + 1));
  const pendingFar = [await create('/ok', '2031-01-01T00:00:00Z'), await create('/ok', '2031-01-03T00:00:00Z')];
  const cancelledFar = await create('/ok', '2031-01-02T00:00:00Z');
  for (const id of [cancelledSoon, cancelledFar]) {
    expect((await stack.request('DELETE', `/v1/events/${id}`)).status).toBe(200);
  }
  for (const id of delivered) await stack.waitForEvent(id, (e) => e.status === 'delivered');
  await stack.waitForEvent(failed, (e) => e.status === 'error');

  // In listing order (scheduled_time, then id).
  const all = [...delivered, failed, pendingSoon, cancelledSoon, pendingFar[0]!, cancelledFar, pendingFar[1]!];
  const cancelled = [cancelledSoon, cancelledFar];
  const cases: [string[] | undefined, string[]][] = [
    [undefined, all.filter((id) => !cancelled.includes(id))],
    [['scheduled'], [pendingSoon, ...pendingFar]],
    [['delivered'], delivered],
    [['error'], [failed]],
    [['cancelled'], cancelled],
    [['scheduled', 'cancelled'], all.filter((id) => ![...delivered, failed].includes(id))],
    [['scheduled', 'locked', 'delivered', 'error', 'dead', 'cancelled'], all],
  ];
  for (const [status, expected] of cases) {
    const args = status === undefined ? {} : { status };
    // Visibility follows the runs by a moment; every filter must then agree with the rows, count and order alike.
    const whole = await eventually(
      () => list({ ...args, get_rows_count: true }),
      (r) => r.count === expected.length && r.events.length === expected.length,
      15_000,
    );
    expect({ status, ids: whole.events.map((e) => e.id) }).toEqual({ status, ids: expected });
    const page = await list({ ...args, limit: 2, offset: 1, get_rows_count: true });
    expect({ status, ids: page.events.map((e) => e.id), count: page.count }).toEqual({
      status,
      ids: expected.slice(1, 3),
      count: expected.length,
    });
  }
}, 60_000);
