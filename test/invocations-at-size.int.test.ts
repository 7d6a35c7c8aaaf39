/**
 * Hasura's `get_scheduled_event_invocations` without `event_id`, at a size where reading every history would show:
 * 300 events delivered to a local receiver, a third of them after a failed first attempt, many at one instant. Pages
 * by offset, newest first, are compared with a plain sort of every event's own log (read per event), and the count
 * with their sum.
 */
import { randomUUID } from 'node:crypto';
import { compareAttemptOrder } from '../src/shared/event';
import { type Receiver, startReceiver } from './helpers/receiver';
import { createIsolatedNamespace, eventually, type Stack, startStack } from './helpers/stack';

interface Invocation {
  id: string;
  event_id: string;
  created_at: string;
  status: number | null;
}

const EVENTS = 300;

let stack: Stack;
let receiver: Receiver;
let eventIds: string[];

const invocations = async (args: Record<string, unknown>) => {
  const res = await stack.post('/v1/metadata', {
    type: 'get_scheduled_event_invocations',
    args: { type: 'one_off', ...args },
  });
  expect(res.status).toBe(200);
  return res.body as { invocations: Invocation[]; count?: number };
};

beforeAll(async () => {
  receiver = await startReceiver();
  // Every third event fails its first attempt, then succeeds.
  const failedOnce = new Set<string>();
  receiver.respond('/retry', (request) => {
    const id = (request.body as { id: string }).id;
    if (failedOnce.has(id)) return { status: 200 };
    failedOnce.add(id);
    return { status: 500 };
  });
  const namespace = await createIsolatedNamespace(`invocations-size-${randomUUID().slice(0, 8)}`);
  stack = await startStack({ namespace });
  const instant = new Date(Date.now() + 3_000).toISOString();
  const res = await stack.post('/v1/events/batch', {
    events: Array.from({ length: EVENTS }, (_, i) => ({
      webhook: receiver.url(i % 3 === 0 ? `/retry` : '/ok'),
      // Half at one instant, the rest spread over the next two seconds.
      schedule_at: i % 2 === 0 ? instant : new Date(Date.parse(instant) + (i % 20) * 100).toISOString(),
      retry_conf: { num_retries: 1, retry_interval_seconds: 1 },
      payload: { i },
    })),
  });
  expect(res.status).toBe(200);
  eventIds = (res.body.results as { id: string }[]).map((r) => r.id);
  // Every event delivered, as visibility shows it.
  await eventually(
    async () =>
      (
        await stack.post('/v1/metadata', {
          type: 'get_scheduled_events',
          args: { type: 'one_off', status: ['delivered'], limit: 0, get_rows_count: true },
        })
      ).body as { count: number },
    (r) => r.count === EVENTS,
    90_000,
  );
}, 150_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

test("pages of every event's invocations are the slices of a plain sort, newest first, with their count", async () => {
  // Each event's own log, from its history.
  const logs = await Promise.all(eventIds.map((id) => invocations({ event_id: id })));
  const all = logs.flatMap((log) => log.invocations);
  expect(all.length).toBe(EVENTS + EVENTS / 3);
  const expected = [...all].sort((a, b) =>
    compareAttemptOrder(
      { createdAt: a.created_at, eventId: a.event_id, attempt: 0, id: a.id },
      { createdAt: b.created_at, eventId: b.event_id, attempt: 0, id: b.id },
    ),
  );
  const first = await invocations({ limit: 40, get_rows_count: true });
  expect(first.count).toBe(all.length);
  const seen: string[] = [];
  for (let offset = 0; offset < all.length; offset += 40) {
    const page = offset === 0 ? first : await invocations({ limit: 40, offset });
    seen.push(...page.invocations.map((i) => i.id));
  }
  // Attempts of one event are ordered by attempt number where their times tie; compare as sets per instant, and
  // the order of instants exactly.
  expect(seen).toHaveLength(all.length);
  expect(new Set(seen)).toEqual(new Set(all.map((i) => i.id)));
  const times = (list: string[]) => list.map((id) => all.find((i) => i.id === id)!.created_at);
  expect(times(seen)).toEqual(expected.map((i) => i.created_at));
});
