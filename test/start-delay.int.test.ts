/**
 * Delayed start on a real dev server (src/temporal/start-delay.ts): an event due later than PREPARE_AHEAD_MS costs
 * no workflow task until its attempt is to be prepared, yet it is delivered on time, and reads, edits and cancels
 * made while it waits work as they did. The three timed cases run side by side (each waits ~35 s).
 */
import { temporal } from '@temporalio/proto';
import { PREPARE_AHEAD_MS, type ScheduledEventInput } from '../src/shared/event';
import { PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS as STEP } from '../src/temporal/prepare-lead';
import { eventWorkerOptions } from '../src/worker';
import { type ReceivedRequest, startReceiver, type Receiver } from './helpers/receiver';
import { eventually, type Stack, startStack } from './helpers/stack';
import { startWorker } from './helpers/temporal';

const { EventType } = temporal.api.enums.v1;

/** Events waiting beside the one due soon: enough that a backlog of their tasks would show. */
const WAITING_EVENTS = 150;
/** How far past the prepare window the events under test are due: the delay each one waits. */
const DELAY_MS = 4000;

let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

/** The event types of an event's history, in order. */
async function historyOf(eventId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const { events } = await stack.client.workflow.getHandle(eventId).fetchHistory();
  return events ?? [];
}

function timeOf(event: temporal.api.history.v1.IHistoryEvent | undefined): number | undefined {
  const seconds = event?.eventTime?.seconds;
  if (seconds === undefined || seconds === null) return undefined;
  return Number(seconds) * 1000 + Math.floor((event?.eventTime?.nanos ?? 0) / 1e6);
}

async function firstTaskAt(eventId: string): Promise<number | undefined> {
  const history = await historyOf(eventId);
  return timeOf(history.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED));
}

/** The first call to `path`, once it has come. */
async function callTo(path: string): Promise<ReceivedRequest> {
  await receiver.waitFor((requests) => requests.some((r) => r.path === path), 60_000);
  return receiver.requestsTo(path)[0]!;
}

async function create(path: string, dueAtMs: number, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await stack.post('/v1/events', {
    webhook: receiver.url(path),
    schedule_at: new Date(dueAtMs).toISOString(),
    payload: { path },
    ...extra,
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

test.concurrent(
  'an event due later waits without a workflow task, then is prepared ahead and called at its instant',
  async () => {
    const dueAtMs = Date.now() + PREPARE_AHEAD_MS + DELAY_MS;
    const id = await create('/on-time', dueAtMs);

    // While it waits: the start is all the server holds, and the event reads as scheduled.
    expect((await historyOf(id)).map((event) => event.eventType)).toEqual([
      EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    ]);
    const waiting = await stack.request('GET', `/v1/events/${id}`);
    expect(waiting.status).toBe(200);
    expect(waiting.body.status).toBe('scheduled');

    const call = await callTo('/on-time');
    expect(call.receivedAt).toBeGreaterThanOrEqual(dueAtMs);
    expect(call.receivedAt - dueAtMs).toBeLessThan(1000);
    // Its first task came when the attempt was to be prepared, not at creation, and the attempt was held from then on.
    const firstAt = (await firstTaskAt(id))!;
    expect(firstAt).toBeGreaterThanOrEqual(dueAtMs - PREPARE_AHEAD_MS);
    expect(firstAt).toBeLessThan(dueAtMs - PREPARE_AHEAD_MS + 5000);
    const history = await historyOf(id);
    expect(history.some((event) => event.eventType === EventType.EVENT_TYPE_TIMER_STARTED)).toBe(false);
    await stack.waitForEvent(id, (event) => event.status === 'delivered');
  },
  90_000,
);

test.concurrent(
  'an edit while it waits applies at once, and the event is called at its new instant',
  async () => {
    const id = await create('/edited', Date.now() + PREPARE_AHEAD_MS + 60_000);
    const newDueMs = Date.now() + PREPARE_AHEAD_MS + DELAY_MS;
    const started = Date.now();
    const edited = await stack.request('PATCH', `/v1/events/${id}`, {
      schedule_at: new Date(newDueMs).toISOString(),
      payload: { edited: true },
    });
    expect(edited.status).toBe(200);
    // An Update ends the delay: the answer does not wait for it.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(edited.body.scheduled_time).toBe(new Date(newDueMs).toISOString());

    const call = await callTo('/edited');
    expect(call.body).toMatchObject({ payload: { edited: true }, scheduled_time: new Date(newDueMs).toISOString() });
    expect(call.receivedAt).toBeGreaterThanOrEqual(newDueMs);
    expect(call.receivedAt - newDueMs).toBeLessThan(1000);
  },
  90_000,
);

test.concurrent(
  'a cancel while it waits is final at once, and nothing is called',
  async () => {
    const dueAtMs = Date.now() + PREPARE_AHEAD_MS + DELAY_MS;
    const id = await create('/cancelled', dueAtMs);
    const started = Date.now();
    const cancelled = await stack.request('DELETE', `/v1/events/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
    // Still nothing once its instant has passed.
    await new Promise((resolve) => setTimeout(resolve, dueAtMs + 1000 - Date.now()));
    expect(receiver.requestsTo('/cancelled')).toEqual([]);
    expect((await stack.request('GET', `/v1/events/${id}`)).body.status).toBe('cancelled');
  },
  90_000,
);

test('events created for later leave no backlog: one due soon is prepared at once behind them', async () => {
  const separate = await startStack({ withoutWorker: true });
  try {
    const later = new Date(Date.now() + 6 * 3600_000).toISOString();
    const batch = await separate.post('/v1/events/batch', {
      events: Array.from({ length: WAITING_EVENTS }, (_, n) => ({
        webhook: receiver.url('/later'),
        schedule_at: later,
        payload: { n },
      })),
    });
    expect(batch.status).toBe(200);
    const waitingIds = (batch.body.results as { id: string }[]).map((result) => result.id);
    expect(waitingIds).toHaveLength(WAITING_EVENTS);
    const soon = await separate.post('/v1/events', {
      webhook: receiver.url('/soon'),
      schedule_at: new Date(Date.now() + 20_000).toISOString(),
    });
    expect(soon.status).toBe(201);

    // Two workflow tasks at a time: a backlog, if there were one, would be served before the event due soon.
    const worker = await startWorker({
      taskQueue: separate.taskQueue,
      ...eventWorkerOptions({ env: {}, userAgent: 'scheduled-events-test' }),
      maxConcurrentWorkflowTaskExecutions: 2,
    });
    try {
      await eventually(
        () => firstTaskAt(soon.body.id as string),
        (time) => time !== undefined,
        30_000,
      );
      const waitingTasks = await Promise.all(waitingIds.map(firstTaskAt));
      expect(waitingTasks.filter((time) => time !== undefined)).toEqual([]);
    } finally {
      await worker.stop();
    }
  } finally {
    await separate.stop();
  }
}, 90_000);

test('events due in the same second are prepared a step earlier each, and an idempotent repeat does not count', async () => {
  const inputOf = async (eventId: string): Promise<ScheduledEventInput> => {
    const [started] = await historyOf(eventId);
    const payload = started?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    return JSON.parse(Buffer.from(payload!).toString('utf8')) as ScheduledEventInput;
  };
  const schedule_at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3 * 3600_000).toISOString();
  const body = { webhook: receiver.url('/together'), schedule_at };
  const first = await stack.post('/v1/events', body, { 'Idempotency-Key': 'lead-first' });
  const repeat = await stack.post('/v1/events', body, { 'Idempotency-Key': 'lead-first' });
  expect(repeat.body.id).toBe(first.body.id);
  const second = await stack.post('/v1/events', body);
  const third = await stack.post('/v1/events', { ...body, schedule_at: schedule_at.replace('.000Z', '.999Z') });
  const leads = await Promise.all(
    [first, second, third].map(async (res) => (await inputOf(res.body.id)).prepareAheadMs),
  );
  expect(leads).toEqual([PREPARE_AHEAD_MS, PREPARE_AHEAD_MS + STEP, PREPARE_AHEAD_MS + 2 * STEP]);
  for (const res of [first, second, third]) await stack.request('DELETE', `/v1/events/${res.body.id}`);
});
