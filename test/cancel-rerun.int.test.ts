/**
 * A cancel that finds an attempt being run again after its worker was lost mid-call, on a real dev server with a real
 * receiver: the rerun makes no call, but the lost run had called, so the cancel is not a plain 200 `cancelled`
 * ("the webhook is never called"). The event ends `error`, its call's outcome unknown, as for an attempt that came
 * back without a result.
 */
import { Context } from '@temporalio/activity';
import { USER_AGENT } from '../src/config';
import { RERUN_CANCELLED_MESSAGE } from '../src/temporal/attempts-from-history';
import { queuedCallClearance } from '../src/temporal/call-clearance';
import { eventWorkerOptions } from '../src/worker';
import { type Receiver, startReceiver } from './helpers/receiver';
import { eventually, type Stack, startEventWorker, startStack, webhookConfig } from './helpers/stack';
import { startWorker } from './helpers/temporal';

let receiver: Receiver;
let stack: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  // The call reaches the receiver and is never answered: its worker is lost with it under way.
  receiver.respond('/lost', { hang: true });
  stack = await startStack({ withoutWorker: true });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

test("a cancel during the rerun of an attempt whose lost run called is not a plain 'cancelled'", async () => {
  const created = await stack.post('/v1/events', {
    webhook: receiver.url('/lost'),
    schedule_at: new Date(Date.now() + 2000).toISOString(),
    retry_conf: { num_retries: 0 },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  // The first worker calls, and is stopped while the call is under way: its run of the attempt ends without a result.
  const first = await startEventWorker(stack.taskQueue);
  await receiver.waitFor(1, 15_000);
  await first.stop();

  // The next worker's run of the attempt asks for clearance once the event's cancel is recorded on the server.
  let cancelling: ReturnType<Stack['request']> | undefined;
  let rerunActivityAttempt: number | undefined;
  const ask = queuedCallClearance();
  const second = await startWorker({
    taskQueue: stack.taskQueue,
    ...eventWorkerOptions({
      env: {},
      userAgent: USER_AGENT,
      fetch: webhookConfig().fetch,
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
    }),
  });
  try {
    const ended = await stack.waitForEvent(id, (event) => event.status !== 'scheduled' && event.status !== 'locked');
    expect(rerunActivityAttempt).toBeGreaterThan(1);
    // Called once, by the lost run; the rerun made no call.
    expect(receiver.requestsTo('/lost')).toHaveLength(1);
    expect(ended).toMatchObject({ status: 'error', tries: 1 });
    // The cancel's answer does not say the webhook was never called.
    const answer = await cancelling!;
    expect(answer.status).toBe(409);
    // The call the lost run made is listed, its outcome unknown.
    const listed = await stack.request('GET', `/v1/events/${id}/invocations`);
    expect(listed.body.invocations).toHaveLength(1);
    expect(listed.body.invocations[0]).toMatchObject({ status: null });
    expect(JSON.stringify(listed.body.invocations[0])).toContain(RERUN_CANCELLED_MESSAGE);
  } finally {
    await second.stop();
  }
}, 60_000);
