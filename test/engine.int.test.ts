/**
 * The engine's behaviours (docs/contract.md §1–3) on a real dev server, a real worker and a real local HTTP receiver, driven
 * through the Hasura-compatible API.
 */
import { type Receiver, startReceiver } from './helpers/receiver';
import { type Stack, startStack } from './helpers/stack';

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  // SECRET_TOKEN looks like a credential: the operator allows it by name, as WEBHOOK_ENV_ALLOW requires.
  stack = await startStack({
    env: { HOOK_BASE: '', SECRET_TOKEN: 's3cr3t' },
    webhooks: { envAllow: '*,SECRET_TOKEN' },
  });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

async function create(args: Record<string, unknown>): Promise<string> {
  const res = await stack.post('/v1/metadata', { type: 'create_scheduled_event', args });
  expect(res.status).toBe(200);
  return res.body.event_id as string;
}

async function invocationsOf(eventId: string) {
  const res = await stack.post('/v1/metadata', {
    type: 'get_scheduled_event_invocations',
    args: { type: 'one_off', event_id: eventId, get_rows_count: true },
  });
  expect(res.status).toBe(200);
  return res.body as { invocations: any[]; count: number };
}

test('delivers at schedule_at, never early, and logs the invocation in Hasura shape', async () => {
  receiver.respond('/on-time', { status: 200, headers: { 'x-reply': 'yes' }, body: { ok: true } });
  const due = inMs(1500);
  const id = await create({ webhook: receiver.url('/on-time'), schedule_at: due, payload: { n: 1 } });

  const [call] = await receiver.waitFor((rs) => rs.some((r) => r.path === '/on-time'));
  const arrival = receiver.requestsTo('/on-time')[0]!.receivedAt;
  expect(arrival).toBeGreaterThanOrEqual(Date.parse(due));
  expect(arrival - Date.parse(due)).toBeLessThan(1000);
  expect(call).toBeDefined();

  const event = await stack.waitForEvent(id, (e) => e.status === 'delivered');
  expect(event.tries).toBe(1);
  const { invocations, count } = await invocationsOf(id);
  expect(count).toBe(1);
  expect(invocations[0]).toEqual({
    id: expect.any(String),
    event_id: id,
    status: 200,
    request: {
      payload: { id, scheduled_time: due, payload: { n: 1 }, created_at: event.createdAt },
      headers: expect.arrayContaining([
        { name: 'Content-Type', value: 'application/json' },
        { name: 'Idempotency-Key', value: id },
      ]),
      version: '1',
    },
    response: {
      type: 'webhook_response',
      data: {
        status: 200,
        headers: expect.arrayContaining([{ name: 'x-reply', value: 'yes' }]),
        body: '{"ok":true}',
      },
      version: '1',
    },
    created_at: expect.any(String),
  });
});

test('errors after num_retries + 1 attempts at the configured interval, newest invocation first', async () => {
  receiver.respond('/always-500', { status: 500, body: 'nope' });
  const id = await create({
    webhook: receiver.url('/always-500'),
    schedule_at: inMs(0),
    retry_conf: { num_retries: 2, retry_interval_seconds: 1 },
  });
  const event = await stack.waitForEvent(id, (e) => e.status === 'error');
  expect(event.tries).toBe(3);
  const calls = receiver.requestsTo('/always-500');
  expect(calls).toHaveLength(3);
  for (let i = 1; i < calls.length; i++) {
    const gapMs = Number(calls[i]!.receivedAtHr - calls[i - 1]!.receivedAtHr) / 1e6;
    expect(gapMs).toBeGreaterThanOrEqual(1000);
    expect(gapMs).toBeLessThan(2000);
  }
  const { invocations } = await invocationsOf(id);
  expect(invocations.map((i) => i.status)).toEqual([500, 500, 500]);
  expect(invocations[0].response).toEqual({ type: 'client_error', data: { message: 'nope' }, version: '1' });
  const times = invocations.map((i) => Date.parse(i.created_at));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
});

test('Retry-After replaces the interval but never adds attempts', async () => {
  receiver.respond('/busy', [{ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 }]);
  const id = await create({
    webhook: receiver.url('/busy'),
    schedule_at: inMs(0),
    retry_conf: { num_retries: 1, retry_interval_seconds: 60 },
  });
  const event = await stack.waitForEvent(id, (e) => e.status === 'delivered');
  expect(event.tries).toBe(2);
  const [a, b] = receiver.requestsTo('/busy');
  const gapMs = Number(b!.receivedAtHr - a!.receivedAtHr) / 1e6;
  expect(gapMs).toBeGreaterThanOrEqual(1000);
  expect(gapMs).toBeLessThan(2500);

  receiver.respond('/busy-forever', { status: 429, headers: { 'Retry-After': '1' } });
  const noRetries = await create({ webhook: receiver.url('/busy-forever'), schedule_at: inMs(0) });
  const ended = await stack.waitForEvent(noRetries, (e) => e.status === 'error');
  expect(ended.tries).toBe(1);
  await new Promise((r) => setTimeout(r, 1500));
  expect(receiver.requestsTo('/busy-forever')).toHaveLength(1);
});

test('timeout_seconds bounds an attempt: a hanging webhook is a failed attempt with no status', async () => {
  receiver.respond('/hang', { hang: true });
  const id = await create({ webhook: receiver.url('/hang'), schedule_at: inMs(0), retry_conf: { timeout_seconds: 1 } });
  const event = await stack.waitForEvent(id, (e) => e.status === 'error');
  expect(event.tries).toBe(1);
  const { invocations } = await invocationsOf(id);
  expect(invocations[0].status).toBeNull();
  expect(invocations[0].response).toEqual({
    type: 'client_error',
    data: { message: expect.stringMatching(/timeout after 1 s/) },
    version: '1',
  });
});

test('dead: due more than tolerance_seconds ago, no call made', async () => {
  const id = await create({ webhook: receiver.url('/never'), schedule_at: '2020-01-01T00:00:00Z' });
  const event = await stack.waitForEvent(id, (e) => e.status === 'dead');
  expect(event.tries).toBe(0);
  expect(receiver.requestsTo('/never')).toHaveLength(0);
  expect((await invocationsOf(id)).count).toBe(0);
});

test('dead: a retry that would start past the tolerance deadline is not made', async () => {
  receiver.respond('/fails-once', { status: 500 });
  const id = await create({
    webhook: receiver.url('/fails-once'),
    schedule_at: inMs(0),
    retry_conf: { num_retries: 3, retry_interval_seconds: 5, tolerance_seconds: 2 },
  });
  const event = await stack.waitForEvent(id, (e) => e.status === 'dead');
  expect(event.tries).toBe(1);
  expect(receiver.requestsTo('/fails-once')).toHaveLength(1);
});

test('env values resolve in the worker at delivery time; the log keeps the reference, never the value', async () => {
  const id = await create({
    webhook: `{{HOOK_ORIGIN}}/templated`,
    schedule_at: inMs(0),
    headers: [{ name: 'Authorization', value_from_env: 'SECRET_TOKEN' }],
  });
  // HOOK_ORIGIN is not in the worker's env: the attempt fails with a logged 500 naming the variable.
  const event = await stack.waitForEvent(id, (e) => e.status === 'error');
  expect(event.tries).toBe(1);
  const { invocations } = await invocationsOf(id);
  expect(invocations[0].status).toBe(500);
  expect(invocations[0].response.data.message).toMatch(/HOOK_ORIGIN/);

  const withHeader = await create({
    webhook: receiver.url('/with-secret'),
    schedule_at: inMs(0),
    headers: [{ name: 'Authorization', value_from_env: 'SECRET_TOKEN' }],
  });
  await stack.waitForEvent(withHeader, (e) => e.status === 'delivered');
  expect(receiver.requestsTo('/with-secret')[0]!.headers.authorization).toBe('s3cr3t');
  const logged = (await invocationsOf(withHeader)).invocations[0];
  expect(logged.request.headers).toContainEqual({ name: 'Authorization', value_from_env: 'SECRET_TOKEN' });
  expect(JSON.stringify(logged)).not.toContain('s3cr3t');
  const listed = await stack.post('/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off' } });
  expect(JSON.stringify(listed.body)).not.toContain('s3cr3t');
});

test('a header from a missing env var fails each attempt with a logged 500; retries follow retry_conf', async () => {
  const id = await create({
    webhook: receiver.url('/missing-env'),
    // Hasura's spec schedules this in 2023 with a 10-year tolerance; ours is capped at 30 days (MAX_TOLERANCE_SECONDS).
    schedule_at: new Date(Date.now() - 60_000).toISOString(),
    retry_conf: { num_retries: 1, retry_interval_seconds: 1 },
    headers: [{ name: 'test_header', value_from_env: 'invalid_envvar3' }],
  });
  const event = await stack.waitForEvent(id, (e) => e.status === 'error');
  expect(event.tries).toBe(2);
  const { invocations, count } = await invocationsOf(id);
  expect(count).toBe(2);
  for (const inv of invocations) {
    expect(inv.status).toBe(500);
    expect(inv.response.data.message).toMatch(/invalid_envvar3/);
  }
  expect(receiver.requestsTo('/missing-env')).toHaveLength(0);
});

test('delete before firing cancels: no call, hidden from default listings, shown with status cancelled', async () => {
  const id = await create({ webhook: receiver.url('/cancelled'), schedule_at: inMs(2000) });
  const res = await stack.post('/v1/metadata', { type: 'delete_scheduled_event', args: { type: 'one_off', event_id: id } });
  expect(res).toEqual({ status: 200, body: { message: 'success' } });
  await stack.waitForEvent(id, (e) => e.status === 'cancelled');
  await new Promise((r) => setTimeout(r, 2500));
  expect(receiver.requestsTo('/cancelled')).toHaveLength(0);
});

test('an attempt prepared ahead holds without calling, and a cancel stops it at once', async () => {
  const due = Date.now() + 8000;
  const id = await create({ webhook: receiver.url('/held'), schedule_at: new Date(due).toISOString() });
  // Due within the prepare-ahead window: the attempt is started on the worker now and holds until the instant.
  await stack.waitForEvent(id, (e) => e.status === 'locked');

  const cancelledAt = Date.now();
  const res = await stack.post('/v1/metadata', { type: 'delete_scheduled_event', args: { type: 'one_off', event_id: id } });
  expect(res.status).toBe(200);
  await stack.waitForEvent(id, (e) => e.status === 'cancelled');
  // Through the worker's sink, not the next heartbeat (up to 8 s away).
  expect(Date.now() - cancelledAt).toBeLessThan(3000);

  await new Promise((r) => setTimeout(r, Math.max(due + 500 - Date.now(), 0)));
  expect(receiver.requestsTo('/held')).toHaveLength(0);
  expect((await invocationsOf(id)).count).toBe(0);
});

test('bad input is a 400 in Hasura shape from the real stack', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ schedule_at: inMs(0) }, '$.args'],
    [{ webhook: receiver.url('/x'), schedule_at: 'tomorrow' }, '$.args.schedule_at'],
    [{ webhook: 'file:///etc/passwd', schedule_at: inMs(0) }, '$.args.webhook'],
    [{ webhook: receiver.url('/x'), schedule_at: inMs(0), retry_conf: { num_retries: -1 } }, '$.args.retry_conf.num_retries'],
  ];
  for (const [args, path] of cases) {
    const res = await stack.post('/v1/metadata', { type: 'create_scheduled_event', args });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ path, error: expect.any(String), code: 'parse-failed' });
  }
  const malformed = await stack.post('/v1/metadata', '{"type": ');
  expect(malformed.status).toBe(400);
  expect(malformed.body.code).toBe('invalid-json');
});
