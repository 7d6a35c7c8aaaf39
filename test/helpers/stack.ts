/**
 * The whole service for integration tests: a real worker (real activities, real HTTP) and the real API wired to the
 * Temporal client layer, on a task queue of its own, against the dev server that global-setup started. Requests go
 * through `app.request()`, so no HTTP port is needed for the API itself.
 *
 *   const stack = await startStack();
 *   const res = await stack.post('/v1/metadata', { type: 'create_scheduled_event', args: {...} });
 *   await stack.waitForEvent(id, (e) => e.status === 'delivered');
 *   await stack.stop();
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import { envPolicyOf, loadConfig, USER_AGENT } from '../../src/config';
import {
  createWebhookFetch,
  LOOPBACK_DESTINATIONS_LIST,
  type LookupLike,
  parseSigningSecret,
} from '../../src/delivery';
import { eventWorkerOptions } from '../../src/worker';
import type { ScheduledEvent } from '../../src/shared/event';
import { createTemporalClient, dataConverterOf, TemporalEventScheduler } from '../../src/temporal';
import type { EncryptionKey } from '../../src/temporal/encryption-codec';
import type { ServiceMetrics } from '../../src/metrics/service-metrics';
import type { ActivityDeps } from '../../activities/deliver-webhook';
import { type RunningWorker, type StartWorkerOptions, startWorker, temporalTarget, uniqueTaskQueue } from './temporal';

const execFileAsync = promisify(execFile);

export interface StackOptions {
  /** Environment the worker resolves `{{ENV}}` templates and `value_from_env` headers from. */
  env?: Record<string, string>;
  adminSecret?: string;
  /** Namespace to use instead of the default one (see createIsolatedNamespace). */
  namespace?: string;
  /** Start no worker (events stay scheduled). */
  withoutWorker?: boolean;
  /** More options for the stack's worker, e.g. `maxCachedWorkflows: 0` (see also startEventWorker). */
  workerOptions?: Partial<StartWorkerOptions>;
  /** The webhook settings of the worker and the API (see `WebhookSettings`). */
  webhooks?: WebhookSettings;
  /** WEBHOOK_SIGNING_SECRETS of the worker (`whsec_…`); none: calls are unsigned. */
  signingSecrets?: string[];
  /** PAYLOAD_ENCRYPTION_KEYS of the API's client and the worker; none: payloads are stored as JSON. */
  encryptionKeys?: EncryptionKey[];
  /** Metrics shared by the API and the worker, as under `npm start`. (Default: the API's own, the worker none) */
  metrics?: ServiceMetrics;
}

/** What the service reads from WEBHOOK_ALLOWED_DESTINATIONS and WEBHOOK_ENV_ALLOW, and the worker's resolver. */
export interface WebhookSettings {
  /** WEBHOOK_ALLOWED_DESTINATIONS. (Default: loopback, as `npm start` has it; `''` is the production default) */
  allowedDestinations?: string;
  /** WEBHOOK_ENV_ALLOW. (Default: the service's default, `*`) */
  envAllow?: string;
  /** The worker's DNS resolver, e.g. one that answers as a rebinding server would. (Default: `dns.lookup`) */
  lookup?: LookupLike;
}

/** The configuration those settings make, parsed as the service parses its environment. */
export function webhookConfig(settings: WebhookSettings = {}) {
  const config = loadConfig({
    WEBHOOK_ALLOWED_DESTINATIONS: settings.allowedDestinations ?? LOOPBACK_DESTINATIONS_LIST,
    ...(settings.envAllow !== undefined ? { WEBHOOK_ENV_ALLOW: settings.envAllow } : {}),
  });
  return {
    rules: { envPolicy: envPolicyOf(config), allowedDestinations: config.WEBHOOK_ALLOWED_DESTINATIONS },
    fetch: createWebhookFetch(config.WEBHOOK_ALLOWED_DESTINATIONS, settings.lookup),
  };
}

export interface Stack {
  app: ReturnType<typeof createApp>;
  scheduler: TemporalEventScheduler;
  client: Client;
  taskQueue: string;
  worker?: RunningWorker;
  /** POSTs JSON through the app; returns status and parsed body. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Any request through the app. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  /** Polls the event (describe: strongly consistent) until `done` holds; rejects after `timeoutMs`. */
  waitForEvent(id: string, done: (event: ScheduledEvent) => boolean, timeoutMs?: number): Promise<ScheduledEvent>;
  stop(): Promise<void>;
}

const POLL_INTERVAL_MS = 100;

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const { address } = temporalTarget();
  const namespace = options.namespace ?? temporalTarget().namespace;
  const taskQueue = uniqueTaskQueue('stack');
  // The service's own client factory, so tests exercise its connection settings (retries, message size).
  const client = createTemporalClient({ address, namespace, encryptionKeys: options.encryptionKeys });
  const connection = client.connection;
  const scheduler = new TemporalEventScheduler({ client, taskQueue });
  const app = createApp({
    scheduler,
    adminSecret: options.adminSecret,
    temporalUiUrl: 'http://127.0.0.1:8233',
    metrics: options.metrics,
    webhookRules: webhookConfig(options.webhooks).rules,
    logger: { warn: () => undefined, error: (...args: unknown[]) => console.error(...args) },
  });
  const worker = options.withoutWorker
    ? undefined
    : await startEventWorker(taskQueue, {
        namespace,
        env: options.env,
        webhooks: options.webhooks,
        signingSecrets: options.signingSecrets,
        metrics: options.metrics,
        dataConverter: dataConverterOf({ encryptionKeys: options.encryptionKeys }),
        ...options.workerOptions,
      });

  const request = requestThrough(app);

  return {
    app,
    scheduler,
    client,
    taskQueue,
    worker,
    request,
    post: (url, body, headers) => request('POST', url, body, headers),
    async waitForEvent(id, done, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: ScheduledEvent | undefined;
      while (Date.now() < deadline) {
        last = await scheduler.get(id);
        if (done(last)) return last;
        await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
      }
      throw new Error(`event ${id} did not reach the expected state; last seen: ${JSON.stringify(last)}`);
    },
    async stop() {
      await worker?.stop();
      await connection.close();
    },
  };
}

/** One more event worker (the service's worker options) on `taskQueue`: several workers share one queue. */
export function startEventWorker(
  taskQueue: string,
  {
    env = {},
    webhooks,
    signingSecrets = [],
    metrics,
    clearForCall,
    heartbeatForCall,
    ...options
  }: Partial<StartWorkerOptions> &
    Pick<ActivityDeps, 'clearForCall' | 'heartbeatForCall'> & {
      env?: Record<string, string>;
      webhooks?: WebhookSettings;
      signingSecrets?: string[];
      metrics?: ServiceMetrics;
    } = {},
): Promise<RunningWorker> {
  const { rules, fetch } = webhookConfig(webhooks);
  const signingKeys = signingSecrets.map(parseSigningSecret);
  // The server's answers before a call (clearance, a heartbeat for a late one) unless a test stands in for them.
  const answers = { ...(clearForCall && { clearForCall }), ...(heartbeatForCall && { heartbeatForCall }) };
  return startWorker({
    taskQueue,
    ...eventWorkerOptions({
      env,
      envPolicy: rules.envPolicy,
      fetch,
      userAgent: USER_AGENT,
      signingKeys,
      metrics,
      ...answers,
    }),
    ...options,
  });
}

/**
 * One more API instance on the stack's task queue, with a Temporal client of its own, as a second `npm run
 * start:api` process would have. Requests go through `app.request()`, like the stack's own.
 */
export function secondApi(stack: Stack): { request: Stack['request']; close: () => Promise<void> } {
  const { address } = temporalTarget();
  const client = createTemporalClient({ address, namespace: stack.client.options.namespace });
  const app = createApp({
    scheduler: new TemporalEventScheduler({ client, taskQueue: stack.taskQueue }),
    webhookRules: webhookConfig().rules,
    logger: { warn: () => undefined, error: (...args: unknown[]) => console.error(...args) },
  });
  return { request: requestThrough(app), close: () => client.connection.close() };
}

/** Requests through `app.request()`: JSON in (a string as is), status and parsed JSON out. */
function requestThrough(app: ReturnType<typeof createApp>): Stack['request'] {
  return async (method, url, body, headers = {}) => {
    const res = await app.request(url, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
}

/** Polls `fn` until it returns a value for which `done` holds (visibility is eventually consistent). */
export async function eventually<T>(fn: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await fn();
  while (!done(value)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    value = await fn();
  }
  return value;
}

/**
 * A fresh namespace with our search attributes, so a test can list "every event" without seeing other tests'
 * events. Uses the same registration as temporal-dev.sh.
 */
export async function createIsolatedNamespace(name: string): Promise<string> {
  const root = path.resolve(__dirname, '..', '..');
  await execFileAsync('bash', [path.join(root, 'temporal-dev.sh'), 'configure'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_NAMESPACE: name, TEMPORAL_PORT: temporalTarget().address.split(':')[1] },
    timeout: 60_000,
  });
  return name;
}
