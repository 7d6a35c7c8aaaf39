/**
 * Hostile input against the real scheduler (Temporal): what the fake cannot show. Extreme dates must sleep or end
 * `dead` without breaking the workflow; unicode (lone surrogates included) must cross Temporal's encoding and reach
 * the webhook byte for byte; odd ids must be a 400/404, never a 5xx; and payloads at the documented size limit must
 * not break listings, invocation logs or the retry budget.
 *
 * The events live in namespaces of their own (another one for the big payloads), so that they cannot disturb other
 * tests' listings.
 *
 * Size: RELIABILITY_HOSTILE_RUNS (a fifth of it for the property against Temporal).
 */
import fc from 'fast-check';

import { createApp, MAX_REQUEST_BODY_BYTES } from '../../src/api/app';
import { TemporalEventScheduler } from '../../src/temporal';
import { type Receiver, startReceiver } from '../helpers/receiver';
import { createIsolatedNamespace, type Stack, startStack, webhookConfig } from '../helpers/stack';
import { type Answer, checkAnswer, createArgsWithTargetArb } from './hostile-support';
import { countBy, recordFigures, size, sleep } from './support';

const RUNS = Math.max(10, Math.floor(size('HOSTILE_RUNS', 150) / 5));
/** A payload that makes the create body just under the documented limit. */
const NEAR_LIMIT_PAYLOAD = 'p'.repeat(MAX_REQUEST_BODY_BYTES - 1024);

jest.setTimeout(120_000);

let receiver: Receiver;
let stack: Stack;

/** This file's events live in namespaces of their own: random events must not show up in other tests' listings. */
let namespace: string;

beforeAll(async () => {
  receiver = await startReceiver();
  namespace = await createIsolatedNamespace(`hostile-${Date.now()}`);
  stack = await startStack({ namespace });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const figures: Record<string, unknown> = {};
afterAll(() => recordFigures('hostile-input-real-scheduler', figures));

async function create(target: Stack, args: Record<string, unknown>): Promise<string> {
  const res = await target.post('/v1/metadata', { type: 'create_scheduled_event', args });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body.event_id as string;
}

const asAnswer = (res: { status: number; body: any }): Answer => ({
  status: res.status,
  body: res.body,
  text: JSON.stringify(res.body) ?? '',
});

test('year 9999 waits in its start delay, then on a Temporal timer, without breaking the workflow; before 1970 is dead at once', async () => {
  const far = await create(stack, { webhook: receiver.url('/far'), schedule_at: '9999-12-31T23:59:59.999Z' });
  const past = await create(stack, { webhook: receiver.url('/past'), schedule_at: '1969-07-20T20:17:40Z' });
  await stack.waitForEvent(past, (e) => e.status === 'dead' && e.tries === 0);
  const typesOf = async () =>
    ((await stack.client.workflow.getHandle(far).fetchHistory()).events ?? []).map((e) => String(e.eventType));
  // Started (1) and nothing else: the start delay (Temporal caps one at 250 years; the workflow would then wait on).
  expect(await typesOf()).toEqual(['1']);
  // An edit ends the delay: the workflow then sleeps on a timer thousands of years long.
  const edited = await stack.request('PATCH', `/v1/events/${far}`, { comment: 'still far' });
  expect(edited.status).toBe(200);
  await sleep(500);
  const types = await typesOf();
  // TimerStarted (17), no WorkflowTaskFailed (9).
  expect(types).toContain('17');
  expect(types).not.toContain('9');
  expect((await stack.scheduler.get(far)).status).toBe('scheduled');
  const cancel = await stack.post('/v1/metadata', {
    type: 'delete_scheduled_event',
    args: { type: 'one_off', event_id: far },
  });
  expect(cancel.status).toBe(200);
  expect(receiver.requestsTo('/far')).toHaveLength(0);
  expect(receiver.requestsTo('/past')).toHaveLength(0);
});

test('unicode everywhere, lone surrogates included, reaches the webhook byte for byte', async () => {
  const payload = {
    text: 'héllo wörld ✓ 日本語 🎉 שלום',
    lone: '\ud800 and \udfff',
    zeroWidth: '\u200b\u200d\ufeff',
    lineSeparators: '\u2028\u2029',
    nul: 'a\u0000b',
    'ключ 🔑': ['ü', { '\ud83d\ude00': null }],
  };
  const comment = 'commentaire: ça va 🙂 \ud800';
  const id = await create(stack, {
    webhook: receiver.url(`/unicode/${encodeURIComponent('路径 ✓')}?q=${encodeURIComponent('✓')}`),
    schedule_at: new Date().toISOString(),
    payload,
    comment,
    headers: [{ name: 'X-Latin1', value: 'café' }],
  });
  await stack.waitForEvent(id, (e) => e.status === 'delivered');
  const [request] = receiver.requests.filter((r) => r.path.startsWith('/unicode/'));
  expect(request!.body).toEqual({
    id,
    scheduled_time: expect.any(String),
    payload,
    comment,
    created_at: expect.any(String),
  });
  // Node decodes header bytes as Latin-1: the value arrives as sent.
  expect(request!.headers['x-latin1']).toBe('café');
  const log = await stack.post('/v1/metadata', {
    type: 'get_scheduled_event_invocations',
    args: { type: 'one_off', event_id: id },
  });
  expect(log.body.invocations[0].request.payload.payload).toEqual(payload);
  const listed = await stack.request('GET', `/v1/events/${id}`);
  expect(listed.body).toMatchObject({ payload, comment });
});

test('odd event ids (very long, NUL, emoji, path tricks) are a 404, or success for a Hasura delete; never a 5xx', async () => {
  const ids = ['x'.repeat(5000), 'a\u0000b', '💥', '..', 'a/b', "'; DROP", '%', ' '];
  for (const id of ids) {
    const path = `/v1/events/${encodeURIComponent(id)}`;
    checkAnswer(asAnswer(await stack.request('GET', path)), [404], `GET ${id.slice(0, 20)}`);
    checkAnswer(
      asAnswer(await stack.request('GET', `${path}/invocations`)),
      [404],
      `GET invocations ${id.slice(0, 20)}`,
    );
    checkAnswer(asAnswer(await stack.request('DELETE', path)), [404], `DELETE ${id.slice(0, 20)}`);
    checkAnswer(asAnswer(await stack.request('PATCH', path, { comment: 'x' })), [404], `PATCH ${id.slice(0, 20)}`);
    const deleted = await stack.post('/v1/metadata', {
      type: 'delete_scheduled_event',
      args: { type: 'one_off', event_id: id },
    });
    checkAnswer(asAnswer(deleted), [200], 'delete_scheduled_event');
    const log = await stack.post('/v1/metadata', {
      type: 'get_scheduled_event_invocations',
      args: { type: 'one_off', event_id: id },
    });
    checkAnswer(asAnswer(log), [200], 'get_scheduled_event_invocations');
  }
});

test('random hostile create args against Temporal: never a 5xx', async () => {
  // No worker runs on this stack: accepted events only sleep (their webhooks are random URLs).
  const quiet = await startStack({ namespace, withoutWorker: true });
  let accepted = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('metadata', 'rest'), createArgsWithTargetArb, async (api, args) => {
        const res =
          api === 'metadata'
            ? await quiet.post('/v1/metadata', { type: 'create_scheduled_event', args })
            : await quiet.post('/v1/events', args);
        checkAnswer(asAnswer(res), [200, 201, 400], api);
        if (res.status < 400) accepted++;
      }),
      { numRuns: RUNS },
    );
  } finally {
    await quiet.stop();
  }
  figures.realSchedulerProperty = { runs: RUNS, accepted };
});

test('regression: an event id that is not well-formed UTF-16 is a 400 or unknown, not a 500', async () => {
  // The Hasura commands take event_id from JSON, where "\ud800" is legal; Temporal's gRPC refuses it as invalid UTF-8
  // (it was a 500).
  for (const type of ['get_scheduled_event_invocations', 'delete_scheduled_event']) {
    const res = await stack.post('/v1/metadata', { type, args: { type: 'one_off', event_id: 'x\ud800' } });
    checkAnswer(asAnswer(res), [200, 400], type);
  }
});

describe('payloads at the documented size limit', () => {
  let big: Stack;
  /** The same namespace through an app whose Temporal calls give up after 3 s, so a failure shows quickly. */
  let impatient: ReturnType<typeof createApp>;

  beforeAll(async () => {
    const bigNamespace = await createIsolatedNamespace(`hostile-big-${Date.now()}`);
    big = await startStack({ namespace: bigNamespace });
    impatient = createApp({
      scheduler: new TemporalEventScheduler({ client: big.client, taskQueue: big.taskQueue, callTimeoutMs: 3000 }),
      webhookRules: webhookConfig().rules,
      logger: { warn: () => undefined, error: () => undefined },
    });
  });
  afterAll(async () => {
    await big?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const started = Date.now();
    const res = await impatient.request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any, ms: Date.now() - started };
  };

  test('regression: five sleeping events with near-limit payloads do not break the listings of every event', async () => {
    for (let i = 0; i < 5; i++) {
      await create(big, {
        webhook: receiver.url('/big-sleeper'),
        schedule_at: '2099-01-01T00:00:00Z',
        payload: NEAR_LIMIT_PAYLOAD,
      });
    }
    const hasura = await call('POST', '/v1/metadata', {
      type: 'get_scheduled_events',
      args: { type: 'one_off', limit: 1 },
    });
    const rest = await call('GET', '/v1/events?limit=1');
    figures.nearLimitPayloadListing = {
      events: 5,
      hasuraStatus: hasura.status,
      restStatus: rest.status,
      ms: [hasura.ms, rest.ms],
    };
    expect({ hasura: hasura.status, rest: rest.status }).toEqual({ hasura: 200, rest: 200 });
  });

  test('regression: the invocation log of a near-limit payload event with a failed attempt can be read', async () => {
    receiver.respond('/big-retry', [{ status: 500 }, { status: 200 }]);
    const id = await create(big, {
      webhook: receiver.url('/big-retry'),
      schedule_at: new Date().toISOString(),
      payload: NEAR_LIMIT_PAYLOAD,
      retry_conf: { num_retries: 1, retry_interval_seconds: 1 },
    });
    await big.waitForEvent(id, (e) => e.status === 'delivered');
    const log = await call('POST', '/v1/metadata', {
      type: 'get_scheduled_event_invocations',
      args: { type: 'one_off', event_id: id },
    });
    const rest = await call('GET', `/v1/events/${id}/invocations`);
    figures.nearLimitPayloadInvocations = { attempts: 2, hasuraStatus: log.status, restStatus: rest.status };
    expect({ hasura: log.status, rest: rest.status }).toEqual({ hasura: 200, rest: 200 });
  });

  test('a near-limit payload: too many retries for the history budget is a 400; within it, it ends error', async () => {
    const refused = await call('POST', '/v1/metadata', {
      type: 'create_scheduled_event',
      args: {
        webhook: receiver.url('/big-always-500'),
        schedule_at: new Date().toISOString(),
        payload: NEAR_LIMIT_PAYLOAD,
        retry_conf: { num_retries: 30, retry_interval_seconds: 1 },
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'parse-failed', path: '$.args.retry_conf.num_retries' });

    receiver.respond('/big-always-500', { status: 500 });
    const id = await create(big, {
      webhook: receiver.url('/big-always-500'),
      schedule_at: new Date().toISOString(),
      payload: NEAR_LIMIT_PAYLOAD,
      retry_conf: { num_retries: 10, retry_interval_seconds: 1 },
    });
    const final = await big.waitForEvent(id, (e) => !['scheduled', 'locked'].includes(e.status), 90_000);
    const description = await big.client.workflow.getHandle(id).describe();
    figures.nearLimitPayloadManyRetries = {
      numRetries: 10,
      finalStatus: final.status,
      tries: final.tries,
      workflowStatus: description.status.name,
      historyBytes: description.historySize,
      calls: receiver.requestsTo('/big-always-500').length,
    };
    expect({ status: final.status, tries: final.tries }).toEqual({ status: 'error', tries: 11 });
  });

  test('regression: repeated edits of a near-limit payload never get an accepted event terminated', async () => {
    // Each edit records the payload about three times in history (the update's input, the memo, the update's
    // result); Temporal terminates a workflow past 50 MB, and the event then reads "cancelled" though nobody
    // cancelled it. An edit that would overflow must be refused instead.
    const created = await call('POST', '/v1/events', {
      webhook: receiver.url('/big-edited'),
      schedule_at: '2099-01-01T00:00:00Z',
      payload: NEAR_LIMIT_PAYLOAD,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      // A different payload each time, same size.
      statuses.push(
        (await call('PATCH', `/v1/events/${id}`, { payload: `${i % 10}${NEAR_LIMIT_PAYLOAD.slice(1)}` })).status,
      );
    }
    const description = await big.client.workflow.getHandle(id).describe();
    const event = await call('GET', `/v1/events/${id}`);
    figures.nearLimitPayloadEdits = {
      edits: statuses.length,
      statuses: countBy(statuses.map(String)),
      workflowStatus: description.status.name,
      historyBytes: description.historySize,
      eventStatus: event.body.status,
    };
    for (const status of statuses) expect([200, 400, 409]).toContain(status);
    expect({ workflow: description.status.name, event: event.body.status }).toEqual({
      workflow: 'RUNNING',
      event: 'scheduled',
    });
  });
});
