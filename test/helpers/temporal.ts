/**
 * Helpers for tests against a Temporal server: integration tests (`*.int.test.ts`) use the dev server that
 * test/global-setup.ts starts; the workflow's unit test starts its own from `temporalCliPath()`.
 *
 *   const client = await connectClient();
 *   const { stop } = await startWorker({ taskQueue: uniqueTaskQueue('delivery'), activities });
 *   try { ... } finally { await stop(); await client.connection.close(); }
 *
 * Close everything you open (workers, connections): the native Temporal runtime otherwise keeps Jest waiting.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { Client, Connection } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

/** Reads a variable that global-setup exports; a missing one means the test is not in the integration project. */
function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: integration tests must run in Jest's "integration" project (name them *.int.test.ts), ` +
        'whose globalSetup (test/global-setup.ts) starts the Temporal dev server',
    );
  }
  return value;
}

/**
 * The `temporal` CLI that temporal-dev.sh builds, for tests that start their own server (TestWorkflowEnvironment):
 * `TEMPORAL_CLI_PATH` when set (CI and the integration setup export it), else the script's answer, which builds the
 * CLI once if it is missing (minutes, with the Go module proxy).
 */
export function temporalCliPath(): string {
  const script = join(__dirname, '..', '..', 'temporal-dev.sh');
  return process.env.TEMPORAL_CLI_PATH || execFileSync('bash', [script, 'path'], { encoding: 'utf8' }).trim();
}

/** Address and namespace of the test server, as global-setup exported them. */
export function temporalTarget(): { address: string; namespace: string } {
  return { address: requiredEnv('TEMPORAL_ADDRESS'), namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' };
}

let runtimeInstalled = false;

/**
 * Keeps Temporal's Rust core and worker logs at WARN (INFO logs every worker start and shutdown). Must run before
 * the first NativeConnection or Worker in this test file's module registry; later calls are no-ops.
 */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Something already created the runtime (an earlier Worker or NativeConnection): keep its logger.
  }
}

/** A Client for the test server. Close it with `await client.connection.close()`. */
export async function connectClient(): Promise<Client> {
  const { address, namespace } = temporalTarget();
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

/** A task queue name no other test (or earlier run) uses, so workers never pick up each other's tasks. */
export function uniqueTaskQueue(name: string): string {
  return `${name}-${randomUUID()}`;
}

/**
 * What startWorker needs: a task queue, the activities, and optionally a namespace other than the test server's
 * default one; anything else is passed to Worker.create (e.g. maxConcurrentActivityTaskExecutions).
 */
export type StartWorkerOptions = { taskQueue: string; activities?: object; namespace?: string } & Partial<
  Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowBundle' | 'workflowsPath'>
>;

export interface RunningWorker {
  worker: Worker;
  connection: NativeConnection;
  /**
   * Shuts the worker down, waits for it to stop and closes its connection. Rejects if the worker had failed
   * while running. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/**
 * Starts a Worker on the test server with the pre-built workflow bundle (global-setup) and the given activities,
 * running in the background until `stop()`.
 */
export async function startWorker({
  taskQueue,
  activities,
  namespace = temporalTarget().namespace,
  ...options
}: StartWorkerOptions): Promise<RunningWorker> {
  installQuietRuntime();
  const { address } = temporalTarget();
  const connection = await NativeConnection.connect({ address });
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      activities,
      // Bundled once per Jest run: Worker.create({ workflowsPath }) would run webpack for every worker.
      workflowBundle: { codePath: requiredEnv('TEST_WORKFLOW_BUNDLE_PATH') },
      ...options,
    });
  } catch (error) {
    await connection.close();
    throw error;
  }

  // Observed, so an early failure is not an unhandled rejection; reported by stop().
  let runError: unknown;
  const running = worker.run().catch((error: unknown) => {
    runError = error;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      if (runError !== undefined) {
        throw runError instanceof Error ? runError : new Error('worker failed', { cause: runError });
      }
    })();
    return stopping;
  };
  return { worker, connection, stop };
}
