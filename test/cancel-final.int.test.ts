/**
 * Cancel is final and edits are atomic, on the real dev server with a real receiver: cancels from outside the API
 * (the Temporal CLI, as the Web UI does them), a cancel with no worker, a cancel that loses to a call under way,
 * concurrent edits, and idempotent creates through two API instances. The timing races themselves are in
 * test/reliability/cancel-race.int.test.ts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Receiver, startReceiver } from './helpers/receiver';
import { type Stack, secondApi, startEventWorker, startStack } from './helpers/stack';
import { temporalTarget } from './helpers/temporal';

const execFileAsync = promisify(execFile);
const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  receiver.respond('/slow', { delayMs: 1500 });
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

async function create(path: string, dueInMs: number, api: Stack['request'] = stack.request): Promise<string> {
  const res = await api('POST', '/v1/events', { webhook: receiver.url(path), schedule_at: inMs(dueInMs) });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** The Temporal CLI against the test server, as an operator would use it. */
async function cli(...args: string[]): Promise<void> {
  const { address, namespace } = temporalTarget();
  await execFileAsync(process.env.TEMPORAL_CLI_PATH!, [...args, '--address', address, '--namespace', namespace]);
}

test.each([
  ['terminate', ['workflow', 'terminate', '--reason', 'operator']],
  ['cancel', ['workflow', 'cancel']],
])('a %s from the Temporal CLI while the attempt holds: no call', async (kind, command) => {
  const path = `/cli-${kind}`;
  const id = await create(path, 2500);
  await stack.waitForEvent(id, (e) => e.status === 'locked');
  await cli(...command, '--workflow-id', id);
  const ended = await stack.waitForEvent(id, (e) => e.status !== 'locked', 10_000);
  expect(ended.status).toBe('cancelled');
  await sleep(Date.parse(ended.scheduledTime) - Date.now() + 1000);
  expect(receiver.requestsTo(path)).toHaveLength(0);
});

test('with no worker running, a cancel is final at once, and a worker started later makes no call', async () => {
  const idle = await startStack({ withoutWorker: true });
  try {
    const res = await idle.request('POST', '/v1/events', {
      webhook: receiver.url('/no-worker'),
      schedule_at: inMs(2000),
    });
    const started = Date.now();
    const cancelled = await idle.request('DELETE', `/v1/events/${res.body.id}`);
    expect({ status: cancelled.status, event: cancelled.body.status }).toEqual({ status: 200, event: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(5000);
    const worker = await startEventWorker(idle.taskQueue);
    try {
      await sleep(3000);
    } finally {
      await worker.stop();
    }
    expect(receiver.requestsTo('/no-worker')).toHaveLength(0);
    expect((await idle.scheduler.get(res.body.id)).status).toBe('cancelled');
  } finally {
    await idle.stop();
  }
});

test('a cancel that comes while the call is under way is a 409, and the event ends with that call logged', async () => {
  const id = await create('/slow', 0);
  await receiver.waitFor((requests) => requests.some((r) => r.path === '/slow' && (r.body as any)?.id === id));
  const res = await stack.request('DELETE', `/v1/events/${id}`);
  expect(res.status).toBe(409);
  expect(res.body).toMatchObject({ code: 'conflict', error: expect.stringMatching(/already started.*delivered/) });
  expect(await stack.scheduler.get(id)).toMatchObject({ status: 'delivered', tries: 1 });
  const invocations = await stack.request('GET', `/v1/events/${id}/invocations`);
  expect(invocations.body.invocations).toHaveLength(1);

  // Hasura's delete says the same, and does not erase the event's record of the call.
  const again = await create('/slow', 0);
  await receiver.waitFor((requests) => requests.some((r) => r.path === '/slow' && (r.body as any)?.id === again));
  const hasura = await stack.post('/v1/metadata', {
    type: 'delete_scheduled_event',
    args: { type: 'one_off', event_id: again },
  });
  expect(hasura.status).toBe(409);
  expect((await stack.scheduler.get(again)).status).toBe('delivered');
});

test('concurrent PATCHes of different retry_conf fields both apply (the merge is in the workflow)', async () => {
  const apiB = secondApi(stack);
  try {
    for (let round = 0; round < 5; round++) {
      const id = await create('/edited', 3_600_000);
      const [a, b] = await Promise.all([
        stack.request('PATCH', `/v1/events/${id}`, { retry_conf: { num_retries: 3 + round } }),
        apiB.request('PATCH', `/v1/events/${id}`, { retry_conf: { timeout_seconds: 7 + round } }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect((await stack.scheduler.get(id)).retryConf).toEqual({
        numRetries: 3 + round,
        retryIntervalSeconds: 10,
        timeoutSeconds: 7 + round,
        toleranceSeconds: 21600,
      });
    }
  } finally {
    await apiB.close();
  }
});

test('a PATCH that a concurrent one pushed over the history budget is refused by the workflow (409)', async () => {
  const id = await create('/budget', 3_600_000);
  // Each alone fits: 200 KiB x 11 attempts, or a small payload x 1,001 attempts; together they would not.
  const big = 'x'.repeat(200 * 1024);
  await stack.request('PATCH', `/v1/events/${id}`, { payload: big });
  const res = await stack.scheduler.update(id, { retryConf: { numRetries: 1000 } }).catch((err: Error) => err);
  expect(res).toBeInstanceOf(Error);
  expect((res as Error).message).toMatch(/outgrow/);
  expect((await stack.scheduler.get(id)).retryConf.numRetries).toBe(0);
});

test('the same Idempotency-Key through two API instances at once gives one event', async () => {
  const apiB = secondApi(stack);
  try {
    const body = { webhook: receiver.url('/idem'), schedule_at: inMs(3_600_000), payload: { n: 1 } };
    const headers = { 'idempotency-key': `two-apis-${Date.now()}` };
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? stack.request : apiB.request)('POST', '/v1/events', body, headers),
      ),
    );
    const ids = new Set(answers.map((a) => a.body.id));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(ids.size).toBe(1);
  } finally {
    await apiB.close();
  }
});
