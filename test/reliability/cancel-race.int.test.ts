/**
 * Race: events due 2 s after their create, each cancelled 0–2,200 ms after it (every offset in that range, spread
 * evenly: while the first workflow task runs, while the attempt holds, just before the instant, during the call), through two API instances, with one worker and then with two. Two workers run with no workflow cache, so
 * each workflow task goes to either worker and a held attempt is often on the worker that did not process the cancel
 * (the case a workflow sink cannot reach; the attempt's clearance before its call must).
 *
 * Promise (docs/guarantees.md, cancel): an event whose cancel was answered 200 `cancelled` is never called; a cancel
 * that lost the race to a call under way is a 409 and the event ends with that call logged; every call the receiver
 * saw is in the event's invocations, and the final status agrees with the calls.
 *
 * Sizes: RELIABILITY_CANCEL_EVENTS (events per worker setup).
 */
import { type Receiver, startReceiver } from '../helpers/receiver';
import { type Stack, secondApi, startEventWorker, startStack } from '../helpers/stack';
import type { RunningWorker } from '../helpers/temporal';
import { countBy, inMs, mapConcurrent, percentile, recordFigures, requestsByEvent, size, sleep } from './support';

const EVENTS = size('CANCEL_EVENTS', 30);
const DUE_AFTER_MS = 2000;
/** Past the 2 s instant, so that some cancels meet the clearance window and calls under way. */
const LATEST_CANCEL_MS = 2200;
/** Creates (and their cancels) in progress at once: enough to overlap, few enough for the dev server to keep up. */
const CONCURRENCY = 10;

jest.setTimeout(120_000 + EVENTS * 400);

let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

interface Outcome {
  id: string;
  offsetMs: number;
  cancelStatus: number;
  cancelBody: any;
  /** How long the cancel took to answer. */
  cancelMs: number;
}

async function race(workers: 1 | 2): Promise<void> {
  // No workflow cache with two workers: every task goes to either of them.
  const workerOptions = workers === 2 ? { maxCachedWorkflows: 0 } : {};
  const stack: Stack = await startStack({ workerOptions });
  const second: RunningWorker | undefined =
    workers === 2 ? await startEventWorker(stack.taskQueue, workerOptions) : undefined;
  const apiB = secondApi(stack);
  const apis = [stack.request, apiB.request];
  try {
    const outcomes = await mapConcurrent(
      Array.from({ length: EVENTS }, (_, i) => i),
      CONCURRENCY,
      async (i): Promise<Outcome> => {
        const offsetMs = Math.round((i * LATEST_CANCEL_MS) / Math.max(EVENTS - 1, 1));
        const created = await apis[i % 2]!('POST', '/v1/events', {
          webhook: receiver.url(`/race-${workers}`),
          schedule_at: inMs(DUE_AFTER_MS),
          payload: { i },
        });
        expect(created.status).toBe(201);
        await sleep(offsetMs);
        const started = Date.now();
        const cancelled = await apis[(i + 1) % 2]!('DELETE', `/v1/events/${created.body.id}`);
        const cancelMs = Date.now() - started;
        return { id: created.body.id, offsetMs, cancelStatus: cancelled.status, cancelBody: cancelled.body, cancelMs };
      },
    );

    // Every event has ended (202s included) before the calls are counted.
    const finals = await mapConcurrent(outcomes, CONCURRENCY, (o) =>
      stack.waitForEvent(o.id, (e) => e.status !== 'scheduled' && e.status !== 'locked', 30_000),
    );
    await sleep(500);
    const calls = requestsByEvent(receiver.requestsTo(`/race-${workers}`));

    const callsAfterCancelled = outcomes.filter(
      (o) => o.cancelStatus === 200 && o.cancelBody.status === 'cancelled' && calls.has(o.id),
    );
    expect(callsAfterCancelled).toEqual([]);
    for (const [index, o] of outcomes.entries()) {
      const final = finals[index]!;
      const received = calls.get(o.id)?.length ?? 0;
      const { body } = await stack.request('GET', `/v1/events/${o.id}/invocations`);
      // Every call is on record, and the status says whether there was one.
      expect({ id: o.id, logged: body.invocations.length }).toEqual({ id: o.id, logged: received });
      expect({ id: o.id, status: final.status }).toEqual({
        id: o.id,
        status: received > 0 ? 'delivered' : 'cancelled',
      });
      // Past the instant: the call under way decided it, or the event had already been delivered.
      if (o.cancelStatus === 409) expect(o.cancelBody.error).toMatch(/already started|already finished/);
      else expect([200, 202]).toContain(o.cancelStatus);
    }

    recordFigures(`cancel-race-${workers}-worker${workers === 2 ? 's' : ''}`, {
      events: EVENTS,
      offsetsMs: [0, LATEST_CANCEL_MS],
      answers: countBy(outcomes.map((o) => `${o.cancelStatus} ${o.cancelBody.status ?? o.cancelBody.code}`)),
      callsAfterCancelled: callsAfterCancelled.length,
      cancelAnswerMs: {
        p50: percentile(
          outcomes.map((o) => o.cancelMs),
          50,
        ),
        p99: percentile(
          outcomes.map((o) => o.cancelMs),
          99,
        ),
      },
      // Where, relative to the 2 s instant, a cancel stopped being in time.
      latestCancelledOffsetMs: Math.max(...outcomes.filter((o) => o.cancelStatus === 200).map((o) => o.offsetMs)),
      earliestConflictOffsetMs: Math.min(...outcomes.filter((o) => o.cancelStatus === 409).map((o) => o.offsetMs)),
      delivered: finals.filter((e) => e.status === 'delivered').length,
      calls: [...calls.values()].reduce((n, list) => n + list.length, 0),
    });
  } finally {
    await apiB.close();
    await second?.stop();
    await stack.stop();
  }
}

test('one worker: no call after a cancel answered cancelled, every call logged', async () => {
  await race(1);
});

test('two workers, no workflow cache: the same, wherever the attempt holds', async () => {
  await race(2);
});
