/**
 * Polling an event until it reaches one of a set of statuses: the loop behind `ScheduledEventsClient#waitFor`.
 */
import type { EventStatus } from '../shared/event';
import { UnexpectedStatusError, WaitTimeoutError } from './errors';
import { abortReason, isAborted } from './sleep';
import type { Sleep } from './sleep';
import type { ScheduledEvent, WaitForOptions } from './types';

/** How long `waitFor` waits by default, in ms: long enough for a due event's first attempt at its default timeout. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

/** Pause between polls by default, in ms: a status changes at most a few times per event, so once a second suffices. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;

/** Statuses after which an event never changes again (src/shared/event.ts FINAL_STATUSES, kept as a type-only copy). */
const FINAL_STATUSES: ReadonlySet<EventStatus> = new Set<EventStatus>(['delivered', 'error', 'dead', 'cancelled']);

/** What the loop needs from the client. */
export interface WaitForDeps<E extends ScheduledEvent> {
  /** Reads the event once; must reject with `signal.reason` when `signal` aborts. */
  read(signal: AbortSignal): Promise<E>;
  sleep: Sleep;
  now: () => number;
}

/**
 * Reads the event until its status is one of `statuses`, then returns it.
 *
 * The deadline is enforced twice: against `now()` between polls (so an injected clock drives it in tests), and by a
 * timer that aborts a read or pause still running when time is up, so a slow server cannot stretch the wait by a
 * whole request timeout.
 *
 * @throws WaitTimeoutError when `timeoutMs` passes first; UnexpectedStatusError when the event finishes in another
 *   status; whatever a read throws (NotFoundApiError for an unknown id...); `options.signal.reason` when aborted.
 */
export async function waitForStatus<E extends ScheduledEvent>(
  eventId: string,
  statuses: EventStatus | readonly EventStatus[],
  options: WaitForOptions,
  deps: WaitForDeps<E>,
): Promise<E> {
  const awaited: readonly EventStatus[] = typeof statuses === 'string' ? [statuses] : statuses;
  if (awaited.length === 0) throw new RangeError('waitFor needs at least one status to wait for');
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!(timeoutMs >= 0)) throw new RangeError('waitFor timeoutMs must be a number >= 0');
  if (!(pollIntervalMs >= 0)) throw new RangeError('waitFor pollIntervalMs must be a number >= 0');

  const callerSignal = options.signal;
  if (isAborted(callerSignal)) throw abortReason(callerSignal);
  const deadline = deps.now() + timeoutMs;
  const expiry = new AbortController();
  const timer = setTimeout(() => expiry.abort(), timeoutMs);
  const signal = callerSignal === undefined ? expiry.signal : AbortSignal.any([callerSignal, expiry.signal]);
  let last: E | null = null;
  try {
    for (;;) {
      last = await deps.read(signal);
      if (awaited.includes(last.status)) return last;
      if (FINAL_STATUSES.has(last.status)) throw new UnexpectedStatusError(last, awaited);
      const remainingMs = deadline - deps.now();
      if (remainingMs <= 0) throw new WaitTimeoutError(eventId, timeoutMs, last);
      await deps.sleep(Math.min(pollIntervalMs, remainingMs), signal);
    }
  } catch (error) {
    if (!isAborted(callerSignal) && expiry.signal.aborted) throw new WaitTimeoutError(eventId, timeoutMs, last);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
