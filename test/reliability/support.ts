/**
 * Shared by the reliability tests: sizes from the environment (short in CI, full with scripts/reliability-full.sh),
 * the figures each test reports, a TCP gate to take a receiver off the network, and small async utilities.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Client } from '@temporalio/client';

import type { ReceivedRequest } from '../helpers/receiver';

/**
 * A size or duration for a test: `RELIABILITY_<NAME>` from the environment (a positive integer), else the CI default.
 */
export function size(name: string, ciDefault: number): number {
  const raw = process.env[`RELIABILITY_${name}`];
  if (raw === undefined || raw === '') return ciDefault;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`RELIABILITY_${name} must be a positive integer, got ${raw}`);
  return value;
}

/** Where each test writes its figures as `<test>.json` (the full run prints them all at the end). */
export function figuresDir(): string {
  return process.env.RELIABILITY_FIGURES_DIR ?? path.join(tmpdir(), 'scheduled-events-reliability');
}

/** Prints the figures a test measured and writes them to `<figuresDir>/<name>.json`. */
export function recordFigures(name: string, figures: Record<string, unknown>): void {
  const record = { test: name, recordedAt: new Date().toISOString(), ...figures };
  const dir = figuresDir();
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`reliability figures (${name}):\n${JSON.stringify(record, null, 2)}`);
}

/** An ISO timestamp `ms` from now. */
export const inMs = (ms: number): string => new Date(Date.now() + ms).toISOString();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `concurrency` calls at once; results in input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T, i);
  });
  await Promise.all(lanes);
  return results;
}

/** The `Idempotency-Key` of a received webhook request. */
export function idempotencyKey(request: ReceivedRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
}

/** The event id in a received webhook body. */
export function bodyId(request: ReceivedRequest): string | undefined {
  const body = request.body as { id?: unknown } | undefined;
  return typeof body?.id === 'string' ? body.id : undefined;
}

/** Received requests grouped by the event id in their body. */
export function requestsByEvent(requests: readonly ReceivedRequest[]): Map<string, ReceivedRequest[]> {
  const byId = new Map<string, ReceivedRequest[]>();
  for (const request of requests) {
    const id = bodyId(request);
    if (id === undefined) continue;
    const list = byId.get(id);
    if (list) list.push(request);
    else byId.set(id, [request]);
  }
  return byId;
}

/** Percentile (0..100) of a list of numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** How many times each value occurs. */
export function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Rounds a duration for the figures. */
export const ms = (value: number): number => Math.round(value);

/**
 * A TCP port that forwards to `targetPort` while open and refuses connections (ECONNREFUSED) while shut: the
 * receiver is "down" without losing what it recorded. Starts shut.
 */
export interface Gate {
  readonly port: number;
  readonly isOpen: boolean;
  /** Starts listening on the gate's port (the same port every time). */
  open(): Promise<void>;
  /** Stops listening and drops the connections in progress. */
  shut(): Promise<void>;
}

export async function startGate(targetPort: number): Promise<Gate> {
  let port = 0;
  let server: Server | undefined;
  const sockets = new Set<Socket>();

  const open = async (): Promise<void> => {
    if (server) return;
    const listening = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    // The first open lets the OS pick the port; every later open takes the same one.
    port = (listening.address() as AddressInfo).port;
    server = listening;
  };

  const shut = async (): Promise<void> => {
    const listening = server;
    if (!listening) return;
    server = undefined;
    const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  // Learn the port, then start shut.
  await open();
  await shut();
  return {
    get port() {
      return port;
    },
    get isOpen() {
      return server !== undefined;
    },
    open,
    shut,
  };
}

/** temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT (a constant, so this file does not load the protos). */
const TIMEOUT_TYPE_HEARTBEAT = 4;

/**
 * How Temporal ran an event's last webhook attempt: the server-side attempt number of its `deliverWebhook` activity
 * (2 or more: the server ran it again because a worker was lost) and why the previous one failed (`heartbeat
 * timeout` after a kill). Read from the workflow history, which keeps the last started attempt of each activity.
 */
export async function lastAttemptRun(
  client: Client,
  eventId: string,
): Promise<{ serverAttempt: number; previousFailure: string | null }> {
  const history = await client.workflow.getHandle(eventId).fetchHistory();
  const scheduled = new Set<string>();
  let last: { serverAttempt: number; previousFailure: string | null } = { serverAttempt: 0, previousFailure: null };
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverWebhook') {
      scheduled.add(String(event.eventId));
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.has(String(started.scheduledEventId))) {
      const failure = started.lastFailure;
      const timeout = failure?.timeoutFailureInfo?.timeoutType;
      last = {
        serverAttempt: started.attempt ?? 1,
        previousFailure:
          failure == null
            ? null
            : Number(timeout) === TIMEOUT_TYPE_HEARTBEAT
              ? 'heartbeat timeout'
              : (failure.message ?? 'unknown failure'),
      };
    }
  }
  return last;
}
