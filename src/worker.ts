import { NativeConnection, Worker } from '@temporalio/worker';
import type { EventStatus } from './shared/event';
import { type ActivityDeps, BurstWarmUp, CallsInFlight, createActivities, HeldAttempts } from '../activities';
import { createWebhookFetch, warmUpWebhookPath } from './delivery';
import { queuedCallClearance, queuedHeartbeatForCall } from './temporal/call-clearance';
import { connectionOptions, dataConverterOf } from './temporal/connection';
import { ServiceMetrics } from './metrics/service-metrics';
import { createServer, type Server } from 'node:http';
import { bundleWorkflowsInChildProcess } from './workflow-bundle';
import { installWorkerLogging } from './worker-log';
import { shutdownOnSignals } from './shutdown';
import {
  type Config,
  describeDestinations,
  describeSigning,
  envPolicyOf,
  loadConfig,
  sdkMetricsAddress,
  temporalConnectionOf,
  USER_AGENT,
} from './config';

/** Longest gap between two heartbeats the worker sends for a running call. */
const MAX_HEARTBEAT_THROTTLE_MS = 8000;

/**
 * Webhook calls in flight from which the worker is in a burst, and the longest an answered attempt then waits to
 * report its result (activities/calls-in-flight.ts; at most halfway to its heartbeat timeout). A few dozen calls
 * at once only happen when many events come due together; below that, results are reported at once. 5 s, not 1 s:
 * a burst of 10,000 takes seconds to go out, and results reported after 1 s took the worker's main thread from it
 * (p50 3.6 s against 3.0 s; bench/PERFORMANCE.md "Bursts of 10,000").
 */
const BURST_CALLS_IN_FLIGHT = 32;
const MAX_REPORT_WAIT_MS = 5000;

/**
 * The warm-up while a burst is held (activities/burst-warm-up.ts): BURST_WARM_UP_CALLS local calls every
 * BURST_WARM_UP_INTERVAL_MS while at least BURST_WARM_UP_MIN_ATTEMPTS attempts held on this worker are due in the
 * same second, and none within BURST_WARM_UP_QUIET_MS of any held attempt's instant. 500 calls take ~0.3 s of CPU:
 * ~2 % of a core while a burst is held, up to ~3 minutes before it (bench/PERFORMANCE.md "Warm before a burst" for
 * what they gain). A steady rate reaches the count only from 1,000 events a second on one worker.
 */
const BURST_WARM_UP_CALLS = 500;
const BURST_WARM_UP_MIN_ATTEMPTS = 1000;
const BURST_WARM_UP_INTERVAL_MS = 15_000;
const BURST_WARM_UP_QUIET_MS = 2000;

/**
 * The worker options that make events work, for every worker that runs them (this entrypoint, the test stack,
 * bench/server-cost.ts): the activities, the sink that stops a held attempt at once (they share one registry), the
 * counter of calls in flight that puts calls before results in a burst, the warm-ups while a burst is held when
 * `warmUpBeforeBursts` is given (this entrypoint only), and the heartbeat throttle. Attempts
 * heartbeat only while their call runs, against a timeout that also covers the hold (up to 40 s): the worker sends
 * every 8 s anyway, so a worker lost mid-call is noticed as soon as it can be.
 */
export function eventWorkerOptions({
  warmUpBeforeBursts,
  ...deps
}: Omit<ActivityDeps, 'heldAttempts' | 'callsInFlight'> & {
  /** Local webhook calls that warm the path while a burst is held on this worker; none: no warm-up. */
  warmUpBeforeBursts?: () => Promise<void>;
}) {
  let warmUps: BurstWarmUp | undefined;
  const heldAttempts = new HeldAttempts((dueMs) => warmUps?.held(dueMs));
  if (warmUpBeforeBursts !== undefined) {
    warmUps = new BurstWarmUp({
      warm: warmUpBeforeBursts,
      // The ten 100 ms slots of the second from dueMs: dueNear(x, w) reads the slots of x - w to x + w.
      dueTogether: (dueMs) => heldAttempts.dueNear(dueMs + 450, 450),
      minAttempts: BURST_WARM_UP_MIN_ATTEMPTS,
      intervalMs: BURST_WARM_UP_INTERVAL_MS,
      quietMs: BURST_WARM_UP_QUIET_MS,
    });
  }
  deps.metrics?.countHolding(() => heldAttempts.size);
  const callsInFlight = new CallsInFlight({ busyCalls: BURST_CALLS_IN_FLIGHT, maxWaitMs: MAX_REPORT_WAIT_MS });
  return {
    // A held attempt asks the server before its call whether the event still runs (cancel is final), and one
    // cleared late has a heartbeat recorded before it calls; the server's own answers unless stand-ins are given.
    activities: createActivities({
      ...deps,
      heldAttempts,
      callsInFlight,
      clearForCall: deps.clearForCall ?? queuedCallClearance(),
      heartbeatForCall: deps.heartbeatForCall ?? queuedHeartbeatForCall(),
    }),
    sinks: {
      ...heldAttempts.sinks(),
      eventOutcomes: {
        ended: {
          fn: (_info: unknown, status: EventStatus) => deps.metrics?.eventEnded(status),
          callDuringReplay: false,
        },
      },
    },
    maxHeartbeatThrottleInterval: MAX_HEARTBEAT_THROTTLE_MS,
  };
}

/**
 * Creates the worker: it runs event workflows and makes webhook attempts. `env` is where `{{ENV}}` webhook
 * templates and `value_from_env` headers are resolved, at delivery time.
 */
export async function createEventWorker(
  config: Config,
  env: NodeJS.ProcessEnv,
  metrics?: ServiceMetrics,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  // The bundle (a few seconds in a child process) is built while the connection is made and the webhook path warms
  // up; the worker takes no work before all three are done.
  const [code, connection] = await Promise.all([
    bundleWorkflowsInChildProcess(),
    NativeConnection.connect(connectionOptions(temporalConnectionOf(config))),
    warmUp(env, config.WORKER_WARM_UP_CALLS),
  ]);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle: { code },
    dataConverter: dataConverterOf(temporalConnectionOf(config)),
    ...eventWorkerOptions({
      env,
      envPolicy: envPolicyOf(config),
      userAgent: USER_AGENT,
      fetch: createWebhookFetch(config.WEBHOOK_ALLOWED_DESTINATIONS),
      signingKeys: config.WEBHOOK_SIGNING_SECRETS,
      metrics,
      ...(config.WORKER_WARM_UP_CALLS > 0 && { warmUpBeforeBursts: () => warmUp(env, BURST_WARM_UP_CALLS) }),
    }),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ATTEMPTS,
    // Bounded cache: without it the SDK sizes the cache from the heap limit and keeps every sleeping event's
    // workflow in memory (1.1 GB with 10,000 pending). Evicted sleepers replay cheaply when their timer fires.
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
    // Past the grace time, in-flight attempts are abandoned; the server runs them again elsewhere.
    shutdownForceTime: (config.WORKER_SHUTDOWN_GRACE_SECONDS + 5) * 1000,
  });
  return { worker, connection };
}

/**
 * Webhook calls to a local throwaway receiver: before the worker takes work (`WORKER_WARM_UP_CALLS`), since a fresh
 * process's first calls are slow and with attempts held until their instant they made the first events late; and
 * while a burst is held (BURST_WARM_UP_CALLS). Optional: a failure is logged, never fatal.
 */
async function warmUp(env: NodeJS.ProcessEnv, calls: number): Promise<void> {
  if (calls === 0) return;
  const failed = (reason: string): void =>
    console.warn(`worker: webhook warm-up call failed (${reason}); the calls after it may be a few ms late`);
  try {
    const { failure } = await warmUpWebhookPath({ env, userAgent: USER_AGENT }, calls);
    if (failure !== null) {
      failed(failure.response.type === 'client_error' ? failure.response.message : `HTTP ${failure.status}`);
    }
  } catch (error) {
    failed(error instanceof Error ? error.message : String(error));
  }
}

/** Serves `metrics` at `/metrics` on `host:port` (the worker has no API of its own). */
export function serveWorkerMetrics(metrics: ServiceMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: the worker serves /metrics only\n');
      return;
    }
    metrics.exposition().then(
      ({ text, contentType }) => res.writeHead(200, { 'Content-Type': contentType }).end(text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const sdkMetrics = sdkMetricsAddress(config);
  installWorkerLogging('INFO', sdkMetrics);
  // Collected only when served: nothing else reads them.
  const metrics = config.WORKER_METRICS_PORT === undefined ? undefined : new ServiceMetrics();
  const { worker, connection } = await createEventWorker(config, process.env, metrics);
  const metricsServer =
    metrics === undefined || config.WORKER_METRICS_PORT === undefined
      ? undefined
      : await serveWorkerMetrics(metrics, config.HOST, config.WORKER_METRICS_PORT);
  if (metricsServer !== undefined)
    console.log(`worker metrics on http://${config.HOST}:${config.WORKER_METRICS_PORT}/metrics`);
  shutdownOnSignals(() => {
    metricsServer?.close();
    worker.shutdown();
  });
  console.log(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
  console.log(describeDestinations(config));
  console.log(describeSigning(config));
  await worker.run();
  await connection.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
