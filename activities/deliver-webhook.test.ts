import { CancelledFailure } from '@temporalio/activity';
import { ActivityCancellationDetails, ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeepAliveFetch, type FetchLike } from '../src/delivery';
import { createEnvPolicy, LOOPBACK_DESTINATIONS as LOOPBACK } from '../src/delivery';

/** Receivers here are on 127.0.0.1, which the default client refuses (the SSRF guard). */
const LOOPBACK_FETCH = createKeepAliveFetch({ maxSocketsPerHost: 16, allowedDestinations: LOOPBACK });

/** An operator's WEBHOOK_ENV_ALLOW that names the credential-like variable a test reads. */
const API_TOKEN_ALLOWED = (() => {
  const built = createEnvPolicy('*,API_TOKEN');
  if (!built.ok) throw new Error(built.problems.join());
  return built.policy;
})();
import type { CallClearance, DeliverWebhookInput, DeliverWebhookResult } from '../src/shared/event';
import {
  type ActivityDeps,
  CallsInFlight,
  CLEARED_TOO_LATE_FAILURE_TYPE,
  createActivities,
  HeldAttempts,
  INVALID_INPUT_FAILURE_TYPE,
} from './index';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A real webhook receiver on 127.0.0.1 that notes when each connection and request arrived (wall clock, ms). */
async function startServer(handler: Handler) {
  const arrivals: number[] = [];
  const connectedAt: number[] = [];
  const server = http.createServer((req, res) => {
    arrivals.push(Date.now());
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', () => connectedAt.push(Date.now()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    arrivals,
    connectedAt,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const USER_AGENT = 'scheduled-events/0.1.0';
let closers: (() => void)[] = [];
afterEach(() => {
  closers.forEach((close) => close());
  closers = [];
});

async function serve(handler: Handler) {
  const server = await startServer(handler);
  closers.push(server.close);
  return server;
}

function input(overrides: Partial<DeliverWebhookInput> = {}): DeliverWebhookInput {
  const now = Date.now();
  return {
    eventId: 'evt-1',
    invocationId: 'inv-1',
    attempt: 1,
    webhook: '{{WEBHOOK_DOMAIN}}/hook',
    headers: [],
    body: {
      id: 'evt-1',
      scheduled_time: new Date(now).toISOString(),
      payload: { foo: 'baz' },
      created_at: new Date(now - 1000).toISOString(),
    },
    timeoutSeconds: 5,
    notBefore: new Date(now - 1000).toISOString(),
    notAfter: new Date(now + 60_000).toISOString(),
    ...overrides,
  };
}

/** The activity hands its context's client to the server's stand-ins (clearForCall, heartbeatForCall), which ignore it. */
const STUB_CLIENT = { withAbortSignal: (_signal: AbortSignal, fn: () => unknown) => fn() } as unknown as Client;

/**
 * An attempt's timeouts as the workflow sets them (a heartbeat timeout, and a start-to-close timeout longer by the
 * call's own, `input().timeoutSeconds`), counted from `scheduledAtMs`.
 */
function timeouts(heartbeatTimeoutMs: number, scheduledAtMs = Date.now()) {
  return {
    heartbeatTimeoutMs,
    startToCloseTimeoutMs: heartbeatTimeoutMs + input().timeoutSeconds * 1000,
    currentAttemptScheduledTimestampMs: scheduledAtMs,
  };
}

/** A mock activity environment whose log lines are kept for assertions. */
function environment() {
  const logs: LogEntry[] = [];
  const env = new MockActivityEnvironment(
    {},
    { client: STUB_CLIENT, logger: new DefaultLogger('INFO', (entry) => logs.push(entry)) },
  );
  let heartbeats = 0;
  env.on('heartbeat', () => (heartbeats += 1));
  return { env, logs, heartbeats: () => heartbeats };
}

/**
 * An answering receiver and the activity wired to a held-attempt registry, as the worker wires them, with `more` of
 * the worker's stand-ins (the server's clearance answer).
 */
async function withHeldAttempts(more: Pick<ActivityDeps, 'clearForCall'> = {}) {
  const server = await serve((_req, res) => res.writeHead(200).end());
  const heldAttempts = new HeldAttempts();
  const { deliverWebhook } = createActivities({
    fetch: LOOPBACK_FETCH,
    env: { WEBHOOK_DOMAIN: server.origin },
    userAgent: USER_AGENT,
    heldAttempts,
    ...more,
  });
  return { server, heldAttempts, deliverWebhook, ...environment() };
}

describe('deliverWebhook activity', () => {
  it('calls the webhook and returns the attempt record, with one log line', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('ok'));
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env, logs } = environment();

    const result = await env.run(deliverWebhook, input());

    expect(result).toMatchObject({
      kind: 'attempted',
      record: { id: 'inv-1', eventId: 'evt-1', attempt: 1, success: true, status: 200 },
    });
    expect(server.arrivals).toHaveLength(1);
    const lines = logs.filter((entry) => entry.message.startsWith('webhook attempt'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'webhook attempt delivered',
      meta: expect.objectContaining({ eventId: 'evt-1', attempt: 1, status: 200 }),
    });
    expect(lines[0]?.meta?.durationMs).toEqual(expect.any(Number));
  });

  it('keeps env values out of its log line and record, even when the receiver echoes them', async () => {
    // The receiver answers 500 with the token it was sent: the worker's log line quotes the failure message.
    const server = await serve((req, res) => res.writeHead(500).end(`bad token ${String(req.headers['x-token'])}`));
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin, API_TOKEN: 'tok-3e1f9a7c' },
      envPolicy: API_TOKEN_ALLOWED,
      userAgent: USER_AGENT,
    });
    const { env, logs } = environment();

    const result = await env.run(deliverWebhook, input({ headers: [{ name: 'X-Token', valueFromEnv: 'API_TOKEN' }] }));

    expect(server.arrivals).toHaveLength(1);
    const line = logs.find((entry) => entry.message === 'webhook attempt failed');
    expect(line?.meta?.message).toBe('bad token [redacted]');
    const logged = JSON.stringify(logs.map(({ message, meta }) => ({ message, meta })));
    expect(logged).not.toContain('tok-3e1f9a7c');
    expect(JSON.stringify(result)).not.toContain('tok-3e1f9a7c');
  });

  it('returns a failed webhook attempt as a record, not a throw', async () => {
    const server = await serve((_req, res) => res.writeHead(503, { 'Retry-After': '3' }).end('busy'));
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env, logs } = environment();

    const result = await env.run(deliverWebhook, input({ attempt: 2 }));

    expect(result).toMatchObject({
      kind: 'attempted',
      record: { attempt: 2, success: false, status: 503, retryAfterSeconds: 3, response: { message: 'busy' } },
    });
    expect(logs.find((entry) => entry.message === 'webhook attempt failed')?.meta).toMatchObject({
      status: 503,
      message: 'busy',
    });
  });

  it('records a missing env var as a failed attempt (status 500), reading only the injected env', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({ fetch: LOOPBACK_FETCH, env: {}, userAgent: USER_AGENT });
    const { env } = environment();

    const result = await env.run(deliverWebhook, input());

    expect(result).toMatchObject({
      kind: 'attempted',
      record: {
        success: false,
        status: 500,
        response: {
          message: 'Error creating the request. The value for environment variables not found: WEBHOOK_DOMAIN',
        },
      },
    });
    expect(server.arrivals).toHaveLength(0);
  });

  it('holds the call until notBefore, never early, without heartbeating meanwhile', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env, heartbeats } = environment();
    const notBeforeMs = Date.now() + 1200;

    const result: DeliverWebhookResult = await env.run(
      deliverWebhook,
      input({ notBefore: new Date(notBeforeMs).toISOString() }),
    );

    expect(result.kind).toBe('attempted');
    expect(server.arrivals).toHaveLength(1);
    expect(server.arrivals[0]).toBeGreaterThanOrEqual(notBeforeMs);
    // Held to the instant, not far past it.
    expect((server.arrivals[0] ?? Infinity) - notBeforeMs).toBeLessThan(500);
    expect(result.kind === 'attempted' && Date.parse(result.record.createdAt)).toBeGreaterThanOrEqual(notBeforeMs);
    // A heartbeat is a server write: none while holding, none for a call that answers within a second.
    expect(heartbeats()).toBe(0);
  });

  it('opens its connection about half a second before the instant, and the call goes out on it', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      fetch: createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK }),
    });
    const notBeforeMs = Date.now() + 1200;

    const result: DeliverWebhookResult = await environment().env.run(
      deliverWebhook,
      input({ notBefore: new Date(notBeforeMs).toISOString() }),
    );

    expect(result.kind).toBe('attempted');
    expect(server.arrivals).toHaveLength(1);
    expect(server.arrivals[0]).toBeGreaterThanOrEqual(notBeforeMs);
    expect(server.connectedAt).toHaveLength(1);
    const aheadMs = notBeforeMs - (server.connectedAt[0] ?? notBeforeMs);
    // 500 ms ahead, give or take a busy test machine's event loop.
    expect(aheadMs).toBeGreaterThanOrEqual(300);
    expect(aheadMs).toBeLessThan(1000);
  });

  it('resolves its request while it holds, so that the instant does only the call', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const readsAt: Record<string, number[]> = { WEBHOOK_DOMAIN: [], API_TOKEN: [] };
    // An env that notes when the URL's variable and the header's variable are read.
    const env = new Proxy<Record<string, string>>(
      { WEBHOOK_DOMAIN: server.origin, API_TOKEN: 't0ken' },
      {
        get: (target, name) => {
          if (typeof name === 'string') readsAt[name]?.push(Date.now());
          return Reflect.get(target, name);
        },
      },
    );
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env,
      envPolicy: API_TOKEN_ALLOWED,
      userAgent: USER_AGENT,
    });
    const notBeforeMs = Date.now() + 1200;

    const result: DeliverWebhookResult = await environment().env.run(
      deliverWebhook,
      input({
        notBefore: new Date(notBeforeMs).toISOString(),
        headers: [{ name: 'Authorization', valueFromEnv: 'API_TOKEN' }],
      }),
    );

    expect(result.kind === 'attempted' && result.record.success).toBe(true);
    for (const reads of Object.values(readsAt)) {
      expect(reads.length).toBeGreaterThan(0);
      // Every read ~500 ms ahead (PRECONNECT_LEAD_MS), give or take a busy test machine's event loop.
      for (const readAt of reads) expect(notBeforeMs - readAt).toBeGreaterThanOrEqual(250);
    }
  });

  it('makes no call when it starts past notAfter', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env, logs } = environment();
    const now = Date.now();

    const result = await env.run(
      deliverWebhook,
      input({ notBefore: new Date(now - 10_000).toISOString(), notAfter: new Date(now - 1).toISOString() }),
    );

    expect(result).toEqual({ kind: 'pastTolerance' });
    expect(server.arrivals).toHaveLength(0);
    expect(logs.some((entry) => entry.message === 'webhook attempt skipped: past tolerance')).toBe(true);
    // The server's second run of the attempt, after its instant, says so: the first one may have called.
    const rerun = new MockActivityEnvironment({ attempt: 2, currentAttemptScheduledTimestampMs: now });
    const late = input({ notBefore: new Date(now - 10_000).toISOString(), notAfter: new Date(now - 1).toISOString() });
    expect(await rerun.run(deliverWebhook, late)).toEqual({ kind: 'pastTolerance', rerun: true });
  });

  it('makes no call when holding would end past notAfter', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env } = environment();
    const now = Date.now();

    const result = await env.run(
      deliverWebhook,
      input({ notBefore: new Date(now + 200).toISOString(), notAfter: new Date(now + 100).toISOString() }),
    );

    expect(result).toEqual({ kind: 'pastTolerance' });
    expect(server.arrivals).toHaveLength(0);
  });

  it('uses the injected clock for the tolerance check', async () => {
    const { deliverWebhook } = createActivities({
      env: {},
      userAgent: USER_AGENT,
      now: () => Date.now() + 3_600_000,
    });
    const { env } = environment();
    expect(await env.run(deliverWebhook, input())).toEqual({ kind: 'pastTolerance' });
  });

  it('is cancelled during the hold without calling the webhook', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env } = environment();
    setTimeout(() => env.cancel(), 100);
    const started = Date.now();

    await expect(
      env.run(deliverWebhook, input({ notBefore: new Date(Date.now() + 10_000).toISOString() })),
    ).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.arrivals).toHaveLength(0);
  });

  it('returns cancelled without calling when the event is cancelled through the worker while it holds', async () => {
    const { server, heldAttempts, deliverWebhook, env } = await withHeldAttempts();
    const attempt = input({ notBefore: new Date(Date.now() + 10_000).toISOString() });
    setTimeout(() => heldAttempts.cancel(attempt.invocationId), 100);
    const started = Date.now();

    expect(await env.run(deliverWebhook, attempt)).toEqual({ kind: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.arrivals).toHaveLength(0);
    expect(heldAttempts.size).toBe(0);
  });

  it('is released from the registry when its call starts, so a late cancel no longer stops it', async () => {
    const { heldAttempts, deliverWebhook, env } = await withHeldAttempts();
    const attempt = input();

    const result = await env.run(deliverWebhook, attempt);
    heldAttempts.cancel(attempt.invocationId);

    expect(result).toMatchObject({ kind: 'attempted', record: { success: true } });
    expect(heldAttempts.size).toBe(0);
  });

  it('leaves no listener on the signal it combines for the hold, which Node would otherwise keep alive', async () => {
    const { deliverWebhook, env } = await withHeldAttempts({ clearForCall: async () => 'call' });
    const combine = jest.spyOn(AbortSignal, 'any');
    try {
      const result = await env.run(deliverWebhook, input({ notBefore: new Date(Date.now() + 700).toISOString() }));
      expect(result).toMatchObject({ kind: 'attempted', record: { success: true } });
      const combined = combine.mock.results.map((made) => made.value as AbortSignal);
      expect(combined).toHaveLength(1);
      // `AbortSignal.any`'s signals stay in a strong set while they have an abort listener (Node 20's
      // gcPersistentSignals): one left here would keep every finished attempt's hold in memory.
      for (const signal of combined) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      combine.mockRestore();
    }
  });

  it('in a burst, makes its call at once but reports the result after the calls still in flight', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const callsInFlight = new CallsInFlight({ busyCalls: 1, maxWaitMs: 60_000 });
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      callsInFlight,
    });
    const { env, logs, heartbeats } = environment();
    const otherCallEnds = callsInFlight.start(); // another attempt's call, not answered yet

    let reported = false;
    const running = env.run(deliverWebhook, input());
    void running.then(() => (reported = true));
    while (server.arrivals.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Longer than the heartbeat interval: a result that waits sends no heartbeat (each would be a server write).
    await new Promise((resolve) => setTimeout(resolve, 1200));

    expect(reported).toBe(false);
    expect(heartbeats()).toBe(0);
    expect(logs.filter((entry) => entry.message.startsWith('webhook attempt'))).toHaveLength(0);
    otherCallEnds();
    expect(await running).toMatchObject({ kind: 'attempted', record: { success: true } });
    expect(callsInFlight.size).toBe(0);
  });

  it("in a burst, holds its result back at most halfway to the server's heartbeat timeout", async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const callsInFlight = new CallsInFlight({ busyCalls: 1, maxWaitMs: 60_000 });
    callsInFlight.start(); // another call that never ends: the worker stays busy
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      callsInFlight,
    });
    // A 6 s heartbeat timeout from now: the result must be reported halfway to its last 2 s, 2 s from now.
    const env = new MockActivityEnvironment(timeouts(6000));
    const startedAt = Date.now();
    await expect(env.run(deliverWebhook, input())).resolves.toMatchObject({ kind: 'attempted' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1800);
    expect(Date.now() - startedAt).toBeLessThan(3500);
    expect(server.arrivals).toHaveLength(1);
  });

  it('a slow call heartbeats only as the heartbeat timeout nears, not every second from its start', async () => {
    const server = await serve((_req, res) => setTimeout(() => res.writeHead(200).end(), 2200));
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      // Within 5 s of the timeout, a call first has a heartbeat recorded (restarting the timeout from then).
      heartbeatForCall: () => Promise.resolve('call'),
    });
    const run = async (heartbeatTimeoutMs: number) => {
      const { env, heartbeats } = environment();
      Object.assign(env.context.info, timeouts(heartbeatTimeoutMs));
      await expect(env.run(deliverWebhook, input())).resolves.toMatchObject({ kind: 'attempted' });
      return heartbeats();
    };
    // Room enough (first heartbeat halfway to 2 s before the timeout, 3 s in): a 2.2 s call sends none.
    expect(await run(8000)).toBe(0);
    // Little room (4 s: halfway is 1 s in): it heartbeats, and goes on heartbeating.
    expect(await run(4000)).toBeGreaterThanOrEqual(1);
  });

  it('finishes and records a call already started when the event is cancelled', async () => {
    const server = await serve((_req, res) => setTimeout(() => res.writeHead(200).end('ok'), 300));
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env } = environment();
    setTimeout(() => env.cancel(), 100);

    const result = await env.run(deliverWebhook, input());

    expect(result).toMatchObject({ kind: 'attempted', record: { success: true, status: 200 } });
    expect(server.arrivals).toHaveLength(1);
  });

  it('is abandoned mid-call on worker shutdown and throws, so the attempt is not recorded as a webhook failure', async () => {
    const server = await serve(() => undefined);
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
    });
    const { env } = environment();
    setTimeout(() => env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true })), 200);

    await expect(env.run(deliverWebhook, input())).rejects.toBeInstanceOf(CancelledFailure);
    expect(server.arrivals).toHaveLength(1);
  });

  // Between its preparation (~500 ms ahead, when it starts following Temporal's signal for the call) and its call.
  it('makes no call on a worker shutdown after its call was prepared, while it waits for the instant', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({
      fetch: createKeepAliveFetch({ maxSocketsPerHost: 4, allowedDestinations: LOOPBACK }),
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      clearForCall: async () => 'call',
    });
    const { env } = environment();
    const notBeforeMs = Date.now() + 1200;
    setTimeout(
      () => env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true })),
      notBeforeMs - 150 - Date.now(),
    );

    await expect(
      env.run(deliverWebhook, input({ notBefore: new Date(notBeforeMs).toISOString() })),
    ).rejects.toBeInstanceOf(CancelledFailure);
    // Prepared: its connection was opened ahead, as it is only once the call is prepared.
    expect(server.connectedAt).toHaveLength(1);
    expect(server.arrivals).toHaveLength(0);
    // Nothing goes out afterwards either.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.arrivals).toHaveLength(0);
  });

  it('makes no call on a worker shutdown while its prepared call waits past the instant for clearance', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    let askedAt: number | undefined;
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      // The server's answer still queued when the shutdown comes.
      clearForCall: () => {
        askedAt = Date.now();
        return new Promise<CallClearance>(() => undefined);
      },
    });
    const { env } = environment();
    const notBeforeMs = Date.now() + 800;
    setTimeout(
      () => env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true })),
      notBeforeMs + 200 - Date.now(),
    );

    await expect(
      env.run(deliverWebhook, input({ notBefore: new Date(notBeforeMs).toISOString() })),
    ).rejects.toBeInstanceOf(CancelledFailure);
    expect(askedAt).toBeDefined();
    expect(Date.now()).toBeGreaterThanOrEqual(notBeforeMs + 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.arrivals).toHaveLength(0);
  });

  it("asks the server before its call: no call for a cancelled event, but the failure webhook's call is owed", async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      clearForCall: () => Promise.resolve('cancelled'),
    });
    const env = new MockActivityEnvironment({}, { client: STUB_CLIENT });
    await expect(env.run(deliverWebhook, input())).resolves.toEqual({ kind: 'cancelled' });
    expect(server.arrivals).toHaveLength(0);
    // The server's second run of the attempt, once its instant had come, says so: the first one may have called.
    const rerun = (scheduledAtMs: number) =>
      new MockActivityEnvironment(
        { attempt: 2, currentAttemptScheduledTimestampMs: scheduledAtMs },
        { client: STUB_CLIENT },
      ).run(deliverWebhook, input({ notBefore: new Date(Date.now() + 300).toISOString() }));
    await expect(rerun(Date.now() + 400)).resolves.toEqual({ kind: 'cancelled', rerun: true });
    // Run again before the instant: the first one ended before any call could be made.
    await expect(rerun(Date.now())).resolves.toEqual({ kind: 'cancelled' });
    expect(server.arrivals).toHaveLength(0);
    // The event has ended (a cancel may have ended it): its failure webhook is called all the same, once.
    const report = await env.run(deliverWebhook, input({ failureCallback: true, messageId: 'evt-1.failure' }));
    expect(report).toMatchObject({ kind: 'attempted', record: { success: true, failureCallback: true } });
    expect(server.arrivals).toHaveLength(1);
    // The run is gone (terminated or deleted): nothing is owed any more.
    const gone = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      clearForCall: () => Promise.resolve('gone'),
    });
    await expect(env.run(gone.deliverWebhook, input({ failureCallback: true }))).resolves.toEqual({
      kind: 'cancelled',
    });
    expect(server.arrivals).toHaveLength(1);
  });

  it('a clearance answered too close to the heartbeat timeout calls only once the server has recorded a heartbeat', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const slowAnswer = (ms: number) => () => new Promise<'call'>((resolve) => setTimeout(() => resolve('call'), ms));
    const heartbeats: { at: number; answer: CallClearance }[] = [];
    const activity = (ms: number, heartbeatAnswer?: CallClearance | 'fails') =>
      createActivities({
        fetch: LOOPBACK_FETCH,
        env: { WEBHOOK_DOMAIN: server.origin },
        userAgent: USER_AGENT,
        clearForCall: slowAnswer(ms),
        ...(heartbeatAnswer !== undefined && {
          heartbeatForCall: () => {
            if (heartbeatAnswer === 'fails') return Promise.reject(new Error('UNAVAILABLE'));
            heartbeats.push({ at: Date.now(), answer: heartbeatAnswer });
            return Promise.resolve(heartbeatAnswer);
          },
        }),
      }).deliverWebhook;
    // A 5.2 s heartbeat timeout: an answer after 300 ms leaves less than the 5 s a call needs on its own.
    const tight = () => new MockActivityEnvironment(timeouts(5200), { client: STUB_CLIENT });
    // Without a way to record a heartbeat: no call, the attempt fails to run again.
    const failure = await tight()
      .run(activity(300), input())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: CLEARED_TOO_LATE_FAILURE_TYPE, nonRetryable: false });
    expect(server.arrivals).toHaveLength(0);
    // The server says the attempt is no longer its own (timed out and run again), or does not answer: no call.
    for (const answer of ['gone', 'fails'] as const) {
      const refused = await tight()
        .run(activity(300, answer), input())
        .catch((error: unknown) => error);
      expect(refused).toMatchObject({ type: CLEARED_TOO_LATE_FAILURE_TYPE });
    }
    // The attempt's cancel was requested meanwhile: no call, and the event ends cancelled.
    await expect(tight().run(activity(300, 'cancelled'), input())).resolves.toEqual({ kind: 'cancelled' });
    expect(server.arrivals).toHaveLength(0);
    // The server recorded the heartbeat: the call goes out after it.
    await expect(tight().run(activity(300, 'call'), input())).resolves.toMatchObject({ kind: 'attempted' });
    expect(server.arrivals).toHaveLength(1);
    expect(server.arrivals[0]!).toBeGreaterThanOrEqual(heartbeats.at(-1)!.at);
    // A cancel recorded after the first answer: asked again once the heartbeat is recorded, the server says so.
    const answers: CallClearance[] = ['call', 'cancelled'];
    const cancelledMeanwhile = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      clearForCall: () => new Promise((resolve) => setTimeout(() => resolve(answers.shift()!), 300)),
      heartbeatForCall: () => Promise.resolve('call'),
    }).deliverWebhook;
    await expect(tight().run(cancelledMeanwhile, input())).resolves.toEqual({ kind: 'cancelled' });
    expect(answers).toEqual([]);
    expect(server.arrivals).toHaveLength(1);
    // With room left, the same late answer calls without a heartbeat.
    const before = heartbeats.length;
    const roomy = new MockActivityEnvironment(timeouts(10_000), { client: STUB_CLIENT });
    await expect(roomy.run(activity(300, 'call'), input())).resolves.toMatchObject({ kind: 'attempted' });
    expect(server.arrivals).toHaveLength(2);
    expect(heartbeats).toHaveLength(before);
    // The failure webhook is owed even when the attempt's cancel was requested (it is not cancellable anyway).
    await expect(
      tight().run(activity(300, 'cancelled'), input({ failureCallback: true, messageId: 'evt-1.failure' })),
    ).resolves.toMatchObject({ kind: 'attempted' });
    expect(server.arrivals).toHaveLength(3);
    // A start-to-close timeout without room for the call after the answer (a heartbeat does not extend it): no
    // heartbeat sent, no call.
    const sent = heartbeats.length;
    const shortBudget = new MockActivityEnvironment(
      { ...timeouts(5200), startToCloseTimeoutMs: 5200 + 2000 },
      { client: STUB_CLIENT },
    );
    const noRoom = await shortBudget.run(activity(300, 'call'), input()).catch((error: unknown) => error);
    expect(noRoom).toMatchObject({ type: CLEARED_TOO_LATE_FAILURE_TYPE });
    // Already past the heartbeat timeout (the server runs the attempt again): no heartbeat sent, no call.
    const past = new MockActivityEnvironment(timeouts(5200, Date.now() - 5000), { client: STUB_CLIENT });
    const pastFailure = await past.run(activity(300, 'call'), input()).catch((error: unknown) => error);
    expect(pastFailure).toMatchObject({ type: CLEARED_TOO_LATE_FAILURE_TYPE });
    expect(heartbeats).toHaveLength(sent);
    expect(server.arrivals).toHaveLength(3);
    // The timeout counts from the server's start, not from when this worker began: an attempt scheduled 7 s before
    // it reached the worker (a burst's dispatch lag) has no room left for the same answer.
    const lagged = new MockActivityEnvironment(timeouts(10_000, Date.now() - 7000), { client: STUB_CLIENT });
    const lateFailure = await lagged.run(activity(300), input()).catch((error: unknown) => error);
    expect(lateFailure).toMatchObject({ type: CLEARED_TOO_LATE_FAILURE_TYPE });
    expect(server.arrivals).toHaveLength(3);
  });

  it('a cancel while the clearance question waits its turn ends the wait at once, with no call', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const heldAttempts = new HeldAttempts();
    // A question that never gets its turn (a long line), unless its attempt stops holding.
    const waitsInLine = (_client: Client, _attempt: unknown, signal?: AbortSignal) =>
      new Promise<'call'>((_resolve, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason as Error)),
      );
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      heldAttempts,
      clearForCall: waitsInLine,
    });
    const env = new MockActivityEnvironment({}, { client: STUB_CLIENT });
    const due = Date.now() + 300;
    const running = env.run(deliverWebhook, input({ notBefore: new Date(due).toISOString() }));
    // Past its instant, still waiting for its answer: then the event's cancel reaches the worker.
    setTimeout(() => heldAttempts.cancel('inv-1'), due - Date.now() + 200);
    await expect(running).resolves.toEqual({ kind: 'cancelled' });
    expect(server.arrivals).toHaveLength(0);
  });

  it('in a burst, asks as early as its event allows and no earlier', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const heldAttempts = new HeldAttempts();
    const due = Date.now() + 3900;
    // 3,000 others held for the same instant: the worker's count alone would ask 6 s ahead.
    for (let n = 0; n < 3000; n++) heldAttempts.hold(`other-${n}`, due);
    const askedAt: Record<string, number> = {};
    const { deliverWebhook } = createActivities({
      fetch: LOOPBACK_FETCH,
      env: { WEBHOOK_DOMAIN: server.origin },
      userAgent: USER_AGENT,
      heldAttempts,
      clearForCall: (_client, attempt) => {
        askedAt[attempt.activityId] = Date.now();
        return Promise.resolve('cancelled');
      },
    });
    const run = (activityId: string, overrides: Partial<DeliverWebhookInput>) =>
      new MockActivityEnvironment({ activityId }, { client: STUB_CLIENT }).run(
        deliverWebhook,
        input({ invocationId: activityId, notBefore: new Date(due).toISOString(), ...overrides }),
      );
    await Promise.all([run('lone', {}), run('burst', { maxClearanceLeadMs: 3600 })]);
    expect(due - askedAt.lone!).toBeLessThanOrEqual(2000);
    expect(due - askedAt.lone!).toBeGreaterThan(1400);
    expect(due - askedAt.burst!).toBeLessThanOrEqual(3600);
    expect(due - askedAt.burst!).toBeGreaterThan(2600);
    expect(server.arrivals).toHaveLength(0);
  });

  it('in a burst, resolves its request when it asks, seconds before the instant', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end());
    const heldAttempts = new HeldAttempts();
    const due = Date.now() + 3900;
    for (let n = 0; n < 3000; n++) heldAttempts.hold(`other-${n}`, due);
    const reads: number[] = [];
    const env = new Proxy<Record<string, string>>(
      { WEBHOOK_DOMAIN: server.origin },
      {
        get: (target, name) => {
          if (name === 'WEBHOOK_DOMAIN') reads.push(Date.now());
          return Reflect.get(target, name);
        },
      },
    );
    let askedAt = 0;
    let preconnectedAt = 0;
    const fetch: FetchLike = Object.assign((url: string, init: RequestInit) => LOOPBACK_FETCH(url, init), {
      preconnect: (url: string, dueAtMs: number) => {
        preconnectedAt = Date.now();
        LOOPBACK_FETCH.preconnect?.(url, dueAtMs);
      },
    });
    const { deliverWebhook } = createActivities({
      fetch,
      env,
      userAgent: USER_AGENT,
      heldAttempts,
      clearForCall: () => {
        askedAt = Date.now();
        return Promise.resolve('call');
      },
    });

    const result: DeliverWebhookResult = await new MockActivityEnvironment(
      { activityId: 'burst' },
      { client: STUB_CLIENT },
    ).run(deliverWebhook, input({ notBefore: new Date(due).toISOString(), maxClearanceLeadMs: 3600 }));

    expect(result.kind === 'attempted' && result.record.success).toBe(true);
    expect(due - askedAt).toBeGreaterThan(2600);
    // Read as it asked (give or take a busy machine), not PRECONNECT_LEAD_MS before the call.
    expect(reads.length).toBeGreaterThan(0);
    for (const readAt of reads) expect(Math.abs(readAt - askedAt)).toBeLessThan(300);
    // Its connection is still opened half a second ahead, not as early as that.
    expect(due - preconnectedAt).toBeLessThanOrEqual(500);
    expect(due - preconnectedAt).toBeGreaterThan(200);
    expect(server.arrivals[0]!).toBeGreaterThanOrEqual(due);
  });

  it('rejects malformed input as a non-retryable failure', async () => {
    const { deliverWebhook } = createActivities({ fetch: LOOPBACK_FETCH, env: {}, userAgent: USER_AGENT });
    const { env } = environment();

    const failure = await env.run(deliverWebhook, input({ notBefore: 'tomorrow' })).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: INVALID_INPUT_FAILURE_TYPE, nonRetryable: true });
  });
});
