/**
 * Fault: the Temporal server is killed with SIGKILL (its SQLite file database is left as a crash leaves it) while N
 * events are pending, then started again on the same database.
 *
 * Promise: nothing accepted is lost (every pending event is delivered after the restart); while the server is down the
 * API answers quickly with 503 `unavailable` in the contract's error shape (never a hang, a bare 500 or a crash) and
 * `/readyz` says 503; once the server is back the API and the worker recover by themselves, without a restart.
 *
 * Everything runs as real processes: a private dev server (its own data dir and port), the worker (src/worker.ts)
 * and the API (src/server.ts) as child processes, the test talking to the API over HTTP.
 *
 * Sizes: RELIABILITY_SERVER_KILL_EVENTS (pending events at the kill), RELIABILITY_SERVER_KILL_OUTAGE_MS (shortest
 * outage), RELIABILITY_SERVER_KILL_CREATE_BUDGET_MS (ms allowed per create before the first event is due).
 */
import { Client, Connection } from '@temporalio/client';

import { ApiProcess, DevServer, WorkerProcess, waitUntil } from '../helpers/processes';
import { type Receiver, startReceiver } from '../helpers/receiver';
import { uniqueTaskQueue } from '../helpers/temporal';
import {
  countBy,
  idempotencyKey,
  mapConcurrent,
  ms,
  percentile,
  recordFigures,
  requestsByEvent,
  size,
  sleep,
} from './support';

const EVENTS = size('SERVER_KILL_EVENTS', 200);
/** Shortest time the server stays down; it stays down at least until half the events are due. */
const MIN_OUTAGE_MS = size('SERVER_KILL_OUTAGE_MS', 5000);
/** The contract's "quickly": an answer while Temporal is down takes less than this. */
const FAST_503_MS = 3000;
const CREATE_CONCURRENCY = 16;
/**
 * Time allowed per event for creating it: the first events are due this long (times N, plus 3 s) after the test
 * starts, so that all of them are still pending when the server is killed right after the last create.
 */
const CREATE_BUDGET_PER_EVENT_MS = size('SERVER_KILL_CREATE_BUDGET_MS', 40);
/** Due times are spread over this window; the server is restarted once half of it has passed. */
const DUE_SPREAD_MS = 5000;
const DELIVERY_TIMEOUT_MS = 60_000 + EVENTS * 100;

jest.setTimeout(DELIVERY_TIMEOUT_MS + MIN_OUTAGE_MS + EVENTS * CREATE_BUDGET_PER_EVENT_MS + 120_000);

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
  const target = { address: server.address, namespace: server.namespace, taskQueue: uniqueTaskQueue('server-kill') };
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

/** A probe of the API while the server is down: status, error code and time. */
interface Probe {
  what: string;
  status: number;
  code?: string;
  ms: number;
}

async function probe(what: string, method: string, path: string, body?: unknown): Promise<Probe> {
  const res = await api.fetch(method, path, body, 30_000);
  // Every answer is JSON: an API error in the contract's shape (docs/contract.md §4), the probes in their own.
  if (path === '/readyz') {
    expect(res.body).toEqual({
      status: expect.any(String),
      temporal: expect.any(Boolean),
      worker: expect.any(Boolean),
    });
  } else if (res.status >= 400) {
    expect(res.body).toEqual({
      path: expect.stringMatching(/^\$/),
      error: expect.any(String),
      code: expect.any(String),
    });
  }
  return { what, status: res.status, code: res.body?.code as string | undefined, ms: res.ms };
}

test('kill -9 of the Temporal server with events pending: fast 503s while down, self-recovery, all delivered', async () => {
  await waitUntil(
    async () => (await api.fetch('GET', '/readyz')).status === 200,
    30_000,
    () => 'API not ready',
  );
  receiver.respond('/hook', { status: 200, body: 'ok' });

  // --- N pending events, due after the outage has begun
  const started = Date.now();
  const dueBase = started + 3000 + EVENTS * CREATE_BUDGET_PER_EVENT_MS;
  const createMs: number[] = [];
  const ids = await mapConcurrent(
    Array.from({ length: EVENTS }, (_, i) => i),
    CREATE_CONCURRENCY,
    async (i) => {
      // Spread so that half fall due while the server is down and half after it is back.
      const scheduleAt = new Date(dueBase + (i % 10) * (DUE_SPREAD_MS / 10)).toISOString();
      const res = await api.metadata('create_scheduled_event', {
        webhook: receiver.url('/hook'),
        schedule_at: scheduleAt,
        payload: { i },
      });
      if (res.status !== 200) throw new Error(`create ${i} failed: ${res.status} ${JSON.stringify(res.body)}`);
      createMs.push(res.ms);
      return res.body.event_id as string;
    },
  );
  const createdIn = Date.now() - started;
  const dueTimes = Array.from({ length: EVENTS }, (_, i) => dueBase + (i % 10) * (DUE_SPREAD_MS / 10));
  const pendingDueBy = (at: number) => dueTimes.filter((due) => due <= at).length;

  // --- kill the server; every event is still pending
  const killedAt = Date.now();
  await server.kill9();
  const pendingAtKill = EVENTS - receiver.requests.length;
  if (killedAt >= dueBase) {
    throw new Error(
      `creating ${EVENTS} events took ${createdIn} ms, past the first due time: raise RELIABILITY_SERVER_KILL_CREATE_BUDGET_MS`,
    );
  }
  expect(pendingAtKill).toBe(EVENTS);

  // --- while it is down: quick 503s in the contract's shape (docs/contract.md §4); liveness stays up
  const probes: Probe[] = [];
  const downUntil = Math.max(killedAt + MIN_OUTAGE_MS, dueBase + DUE_SPREAD_MS / 2);
  do {
    probes.push(
      ...(await Promise.all([
        probe('create', 'POST', '/v1/metadata', {
          type: 'create_scheduled_event',
          args: { webhook: receiver.url('/during-outage'), schedule_at: new Date().toISOString() },
        }),
        probe('list', 'POST', '/v1/metadata', { type: 'get_scheduled_events', args: { type: 'one_off' } }),
        probe('invocations', 'POST', '/v1/metadata', {
          type: 'get_scheduled_event_invocations',
          args: { type: 'one_off', event_id: ids[0] },
        }),
        probe('readyz', 'GET', '/readyz'),
        probe('healthz', 'GET', '/healthz'),
      ])),
    );
    await sleep(250);
  } while (Date.now() < downUntil);

  const byWhat = (what: string) => probes.filter((p) => p.what === what);
  for (const what of ['create', 'list', 'invocations']) {
    expect(byWhat(what).map((p) => [p.status, p.code])).toEqual(byWhat(what).map(() => [503, 'unavailable']));
  }
  expect(byWhat('readyz').map((p) => p.status)).toEqual(byWhat('readyz').map(() => 503));
  expect(byWhat('healthz').map((p) => p.status)).toEqual(byWhat('healthz').map(() => 200));
  const errorProbes = probes.filter((p) => p.what !== 'healthz');
  const slowest = Math.max(...errorProbes.map((p) => p.ms));
  expect(slowest).toBeLessThan(FAST_503_MS);
  expect(api.running && worker.running).toBe(true);

  // --- restart on the same database; the API and the worker come back by themselves
  const restartAt = Date.now();
  const serverRestartMs = await server.restart();
  await waitUntil(
    async () => (await api.fetch('GET', '/readyz')).status === 200,
    60_000,
    () => `API not ready again; worker output:\n${worker.output()}\nAPI output:\n${api.output()}`,
  );
  const readyAgainMs = Date.now() - restartAt;
  const after = await api.metadata('create_scheduled_event', {
    webhook: receiver.url('/hook'),
    schedule_at: new Date().toISOString(),
    payload: { after: true },
  });
  expect(after.status).toBe(200);
  const createAgainMs = Date.now() - restartAt;
  const all = [...ids, after.body.event_id as string];

  // --- every event delivered exactly as accepted
  await receiver.waitFor((requests) => requestsByEvent(requests).size >= all.length, DELIVERY_TIMEOUT_MS);
  const byEvent = requestsByEvent(receiver.requests);
  const lost = all.filter((id) => !byEvent.has(id));
  expect(lost).toEqual([]);
  for (const [id, requests] of byEvent) for (const request of requests) expect(idempotencyKey(request)).toBe(id);
  // No event created while the server was down exists now.
  expect(receiver.requestsTo('/during-outage')).toHaveLength(0);

  // Final statuses through the API (visibility may lag a moment behind the calls).
  let listed: { status: string }[] = [];
  await waitUntil(
    async () => {
      const res = await api.metadata('get_scheduled_events', { type: 'one_off' });
      listed = res.status === 200 ? (res.body.events as { status: string }[]) : [];
      return listed.length === all.length && listed.every((e) => e.status === 'delivered');
    },
    30_000,
    () => `${listed.length} events listed, statuses: ${JSON.stringify(countBy(listed.map((e) => e.status)))}`,
  );
  const duplicates = [...byEvent.values()].reduce((sum, requests) => sum + requests.length - 1, 0);
  const lastDelivery = Math.max(...receiver.requests.map((r) => r.receivedAt));
  // How late each event was delivered against its schedule_at (all were due during or just after the outage).
  const lateness = receiver
    .requestsTo('/hook')
    .map((r) => r.receivedAt - Date.parse((r.body as { scheduled_time: string }).scheduled_time));

  recordFigures('server-kill', {
    events: all.length,
    pendingAtKill,
    delivered: listed.filter((e) => e.status === 'delivered').length,
    lost: lost.length,
    duplicates,
    createdInMs: createdIn,
    createLatencyMs: { p50: ms(percentile(createMs, 50)), p99: ms(percentile(createMs, 99)) },
    outageMs: restartAt - killedAt,
    probesWhileDown: errorProbes.length,
    unavailableLatencyMs: {
      p50: ms(
        percentile(
          errorProbes.map((p) => p.ms),
          50,
        ),
      ),
      max: ms(slowest),
      create: ms(Math.max(...byWhat('create').map((p) => p.ms))),
      readyz: ms(Math.max(...byWhat('readyz').map((p) => p.ms))),
    },
    serverRestartMs,
    apiAndWorkerReadyAfterRestartMs: readyAgainMs,
    firstCreateAfterRestartMs: createAgainMs,
    allDeliveredAfterRestartMs: lastDelivery - restartAt,
    dueTimesAfterKillMs: { first: dueBase - killedAt, last: dueBase + DUE_SPREAD_MS - killedAt },
    dueWhileServerDown: pendingDueBy(restartAt),
    deliveryLatenessMs: {
      p50: ms(percentile(lateness, 50)),
      p99: ms(percentile(lateness, 99)),
      max: ms(Math.max(...lateness)),
    },
  });
});
