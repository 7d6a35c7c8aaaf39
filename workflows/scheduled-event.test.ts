/**
 * The event workflow's attempt loop, path by path, with the `deliverWebhook` activity stubbed (no HTTP, no API):
 * what each outcome of an attempt makes the workflow do next, and how the event ends. A unit test: it starts its
 * own Temporal dev server from the CLI that temporal-dev.sh builds (TestWorkflowEnvironment.createLocal, private
 * database, free port), so it needs nothing running. Events are due a moment after they start and prepare 50 ms
 * ahead, so each path takes about a second.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  DEFAULT_RETRY_CONF,
  EVENT_WORKFLOW_REVISION,
  type AttemptRecord,
  type DeliverWebhookInput,
  type DeliverWebhookResult,
  type EventDefinition,
  type RetryConf,
  type ScheduledEventInput,
} from '../src/shared/event';
import { installQuietRuntime, temporalCliPath, uniqueTaskQueue } from '../test/helpers/temporal';
import { editUpdate } from './messages';
import type { EventOutcome } from './scheduled-event';
import * as storageSchema from './storage-schema';

jest.setTimeout(60_000);

type Reply = (input: DeliverWebhookInput) => DeliverWebhookResult | Promise<DeliverWebhookResult>;

/** What the stubbed activity saw, and when (ms). */
interface Call {
  input: DeliverWebhookInput;
  at: number;
}

let env: TestWorkflowEnvironment;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;
/** How the stub answers, per event id; every call is recorded. */
const replies = new Map<string, Reply[]>();
const calls = new Map<string, Call[]>();
/** The final statuses each event reported through the `eventOutcomes` sink (the worker's finished metric). */
const endings = new Map<string, string[]>();

const record = (input: DeliverWebhookInput, fields: Partial<AttemptRecord>): AttemptRecord => ({
  id: input.invocationId,
  eventId: input.eventId,
  attempt: input.attempt,
  createdAt: new Date().toISOString(),
  durationMs: 1,
  success: true,
  status: 200,
  request: { body: input.body, headers: [] },
  response: { type: 'webhook_response', status: 200, headers: [], body: '', bodyTruncated: false },
  retryAfterSeconds: null,
  ...fields,
});
const ok: Reply = (input) => ({ kind: 'attempted', record: record(input, {}) });
const fail =
  (fields: Partial<AttemptRecord> = {}): Reply =>
  (input) => ({ kind: 'attempted', record: record(input, { success: false, status: 500, ...fields }) });

beforeAll(async () => {
  installQuietRuntime();
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: Object.values(storageSchema).filter((value) => typeof value === 'object'),
    },
  });
  client = env.client;
  taskQueue = uniqueTaskQueue('workflow-paths');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./index'),
    activities: {
      async deliverWebhook(input: DeliverWebhookInput): Promise<DeliverWebhookResult> {
        const seen = calls.get(input.eventId) ?? [];
        seen.push({ input, at: Date.now() });
        calls.set(input.eventId, seen);
        const script = replies.get(input.eventId) ?? [ok];
        const reply = script[Math.min(seen.length, script.length) - 1] as Reply;
        return reply(input);
      },
    },
    sinks: {
      heldAttempts: { cancel: { fn: () => undefined } },
      eventOutcomes: {
        ended: {
          fn: (info, status: unknown) => {
            endings.set(info.workflowId, [...(endings.get(info.workflowId) ?? []), String(status)]);
          },
        },
      },
    },
  });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await env?.teardown();
});

/** Starts an event due `inMs` from now whose attempts the stub answers with `script` (the last reply repeats). */
async function start(
  script: Reply[],
  options: {
    inMs?: number;
    retry?: Partial<RetryConf>;
    definition?: Partial<EventDefinition>;
    input?: Partial<ScheduledEventInput>;
  } = {},
): Promise<WorkflowHandle> {
  const id = randomUUID();
  replies.set(id, script);
  const definition: EventDefinition = {
    webhook: 'http://127.0.0.1:9/hook',
    scheduledTime: new Date(Date.now() + (options.inMs ?? 300)).toISOString(),
    payload: { id },
    headers: [],
    retryConf: { ...DEFAULT_RETRY_CONF, ...options.retry },
    comment: null,
    ...options.definition,
  };
  const input: ScheduledEventInput = {
    id,
    createdAt: new Date().toISOString(),
    definition,
    prepareAheadMs: 50,
    revision: EVENT_WORKFLOW_REVISION,
    ...options.input,
  };
  return client.workflow.start('scheduledEventWorkflow', { workflowId: id, taskQueue, args: [input] });
}

/** How the event ended; also checks that it told the worker so, once, before its result was recorded. */
async function outcome(handle: WorkflowHandle): Promise<EventOutcome> {
  const result = (await handle.result()) as EventOutcome;
  expect(endings.get(handle.workflowId)).toEqual([result.status]);
  return result;
}
const callsOf = (handle: WorkflowHandle) => calls.get(handle.workflowId) ?? [];

test('a 2xx on the first attempt: delivered after one call, given its instant, deadline and body', async () => {
  const handle = await start([ok], { retry: { toleranceSeconds: 60 } });
  expect(await outcome(handle)).toEqual({ status: 'delivered', tries: 1 });
  const [call] = callsOf(handle);
  const input = call!.input;
  expect(input).toMatchObject({ eventId: handle.workflowId, attempt: 1, body: { id: handle.workflowId } });
  expect(Date.parse(input.notAfter) - Date.parse(input.notBefore)).toBe(60_000);
  expect(callsOf(handle)).toHaveLength(1);
});

test('a failure, then a 2xx: retried after the interval, delivered on the second attempt', async () => {
  const handle = await start([fail(), ok], { retry: { numRetries: 3, retryIntervalSeconds: 1 } });
  expect(await outcome(handle)).toEqual({ status: 'delivered', tries: 2 });
  const [first, second] = callsOf(handle);
  expect(second!.input.attempt).toBe(2);
  expect(Date.parse(second!.input.notBefore) - first!.at).toBeGreaterThanOrEqual(1000);
});

test("Retry-After replaces the interval (never adding attempts), and every failure spent ends it 'error'", async () => {
  const handle = await start([fail({ retryAfterSeconds: 1 })], { retry: { numRetries: 1, retryIntervalSeconds: 600 } });
  expect(await outcome(handle)).toEqual({ status: 'error', tries: 2 });
  const [first, second] = callsOf(handle);
  const gapMs = Date.parse(second!.input.notBefore) - first!.at;
  expect(gapMs).toBeGreaterThanOrEqual(1000);
  expect(gapMs).toBeLessThan(10_000);
});

test("a call the service refused is not retried: 'error' after one attempt", async () => {
  const handle = await start([fail({ refused: true })], { retry: { numRetries: 5, retryIntervalSeconds: 1 } });
  expect(await outcome(handle)).toEqual({ status: 'error', tries: 1 });
  expect(callsOf(handle)).toHaveLength(1);
});

test("an event already past its tolerance is 'dead' without a call", async () => {
  const handle = await start([ok], { inMs: -5_000, retry: { toleranceSeconds: 1 } });
  expect(await outcome(handle)).toEqual({ status: 'dead', tries: 0 });
  expect(callsOf(handle)).toHaveLength(0);
});

test("an attempt that finds itself past tolerance, or a retry that would be, ends the event 'dead'", async () => {
  const late = await start([() => ({ kind: 'pastTolerance' })]);
  expect(await outcome(late)).toEqual({ status: 'dead', tries: 0 });
  const noRoom = await start([fail()], { retry: { numRetries: 3, retryIntervalSeconds: 30, toleranceSeconds: 5 } });
  expect(await outcome(noRoom)).toEqual({ status: 'dead', tries: 1 });
  expect(callsOf(noRoom)).toHaveLength(1);
});

test("a cancel before the instant ends the event 'cancelled' without a call", async () => {
  const handle = await start([ok], { inMs: 60_000 });
  await handle.cancel();
  expect(await outcome(handle)).toEqual({ status: 'cancelled', tries: 0 });
  expect(callsOf(handle)).toHaveLength(0);
});

test('an edit of the due time before the instant moves the attempt to the new time', async () => {
  const handle = await start([ok], { inMs: 60_000 });
  const newTime = new Date(Date.now() + 500).toISOString();
  await handle.executeUpdate(editUpdate, { args: [{ scheduledTime: newTime }] });
  expect(await outcome(handle)).toEqual({ status: 'delivered', tries: 1 });
  expect(callsOf(handle)[0]!.input.notBefore).toBe(newTime);
});

test("an attempt lost after a cancel ends 'cancelled' only if the cancel came before its event's clearance limit", async () => {
  // The worker holding the attempt is lost: the attempt ends without a result, after the event's cancel.
  const lost: Reply = async () => {
    await delay(500);
    throw ApplicationFailure.nonRetryable('the worker was lost', 'Lost');
  };
  const cancelledWhileHeld = async (input: Partial<ScheduledEventInput>) => {
    const handle = await start([lost], { inMs: 6000, input: { prepareAheadMs: 8000, ...input } });
    while (callsOf(handle).length === 0) await delay(20);
    await handle.cancel(); // about 6 s before the instant
    return { handle, result: await outcome(handle) };
  };
  // A lone event's attempt could not have been cleared 6 s ahead (2 s): no call was made.
  const lone = await cancelledWhileHeld({});
  expect(lone.result).toEqual({ status: 'cancelled', tries: 0 });
  expect(callsOf(lone.handle)[0]!.input.maxClearanceLeadMs).toBeUndefined();
  // One of a burst may have been cleared 12 s ahead, and told so: its call's outcome is unknown.
  const burst = await cancelledWhileHeld({ maxClearanceLeadMs: 12_000 });
  expect(burst.result).toEqual({ status: 'error', tries: 1 });
  expect(callsOf(burst.handle)[0]!.input.maxClearanceLeadMs).toBe(12_000);
});

test('a rerun of an attempt that finds the event cancelled follows the same rule: its earlier run may have called', async () => {
  // The server's second execution of the attempt (the first was lost) makes no call: the event is cancelled.
  const cancelledReply =
    (rerun: boolean): Reply =>
    async () => {
      await delay(500);
      return rerun ? { kind: 'cancelled', rerun } : { kind: 'cancelled' };
    };
  const cancelledWhileHeld = async (reply: Reply, input: Partial<ScheduledEventInput>) => {
    const handle = await start([reply], { inMs: 6000, input: { prepareAheadMs: 8000, ...input } });
    while (callsOf(handle).length === 0) await delay(20);
    await handle.cancel(); // about 6 s before the instant
    return outcome(handle);
  };
  // Cancelled before a lone event's attempt could be cleared (2 s ahead): no execution called.
  expect(await cancelledWhileHeld(cancelledReply(true), {})).toEqual({ status: 'cancelled', tries: 0 });
  // One of a burst may have been cleared 12 s ahead: the lost execution's call, if any, has an unknown outcome.
  const burst = { maxClearanceLeadMs: 12_000 };
  expect(await cancelledWhileHeld(cancelledReply(true), burst)).toEqual({ status: 'error', tries: 1 });
  // The first execution knows it made no call.
  expect(await cancelledWhileHeld(cancelledReply(false), burst)).toEqual({ status: 'cancelled', tries: 0 });
  // A rerun past the event's tolerance: the same rule when the event is cancelled, `dead` when it is not.
  const pastTolerance: Reply = async () => {
    await delay(500);
    return { kind: 'pastTolerance', rerun: true };
  };
  expect(await cancelledWhileHeld(pastTolerance, burst)).toEqual({ status: 'error', tries: 1 });
  expect(await outcome(await start([pastTolerance]))).toEqual({ status: 'dead', tries: 0 });
});

test("an edit of the due time takes an event out of its burst: its attempt asks as a lone event's", async () => {
  const handle = await start([ok], { inMs: 60_000, input: { maxClearanceLeadMs: 12_000 } });
  await handle.executeUpdate(editUpdate, { args: [{ scheduledTime: new Date(Date.now() + 500).toISOString() }] });
  expect(await outcome(handle)).toEqual({ status: 'delivered', tries: 1 });
  expect(callsOf(handle)[0]!.input.maxClearanceLeadMs).toBeUndefined();
  // An edit that keeps the time keeps the burst's lead.
  const kept = await start([ok], { inMs: 2000, input: { maxClearanceLeadMs: 12_000 } });
  await kept.executeUpdate(editUpdate, { args: [{ comment: 'still in its burst' }] });
  expect(await outcome(kept)).toEqual({ status: 'delivered', tries: 1 });
  expect(callsOf(kept)[0]!.input.maxClearanceLeadMs).toBe(12_000);
});

test('an edit may not add what the API never sends (a failure webhook): refused, the event untouched', async () => {
  const handle = await start([ok], { inMs: 60_000 });
  const refused = await handle
    .executeUpdate(editUpdate, { args: [{ failureWebhook: 'https://attacker.example/f' } as never] })
    .catch((error: unknown) => error as Error & { cause?: Error });
  expect(refused).toBeInstanceOf(Error);
  expect((refused as Error & { cause?: Error }).cause?.message).toMatch(/cannot change failureWebhook/);
  await handle.cancel();
  expect(await outcome(handle)).toEqual({ status: 'cancelled', tries: 0 });
});

test("an event that ends 'error' calls its failure webhook once, after its own attempts, marked as such", async () => {
  const handle = await start([fail(), ok], {
    retry: { numRetries: 0 },
    definition: { failureWebhook: 'http://127.0.0.1:9/failed' },
  });
  expect(await outcome(handle)).toEqual({ status: 'error', tries: 1 });
  const [own, report] = callsOf(handle);
  expect(callsOf(handle)).toHaveLength(2);
  expect(report!.input).toMatchObject({
    webhook: 'http://127.0.0.1:9/failed',
    failureCallback: true,
    messageId: `${handle.workflowId}.failure`,
    attempt: 2,
    headers: [],
    body: { failure: { status: 'error', tries: 1, last_attempt: { status: 500 } } },
  });
  expect(own!.input.failureCallback).toBeUndefined();
});
