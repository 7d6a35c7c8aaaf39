/**
 * Fault: the worker process is killed with SIGKILL while webhook attempts are in flight and while other events sleep,
 * then started again.
 *
 * Promise (docs/contract.md §1, §2): no event is lost; an attempt whose worker died is run again (at-least-once), never logged as
 * a failed webhook attempt; so only attempts in flight at the kill reach the receiver twice, and every copy carries
 * the event's `Idempotency-Key`.
 *
 * The receiver never answers an event's first call to `/slow`, so the first attempts are still waiting when the worker
 * dies; it answers the next call at once. The server notices the lost worker by its missing heartbeats (heartbeatTimeout 10 s) and
 * dispatches the attempt again, to the restarted worker.
 *
 * Sizes: RELIABILITY_WORKER_KILL_IN_FLIGHT, RELIABILITY_WORKER_KILL_SLEEPING (events of each kind).
 */
import type { ScheduledEvent } from '../../src/shared/event';
import { WorkerProcess } from '../helpers/processes';
import { type Receiver, startReceiver } from '../helpers/receiver';
import { type Stack, startStack } from '../helpers/stack';
import { temporalTarget } from '../helpers/temporal';
import {
  idempotencyKey,
  inMs,
  lastAttemptRun,
  mapConcurrent,
  ms,
  recordFigures,
  requestsByEvent,
  size,
  sleep,
} from './support';

const IN_FLIGHT = size('WORKER_KILL_IN_FLIGHT', 20);
const SLEEPING = size('WORKER_KILL_SLEEPING', 20);
/** Sleeping events due while the worker is down: this long after they are created (creating them takes time). */
const DUE_DURING_OUTAGE_MS = 5000 + (IN_FLIGHT + SLEEPING) * 30;
/** Sleeping events due once the worker is back. */
const DUE_AFTER_RESTART_MS = DUE_DURING_OUTAGE_MS + 8000;
/** Heartbeat timeout (10 s) + lost-worker retry backoff + the restart + the receiver delay, with room to spare. */
const DELIVERY_TIMEOUT_MS = 60_000 + (IN_FLIGHT + SLEEPING) * 50;

jest.setTimeout(DELIVERY_TIMEOUT_MS + 60_000);

let receiver: Receiver;
let stack: Stack;
let worker: WorkerProcess;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ withoutWorker: true });
  worker = new WorkerProcess({ address: temporalTarget().address, taskQueue: stack.taskQueue, client: stack.client });
});

afterAll(async () => {
  await worker?.kill9();
  await stack?.stop();
  await receiver?.close();
});

async function create(args: Record<string, unknown>): Promise<string> {
  const res = await stack.post('/v1/metadata', { type: 'create_scheduled_event', args });
  if (res.status !== 200) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.event_id as string;
}

/** Polls every event until all are final or the deadline passes; returns the last state of each. */
async function waitAllFinal(ids: readonly string[], timeoutMs: number): Promise<Map<string, ScheduledEvent>> {
  const deadline = Date.now() + timeoutMs;
  const final = new Map<string, ScheduledEvent>();
  while (final.size < ids.length && Date.now() < deadline) {
    const pending = ids.filter((id) => !final.has(id));
    await mapConcurrent(pending, 8, async (id) => {
      const event = await stack.scheduler.get(id);
      if (!['scheduled', 'locked'].includes(event.status)) final.set(id, event);
    });
    if (final.size < ids.length) await sleep(250);
  }
  return final;
}

test('kill -9 of the worker mid-attempt and mid-sleep: every event delivered, duplicates only for in-flight attempts', async () => {
  // First call of each event: no answer (in flight until the kill); later calls: 200.
  const called = new Set<string>();
  receiver.respond('/slow', (request) => {
    const id = (request.body as { id: string }).id;
    if (called.has(id)) return { status: 200, body: 'ok' };
    called.add(id);
    return { hang: true };
  });
  receiver.respond('/sleeping', { status: 200, body: 'ok' });
  const ready = await worker.start();

  // Sleeping events first: their timers are running on the server when the worker dies.
  const createdAt = Date.now();
  const dueDuringOutage = new Date(createdAt + DUE_DURING_OUTAGE_MS).toISOString();
  const dueAfterRestart = new Date(createdAt + DUE_AFTER_RESTART_MS).toISOString();
  const sleeping = await mapConcurrent(
    Array.from({ length: SLEEPING }, (_, i) => i),
    8,
    (i) =>
      create({
        webhook: receiver.url('/sleeping'),
        schedule_at: i % 2 === 0 ? dueDuringOutage : dueAfterRestart,
        payload: { kind: 'sleeping', i },
      }),
  );
  const inFlight = await mapConcurrent(
    Array.from({ length: IN_FLIGHT }, (_, i) => i),
    8,
    (i) => create({ webhook: receiver.url('/slow'), schedule_at: inMs(0), payload: { kind: 'in-flight', i } }),
  );

  // Every in-flight event's first attempt has reached the receiver and waits for its answer: kill now.
  await receiver.waitFor(
    (all) => new Set(all.filter((r) => r.path === '/slow').map((r) => (r.body as { id: string }).id)).size >= IN_FLIGHT,
    30_000,
  );
  const killedAt = Date.now();
  await worker.kill9();
  const inFlightAtKill = receiver.requestsTo('/slow').length;
  expect(killedAt).toBeLessThan(Date.parse(dueDuringOutage)); // the setup is fast enough for the scenario

  // Stay down until the first sleeping events are due, so their timers fire with no worker.
  await sleep(Math.max(0, Date.parse(dueDuringOutage) + 1000 - Date.now()));
  const restartedAt = Date.now();
  const restartMs = await worker.start();

  const ids = [...inFlight, ...sleeping];
  const final = await waitAllFinal(ids, DELIVERY_TIMEOUT_MS);

  // --- nothing lost
  const delivered = ids.filter((id) => final.get(id)?.status === 'delivered');
  const notDelivered = ids
    .filter((id) => final.get(id)?.status !== 'delivered')
    .map((id) => [id, final.get(id)?.status]);
  expect(notDelivered).toEqual([]);

  const byEvent = requestsByEvent(receiver.requests);
  const lost = ids.filter((id) => (byEvent.get(id)?.length ?? 0) === 0);
  expect(lost).toEqual([]);

  // --- duplicates: exactly the attempts in flight at the kill, once more; sleeping events exactly once
  const inFlightIds = new Set(inFlight);
  for (const id of ids) {
    const requests = byEvent.get(id) ?? [];
    expect({ id, calls: requests.length }).toEqual({ id, calls: inFlightIds.has(id) ? 2 : 1 });
    for (const request of requests) expect(idempotencyKey(request)).toBe(id);
    if (inFlightIds.has(id)) {
      // The first copy arrived before the kill, the second after the restart: the same attempt, run again by the
      // server once the dead worker's heartbeats stopped.
      expect(requests[0]!.receivedAt).toBeLessThanOrEqual(killedAt);
      expect(requests[1]!.receivedAt).toBeGreaterThan(killedAt);
      expect(await lastAttemptRun(stack.client, id)).toEqual({
        serverAttempt: 2,
        previousFailure: 'heartbeat timeout',
      });
    }
  }
  const duplicates = [...byEvent.values()].reduce((sum, requests) => sum + requests.length - 1, 0);

  // --- the kill is not a failed webhook attempt: one invocation per event, the successful one
  await mapConcurrent(ids, 8, async (id) => {
    const res = await stack.post('/v1/metadata', {
      type: 'get_scheduled_event_invocations',
      args: { type: 'one_off', event_id: id, get_rows_count: true },
    });
    expect(res.status).toBe(200);
    expect({
      id,
      count: res.body.count,
      statuses: res.body.invocations.map((i: { status: number }) => i.status),
    }).toEqual({
      id,
      count: 1,
      statuses: [200],
    });
    expect(final.get(id)?.tries).toBe(1);
  });

  const redeliveries = inFlight.map((id) => byEvent.get(id)![1]!.receivedAt - killedAt);
  const outageLateness = sleeping
    .filter((_, i) => i % 2 === 0)
    .map((id) => byEvent.get(id)![0]!.receivedAt - Date.parse(dueDuringOutage));
  recordFigures('worker-kill', {
    events: ids.length,
    inFlightAtKill,
    sleepingAtKill: SLEEPING,
    delivered: delivered.length,
    lost: lost.length,
    duplicates,
    duplicatesExplained: 'one per attempt in flight at the kill (first copy before the kill, second after restart)',
    failedInvocationsFromKill: 0,
    workerStartMs: ready,
    workerDownMs: restartedAt - killedAt,
    workerRestartMs: restartMs,
    inFlightRedeliveredAfterKillMs: { min: ms(Math.min(...redeliveries)), max: ms(Math.max(...redeliveries)) },
    dueDuringOutageLatenessMs: { min: ms(Math.min(...outageLateness)), max: ms(Math.max(...outageLateness)) },
  });
});
