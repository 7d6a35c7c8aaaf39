/**
 * One JSON request to the REST API, with a timeout per attempt and retries with backoff. Knows HTTP, JSON and the
 * error shape; knows nothing about events (./client.ts does).
 */
import { InvalidResponseError, NetworkError, RequestTimeoutError } from './errors';
import type { ScheduledEventsError } from './errors';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from './retry-policy';
import { abortReason, isAborted } from './sleep';
import type { Sleep } from './sleep';
import { apiErrorFromResponse } from './to-api-error';

/** What the SDK needs from a response; the global `Response` has it. */
export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** What the SDK passes to `fetch`; a subset of `RequestInit`. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/**
 * The `fetch` the client calls: the global one by default. Any function with this shape works (an undici `fetch`
 * with a custom dispatcher, a test fake, `(url, init) => app.request(url, init)` for an in-process Hono app).
 */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** Settings of a transport, every one resolved (./client.ts fills in the defaults). */
export interface TransportConfig {
  baseUrl: string;
  adminSecret: string | undefined;
  timeoutMs: number;
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  fetch: FetchLike;
  sleep: Sleep;
  now: () => number;
  random: () => number;
}

/** One call to the API. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the base URL, starting with `/`, each segment already encoded. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Whether repeating the request cannot do harm; only then is it retried. */
  retryable: boolean;
  signal?: AbortSignal;
  /** Overrides the configured per-attempt timeout. */
  timeoutMs?: number;
}

/** A 2xx answer. */
export interface ApiResponse {
  status: number;
  /** The parsed JSON body; `null` for an empty body. */
  body: unknown;
  /** HTTP attempts it took, retries included. */
  attempts: number;
}

/** A response read in full within the attempt's time. */
interface RawResponse {
  status: number;
  text: string;
  retryAfter: string | null;
}

/**
 * Sends requests to one API base URL.
 *
 * Each attempt has its own timeout (`timeoutMs`), which covers reading the body as well as the headers, since a
 * server can stall in either. A retryable request is repeated up to `retries` times after a network error, a timeout
 * or a 429/502/503/504, waiting between attempts with exponential backoff and jitter, or as long as `Retry-After`
 * asks. A pause longer than `retryMaxDelayMs` is not waited out: the error is thrown at once, with `retryAfterMs` set,
 * so that a client call never hangs for minutes on a server's say-so.
 */
export class Transport {
  constructor(private readonly config: TransportConfig) {}

  /**
   * Sends `request`, retrying as allowed, and returns the 2xx response.
   *
   * @throws ApiError (a subclass by status) for a non-2xx answer; RequestTimeoutError; NetworkError;
   *   InvalidResponseError for a 2xx body that is not JSON; `request.signal.reason` when aborted.
   */
  async request(request: ApiRequest): Promise<ApiResponse> {
    const url = this.url(request.path, request.query);
    const maxAttempts = request.retryable ? this.config.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let failure: ScheduledEventsError;
      let retryAfterMs: number | null = null;
      try {
        const raw = await this.attempt(url, request, attempt);
        if (raw.status >= 200 && raw.status < 300) {
          return { status: raw.status, body: parseBody(raw, attempt), attempts: attempt };
        }
        retryAfterMs = parseRetryAfterMs(raw.retryAfter, this.config.now());
        const error = apiErrorFromResponse(raw.status, raw.text, retryAfterMs, attempt);
        if (!isRetryableStatus(raw.status)) throw error;
        failure = error;
      } catch (error) {
        if (!(error instanceof NetworkError || error instanceof RequestTimeoutError)) throw error;
        failure = error;
      }
      if (attempt >= maxAttempts) throw failure;
      const delayMs =
        retryAfterMs ??
        backoffDelayMs(attempt, this.config.retryBaseDelayMs, this.config.retryMaxDelayMs, this.config.random);
      if (delayMs > this.config.retryMaxDelayMs) throw failure;
      await this.config.sleep(delayMs, request.signal);
    }
  }

  /** One HTTP exchange, bounded by the attempt's timeout and by the caller's signal. */
  private async attempt(url: string, request: ApiRequest, attempt: number): Promise<RawResponse> {
    const callerSignal = request.signal;
    if (isAborted(callerSignal)) throw abortReason(callerSignal);
    const timeoutMs = request.timeoutMs ?? this.config.timeoutMs;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([callerSignal, timeout.signal]);
    try {
      const response = await untilAborted(
        this.config.fetch(url, {
          method: request.method,
          headers: this.headers(request),
          body: jsonBody(request),
          signal,
        }),
        signal,
      );
      const text = await untilAborted(response.text(), signal);
      return { status: response.status, text, retryAfter: response.headers.get('retry-after') };
    } catch (error) {
      if (isAborted(callerSignal)) throw abortReason(callerSignal);
      if (timeout.signal.aborted) throw new RequestTimeoutError(timeoutMs, { attempts: attempt });
      throw new NetworkError(error, { attempts: attempt });
    } finally {
      clearTimeout(timer);
    }
  }

  private url(path: string, query: Record<string, string | undefined> | undefined): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(name, value);
    }
    const search = params.toString();
    return `${this.config.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
  }

  private headers(request: ApiRequest): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (this.config.adminSecret !== undefined) headers.authorization = `Bearer ${this.config.adminSecret}`;
    return headers;
  }
}

function jsonBody(request: ApiRequest): string | undefined {
  return request.body === undefined ? undefined : JSON.stringify(request.body);
}

/** Parses a 2xx body; an empty body is `null`. */
function parseBody(raw: RawResponse, attempts: number): unknown {
  if (raw.text.trim() === '') return null;
  try {
    return JSON.parse(raw.text) as unknown;
  } catch (cause) {
    throw new InvalidResponseError(`the API answered ${raw.status} with a body that is not JSON`, {
      status: raw.status,
      attempts,
      cause,
    });
  }
}

/**
 * Settles with `promise`, or rejects as soon as `signal` aborts. `fetch` honours its signal by itself, but a custom
 * `fetch` or a body stream might not; without this race such an attempt could outlive its timeout.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // The race subscribes to both promises, so the loser's later rejection is never reported as unhandled.
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
