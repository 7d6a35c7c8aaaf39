/**
 * A cancel that finds an attempt being run again after its worker was lost mid-call, on a real dev server with a real
 * receiver: the rerun makes no call, but the lost run had called, so the cancel is not a plain 200 `cancelled`
 * ("the webhook is never called"). The event ends `error`, its call's outcome unknown, as for an attempt that came
 * back without a result, and the listing shows that call.
 */
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { RERUN_NOT_MADE_MESSAGE } from '../src/temporal/attempts-from-history';
import { queuedCallClearance } from '../src/temporal/call-clearance';
import { type Receiver, startReceiver } from './helpers/receiver';
import { eventually, type Stack, startEventWorker, startStack } from './helpers/stack';

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ withoutWorker: true });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

/**
 * An event whose first run of its attempt calls `path` and is lost with the call under way (the receiver never
 * answers; its worker is stopped): the server will run the attempt again.
 */
async function lostMidCall(path: string): Promise<string> {
  receiver.respond(path, { hang: true });
  const created = await stack.post('/v1/events', {
    webhook: receiver.url(path),
    schedule_at: new Date(Date.now() + 2000).toISOString(),
    retry_conf: { num_retries: 0 },
  });
  expect(created.status).toBe(201);
  const first = await startEventWorker(stack.taskQueue);
  await receiver.waitFor((requests) => requests.some((request) => request.path === path), 15_000);
  await first.stop();
  return created.body.id as string;
}

/** The event ended `error` with one try, called once, by the lost run, which the listing shows, outcome unknown. */
async function expectUnknownOutcome(id: string, path: string): Promise<void> {
  const ended = await stack.waitForEvent(id, (event) => event.status !== 'scheduled' && event.status !== 'locked');
  expect(ended).toMatchObject({ status: 'error', tries: 1 });
  expect(receiver.requestsTo(path)).toHaveLength(1);
  const listed = await stack.request('GET', `/v1/events/${id}/invocations`);
  expect(listed.body.invocations).toHaveLength(1);
  expect(listed.body.invocations[0]).toMatchObject({ status: null });
  expect(JSON.stringify(listed.body.invocations[0])).toContain(RERUN_NOT_MADE_MESSAGE);
  // Its history, with the marker of the rule that decided it, replays on the workflow code.
  const history = await stack.client.workflow.getHandle(id).fetchHistory();
  const bundle = { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE_PATH! } };
  await expect(Worker.runReplayHistory(bundle, history, id)).resolves.toBeUndefined();
  const patches = (history.events ?? []).flatMap((event) =>
    (event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map((payload) =>
      defaultPayloadConverter.fromPayload<{ id: string }>(payload),
    ),
  );
  expect(patches.map((patch) => patch.id)).toContain('cancelled-rerun-may-follow-a-call');
}

test("a cancel during the rerun of an attempt whose lost run called is not a plain 'cancelled'", async () => {
  const id = await lostMidCall('/lost');
  // The next worker's run of the attempt asks for clearance once the event's cancel is recorded on the server.
  let cancelling: ReturnType<Stack['request']> | undefined;
  let rerunActivityAttempt: number | undefined;
  const ask = queuedCallClearance();
  const second = await startEventWorker(stack.taskQueue, {
    clearForCall: async (client, attempt, signal) => {
      if (attempt.workflowId === id && cancelling === undefined) {
        rerunActivityAttempt = Context.current().info.attempt;
        cancelling = stack.request('DELETE', `/v1/events/${id}`);
        await eventually(
          () => client.workflow.getHandle(id).describe(),
          (described) => described.raw.workflowExtendedInfo?.cancelRequested === true,
        );
      }
      return ask(client, attempt, signal);
    },
  });
  try {
    await expectUnknownOutcome(id, '/lost');
    expect(rerunActivityAttempt).toBeGreaterThan(1);
    // The cancel's answer does not say the webhook was never called.
    expect((await cancelling!).status).toBe(409);
  } finally {
    await second.stop();
  }
}, 60_000);

test('a cancel while the rerun waits for a worker is left to the workflow, not answered 200 at once', async () => {
  const id = await lostMidCall('/lost-no-worker');
  // No worker runs: the API cannot confirm that no call was made, and says so (202), without terminating the event.
  const cancelled = await stack.request('DELETE', `/v1/events/${id}`);
  expect(cancelled.status).toBe(202);
  const worker = await startEventWorker(stack.taskQueue);
  try {
    await expectUnknownOutcome(id, '/lost-no-worker');
  } finally {
    await worker.stop();
  }
}, 60_000);
