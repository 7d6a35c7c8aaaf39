/**
 * Metrics on the real stack, as `npm start` shares them between its API and worker: after events are delivered,
 * failed and cancelled, `/metrics` (behind the admin secret) shows them, with the call lateness histogram; the worker
 * alone (`npm run start:worker` with WORKER_METRICS_PORT) serves the same registry on a port of its own. Then the
 * real worker entrypoint as a process, with WORKER_METRICS_PORT and TEMPORAL_SDK_METRICS_PORT: both answer.
 */
import { ServiceMetrics } from '../src/metrics/service-metrics';
import { serveWorkerMetrics } from '../src/worker';
import { type Receiver, startReceiver } from './helpers/receiver';
import { freePort } from './helpers/free-port';
import { WorkerProcess } from './helpers/processes';
import { type Stack, startStack } from './helpers/stack';
import { temporalTarget, uniqueTaskQueue } from './helpers/temporal';

const SECRET = 'metrics-secret';
let receiver: Receiver;
let stack: Stack;
const metrics = new ServiceMetrics();

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({ adminSecret: SECRET, metrics });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const auth = { 'X-Hasura-Admin-Secret': SECRET };

/** One sample of the exposition, e.g. `scheduled_events_created_total`; NaN when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

test('/metrics shows events created, cancelled and finished, attempts by outcome, and the lateness histogram moving', async () => {
  receiver.respond('/down', { status: 503 });
  const due = () => new Date(Date.now() + 400).toISOString();
  const ok = await stack.post('/v1/events', { webhook: receiver.url('/ok'), schedule_at: due() }, auth);
  const bad = await stack.post('/v1/events', { webhook: receiver.url('/down'), schedule_at: due() }, auth);
  const later = await stack.post(
    '/v1/events',
    { webhook: receiver.url('/ok'), schedule_at: '2031-01-01T00:00:00Z' },
    auth,
  );
  expect((await stack.request('DELETE', `/v1/events/${later.body.id}`, undefined, auth)).status).toBe(200);
  await stack.waitForEvent(ok.body.id, (event) => event.status === 'delivered');
  await stack.waitForEvent(bad.body.id, (event) => event.status === 'error');

  expect((await stack.app.request('/metrics')).status).toBe(401);
  const res = await stack.app.request('/metrics', { headers: { Authorization: `Bearer ${SECRET}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(sample(text, 'scheduled_events_created_total')).toBe(3);
  expect(sample(text, 'scheduled_events_cancelled_total')).toBe(1);
  expect(sample(text, 'scheduled_events_attempts_total{outcome="delivered",status_class="2xx",kind="event"}')).toBe(1);
  expect(sample(text, 'scheduled_events_attempts_total{outcome="failed",status_class="5xx",kind="event"}')).toBe(1);
  expect(sample(text, 'scheduled_events_call_lateness_seconds_count{kind="event"}')).toBe(2);
  // Both calls started within a second of their instant (the dev server, on this machine).
  expect(sample(text, 'scheduled_events_call_lateness_seconds_bucket{le="1",kind="event"}')).toBe(2);
  expect(sample(text, 'scheduled_events_attempts_holding')).toBe(0);
  // Ended as the worker saw it (the cancelled one was waiting for its delayed start: the cancel ended the wait).
  expect(sample(text, 'scheduled_events_finished_total{status="delivered"}')).toBe(1);
  expect(sample(text, 'scheduled_events_finished_total{status="error"}')).toBe(1);
  expect(sample(text, 'scheduled_events_finished_total{status="cancelled"}')).toBe(1);

  // The worker's own endpoint serves the same registry.
  const server = await serveWorkerMetrics(metrics, '127.0.0.1', 0);
  try {
    const { port } = server.address() as { port: number };
    const worker = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(worker.status).toBe(200);
    expect(sample(await worker.text(), 'scheduled_events_created_total')).toBe(3);
    expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
  } finally {
    server.close();
  }
});

test("the worker process serves its metrics and the Temporal SDK's on the ports it is given", async () => {
  const [ours, sdk] = [await freePort(), await freePort()];
  const worker = new WorkerProcess({
    address: temporalTarget().address,
    taskQueue: uniqueTaskQueue('metrics-worker'),
    client: stack.client,
    env: { WORKER_METRICS_PORT: String(ours), TEMPORAL_SDK_METRICS_PORT: String(sdk) },
  });
  try {
    await worker.start();
    const own = await fetch(`http://127.0.0.1:${ours}/metrics`);
    expect(own.status).toBe(200);
    const text = await own.text();
    expect(text).toContain('# TYPE scheduled_events_call_lateness_seconds histogram');
    expect(sample(text, 'scheduled_events_attempts_holding')).toBe(0);
    const theirs = await fetch(`http://127.0.0.1:${sdk}/metrics`);
    expect(theirs.status).toBe(200);
    expect(await theirs.text()).toMatch(/temporal_/);
  } finally {
    await worker.stop();
  }
}, 90_000);
