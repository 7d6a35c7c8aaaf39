/**
 * When and how long the client waits before repeating an HTTP request. Pure functions; ./transport.ts applies them.
 *
 * Which calls may be repeated at all is the caller's decision (`retryable` on a request): GET, PATCH and DELETE
 * always, POST /v1/events only with an idempotency key, the batch create never (see ./client.ts).
 */

/**
 * Statuses worth repeating a request for: the request was refused before it did anything (429), or a proxy or the
 * service could not get an answer (502, 503, 504). A 500 is not among them: it means a bug, and repeating the same
 * request would most likely hit the same bug.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

const MS_PER_SECOND = 1000;

/** delta-seconds (RFC 9110 §10.2.3): digits only. */
const DELTA_SECONDS = /^\d+$/;

/** Whether a response with this status may be repeated (when the call itself is retryable). */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * The pause before retry number `retry` (1 for the first retry): exponential growth from `baseDelayMs`, capped at
 * `maxDelayMs`, with "equal jitter": half of the step is fixed and half random. The fixed half guarantees that the
 * pauses really grow (a service that is down gets breathing room); the random half keeps many clients that failed
 * together from retrying in lockstep.
 *
 * @param retry 1-based retry number.
 * @param baseDelayMs step of the first retry, in ms.
 * @param maxDelayMs largest step, in ms.
 * @param random a number in [0, 1), as `Math.random` returns.
 * @returns the pause in ms, in [step / 2, step).
 */
export function backoffDelayMs(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  const half = step / 2;
  return Math.round(half + random() * half);
}

/**
 * Reads a `Retry-After` header: delta-seconds, or an HTTP-date (read by `Date.parse`, which accepts the IMF-fixdate
 * form servers send).
 *
 * @param value the header value; null when absent.
 * @param nowMs the current time in ms since the epoch, to turn a date into a delay.
 * @returns the delay in ms (0 for a date in the past), or null when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (DELTA_SECONDS.test(trimmed)) return Number(trimmed) * MS_PER_SECOND;
  // Date.parse also reads plain numbers with signs or fractions as years; only try it on something date-like.
  if (!/[a-z]/i.test(trimmed)) return null;
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return null;
  return Math.max(0, dateMs - nowMs);
}
