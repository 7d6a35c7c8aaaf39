/**
 * Hasura's own one-off scheduled-events test (server/tests-py/test_scheduled_triggers.py, test_scheduled_events),
 * run against the real stack: one `bulk` on /v1/query creates an event due now, one due in 2020, and one on a
 * failing webhook with one retry; they must end delivered/1, dead/0 and error/2 with exactly three webhook calls.
 */
import { type Receiver, startReceiver } from './helpers/receiver';
import { type Stack, startStack } from './helpers/stack';

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  receiver.respond('/fail', { status: 500, body: 'failed on purpose' });
  receiver.respondByDefault({ status: 204 });
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

test('bulk of three events ends delivered/1, dead/0, error/2 within seconds, with three calls', async () => {
  const now = new Date().toISOString();
  const common = {
    payload: { foo: 'baz' },
    headers: [{ name: 'header-key', value: 'header-value' }],
    comment: 'test scheduled event',
  };
  const started = Date.now();
  const res = await stack.post('/v1/query', {
    type: 'bulk',
    args: [
      { type: 'create_scheduled_event', args: { webhook: receiver.url('/test'), schedule_at: now, ...common } },
      {
        type: 'create_scheduled_event',
        args: { webhook: receiver.url('/'), schedule_at: '2020-01-01T00:00:00Z', ...common },
      },
      {
        type: 'create_scheduled_event',
        args: {
          webhook: receiver.url('/fail'),
          schedule_at: now,
          ...common,
          retry_conf: { num_retries: 1, retry_interval_seconds: 1, timeout_seconds: 1, tolerance_seconds: 21600 },
        },
      },
    ],
  });
  expect(res.status).toBe(200);
  expect(res.body).toHaveLength(3);
  const [ok, dead, failing] = (res.body as { message: string; event_id: string }[]).map((r) => r.event_id);
  for (const item of res.body) expect(item).toEqual({ message: 'success', event_id: expect.any(String) });

  const byId = async (id: string, status: string) => stack.waitForEvent(id, (e) => e.status === status);
  const [delivered, deadEvent, errored] = await Promise.all([
    byId(ok!, 'delivered'),
    byId(dead!, 'dead'),
    byId(failing!, 'error'),
  ]);
  expect([delivered.tries, deadEvent.tries, errored.tries]).toEqual([1, 0, 2]);
  // Hasura allows up to 10 s per event; we finish all three, including a 1 s retry interval, in a few seconds.
  expect(Date.now() - started).toBeLessThan(8000);

  // Exactly three calls: /fail twice and /test once; the dead event never calls /.
  await new Promise((r) => setTimeout(r, 500));
  expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/fail', '/fail', '/test']);

  const [call] = receiver.requestsTo('/test');
  expect(call!.method).toBe('POST');
  expect(call!.headers['header-key']).toBe('header-value');
  expect(call!.headers['content-type']).toBe('application/json');
  expect(call!.headers['idempotency-key']).toBe(ok);
  expect(call!.headers['user-agent']).toMatch(/^scheduled-events\//);
  expect(call!.body).toEqual({
    id: ok,
    scheduled_time: now,
    payload: { foo: 'baz' },
    comment: 'test scheduled event',
    created_at: delivered.createdAt,
  });
  // Never early: the call arrives at or after schedule_at.
  expect(call!.receivedAt).toBeGreaterThanOrEqual(Date.parse(now));

  // The retry of /fail came about retry_interval_seconds (1 s) after the first attempt.
  const [first, second] = receiver.requestsTo('/fail');
  const gapMs = Number(second!.receivedAtHr - first!.receivedAtHr) / 1e6;
  expect(gapMs).toBeGreaterThanOrEqual(1000);
  expect(gapMs).toBeLessThan(2500);
});
