/**
 * The `deliverWebhook` activity: one webhook attempt, adapted to Temporal. It owns the time before the call (the
 * workflow starts it its prepare lead early, 30 s and up to 3 min; it holds until the exact due instant and rechecks tolerance) and the meaning
 * of cancellation; the HTTP call itself is `prepareWebhook` + `callWebhook` in src/delivery.
 *
 * Contract with the workflow:
 * - returns `{ kind: 'attempted', record }` for EVERY webhook outcome, success or failure: the workflow decides
 *   retries from the record, so each attempt is one activity execution in history;
 * - returns `{ kind: 'pastTolerance' }`, without calling, when it starts (or finishes holding) after `notAfter`;
 * - returns `{ kind: 'cancelled' }`, without calling, when the event's cancel reaches it through `heldAttempts`, or
 *   when the server, asked just before the call (`clearForCall`, and `heartbeatForCall` for one cleared late), says
 *   the event is cancelled or has ended;
 * - marks either with `rerun: true` when it is the server's second or later execution of the attempt and ran once
 *   the instant had come: the execution before it may have called;
 * - throws a retryable CLEARED_TOO_LATE failure, without calling, when it was cleared too late for a call that the
 *   server could not time out and run again meanwhile (LATE_CALL_MARGIN_MS);
 * - throws only when the attempt did not really happen: Temporal cancelled it (worker shutdown, activity timeout,
 *   the event cancelled while the attempt held) or the input is malformed. A cancelled attempt is not a failed
 *   webhook attempt: the server's retry runs it again (at-least-once delivery), or the cancelled event ends. Once the
 *   call has started, the event's cancel no longer stops it.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ServiceMetrics } from '../src/metrics/service-metrics';
import type { Env, EnvPolicy, FetchLike, SigningKey } from '../src/delivery';
import {
  type CallStop,
  callStopOn,
  callWebhook,
  type PreparedWebhook,
  preconnectWebhook,
  prepareWebhook,
} from '../src/delivery';
import { CLEARANCE_NEIGHBOURHOOD_MS, clearanceLeadMs, clearanceLimitMs, MAX_TIMER_MS } from '../src/shared/event';
import type {
  AttemptRecord,
  AttemptRef,
  CallClearance,
  DeliverWebhookInput,
  DeliverWebhookResult,
} from '../src/shared/event';
import type { CallsInFlight } from './calls-in-flight';
import type { HeldAttempts } from './held-attempts';

/** What the worker injects: the activity never reads `process.env` or global clocks on its own. */
export interface ActivityDeps {
  /** Environment for `{{VAR}}` webhook templates and `valueFromEnv` headers (the worker passes `process.env`). */
  env: Env;
  /** Which env names a webhook may read (WEBHOOK_ENV_ALLOW). (Default: the delivery layer's DEFAULT_ENV_POLICY) */
  envPolicy?: EnvPolicy;
  /** `User-Agent` sent with every webhook call, `<product>/<version>`. */
  userAgent: string;
  /** Keys that sign every call (WEBHOOK_SIGNING_SECRETS); none: unsigned. */
  signingKeys?: readonly SigningKey[];
  /**
   * HTTP client; the delivery layer's keep-alive client by default, which calls public addresses only (the worker
   * passes one built with WEBHOOK_ALLOWED_DESTINATIONS).
   */
  fetch?: FetchLike;
  /** Wall clock in ms since the epoch; `Date.now` by default. */
  now?: () => number;
  /** Where a holding attempt registers, so that the event's cancel stops it at once (the worker's registry). */
  heldAttempts?: HeldAttempts;
  /** Calls in flight on this worker (the worker's counter): during a burst, results are reported after the calls. */
  callsInFlight?: CallsInFlight;
  /**
   * Asks the server whether a held attempt may still call (src/temporal/call-clearance.ts): a held attempt does
   * not heartbeat, so this is how it learns, before its call, that its event was cancelled on another worker or
   * terminated from the Web UI or CLI. Absent (unit tests): every attempt may call.
   */
  clearForCall?: (client: Client, attempt: AttemptRef, signal?: AbortSignal) => Promise<CallClearance>;
  /**
   * Records a heartbeat and waits for the server's word (src/temporal/call-clearance.ts), for an attempt cleared
   * too close to its heartbeat timeout (LATE_CALL_MARGIN_MS): after `call`, it may call. Absent: such an attempt
   * makes no call and fails, to be run again.
   */
  heartbeatForCall?: (
    client: Client,
    taskToken: Uint8Array,
    wait: { signal?: AbortSignal; deadlineMs?: number },
  ) => Promise<CallClearance>;
  /** The process's metrics (attempts by outcome, call lateness); absent: none recorded. */
  metrics?: ServiceMetrics;
}

/**
 * How often the activity heartbeats while its call runs, once it has started to (see HEARTBEAT_MARGIN_MS). The SDK
 * throttles what it actually sends (80% of the heartbeat timeout, at most the worker's
 * `maxHeartbeatThrottleInterval`), so a short local interval costs the server nothing.
 *
 * No heartbeats while holding: the workflow sizes the heartbeat timeout to cover the hold, because a heartbeat is a
 * write on the server: with held attempts heartbeating every 8 s, a burst of 1,000 went from p99 1.26 s late to 6 s
 * on the dev server (bench/run.sh --scenarios burst). A cancel reaches a held attempt through `heldAttempts` instead.
 */
const HEARTBEAT_INTERVAL_MS = 1000;

/**
 * How long before its due instant a held attempt announces its call, so that the HTTP client opens the connection
 * (TCP, and TLS for https) while there is time: a burst's calls then go out as they start instead of after the last
 * one has started. Long enough for a TLS handshake to a distant receiver; short enough that the connection is still
 * open when the call comes (the client closes unused ones after 2 s, under receivers' keep-alive timeouts).
 */
const PRECONNECT_LEAD_MS = 500;

/**
 * The least time a heartbeat or a result is sent before the server's heartbeat timeout (counted from the attempt's
 * start). A running call sends its first heartbeat, and an answered one waiting behind a burst reports, no later
 * than halfway from the call's end or start to that point (`halfwayToTimeoutMs`), so that a burst's heartbeats and
 * reports spread over the time left, seconds ahead of it, instead of landing together. Not sooner than
 * HEARTBEAT_INTERVAL_MS after the call started either, so a call that answers quickly (most do) sends none: each
 * heartbeat goes through the SDK's pipeline on the worker's main thread, and with 10,000 calls in flight
 * heartbeating every second from their start, that took the thread from the calls still going out
 * (bench/PERFORMANCE.md "Bursts of 10,000"). An earlier heartbeat does not find a lost worker sooner: each one
 * restarts the timeout, which covers the hold.
 */
const HEARTBEAT_MARGIN_MS = 2000;

/** How long a busy server may take to record a heartbeat, for LATE_CALL_MARGIN_MS. */
const HEARTBEAT_RECORDING_MS = 2000;

/**
 * How long before the server's heartbeat timeout a call may still start on its own: its first heartbeat goes out
 * HEARTBEAT_INTERVAL_MS after it starts at the earliest and HEARTBEAT_MARGIN_MS before the timeout at the latest, and
 * a server busy with a burst may take seconds to record it. Closer than this (a clearance answered late, behind a
 * burst), the call waits until the server has recorded a heartbeat (`heartbeatForCall`), which restarts that timeout.
 * Before, such an attempt made no call and ran again, up to 50 s later in a burst of 10,000 on a busy server
 * (bench/PERFORMANCE.md "Late clearances").
 */
const LATE_CALL_MARGIN_MS = HEARTBEAT_INTERVAL_MS + HEARTBEAT_MARGIN_MS + HEARTBEAT_RECORDING_MS;

/** The failure of an attempt cleared too late to call (see LATE_CALL_MARGIN_MS); retried by the server. */
export const CLEARED_TOO_LATE_FAILURE_TYPE = 'CLEARED_TOO_LATE';

/** How much of a failure message goes into the log line: enough to recognise, not a 64 KiB response body. */
const LOGGED_MESSAGE_CHARS = 200;

/** The failure type of malformed input, for the workflow and for `nonRetryableErrorTypes`. */
export const INVALID_INPUT_FAILURE_TYPE = 'InvalidDeliverWebhookInput';

/** Parses an ISO-8601 instant from the input; malformed input is a bug that retrying cannot fix. */
function parseInstant(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw ApplicationFailure.nonRetryable(
      `${field} is not an ISO-8601 timestamp: ${value}`,
      INVALID_INPUT_FAILURE_TYPE,
    );
  }
  return ms;
}

/**
 * The waits of one attempt's hold: each resolves once `now() >= targetMs` by the wall clock, and rejects with the
 * reason of the first of `signals` to abort. Each loops because a timer may fire a little before the wall clock
 * reaches the target (timers run on a monotonic clock), and the webhook must never be called early.
 *
 * One abort listener per signal for the whole hold, added as it starts and left on the signals, which end with the
 * attempt: timers/promises' `delay` with a signal adds one per wait and removes it as the wait ends, which for the
 * last wait is at the instant, in every attempt of a burst (bench/PERFORMANCE.md, "Nothing added at the instant").
 * Plain signals only: Node keeps a signal made by `AbortSignal.any` alive while it has an abort listener, so one
 * left there would keep every finished attempt's hold in memory.
 */
function holdWaits(signals: readonly AbortSignal[], now: () => number): (targetMs: number) => Promise<void> {
  const waiting = new Set<{ timer: NodeJS.Timeout; reject: (reason: unknown) => void }>();
  for (const signal of signals) {
    signal.addEventListener(
      'abort',
      () => {
        for (const wait of waiting) {
          clearTimeout(wait.timer);
          wait.reject(signal.reason);
        }
        waiting.clear();
      },
      { once: true },
    );
  }
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const wait = {
        timer: setTimeout(() => {
          waiting.delete(wait);
          resolve();
        }, ms),
        reject,
      };
      waiting.add(wait);
    });
  return async (targetMs) => {
    for (let remainingMs = targetMs - now(); remainingMs > 0; remainingMs = targetMs - now()) {
      const aborted = signals.find((signal) => signal.aborted);
      if (aborted) throw aborted.reason;
      await sleep(Math.min(remainingMs, MAX_TIMER_MS));
    }
  };
}

/** `promise`, or the reason `signal` aborts with, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** This activity execution, as the server knows it. */
function attemptRef(context: Context): AttemptRef {
  const { workflowExecution, activityId, attempt } = context.info;
  if (workflowExecution === undefined) {
    throw ApplicationFailure.nonRetryable(
      "deliverWebhook runs only as a workflow's activity",
      INVALID_INPUT_FAILURE_TYPE,
    );
  }
  return {
    workflowId: workflowExecution.workflowId,
    runId: workflowExecution.runId,
    activityId,
    activityAttempt: attempt,
  };
}

/** One log line per attempt, with what an operator needs to find it and judge it. */
function logAttempt(record: AttemptRecord, latenessMs: number): void {
  const meta = {
    eventId: record.eventId,
    invocationId: record.id,
    attempt: record.attempt,
    status: record.status,
    durationMs: record.durationMs,
    latenessMs,
  };
  if (record.success) {
    log.info('webhook attempt delivered', meta);
  } else {
    const message = record.response.type === 'client_error' ? record.response.message : '';
    log.warn('webhook attempt failed', { ...meta, message: message.slice(0, LOGGED_MESSAGE_CHARS) });
  }
}

/**
 * Makes one webhook attempt for `input`, at or after `input.notBefore` and never after `input.notAfter`.
 * Must run inside an activity context (a worker or `MockActivityEnvironment`).
 *
 * @returns the attempt record, or `pastTolerance` when the attempt would start after `notAfter` (no call made).
 * @throws CancelledFailure when Temporal cancels the activity (while holding or mid-call): the call's outcome, if
 *   any, is discarded and the attempt is not counted. ApplicationFailure (non-retryable, type
 *   INVALID_INPUT_FAILURE_TYPE) for malformed timestamps or timeout.
 */
export async function deliverWebhook(input: DeliverWebhookInput, deps: ActivityDeps): Promise<DeliverWebhookResult> {
  const now = deps.now ?? Date.now;
  const notBeforeMs = parseInstant(input.notBefore, 'notBefore');
  const notAfterMs = parseInstant(input.notAfter, 'notAfter');
  if (!(input.timeoutSeconds > 0)) {
    throw ApplicationFailure.nonRetryable(
      `timeoutSeconds must be a positive number, got ${input.timeoutSeconds}`,
      INVALID_INPUT_FAILURE_TYPE,
    );
  }
  const context = Context.current();
  // The server counts its heartbeat timeout from its start of this attempt, which is no earlier than its scheduling
  // (on the server's clock); this function begins later, by the dispatch lag, which grows under a burst.
  const startedAtMs = Math.min(now(), context.info.currentAttemptScheduledTimestampMs);
  const { cancellationSignal: signal, heartbeat } = context;
  // A later execution of the attempt, which the server ran once the instant had come: the one before it ended
  // without a result at or after the instant (less the retry's backoff of at least a second, which covers the
  // clocks' skew), so it may have called. When this one makes no call, the workflow must not count that out.
  const rerun = context.info.attempt > 1 && context.info.currentAttemptScheduledTimestampMs >= notBeforeMs;
  const pastTolerance = (): DeliverWebhookResult => {
    deps.metrics?.attemptSkipped('past_tolerance');
    log.warn('webhook attempt skipped: past tolerance', {
      eventId: input.eventId,
      attempt: input.attempt,
      notAfter: input.notAfter,
      ...(rerun && { activityAttempt: context.info.attempt }),
    });
    return rerun ? { kind: 'pastTolerance', rerun } : { kind: 'pastTolerance' };
  };

  // Strictly later than the deadline is too late, as in Hasura (`now - scheduled_time > tolerance`).
  if (now() > notAfterMs) return pastTolerance();

  try {
    const { eventId, attempt } = input;
    /** No call made here, because the event was cancelled or has ended: what the workflow is told. */
    const notMade = (message: string, details: object = {}): DeliverWebhookResult => {
      log.info(message, { eventId, attempt, ...details, ...(rerun && { activityAttempt: context.info.attempt }) });
      deps.metrics?.attemptSkipped('cancelled');
      return rerun ? { kind: 'cancelled', rerun } : { kind: 'cancelled' };
    };
    // Once the call has started, the event's cancel (a cancel request from the workflow) no longer stops it: the call
    // finishes and is logged, so the record says what the receiver saw. Every other reason (worker shutdown, a missed
    // heartbeat, the workflow gone) still stops it, and the server runs the attempt again elsewhere; unless the
    // cancel request came first, since Temporal's signal aborts once, with the first reason.
    let stoppedByTemporal = false;
    const abortStopsCall = (): boolean => (stoppedByTemporal = !context.cancellationDetails?.cancelRequested);
    let prepared: PreparedWebhook;
    let callStop: CallStop;
    const hold = deps.heldAttempts?.hold(input.invocationId, notBeforeMs);
    try {
      const holdSignal = hold ? AbortSignal.any([signal, hold.signal]) : signal;
      const holdUntil = holdWaits(hold ? [signal, hold.signal] : [signal], now);
      // No call without the server's word that the event still runs: nothing else tells a held attempt. Asked
      // earlier when many attempts are due together (clearanceLeadMs), counted once they all hold, and never
      // earlier than the event allows (clearanceLimitMs, which the workflow's cancel reckons with).
      const limitMs = clearanceLimitMs(input.maxClearanceLeadMs);
      await holdUntil(notBeforeMs - limitMs);
      const leadMs = clearanceLeadMs(deps.heldAttempts?.dueNear(notBeforeMs, CLEARANCE_NEIGHBOURHOOD_MS) ?? 1, limitMs);
      const { clearForCall } = deps;
      const asked =
        clearForCall === undefined
          ? Promise.resolve<CallClearance>('call')
          : holdUntil(notBeforeMs - leadMs).then(() => clearForCall(context.client, attemptRef(context), holdSignal));
      asked.catch(() => undefined); // awaited below; a hold aborted meanwhile is handled by the hold that follows
      // Everything but the call is done ahead, while there is time: in a burst, each call's own work at the instant
      // delays every call that starts after it. Prepared with the clearance question when that is asked earlier (a
      // burst's questions are spread over the seconds before it), else PRECONNECT_LEAD_MS before the call: the
      // preparation of 10,000 attempts all at that moment ran past the instant (bench/PERFORMANCE.md "Bursts of
      // 10,000: the worker at the instant").
      await holdUntil(notBeforeMs - Math.max(leadMs, PRECONNECT_LEAD_MS));
      prepared = prepareWebhook(input, deps);
      // Follows Temporal's signal from now, while there is time, rather than from the call's instant (see CallStop).
      // Its listener stays until the attempt ends, with the signal, which is this attempt's own.
      callStop = callStopOn(signal, abortStopsCall);
      await holdUntil(notBeforeMs - PRECONNECT_LEAD_MS);
      if (now() < notBeforeMs) preconnectWebhook(prepared, notBeforeMs, deps);
      // Queued behind a burst, the answer may take a while: a cancel meanwhile ends the wait.
      const clearance = await untilAborted(asked, holdSignal);
      // A cancel that reached this worker while the server was answering wins too.
      if (hold?.signal.aborted) throw hold.signal.reason;
      // The failure webhook is owed once the event has ended, whatever cancel came before (or during) it.
      const owed = input.failureCallback === true && clearance === 'cancelled';
      if (clearance !== 'call' && !owed) {
        return notMade('webhook attempt not made: the event was cancelled or has ended', { clearance });
      }
      await holdUntil(notBeforeMs);
    } catch (error) {
      if (!signal.aborted && hold?.signal.aborted) return notMade('webhook attempt cancelled before its call');
      throw error;
    } finally {
      hold?.release();
    }
    // The hold ends at the due instant, but a late timer or a notBefore past notAfter could still overshoot.
    if (now() > notAfterMs) return pastTolerance();
    // A held attempt does not heartbeat, and the server's heartbeat timeout counts from its start. A clearance answered
    // late (queued behind a burst) must leave the call time to send its first heartbeat before that timeout, or the
    // server would run the attempt again while this one calls. Too close: the call waits for the server to record a
    // heartbeat, which restarts the timeout; if it had already timed the attempt out, no call is made here.
    const { heartbeatTimeoutMs, startToCloseTimeoutMs, taskToken } = context.info;
    /** When the server would time this attempt out without a (further) heartbeat, on this clock; none without one. */
    let heartbeatDeadlineMs = heartbeatTimeoutMs ? startedAtMs + heartbeatTimeoutMs : undefined;
    if (heartbeatTimeoutMs && heartbeatDeadlineMs !== undefined && now() + LATE_CALL_MARGIN_MS > heartbeatDeadlineMs) {
      // A heartbeat does not extend the start-to-close timeout, which the workflow sets to the heartbeat timeout plus
      // the call's: a call starting later than its share of it could be timed out, and run again, mid-call.
      const callByMs = startedAtMs + startToCloseTimeoutMs - input.timeoutSeconds * 1000 - HEARTBEAT_MARGIN_MS;
      const tooLate = (): ApplicationFailure =>
        ApplicationFailure.retryable(
          'the call was cleared too close to the heartbeat timeout to start; the attempt runs again',
          CLEARED_TOO_LATE_FAILURE_TYPE,
        );
      const sentAtMs = now();
      // Past the heartbeat timeout, the server runs the attempt again whatever this one does.
      const deadlineMs = Math.min(heartbeatDeadlineMs, callByMs);
      if (sentAtMs >= deadlineMs || deps.heartbeatForCall === undefined) throw tooLate();
      const recorded = await untilAborted(
        deps.heartbeatForCall(context.client, taskToken, { signal, deadlineMs }).catch((error: unknown) => {
          if (!signal.aborted)
            log.warn('heartbeat before a late call failed', { eventId, attempt, error: String(error) });
          return 'failed' as const;
        }),
        signal,
      );
      // Recorded either way; the failure webhook is owed whatever cancel came (as with the clearance above).
      if (recorded === 'cancelled' && input.failureCallback !== true) {
        return notMade('webhook attempt not made: the event was cancelled');
      }
      if ((recorded !== 'call' && recorded !== 'cancelled') || now() > callByMs) throw tooLate();
      // A cancel recorded since the clearance answer reaches the attempt's heartbeat only once a workflow task has
      // passed it on: ask again, now that the server will not time the attempt out meanwhile.
      if (deps.clearForCall !== undefined) {
        const again = await untilAborted(deps.clearForCall(context.client, attemptRef(context), signal), signal);
        const owed = input.failureCallback === true && again === 'cancelled';
        if (again !== 'call' && !owed) {
          return notMade('webhook attempt not made: the event was cancelled or has ended', { clearance: again });
        }
        if (now() > callByMs) throw tooLate();
      }
      if (now() > notAfterMs) return pastTolerance();
      // A sign of a server falling behind: operators see how often, and by how much.
      log.info('webhook attempt cleared late: called after a recorded heartbeat', {
        eventId,
        attempt,
        afterInstantMs: sentAtMs - notBeforeMs,
      });
      // Recorded no earlier than it was sent; the start-to-close timeout still stands.
      heartbeatDeadlineMs = Math.min(sentAtMs + heartbeatTimeoutMs, startedAtMs + startToCloseTimeoutMs);
    }

    /** Half the time left until HEARTBEAT_MARGIN_MS before the server's heartbeat timeout (see there). */
    const halfwayToTimeoutMs = (): number | undefined =>
      heartbeatDeadlineMs === undefined ? undefined : (heartbeatDeadlineMs - HEARTBEAT_MARGIN_MS - now()) / 2;
    const firstHeartbeatMs = Math.max(HEARTBEAT_INTERVAL_MS, halfwayToTimeoutMs() ?? 0);
    let heartbeats: NodeJS.Timeout | undefined;
    const firstHeartbeat = setTimeout(() => {
      heartbeat();
      heartbeats = setInterval(() => heartbeat(), HEARTBEAT_INTERVAL_MS);
    }, firstHeartbeatMs);
    const callEnded = deps.callsInFlight?.start();
    let record: AttemptRecord;
    try {
      record = await callWebhook(prepared, deps, callStop);
    } finally {
      callEnded?.();
      // Heartbeats are for a call that runs; one sent while the result waits below would be a server write per
      // attempt, in the very moments the server is busiest.
      clearTimeout(firstHeartbeat);
      clearInterval(heartbeats);
    }
    // Aborted by Temporal, not answered by the webhook: not an attempt to record (see the module comment). So too when
    // Temporal's abort came while no request was out (one that could not be made, or just after the answer).
    if (stoppedByTemporal || (signal.aborted && abortStopsCall())) throw signal.reason;
    // In a burst, the calls still going out come first; the record already holds this call's times. At most halfway
    // to the server's heartbeat timeout, counted from this attempt's start or its heartbeat before the call: the
    // earliest it can be, since no heartbeat of the call itself may have been recorded.
    await deps.callsInFlight?.untilNotBusy(halfwayToTimeoutMs());
    // How late the call started against its due instant: the scheduler's precision.
    const latenessMs = Date.parse(record.createdAt) - notBeforeMs;
    logAttempt(record, latenessMs);
    deps.metrics?.attempt({
      outcome: record.refused
        ? 'refused'
        : record.success
          ? 'delivered'
          : record.status === null
            ? 'no_response'
            : 'failed',
      status: record.status,
      latenessSeconds: latenessMs / 1000,
      durationSeconds: record.durationMs / 1000,
      failureCallback: input.failureCallback === true,
    });
    return { kind: 'attempted', record };
  } catch (error) {
    // Only reached before the call returned a record. The hold's timer rejects with an AbortError; rethrow
    // Temporal's own reason (a CancelledFailure) instead.
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}
