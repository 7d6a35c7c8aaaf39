/**
 * A held attempt whose clearance is answered late, close to or past the server's heartbeat timeout (as behind a burst
 * on a busy server), on a real dev server: it calls once the server has recorded a heartbeat for it, so the attempt
 * is not run again meanwhile; and once the server has timed it out, it makes no call, so the webhook is called once.
 * The clearance answers are held back by a stand-in around the real question (src/temporal/call-clearance.ts).
 */
import { temporal } from '@temporalio/proto';
import { setTimeout as delay } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { CallClearance } from '../src/shared/event';
import { heartbeatForCall, queuedCallClearance, queuedHeartbeatForCall } from '../src/temporal/call-clearance';
import { startReceiver, type Receiver } from './helpers/receiver';
import { eventually, type Stack, startEventWorker, startStack } from './helpers/stack';
import type { RunningWorker } from './helpers/temporal';

const { EventType } = temporal.api.enums.v1;

/** How far ahead the events are due: inside the prepare window, so each attempt is held at once. */
const LEAD_MS = 5000;
/**
 * The workflow's heartbeat timeout ends this long after the instant (HEARTBEAT_TIMEOUT_MS in
 * workflows/scheduled-event.ts); a call within 5 s of it first has a heartbeat recorded.
 */
const AFTER_INSTANT_MS = 10_000;

let stack: Stack;
let receiver: Receiver;
let worker: RunningWorker;
/**
 * When the first attempt of an event (by id) gets its clearance answer, in ms after the server's heartbeat timeout
 * for it as the attempt reckons it (its scheduling plus that timeout); the others get theirs at once.
 */
const answerAfterTimeout = new Map<string, number>();
/** When the first attempt of an event got its delayed answer. */
const answeredAt = new Map<string, number>();
/** The task token of each event's latest attempt to ask for clearance. */
const taskTokens = new Map<string, Uint8Array>();
/** What the server answered each heartbeat recorded before a call, by `<event id>#<activity attempt>`. */
const heartbeatAnswers = new Map<string, CallClearance | 'failed'>();

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ withoutWorker: true });
  const ask = queuedCallClearance();
  const record = queuedHeartbeatForCall();
  worker = await startEventWorker(stack.taskQueue, {
    clearForCall: async (client, attempt, signal) => {
      taskTokens.set(attempt.workflowId, Context.current().info.taskToken);
      const answer = await ask(client, attempt, signal);
      const offset = attempt.activityAttempt === 1 ? answerAfterTimeout.get(attempt.workflowId) : undefined;
      if (offset !== undefined && !answeredAt.has(attempt.workflowId)) {
        const { currentAttemptScheduledTimestampMs, heartbeatTimeoutMs = 0 } = Context.current().info;
        await delay(Math.max(currentAttemptScheduledTimestampMs + heartbeatTimeoutMs + offset - Date.now(), 0));
        answeredAt.set(attempt.workflowId, Date.now());
      }
      return answer;
    },
    heartbeatForCall: async (client, taskToken, wait) => {
      const { workflowExecution, attempt } = Context.current().info;
      const key = `${workflowExecution?.workflowId}#${attempt}`;
      try {
        const answer = await record(client, taskToken, wait);
        heartbeatAnswers.set(key, answer);
        return answer;
      } catch (error) {
        heartbeatAnswers.set(key, 'failed');
        throw error;
      }
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
  await receiver?.close();
});

/** The server's attempt number of the activity execution that made the event's first attempt. */
async function activityAttemptOf(eventId: string): Promise<number | null | undefined> {
  const { events } = await stack.client.workflow.getHandle(eventId).fetchHistory();
  const started = events?.find((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
  return started?.activityTaskStartedEventAttributes?.attempt;
}

test('a clearance answered near or past the heartbeat timeout still calls the webhook once', async () => {
  const dueAtMs = Date.now() + LEAD_MS;
  const create = async (path: string): Promise<string> => {
    const created = await stack.post('/v1/events', {
      webhook: receiver.url(path),
      schedule_at: new Date(dueAtMs).toISOString(),
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  // 3.5 s before the timeout: too close for the call alone (5 s), so the server records a heartbeat first.
  const near = await create('/near');
  answerAfterTimeout.set(near, -3500);
  // 2 s past it: the server has timed the first attempt out and runs it again; the first one must not call.
  const past = await create('/past');
  answerAfterTimeout.set(past, 2000);

  await stack.waitForEvent(near, (event) => event.status === 'delivered', 30_000);
  await stack.waitForEvent(past, (event) => event.status === 'delivered', 30_000);
  // Past the late answer to the first attempt of /past, and what it then did.
  await eventually(
    () => Promise.resolve(answeredAt.get(past)),
    (at) => at !== undefined,
    30_000,
  );
  await delay(1000);

  expect(receiver.requestsTo('/near')).toHaveLength(1);
  expect(receiver.requestsTo('/near')[0]!.receivedAt).toBeGreaterThanOrEqual(dueAtMs + AFTER_INSTANT_MS - 3500);
  expect(heartbeatAnswers.get(`${near}#1`)).toBe('call');
  // The first activity execution made the call: it was not timed out and run again.
  expect(await activityAttemptOf(near)).toBe(1);

  // Past the timeout, the first attempt of /past sent no heartbeat and made no call; its rerun called, once.
  expect(receiver.requestsTo('/past')).toHaveLength(1);
  expect(heartbeatAnswers.has(`${past}#1`)).toBe(false);
  expect(await activityAttemptOf(past)).toBe(2);
  expect((await stack.scheduler.get(past)).tries).toBe(1);
}, 60_000);

test('the server refuses a heartbeat for an attempt whose run has ended', async () => {
  const created = await stack.post('/v1/events', {
    webhook: receiver.url('/done'),
    schedule_at: new Date(Date.now() + 500).toISOString(),
  });
  const id = created.body.id as string;
  await stack.waitForEvent(id, (event) => event.status === 'delivered');
  const token = taskTokens.get(id);
  expect(token).toBeDefined();
  // NOT_FOUND, which the activity takes as no call.
  await expect(heartbeatForCall(stack.client, token!)).resolves.toBe('gone');
});
