/**
 * A held attempt whose clearance is answered late, close to or past the server's heartbeat timeout (as behind a burst
 * on a busy server), on a real dev server: it calls once the server has recorded a heartbeat for it, so the attempt
 * is not run again meanwhile; and once the server has timed it out, it makes no call, so the webhook is called once.
 * The clearance answers are held back by a stand-in around the real question (src/temporal/call-clearance.ts).
 */
import { temporal } from '@temporalio/proto';
import { setTimeout as delay } from 'node:timers/promises';
import { createActivities } from '../activities';
import type { CallClearance } from '../src/shared/event';
import { heartbeatForCall, queuedCallClearance } from '../src/temporal/call-clearance';
import { USER_AGENT } from '../src/config';
import { eventWorkerOptions } from '../src/worker';
import { startReceiver, type Receiver } from './helpers/receiver';
import { type Stack, startStack, webhookConfig } from './helpers/stack';
import { type RunningWorker, startWorker } from './helpers/temporal';

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
/** When the first attempt of an event (by id) gets its clearance answer; the others get theirs at once. */
const answerAt = new Map<string, number>();
/** What the server answered each heartbeat recorded before a call, by event id. */
const heartbeatAnswers = new Map<string, CallClearance | 'failed'>();

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ withoutWorker: true });
  const deps = { env: {}, userAgent: USER_AGENT, fetch: webhookConfig().fetch };
  const ask = queuedCallClearance();
  worker = await startWorker({
    taskQueue: stack.taskQueue,
    ...eventWorkerOptions(deps),
    activities: createActivities({
      ...deps,
      clearForCall: async (client, attempt, signal) => {
        const answer = await ask(client, attempt, signal);
        const at = attempt.activityAttempt === 1 ? answerAt.get(attempt.workflowId) : undefined;
        if (at !== undefined) await delay(Math.max(at - Date.now(), 0));
        return answer;
      },
      heartbeatForCall: async (client, taskToken) => {
        const id = Buffer.from(taskToken).toString('latin1');
        const eventId = [...answerAt.keys()].find((key) => id.includes(key)) ?? '?';
        try {
          const answer = await heartbeatForCall(client, taskToken);
          heartbeatAnswers.set(eventId, answer);
          return answer;
        } catch (error) {
          heartbeatAnswers.set(eventId, 'failed');
          throw error;
        }
      },
    }),
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

test('a clearance answered near or past the heartbeat timeout still calls the webhook once, and on time when it can', async () => {
  const dueAtMs = Date.now() + LEAD_MS;
  const create = async (path: string): Promise<string> => {
    const created = await stack.post('/v1/events', {
      webhook: receiver.url(path),
      schedule_at: new Date(dueAtMs).toISOString(),
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  // 2 s before the timeout: too close for the call alone, so the server records a heartbeat first.
  const near = await create('/near');
  answerAt.set(near, dueAtMs + AFTER_INSTANT_MS - 2000);
  // 2 s past it: the server has timed the first attempt out and runs it again; the first one must not call.
  const past = await create('/past');
  answerAt.set(past, dueAtMs + AFTER_INSTANT_MS + 2000);

  await stack.waitForEvent(near, (event) => event.status === 'delivered', 30_000);
  await stack.waitForEvent(past, (event) => event.status === 'delivered', 30_000);
  // Past the late answer to the first attempt of /past, and its heartbeat's answer.
  await delay(Math.max(dueAtMs + AFTER_INSTANT_MS + 4000 - Date.now(), 0));

  expect(receiver.requestsTo('/near')).toHaveLength(1);
  expect(receiver.requestsTo('/near')[0]!.receivedAt).toBeGreaterThanOrEqual(dueAtMs + AFTER_INSTANT_MS - 2000);
  expect(heartbeatAnswers.get(near)).toBe('call');
  // The first activity execution made the call: it was not timed out and run again.
  expect(await activityAttemptOf(near)).toBe(1);

  expect(receiver.requestsTo('/past')).toHaveLength(1);
  expect((await stack.scheduler.get(past)).tries).toBe(1);
}, 60_000);
