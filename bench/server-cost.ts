/**
 * What an event costs the Temporal dev server, in CPU milliseconds: N workflows started (50 at a time) all due at one
 * instant, a worker and a receiver in this process. Reports server CPU per start and per fired event (from
 * /proc/<pid>/stat), receiver lateness, and when the last workflow closed. Used to find what saturates the dev
 * server (bench/PERFORMANCE.md, "What saturates").
 *
 * Run through bench/server-cost.sh, which starts a fresh dev server per run:
 *   bash bench/server-cost.sh <workflow> <events> <leadSeconds> [aheadMs]
 * <workflow>: scheduledEventWorkflow (the real one) | plainActivity | localActivity  (see server-cost-workflows.ts)
 * Env: TEMPORAL_ADDRESS, TEMPORAL_PID (set by the script); EAGER_START=1 starts each workflow with
 * `requestEagerStart` (its first workflow task goes straight to this process's worker, not through matching);
 * workflows start with `startDelay` = their wait, as the service starts events (nothing runs for one until it is to
 * be prepared); START_DELAY=0 starts them at once.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { PREPARE_AHEAD_MS, type ScheduledEventInput } from '../src/shared/event';
import { createWebhookFetch, LOOPBACK_DESTINATIONS } from '../src/delivery';
import { PrepareLead } from '../src/temporal/prepare-lead';
import { startDelayOf } from '../src/temporal/start-delay';
import { eventWorkerOptions } from '../src/worker';
import { EVENT_STATUS, EVENT_TIME } from '../workflows/storage-schema';

const [workflowType = 'scheduledEventWorkflow', eventsArg = '1000', leadArg = '25', aheadArg = '1000'] =
  process.argv.slice(2);
const EVENTS = Number(eventsArg);
const LEAD_MS = Number(leadArg) * 1000;
const AHEAD_MS = Number(aheadArg);
const CREATE_CONCURRENCY = 50;
/** How long to wait for deliveries, then for every workflow to close, before reporting what arrived. */
const WAIT_BOUND_MS = 120_000;
const TASK_QUEUE = 'server-cost';
const EAGER_START = process.env.EAGER_START === '1';
/** As the service starts events (src/temporal/start-delay.ts); START_DELAY=0 starts them at once, as before 0.6. */
const START_DELAY = process.env.START_DELAY !== '0';
/** The worker's workflow cache (WORKFLOW_CACHE=n): an evicted workflow's next task reads its whole history back. */
const WORKFLOW_CACHE = Number(process.env.WORKFLOW_CACHE ?? 500);

/** CPU time (user + system) of a process so far, in ms; clock ticks are 10 ms on Linux. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const serverPid = Number(process.env.TEMPORAL_PID);
  const arrivals = new Map<string, number>();
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { id: string };
      if (!arrivals.has(parsed.id)) arrivals.set(parsed.id, Date.now());
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;

  // The receiver is on 127.0.0.1, which the default client refuses (the SSRF guard).
  const events = eventWorkerOptions({
    env: {},
    userAgent: 'server-cost',
    fetch: createWebhookFetch(LOOPBACK_DESTINATIONS),
  });
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: workerConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./server-cost-workflows') }),
    activities: {
      ...events.activities,
      async holdAndPost(dueMs: number, target: string, id: string): Promise<void> {
        await delay(Math.max(dueMs - Date.now(), 0));
        await fetch(target, { method: 'POST', body: JSON.stringify({ id }) });
      },
    },
    sinks: events.sinks,
    maxHeartbeatThrottleInterval: events.maxHeartbeatThrottleInterval,
    maxConcurrentActivityTaskExecutions: 10_000,
    maxConcurrentLocalActivityExecutions: 10_000,
    maxCachedWorkflows: WORKFLOW_CACHE,
  });
  const running = worker.run();
  // Eager start needs the client on the worker's own connection.
  const connection = EAGER_START ? workerConnection : await Connection.connect({ address });
  const client = new Client({ connection });

  const dueMs = Date.now() + LEAD_MS;
  // As the service leads events due together (src/temporal/prepare-lead.ts).
  const prepareLead = new PrepareLead();
  const startedAt = Date.now();
  const serverCpu0 = cpuMs(serverPid);
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      for (let i = next++; i < EVENTS; i = next++) {
        const id = `e${i}-${startedAt}`;
        if (workflowType === 'scheduledEventWorkflow') {
          const lead = START_DELAY ? prepareLead.take(dueMs, Date.now()) : undefined;
          const input: ScheduledEventInput = {
            id,
            createdAt: new Date().toISOString(),
            definition: {
              webhook: url,
              scheduledTime: new Date(dueMs).toISOString(),
              payload: { id },
              headers: [],
              retryConf: { numRetries: 0, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 21_600 },
              comment: null,
            },
            prepareAheadMs: lead?.leadMs ?? PREPARE_AHEAD_MS,
            ...(lead?.maxClearanceLeadMs !== undefined && { maxClearanceLeadMs: lead.maxClearanceLeadMs }),
          };
          await client.workflow.start('scheduledEventWorkflow', {
            taskQueue: TASK_QUEUE,
            workflowId: id,
            args: [input],
            requestEagerStart: EAGER_START,
            ...(START_DELAY ? startDelayOf(dueMs, Date.now(), input.prepareAheadMs) : {}),
            typedSearchAttributes: [
              { key: EVENT_STATUS, value: 'scheduled' },
              { key: EVENT_TIME, value: new Date(dueMs) },
            ],
          });
        } else {
          await client.workflow.start(workflowType, {
            taskQueue: TASK_QUEUE,
            workflowId: id,
            args: [dueMs, url, id, AHEAD_MS],
            requestEagerStart: EAGER_START,
            ...(START_DELAY ? { startDelay: Math.max(dueMs - AHEAD_MS - Date.now(), 0) } : {}),
          });
        }
      }
    }),
  );
  const createdAt = Date.now();
  const serverCpu1 = cpuMs(serverPid);

  while (arrivals.size < EVENTS && Date.now() < dueMs + WAIT_BOUND_MS) await delay(100);
  for (;;) {
    const { count } = await client.workflow.count(`TaskQueue="${TASK_QUEUE}" AND ExecutionStatus="Running"`);
    if (count === 0 || Date.now() > dueMs + 2 * WAIT_BOUND_MS) break;
    await delay(500);
  }
  const closedAt = Date.now();
  const serverCpu2 = cpuMs(serverPid);

  const lateness = [...arrivals.values()].map((arrival) => arrival - dueMs).sort((a, b) => a - b);
  const at = (q: number): number | null =>
    lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? null;
  console.log(
    JSON.stringify({
      workflowType,
      eagerStart: EAGER_START,
      startDelay: START_DELAY,
      workflowCache: WORKFLOW_CACHE,
      events: EVENTS,
      leadS: LEAD_MS / 1000,
      aheadMs: AHEAD_MS,
      createsPerS: Math.round(EVENTS / ((createdAt - startedAt) / 1000)),
      serverCpuMsPerStart: +((serverCpu1 - serverCpu0) / EVENTS).toFixed(2),
      serverCpuMsPerFiredEvent: +((serverCpu2 - serverCpu1) / EVENTS).toFixed(2),
      delivered: arrivals.size,
      latenessMs: { p50: at(0.5), p99: at(0.99), max: lateness.at(-1) ?? null },
      early: lateness.filter((ms) => ms < 0).length,
      lastClosedAfterDueS: (closedAt - dueMs) / 1000,
    }),
  );
  worker.shutdown();
  await running;
  await (EAGER_START ? workerConnection.close() : Promise.all([workerConnection.close(), connection.close()]));
  receiver.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
