/**
 * Everything the client throws for a failed call is a `ScheduledEventsError`:
 *
 * ```
 * ScheduledEventsError            status, code, path, attempts
 * ├─ ApiError                     the server answered with a non-2xx status (code and path from its JSON body)
 * │  ├─ BadRequestApiError        400 parse-failed / invalid-json / not-supported
 * │  ├─ AccessDeniedApiError      401 access-denied
 * │  ├─ NotFoundApiError          404 not-found
 * │  ├─ ConflictApiError          409 conflict
 * │  ├─ PayloadTooLargeApiError   413 payload-too-large
 * │  ├─ RateLimitedApiError       429 (from a proxy or gateway; the service itself does not rate-limit)
 * │  └─ UnavailableApiError       503 unavailable
 * ├─ RequestTimeoutError          no answer within timeoutMs
 * ├─ NetworkError                 no answer at all (DNS, refused, reset); `cause` holds fetch's error
 * ├─ InvalidResponseError         a 2xx whose body is not the JSON the API promises
 * ├─ WaitTimeoutError             waitFor ran out of time
 * └─ UnexpectedStatusError        waitFor saw the event finish in a status it was not waiting for
 * ```
 *
 * The `ApiError` names end in `ApiError` so they do not read like the service's own domain errors
 * (`EventNotFoundError`, `EventConflictError` in src/shared/errors.ts), which never cross the wire.
 * Bad arguments (an invalid `Date`, a negative timeout) are programmer errors and throw `TypeError`/`RangeError`;
 * an aborted call rejects with its signal's `reason`, as `fetch` does.
 */
import type { ScheduledEvent } from './types';

/** What every `ScheduledEventsError` carries besides its message. */
export interface ScheduledEventsErrorOptions {
  /** HTTP status of the response; `null` when there was none. */
  status: number | null;
  /** The API's error code (`not-found`, ...) or one of the SDK's own (`timeout`, `network-error`, ...). */
  code: string;
  /** JSON path of the offending input (`$.schedule_at`), `$` for the whole request; `null` when not applicable. */
  path: string | null;
  /** HTTP attempts made for the call, retries included. (Default: 0, for errors not tied to a request) */
  attempts?: number;
  cause?: unknown;
}

/** Base class of every error the client throws for a failed call. Test with `instanceof`. */
export class ScheduledEventsError extends Error {
  /** HTTP status of the response; `null` when no response came (timeout, network error) or none was involved. */
  readonly status: number | null;
  /** Machine-readable reason: the API's `code`, or `timeout`, `network-error`, `invalid-response`, `wait-timeout`... */
  readonly code: string;
  /** JSON path of the offending input (`$.retry_conf.num_retries`), `$` for the whole request; `null` if none. */
  readonly path: string | null;
  /** HTTP attempts made for the call, retries included; 0 for errors not tied to a request. */
  readonly attempts: number;

  constructor(message: string, options: ScheduledEventsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScheduledEventsError';
    this.status = options.status;
    this.code = options.code;
    this.path = options.path;
    this.attempts = options.attempts ?? 0;
  }
}

/** Options of an `ApiError`: a response always has a status, and the API's errors always name a path. */
export interface ApiErrorOptions extends ScheduledEventsErrorOptions {
  status: number;
  path: string;
  /** How long the server asked the client to wait (`Retry-After`), in ms; `null` when it did not say. */
  retryAfterMs?: number | null;
}

/**
 * The server answered with a non-2xx status. `code`, `path` and the message come from its `{path, error, code}` body;
 * a body that is not one (a proxy's HTML page) gives code `http-<status>`, path `$` and the start of the body.
 */
export class ApiError extends ScheduledEventsError {
  declare readonly status: number;
  declare readonly path: string;
  /** The server's `Retry-After`, in ms; `null` when absent or unreadable. */
  readonly retryAfterMs: number | null;

  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** 400: the request was malformed or a field invalid (`parse-failed`, `invalid-json`, `not-supported`); see `path`. */
export class BadRequestApiError extends ApiError {
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'BadRequestApiError';
  }
}

/** 401 `access-denied`: the admin secret is missing or wrong. */
export class AccessDeniedApiError extends ApiError {
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'AccessDeniedApiError';
  }
}

/** 404 `not-found`: no event has this id. */
export class NotFoundApiError extends ApiError {
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'NotFoundApiError';
  }
}

/**
 * 409 `conflict`: the event's state forbids the change (an attempt has started, it has finished), or an
 * idempotency key was reused with a different body.
 */
export class ConflictApiError extends ApiError {
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'ConflictApiError';
  }
}

/** 413 `payload-too-large`: the request body exceeds the server's limit. */
export class PayloadTooLargeApiError extends ApiError {
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'PayloadTooLargeApiError';
  }
}

/** 429: a proxy or gateway in front of the service is rate-limiting; `retryAfterMs` says how long to wait. */
export class RateLimitedApiError extends ApiError {
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'RateLimitedApiError';
  }
}

/** 503 `unavailable`: the service cannot reach Temporal right now; try again shortly. */
export class UnavailableApiError extends ApiError {
  constructor(message: string, options: ApiErrorOptions) {
    super(message, options);
    this.name = 'UnavailableApiError';
  }
}

/**
 * An HTTP attempt got no complete response within its `timeoutMs`. For a call that is not retried (a create without
 * an idempotency key, `createMany`) the server may still have acted on it.
 */
export class RequestTimeoutError extends ScheduledEventsError {
  /** The bound that was exceeded, in ms. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options: { attempts?: number } = {}) {
    super(`no response from the scheduled-events API within ${timeoutMs} ms`, {
      status: null,
      code: 'timeout',
      path: null,
      attempts: options.attempts,
    });
    this.name = 'RequestTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The request failed below HTTP (DNS, connection refused or reset, TLS); `cause` is the error `fetch` threw.
 * As with a timeout, a call that is not retried may or may not have reached the server.
 */
export class NetworkError extends ScheduledEventsError {
  constructor(cause: unknown, options: { attempts?: number } = {}) {
    const detail = cause instanceof Error ? describeCause(cause) : String(cause);
    super(`cannot reach the scheduled-events API: ${detail}`, {
      status: null,
      code: 'network-error',
      path: null,
      attempts: options.attempts,
      cause,
    });
    this.name = 'NetworkError';
  }
}

/** A 2xx response whose body is not the JSON the API promises (wrong base URL, a proxy's page, a server bug). */
export class InvalidResponseError extends ScheduledEventsError {
  constructor(message: string, options: { status: number; attempts?: number; cause?: unknown }) {
    super(message, { ...options, code: 'invalid-response', path: null });
    this.name = 'InvalidResponseError';
  }
}

/** `waitFor` ran out of time before the event reached one of the awaited statuses. */
export class WaitTimeoutError extends ScheduledEventsError {
  /** The event as last seen; `null` if no poll completed. */
  readonly lastEvent: ScheduledEvent | null;

  constructor(eventId: string, timeoutMs: number, lastEvent: ScheduledEvent | null) {
    const seen = lastEvent === null ? 'never read' : `last status ${lastEvent.status}`;
    super(`event ${eventId} did not reach the awaited status within ${timeoutMs} ms (${seen})`, {
      status: null,
      code: 'wait-timeout',
      path: null,
    });
    this.name = 'WaitTimeoutError';
    this.lastEvent = lastEvent;
  }
}

/**
 * `waitFor` saw the event finish (`delivered`, `error`, `dead` or `cancelled`) in a status it was not waiting for.
 * A finished event never changes status again, so waiting longer could not help.
 */
export class UnexpectedStatusError extends ScheduledEventsError {
  /** The finished event. */
  readonly event: ScheduledEvent;

  constructor(event: ScheduledEvent, awaited: readonly string[]) {
    super(`event ${event.id} finished as ${event.status}, not ${awaited.join(' or ')}`, {
      status: null,
      code: 'unexpected-status',
      path: null,
    });
    this.name = 'UnexpectedStatusError';
    this.event = event;
  }
}

/** Node's fetch throws `TypeError('fetch failed')` with the useful part (`ECONNREFUSED ...`) in `cause`. */
function describeCause(error: Error): string {
  const inner = error.cause;
  if (inner instanceof Error && inner.message !== '') return `${error.message} (${inner.message})`;
  return error.message;
}
