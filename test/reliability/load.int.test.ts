/**
 * Load with faults: N events created through the API (a child process, over HTTP) while the worker process is
 * killed with SIGKILL and restarted twice.
 *
 * Promise: every accepted event is delivered (zero lost); delivery is at-least-once, so a few events may reach the
 * receiver twice, and each such duplicate is explained: its first copy was in flight (sent, answer not yet recorded
 * by Temporal) when a worker died, and Temporal ran the same attempt again after the lost worker's heartbeat timeout. No kill shows up as a failed attempt (every event ends delivered with tries = 1).
 *
 * Runs against a private dev server, so listings see only this test's events.
 *
 * Sizes: RELIABILITY_LOAD_EVENTS (events), RELIABILITY_LOAD_RATE (due events per second).
 */
import { Client, Connection } from '@temporalio/client';

import { ApiProcess, DevServer, WorkerProcess, waitUntil } from '../helpers/processes';
import type { ReceivedRequest } from '../helpers/receiver';
import { type Receiver, startReceiver } from '../helpers/receiver';
import { uniqueTaskQueue } from '../helpers/temporal';
import {
  countBy,
  idempotencyKey,
  lastAttemptRun,
  mapConcurrent,
  ms,
  percentile,
  recordFigures,
  requestsByEvent,
  size,
  sleep,
} from './support';

const EVENTS = size('LOAD_EVENTS', 500);
/** Due times are spread at this many events per second, starting LEAD_MS after the test begins. */
const RATE = size('LOAD_RATE', 100);
const LEAD_MS = 2000;
const CREATE_CONCURRENCY = 32;
/** The receiver holds each answer this long, so that attempts are in flight when a worker dies. */
const RECEIVER_DELAY_MS = 300;
/** For the figures: requests that arrived this long before a kill are counted as in flight at it. */
const IN_FLIGHT_WINDOW_MS = RECEIVER_DELAY_MS + 2000;
/** How long after the worker's exit its last requests may still reach the receiver. */
const DEAD_SLACK_MS = 100;
/** Pause between a kill and the restart. */
const DOWN_MS = 1000;
/** Upper bound on reaching every delivery (an overloaded dev server can do ~10 events/s end to end). */
const DELIVERY_TIMEOUT_MS = 120_000 + EVENTS * 100;

jest.setTimeout(DELIVERY_TIMEOUT_MS + 120_000);

let server: DevServer;
let connection: Connection;
let client: Client;
let receiver: Receiver;
let worker: WorkerProcess;
let api: ApiProcess;

beforeAll(async () => {
  server = await DevServer.start();
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
  receiver = await startReceiver();
  const target = { address: server.address, namespace: server.namespace, taskQueue: uniqueTaskQueue('load') };
  worker = new WorkerProcess({ ...target, client });
  api = new ApiProcess(target);
  await Promise.all([worker.start(), api.start()]);
});

afterAll(async () => {
  await Promise.all([worker?.kill9(), api?.kill9()]);
  await connection?.close();
  await receiver?.close();
  await server?.stop();
});

const uniqueDelivered = (requests: readonly ReceivedRequest[]) => requestsByEvent(requests).size;

interface Kill {
  /** SIGKILL sent. */
  at: number;
  /**
   * The worker's exit seen, plus a little: requests the worker wrote before dying may still be read by the receiver
   * a few milliseconds later.
   */
  deadAt: number;
  deliveredBefore: number;
  restartMs: number;
  /** Requests that arrived within IN_FLIGHT_WINDOW_MS before the kill. */
  inFlight: number;
}

test('N events through the API while the worker is killed and restarted twice: zero lost, duplicates explained', async () => {
  receiver.respond('/load', { status: 200, delayMs: RECEIVER_DELAY_MS, body: 'ok' });
  const t0 = Date.now();

  // --- create through the API; due times spread at RATE per second
  let createError: unknown;
  const createLatency: number[] = [];
  const creating = mapConcurrent(
    Array.from({ length: EVENTS }, (_, i) => i),
    CREATE_CONCURRENCY,
    async (i) => {
      const res = await api.metadata('create_scheduled_event', {
        webhook: receiver.url('/load'),
        schedule_at: new Date(t0 + LEAD_MS + Math.floor((i * 1000) / RATE)).toISOString(),
        payload: { i },
      });
      if (res.status !== 200) throw new Error(`create ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      createLatency.push(res.ms);
      return res.body.event_id as string;
    },
  ).catch((error: unknown) => {
    createError = error;
    return [] as string[];
  });

  // --- kill the worker at a third and at two thirds of the deliveries, restart it each time
  const kills: Kill[] = [];
  for (const fraction of [1 / 3, 2 / 3]) {
    await waitUntil(
      () => createError !== undefined || uniqueDelivered(receiver.requests) >= Math.floor(EVENTS * fraction),
      DELIVERY_TIMEOUT_MS,
      () => `${uniqueDelivered(receiver.requests)} of ${EVENTS} delivered before kill ${kills.length + 1}`,
    );
    if (createError !== undefined) break;
    const at = Date.now();
    await worker.kill9();
    await sleep(DEAD_SLACK_MS);
    const deadAt = Date.now();
    const deliveredBefore = uniqueDelivered(receiver.requests);
    const inFlight = receiver.requests.filter(
      (r) => r.receivedAt <= deadAt && r.receivedAt > at - IN_FLIGHT_WINDOW_MS,
    ).length;
    await sleep(DOWN_MS);
    const restartMs = await worker.start();
    kills.push({ at, deadAt, deliveredBefore, restartMs, inFlight });
  }
  const ids = await creating;
  if (createError !== undefined)
    throw createError instanceof Error ? createError : new Error('create failed', { cause: createError });
  const createdAllMs = Date.now() - t0;

  // --- every event reaches the receiver
  await receiver.waitFor((requests) => uniqueDelivered(requests) >= EVENTS, DELIVERY_TIMEOUT_MS).catch(() => undefined);
  const byEvent = requestsByEvent(receiver.requests);
  const lost = ids.filter((id) => !byEvent.has(id));
  expect(lost).toEqual([]);
  expect(byEvent.size).toBe(EVENTS);
  const deliveredAllMs = Date.now() - t0;

  // --- final statuses through the API: all delivered at the first try (no failed attempt from a kill)
  let listed: { status: string; tries: number }[] = [];
  await waitUntil(
    async () => {
      const res = await api.metadata('get_scheduled_events', { type: 'one_off' }, 120_000);
      listed = res.status === 200 ? res.body.events : [];
      return listed.length === EVENTS && listed.every((e) => e.status === 'delivered');
    },
    60_000,
    () => `${listed.length} listed; statuses ${JSON.stringify(countBy(listed.map((e) => e.status)))}`,
  );
  expect(countBy(listed.map((e) => String(e.tries)))).toEqual({ 1: EVENTS });

  // --- duplicates: same Idempotency-Key; explained when the first copy went out before a kill and the second after
  // it, and Temporal's history shows the attempt run again by the server because the worker was lost (a heartbeat
  // timeout), not a second webhook attempt of the workflow.
  // Every attempt has been recorded by now: take the receiver's final view.
  const settled = requestsByEvent(receiver.requests);
  const duplicated = [...settled.entries()].filter(([, requests]) => requests.length > 1);
  for (const [id, requests] of settled) for (const request of requests) expect(idempotencyKey(request)).toBe(id);
  const unexplained: { id: string; calls: number[]; run?: unknown }[] = [];
  for (const [id, requests] of duplicated) {
    const [first, second] = requests.map((r) => r.receivedAt);
    const kill = kills.find((k) => first! <= k.deadAt && second! > k.deadAt);
    const run = await lastAttemptRun(client, id);
    if (
      requests.length !== 2 ||
      kill === undefined ||
      run.serverAttempt < 2 ||
      run.previousFailure !== 'heartbeat timeout'
    ) {
      unexplained.push({ id, calls: requests.map((r) => r.receivedAt - t0), run });
    }
  }
  expect(unexplained).toEqual([]);
  const duplicates = duplicated.reduce((sum, [, requests]) => sum + requests.length - 1, 0);

  const firstArrival = receiver.requestsTo('/load').map((r) => r.receivedAt);
  const lateness = [...byEvent.values()].map(
    (requests) =>
      requests[0]!.receivedAt - Date.parse((requests[0]!.body as { scheduled_time: string }).scheduled_time),
  );
  recordFigures('load', {
    events: EVENTS,
    dueRatePerSecond: RATE,
    created: ids.length,
    createdAllInMs: createdAllMs,
    createLatencyMs: { p50: ms(percentile(createLatency, 50)), p99: ms(percentile(createLatency, 99)) },
    workerKills: kills.length,
    kills: kills.map((k) => ({
      atMs: k.at - t0,
      deliveredBefore: k.deliveredBefore,
      requestsInFlightWindow: k.inFlight,
      restartMs: k.restartMs,
    })),
    delivered: byEvent.size,
    lost: lost.length,
    duplicates,
    duplicateEvents: duplicated.length,
    duplicatesExplained: duplicated.length - unexplained.length,
    duplicatesExplanation:
      'first copy sent before a kill, second after the restart; history shows the attempt re-run by the server after a heartbeat timeout (lost worker)',
    allDeliveredInMs: deliveredAllMs,
    deliveryLatenessMs: {
      p50: ms(percentile(lateness, 50)),
      p99: ms(percentile(lateness, 99)),
      max: ms(Math.max(...lateness)),
    },
    receiverRequests: firstArrival.length,
  });
});
