/**
 * Fault: the webhook receiver is down (connection refused), then comes back.
 *
 * Promise (docs/contract.md §1–3): each failed attempt is logged with `status: null` and the connection error; retries follow
 * `retry_conf` (num_retries + 1 attempts, retry_interval_seconds apart); an event ends `delivered` when an attempt
 * gets through, `error` when its last allowed attempt failed, and `dead` when the next attempt would start past
 * `schedule_at + tolerance_seconds` (no call is made for it).
 *
 * The receiver sits behind a TCP gate: shut, its port refuses connections; open, it forwards to the receiver.
 *
 * Size: RELIABILITY_RECEIVER_OUTAGE_MS (how long the receiver stays down).
 */
import { type Receiver, startReceiver } from '../helpers/receiver';
import { type Stack, startStack } from '../helpers/stack';
import { type Gate, mapConcurrent, ms, recordFigures, size, sleep, startGate } from './support';

const OUTAGE_MS = size('RECEIVER_OUTAGE_MS', 4500);
/** Events fire this long after they are created, so all of them are due at the same instant. */
const LEAD_MS = 1500;

jest.setTimeout(OUTAGE_MS + 60_000);

let receiver: Receiver;
let gate: Gate;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  gate = await startGate(receiver.port);
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await gate?.shut();
  await receiver?.close();
});

const hook = (path: string) => `http://127.0.0.1:${gate.port}${path}`;

async function create(args: Record<string, unknown>): Promise<string> {
  const res = await stack.post('/v1/metadata', { type: 'create_scheduled_event', args });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.event_id as string;
}

/** Invocations, oldest first. */
async function invocationsOf(eventId: string): Promise<any[]> {
  const res = await stack.post('/v1/metadata', {
    type: 'get_scheduled_event_invocations',
    args: { type: 'one_off', event_id: eventId },
  });
  expect(res.status).toBe(200);
  return [...(res.body.invocations as any[])].reverse();
}

const REFUSED = {
  status: null,
  response: {
    type: 'client_error',
    data: { message: expect.stringMatching(/ECONNREFUSED/) },
    version: '1',
  },
};

/** Gaps between consecutive invocations' start times, ms. */
const gaps = (invocations: any[]) =>
  invocations.slice(1).map((inv, i) => Date.parse(inv.created_at) - Date.parse(invocations[i].created_at));

test('receiver down, then back: retries follow retry_conf and events end delivered, error or dead as the contract says', async () => {
  await gate.shut();
  const scheduleAt = new Date(Date.now() + LEAD_MS).toISOString();
  const [recovers, errors, dies] = await mapConcurrent(
    [
      // Retries every second for longer than the outage: delivered once the receiver is back.
      { webhook: hook('/recovers'), retry_conf: { num_retries: 60, retry_interval_seconds: 1 } },
      // Three attempts, all during the outage: error.
      { webhook: hook('/errors'), retry_conf: { num_retries: 2, retry_interval_seconds: 1 } },
      // Attempts at +0 s and +2 s; the next (+4 s) would start past the 3 s tolerance: dead after 2 tries.
      { webhook: hook('/dies'), retry_conf: { num_retries: 10, retry_interval_seconds: 2, tolerance_seconds: 3 } },
    ].map((args) => ({ ...args, schedule_at: scheduleAt })),
    3,
    create,
  );
  // Due more than tolerance_seconds ago: dead with no attempt at all.
  const pastTolerance = await create({
    webhook: hook('/dead-on-arrival'),
    schedule_at: new Date(Date.now() - 120_000).toISOString(),
    retry_conf: { tolerance_seconds: 60 },
  });

  // Down until OUTAGE_MS after the due instant, then back.
  await sleep(Math.max(0, Date.parse(scheduleAt) + OUTAGE_MS - Date.now()));
  await gate.open();
  const openedAt = Date.now();

  const [delivered, errored, dead, deadAtOnce] = await Promise.all([
    stack.waitForEvent(recovers!, (e) => e.status === 'delivered', 30_000),
    stack.waitForEvent(errors!, (e) => e.status === 'error', 30_000),
    stack.waitForEvent(dies!, (e) => e.status === 'dead', 30_000),
    stack.waitForEvent(pastTolerance, (e) => e.status === 'dead', 30_000),
  ]);

  // delivered: every attempt during the outage refused and logged; then one 200.
  const recoversLog = await invocationsOf(recovers!);
  const refusedCount = recoversLog.length - 1;
  expect(refusedCount).toBeGreaterThanOrEqual(Math.floor(OUTAGE_MS / 1000) - 1);
  expect(delivered.tries).toBe(recoversLog.length);
  for (const invocation of recoversLog.slice(0, -1)) expect(invocation).toMatchObject(REFUSED);
  expect(recoversLog.at(-1)).toMatchObject({ status: 200, response: { type: 'webhook_response' } });
  expect(Date.parse(recoversLog.at(-1).created_at)).toBeGreaterThanOrEqual(openedAt - 50);
  for (const gap of gaps(recoversLog)) {
    expect(gap).toBeGreaterThanOrEqual(1000);
    expect(gap).toBeLessThan(2500);
  }
  expect(receiver.requestsTo('/recovers')).toHaveLength(1);

  // error: num_retries + 1 refused attempts, retry_interval_seconds apart, no more.
  const errorsLog = await invocationsOf(errors!);
  expect(errored.tries).toBe(3);
  expect(errorsLog).toHaveLength(3);
  for (const invocation of errorsLog) expect(invocation).toMatchObject(REFUSED);
  for (const gap of gaps(errorsLog)) expect(gap).toBeGreaterThanOrEqual(1000);
  expect(errored.nextRetryAt).toBeNull();

  // dead: the attempts that fit in the tolerance window were made and logged; the one past it was not.
  const diesLog = await invocationsOf(dies!);
  expect(dead.tries).toBe(2);
  expect(diesLog).toHaveLength(2);
  for (const invocation of diesLog) expect(invocation).toMatchObject(REFUSED);
  for (const invocation of diesLog) {
    expect(Date.parse(invocation.created_at)).toBeLessThanOrEqual(Date.parse(scheduleAt) + 3000);
  }

  // dead on arrival: no attempt, nothing logged.
  expect(deadAtOnce.tries).toBe(0);
  expect(await invocationsOf(pastTolerance)).toHaveLength(0);

  // Nothing reached the receiver for the events that ended error or dead, even after it came back.
  await sleep(1500);
  for (const path of ['/errors', '/dies', '/dead-on-arrival']) expect(receiver.requestsTo(path)).toHaveLength(0);

  recordFigures('receiver-outage', {
    outageMs: OUTAGE_MS,
    events: 4,
    delivered: 1,
    error: 1,
    dead: 2,
    lost: 0,
    refusedAttemptsLogged: refusedCount + errorsLog.length + diesLog.length,
    recoveringEvent: {
      tries: delivered.tries,
      deliveredAfterReceiverBackMs: ms(receiver.requestsTo('/recovers')[0]!.receivedAt - openedAt),
      retryGapMs: { min: ms(Math.min(...gaps(recoversLog))), max: ms(Math.max(...gaps(recoversLog))) },
    },
  });
});
