/**
 * Task-queue priority on a real dev server (src/temporal/event-priority.ts): an event due soon is prepared ahead
 * of a backlog of events created before it and due later, instead of waiting its turn behind them.
 */
import { temporal } from '@temporalio/proto';
import { eventWorkerOptions } from '../src/worker';
import { eventually, type Stack, startStack } from './helpers/stack';
import { startWorker } from './helpers/temporal';

/** Events in the backlog: enough that the order they are served in shows, few enough to be served in seconds. */
const BACKLOG_EVENTS = 150;
/** Nothing listens here: no event in this test is called. */
const WEBHOOK = 'http://127.0.0.1:9/never-called';

let stack: Stack;

beforeAll(async () => {
  // No worker yet: every created event's first workflow task waits in the task queue.
  stack = await startStack({ withoutWorker: true });
});

afterAll(async () => {
  await stack?.stop();
});

/** When the event's first workflow task started (ms since the epoch), or undefined while it waits. */
async function firstTaskStartedAt(eventId: string): Promise<number | undefined> {
  const { events } = await stack.client.workflow.getHandle(eventId).fetchHistory();
  const started = events?.find(
    (event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  );
  const seconds = started?.eventTime?.seconds;
  if (started === undefined || seconds === undefined || seconds === null) return undefined;
  return Number(seconds) * 1000 + Math.floor((started.eventTime?.nanos ?? 0) / 1e6);
}

test('an event due soon is prepared before a backlog of events due later', async () => {
  const later = new Date(Date.now() + 6 * 3600_000).toISOString();
  const batch = await stack.post('/v1/events/batch', {
    events: Array.from({ length: BACKLOG_EVENTS }, (_, n) => ({
      webhook: WEBHOOK,
      schedule_at: later,
      payload: { n },
    })),
  });
  expect(batch.status).toBe(200);
  const backlogIds = (batch.body.results as { id: string }[]).map((result) => result.id);
  expect(backlogIds).toHaveLength(BACKLOG_EVENTS);
  // Created last, due in 30 s: with creation order, its first task would run last.
  const soon = await stack.post('/v1/events', {
    webhook: WEBHOOK,
    schedule_at: new Date(Date.now() + 30_000).toISOString(),
  });
  expect(soon.status).toBe(201);
  const soonId = soon.body.id as string;

  // Two workflow tasks at a time, so the worker takes tasks in the order the server hands them out.
  const worker = await startWorker({
    taskQueue: stack.taskQueue,
    ...eventWorkerOptions({ env: {}, userAgent: 'scheduled-events-test' }),
    maxConcurrentWorkflowTaskExecutions: 2,
  });
  try {
    // Only the one event is watched while the worker runs, so that the test does not load the server it measures.
    const soonAt = await eventually(
      () => firstTaskStartedAt(soonId),
      (time) => time !== undefined,
      30_000,
    );
    // Read once, after: a backlog event whose first task has not started yet was served after it.
    const backlogAt = await Promise.all(backlogIds.map(firstTaskStartedAt));
    const servedBefore = backlogAt.filter((time) => time !== undefined && time < soonAt!).length;
    // Priority dispatch is "close to priority order": the event due soon went ahead of nearly all of the backlog
    // (in creation order it would have gone after every one of them).
    expect(servedBefore).toBeLessThan(BACKLOG_EVENTS / 4);
  } finally {
    await worker.stop();
  }
});
