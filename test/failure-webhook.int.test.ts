/**
 * The failure webhook (docs/contract.md §2) on the real stack: an event that ends `error` or `dead` calls its
 * `failure_webhook` once, signed (verified with the `standardwebhooks` package), with the event, the reason and its
 * last attempt, and without the event's own headers; its attempts are in the invocation log, marked. A failing
 * failure webhook gets its fixed three attempts and no more; a delivered event calls nothing.
 */
import { Webhook } from 'standardwebhooks';
import { FAILURE_WEBHOOK_ATTEMPTS } from '../src/shared/event';
import { type Receiver, startReceiver } from './helpers/receiver';
import { type Stack, startStack } from './helpers/stack';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ signingSecrets: [SECRET] });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const plain = (headers: Record<string, string | string[] | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await stack.post('/v1/events', body);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** Waits a moment longer, then checks nothing more came: "once" means once. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

test("an event that ends 'error' calls its failure webhook once, signed, with the reason and its last attempt", async () => {
  receiver.respond('/fails', { status: 500, body: 'upstream down' });
  const id = await create({
    webhook: receiver.url('/fails'),
    schedule_at: new Date(Date.now() + 300).toISOString(),
    payload: { order: 7 },
    headers: [{ name: 'X-Only-For-The-Webhook', value: 'token-1' }],
    retry_conf: { num_retries: 1, retry_interval_seconds: 1 },
    failure_webhook: receiver.url('/failed'),
  });
  await stack.waitForEvent(id, (event) => event.status === 'error');
  const [call] = await receiver
    .waitFor((requests) => requests.some((r) => r.path === '/failed'), 15_000)
    .then(() => receiver.requestsTo('/failed'));
  const body = new Webhook(SECRET).verify(call!.rawBody, plain(call!.headers)) as Record<string, any>;
  expect(body).toMatchObject({
    id,
    payload: { order: 7 },
    failure: {
      status: 'error',
      tries: 2,
      reason: 'every attempt failed (2 of 2)',
      last_attempt: { status: 500, response: 'upstream down' },
    },
  });
  expect(call!.headers['webhook-id']).toBe(`${id}.failure`);
  expect(call!.headers['x-only-for-the-webhook']).toBeUndefined();

  await settle();
  expect(receiver.requestsTo('/failed')).toHaveLength(1);
  const log = await stack.request('GET', `/v1/events/${id}/invocations`);
  const invocations = log.body.invocations as { failure_callback?: true; status: number }[];
  expect(invocations.map((i) => [i.status, i.failure_callback ?? false])).toEqual([
    [200, true],
    [500, false],
    [500, false],
  ]);
  expect((await stack.request('GET', `/v1/events/${id}`)).body.failure_webhook).toBe(receiver.url('/failed'));
});

test("an event that ends 'dead' (too late for any attempt) calls it once, with no last attempt", async () => {
  const id = await create({
    webhook: receiver.url('/never-called'),
    schedule_at: new Date(Date.now() - 120_000).toISOString(),
    retry_conf: { tolerance_seconds: 1 },
    failure_webhook: receiver.url('/dead'),
  });
  await stack.waitForEvent(id, (event) => event.status === 'dead');
  await receiver.waitFor((requests) => requests.some((r) => r.path === '/dead'), 15_000);
  await settle();
  const calls = receiver.requestsTo('/dead');
  expect(calls).toHaveLength(1);
  expect(calls[0]!.body).toMatchObject({ id, failure: { status: 'dead', tries: 0, last_attempt: null } });
  expect((calls[0]!.body as { failure: { reason: string } }).failure.reason).toContain('tolerance_seconds (1)');
  expect(receiver.requestsTo('/never-called')).toEqual([]);
});

test('a failure webhook that keeps failing gets its fixed attempts and no more; a delivered event calls none', async () => {
  receiver.respond('/fails-too', { status: 500 });
  receiver.respond('/failure-down', { status: 503 });
  const failed = await create({
    webhook: receiver.url('/fails-too'),
    schedule_at: new Date(Date.now() + 300).toISOString(),
    failure_webhook: receiver.url('/failure-down'),
  });
  const delivered = await create({
    webhook: receiver.url('/fine'),
    schedule_at: new Date(Date.now() + 300).toISOString(),
    failure_webhook: receiver.url('/never-needed'),
  });
  await stack.waitForEvent(delivered, (event) => event.status === 'delivered');
  // Ended, but still calling its failure webhook: a delete would cut that off, so it waits (409).
  await stack.waitForEvent(failed, (event) => event.status === 'error');
  const early = await stack.post('/v1/metadata', {
    type: 'delete_scheduled_event',
    args: { type: 'one_off', event_id: failed },
  });
  expect(early.status).toBe(409);
  expect(early.body.error).toContain('failure webhook is being called');
  // The workflow stays open until its failure webhook is done: 3 attempts, 10 s apart.
  await stack.client.workflow.getHandle(failed).result();
  await settle();
  expect(receiver.requestsTo('/failure-down')).toHaveLength(FAILURE_WEBHOOK_ATTEMPTS);
  expect(receiver.requestsTo('/never-needed')).toEqual([]);
  const log = await stack.request('GET', `/v1/events/${failed}/invocations`);
  expect((log.body.invocations as unknown[]).length).toBe(1 + FAILURE_WEBHOOK_ATTEMPTS);
  // Once it is done, the event can be deleted.
  const later = await stack.post('/v1/metadata', {
    type: 'delete_scheduled_event',
    args: { type: 'one_off', event_id: failed },
  });
  expect(later.status).toBe(200);
}, 60_000);
