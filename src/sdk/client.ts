/**
 * `ScheduledEventsClient`: the typed client of the native REST API (docs/contract.md §7).
 */
import { type EventStatus, MAX_BATCH_EVENTS } from '../shared/event';
import { ConflictApiError, InvalidResponseError, ScheduledEventsError } from './errors';
import {
  fromWireBatchResults,
  fromWireEvent,
  fromWireEventDetails,
  fromWireEventPage,
  fromWireInvocationList,
  MalformedResponseError,
} from './from-wire';
import { sleep as defaultSleep } from './sleep';
import type { Sleep } from './sleep';
import { apiErrorFromItem, isWireError } from './to-api-error';
import { toIsoTime, toWireCreate, toWirePatch } from './to-wire';
import { Transport } from './transport';
import type { ApiResponse, FetchLike } from './transport';
import type {
  CallOptions,
  CreateCallOptions,
  CreateEventOptions,
  CreateManyResult,
  EventPage,
  EventPatch,
  Invocation,
  ListEventsFilter,
  ScheduledEvent,
  ScheduledEventDetails,
  TimeInput,
  WaitForOptions,
} from './types';
import { waitForStatus } from './wait-for';
import type { WireCreateArgs } from './wire';

/** Per-attempt timeout by default, in ms: well above the API's own deadline for reaching Temporal. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Retries of a retryable call by default: three attempts ride out a restart or a brief Temporal hiccup. */
export const DEFAULT_RETRIES = 2;
/** First backoff step by default, in ms (the pause is between half and all of the step). */
export const DEFAULT_RETRY_BASE_DELAY_MS = 500;
/** Longest pause between attempts by default, in ms; a longer `Retry-After` is not waited out. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;

/** Settings of a `ScheduledEventsClient`. */
export interface ScheduledEventsClientOptions {
  /** Where the API is served, e.g. `http://127.0.0.1:8080`; may include a path prefix (`https://host/scheduler`). */
  baseUrl: string | URL;
  /** Sent as `Authorization: Bearer <adminSecret>`; leave out for a server without `ADMIN_SECRET`. */
  adminSecret?: string;
  /** Bound on each HTTP attempt (headers and body), in ms. (Default: 10,000) */
  timeoutMs?: number;
  /**
   * How many times a retryable call is repeated after a network error, a timeout, or a 429/502/503/504 answer.
   * Retryable: every GET, `update`/`reschedule` (PATCH), `cancel` (DELETE), and `create` with an idempotency key.
   * Never retried: `create` without a key and `createMany`. (Default: 2, so at most 3 attempts)
   */
  retries?: number;
  /** First backoff step, in ms; each retry doubles it. (Default: 500) */
  retryBaseDelayMs?: number;
  /**
   * Cap on the pause between attempts, in ms. A `Retry-After` asking for longer ends the retries: the error is thrown
   * at once with `retryAfterMs` set. (Default: 30,000)
   */
  retryMaxDelayMs?: number;
  /** The `fetch` to use. (Default: the global `fetch`) */
  fetch?: FetchLike;
  /** How to pause between attempts and polls; tests pass a fake. (Default: an abortable `setTimeout`) */
  sleep?: Sleep;
  /** Current time in ms since the epoch, for `Retry-After` dates and `waitFor` deadlines. (Default: `Date.now`) */
  now?: () => number;
  /** Random number in [0, 1), for backoff jitter. (Default: `Math.random`) */
  random?: () => number;
}

function nonNegative(value: number, name: string, integer = false): number {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a finite ${integer ? 'integer' : 'number'} >= 0, got ${value}`);
  }
  return value;
}

/** The base URL without trailing slashes, so paths can be appended; only http(s) makes sense for this API. */
function normalizeBaseUrl(baseUrl: string | URL): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got ${String(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an http: or https: URL, got ${url.protocol}`);
  }
  if (url.search !== '' || url.hash !== '') throw new TypeError('baseUrl must not have a query or fragment');
  return url.href.replace(/\/+$/, '');
}

/** `/v1/events/<id>`: ids are chosen by callers, so they are encoded. */
function eventPath(id: string): string {
  if (typeof id !== 'string' || id === '') throw new TypeError('event id must be a non-empty string');
  // URLs resolve `.` and `..` (and their %2E spellings) as path segments: `/v1/events/..` would be `/v1/`.
  if (/^(?:\.|%2e){1,2}$/i.test(id)) throw new TypeError(`event id cannot be ${JSON.stringify(id)}`);
  return `/v1/events/${encodeURIComponent(id)}`;
}

/** Decodes a 2xx body, turning a shape problem into InvalidResponseError with the response's status. */
function decode<T>(response: ApiResponse, decoder: (body: unknown) => T): T {
  try {
    return decoder(response.body);
  } catch (error) {
    if (!(error instanceof MalformedResponseError)) throw error;
    throw new InvalidResponseError(`unexpected response from the API: ${error.message}`, {
      status: response.status,
      attempts: response.attempts,
      cause: error,
    });
  }
}

/**
 * A typed client of the scheduled-events REST API, for Node 20+ (or any runtime with `fetch` and
 * `AbortSignal.any`). It has no dependencies.
 *
 * Times go in as `Date` or ISO-8601 strings and come back as `Date`. Every method rejects with a
 * `ScheduledEventsError` subclass (see ./errors.ts) when the call fails, with the caller's `signal.reason` when
 * aborted, and throws `TypeError`/`RangeError` for invalid arguments.
 *
 * @example
 * const client = new ScheduledEventsClient({ baseUrl: 'http://127.0.0.1:8080', adminSecret: process.env.ADMIN_SECRET });
 * const event = await client.create(
 *   { webhook: 'https://example.com/hook', scheduleAt: new Date(Date.now() + 60_000), payload: { orderId: 42 } },
 *   { idempotencyKey: 'order-42-reminder' },
 * );
 * const done = await client.waitFor(event.id, ['delivered', 'error', 'dead'], { timeoutMs: 120_000 });
 */
export class ScheduledEventsClient {
  private readonly transport: Transport;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  /**
   * @throws TypeError for a `baseUrl` that is not an absolute http(s) URL, or when no `fetch` is available;
   *   RangeError for a negative or non-finite number option.
   */
  constructor(options: ScheduledEventsClientOptions) {
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    // Called through a wrapper so that `fetch` keeps `globalThis` as its receiver, which browsers require.
    const fetch = options.fetch ?? (globalFetch === undefined ? undefined : (url, init) => globalFetch(url, init));
    if (fetch === undefined) throw new TypeError('no global fetch: pass options.fetch');
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.transport = new Transport({
      baseUrl: normalizeBaseUrl(options.baseUrl),
      adminSecret: options.adminSecret,
      timeoutMs: nonNegative(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs'),
      retries: nonNegative(options.retries ?? DEFAULT_RETRIES, 'retries', true),
      retryBaseDelayMs: nonNegative(options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS, 'retryBaseDelayMs'),
      retryMaxDelayMs: nonNegative(options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS, 'retryMaxDelayMs'),
      fetch,
      sleep: this.sleep,
      now: this.now,
      random: options.random ?? Math.random,
    });
  }

  /**
   * Schedules one event (`POST /v1/events`).
   *
   * Pass an `idempotencyKey` to make the call safe to repeat: the SDK then retries it, and a repeat with the same
   * key and body returns the event created first. Without a key a create is sent once; after a `RequestTimeoutError`
   * or `NetworkError` the event may or may not exist.
   *
   * @returns the created event (or, for a repeated idempotency key, the first one).
   * @throws BadRequestApiError for an invalid field (`path` names it); ConflictApiError when the idempotency key was
   *   used with a different body; PayloadTooLargeApiError; UnavailableApiError; and the errors of every call.
   */
  async create(options: CreateEventOptions, callOptions: CreateCallOptions = {}): Promise<ScheduledEvent> {
    const { idempotencyKey, ...rest } = callOptions;
    const response = await this.transport.request({
      method: 'POST',
      path: '/v1/events',
      body: toWireCreate(options),
      headers: idempotencyKey === undefined ? undefined : { 'idempotency-key': idempotencyKey },
      retryable: idempotencyKey !== undefined,
      ...rest,
    });
    return decode(response, fromWireEvent);
  }

  /**
   * Schedules many events (`POST /v1/events/batch`), in requests of up to 1,000, one after another.
   *
   * Resolves with one result per input, in input order: `{ ok: true, event }` or `{ ok: false, error }`. One refused
   * item fails only itself. It does not reject for a failed request either, because earlier requests may already
   * have created events that the caller must learn about: when a request fails (network, timeout, 401, 503...), its
   * items and those of every later request get that error and nothing more is sent. The batch endpoint takes no
   * idempotency key, so it is never retried; after a timeout or network error, that request's events may exist.
   *
   * @throws TypeError/RangeError for an invalid item (checked for all items before anything is sent);
   *   `signal.reason` when aborted.
   */
  async createMany(list: readonly CreateEventOptions[], callOptions: CallOptions = {}): Promise<CreateManyResult[]> {
    const bodies = list.map(toWireCreate);
    const results: CreateManyResult[] = [];
    for (let start = 0; start < bodies.length; start += MAX_BATCH_EVENTS) {
      const chunk = bodies.slice(start, start + MAX_BATCH_EVENTS);
      try {
        results.push(...(await this.createChunk(chunk, callOptions)));
      } catch (error) {
        if (!(error instanceof ScheduledEventsError)) throw error;
        while (results.length < bodies.length) results.push({ ok: false, error });
        break;
      }
    }
    return results;
  }

  private async createChunk(chunk: WireCreateArgs[], callOptions: CallOptions): Promise<CreateManyResult[]> {
    const response = await this.transport.request({
      method: 'POST',
      path: '/v1/events/batch',
      body: { events: chunk },
      retryable: false,
      ...callOptions,
    });
    const items = decode(response, (body) => fromWireBatchResults(body, chunk.length));
    return items.map((item, index): CreateManyResult => {
      if (item.ok) return item;
      if (isWireError(item.error)) return { ok: false, error: apiErrorFromItem(item.error, response.attempts) };
      const error = new InvalidResponseError(`results[${index}].error is not an {path, error, code} object`, {
        status: response.status,
        attempts: response.attempts,
      });
      return { ok: false, error };
    });
  }

  /**
   * Reads one event (`GET /v1/events/{id}`).
   *
   * @throws NotFoundApiError when no event has this id; and the errors of every call.
   */
  async get(id: string, callOptions: CallOptions = {}): Promise<ScheduledEventDetails> {
    const response = await this.transport.request({
      method: 'GET',
      path: eventPath(id),
      retryable: true,
      ...callOptions,
    });
    return decode(response, fromWireEventDetails);
  }

  /**
   * Every event matching `filter`, in `scheduledTime` order, fetched page by page as the iteration goes
   * (`GET /v1/events`, following `next_cursor`). Breaking out of the loop stops fetching.
   *
   * @example
   * for await (const event of client.list({ status: ['error', 'dead'] })) console.log(event.id, event.status);
   * @throws (while iterating) BadRequestApiError for an invalid filter (such as a `pageSize` above 1,000);
   *   InvalidResponseError if the server repeats a cursor; and the errors of every call.
   */
  async *list(filter: ListEventsFilter = {}, callOptions: CallOptions = {}): AsyncGenerator<ScheduledEvent, void> {
    const seen = new Set<string>();
    let cursor = filter.cursor;
    for (;;) {
      const page = await this.listPage({ ...filter, cursor }, callOptions);
      yield* page.events;
      if (page.nextCursor === null) return;
      // A server that hands out a cursor twice would loop forever; stop with an error instead.
      if (seen.has(page.nextCursor)) {
        throw new InvalidResponseError(`the API returned the cursor ${page.nextCursor} twice`, { status: 200 });
      }
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  /**
   * One page of events (`GET /v1/events`); for callers that keep the cursor themselves (a paged UI). `list` is the
   * simpler way to read them all.
   *
   * @throws BadRequestApiError for an invalid filter; and the errors of every call.
   */
  async listPage(filter: ListEventsFilter = {}, callOptions: CallOptions = {}): Promise<EventPage> {
    const statuses: readonly EventStatus[] =
      filter.status === undefined ? [] : typeof filter.status === 'string' ? [filter.status] : filter.status;
    const response = await this.transport.request({
      method: 'GET',
      path: '/v1/events',
      query: {
        // An empty list means no filter, as the server reads an absent `status`.
        status: statuses.length === 0 ? undefined : statuses.join(','),
        scheduled_after: optionalTime(filter.scheduledAfter, 'scheduledAfter'),
        scheduled_before: optionalTime(filter.scheduledBefore, 'scheduledBefore'),
        limit: filter.pageSize === undefined ? undefined : String(filter.pageSize),
        cursor: filter.cursor,
      },
      retryable: true,
      ...callOptions,
    });
    return decode(response, fromWireEventPage);
  }

  /**
   * The webhook attempts of one event, newest first (`GET /v1/events/{id}/invocations`).
   *
   * @throws NotFoundApiError when no event has this id; and the errors of every call.
   */
  async invocations(id: string, callOptions: CallOptions = {}): Promise<Invocation[]> {
    const response = await this.transport.request({
      method: 'GET',
      path: `${eventPath(id)}/invocations`,
      retryable: true,
      ...callOptions,
    });
    return decode(response, fromWireInvocationList);
  }

  /**
   * Changes a pending event (`PATCH /v1/events/{id}`): only the fields given; `retryConf` merges field by field.
   *
   * Retried like a GET. PATCH is not idempotent in general, but this one only sets values (no increments, no
   * appends), so applying it twice leaves the event as applying it once does. One caveat: if the first attempt was
   * applied but its answer lost, and the first attempt is prepared before the retry, the retry gets a 409.
   *
   * @returns the event as changed.
   * @throws ConflictApiError once the attempt is prepared (30 s before due, up to 3 min in a burst) or made, or the event has finished;
   *   NotFoundApiError; BadRequestApiError for an invalid field; and the errors of every call.
   */
  async update(id: string, patch: EventPatch, callOptions: CallOptions = {}): Promise<ScheduledEvent> {
    const response = await this.transport.request({
      method: 'PATCH',
      path: eventPath(id),
      body: toWirePatch(patch),
      retryable: true,
      ...callOptions,
    });
    return decode(response, fromWireEvent);
  }

  /**
   * Moves a pending event to a new due time; `update(id, { scheduleAt: at })`.
   *
   * @throws as `update`.
   */
  async reschedule(id: string, at: TimeInput, callOptions: CallOptions = {}): Promise<ScheduledEvent> {
    return this.update(id, { scheduleAt: at }, callOptions);
  }

  /**
   * Cancels a `scheduled` or `locked` event (`DELETE /v1/events/{id}`). A `cancelled` answer is final: the webhook
   * is never called for it. A call already under way is not interrupted: it decides the event (a 409).
   *
   * Retried like a GET. If a retry gets a 409 because the lost first attempt already cancelled the event, the
   * cancelled event is returned rather than the 409.
   *
   * @returns the event: `cancelled` (or `dead`, when its tolerance ran out first), or still `scheduled`/`locked`
   *   when the server answered 202: the cancel is recorded but a worker holding the attempt has not confirmed yet
   *   (`waitFor(id, ['cancelled', 'delivered', 'error'])` tells how it ended).
   * @throws ConflictApiError when the event had already finished (delivered, error, dead, cancelled), or when a
   *   call under way decided it; NotFoundApiError; and the errors of every call.
   */
  async cancel(id: string, callOptions: CallOptions = {}): Promise<ScheduledEvent> {
    try {
      const response = await this.transport.request({
        method: 'DELETE',
        path: eventPath(id),
        retryable: true,
        ...callOptions,
      });
      return decode(response, fromWireEvent);
    } catch (error) {
      if (error instanceof ConflictApiError && error.attempts > 1) {
        const event = await this.get(id, callOptions);
        if (event.status === 'cancelled') return event;
      }
      throw error;
    }
  }

  /**
   * Polls an event (`get`) until its status is one of `statuses`, then returns it.
   *
   * @param statuses the status or statuses to wait for, e.g. `'delivered'` or `['delivered', 'error', 'dead']`.
   * @param options `timeoutMs` (default 60,000), `pollIntervalMs` (default 1,000), `signal`.
   * @throws WaitTimeoutError when `timeoutMs` passes first (`lastEvent` holds the last poll);
   *   UnexpectedStatusError when the event finishes in a status not awaited (it would never change again);
   *   NotFoundApiError; RangeError for an empty `statuses`; and the errors of every call.
   */
  async waitFor(
    id: string,
    statuses: EventStatus | readonly EventStatus[],
    options: WaitForOptions = {},
  ): Promise<ScheduledEventDetails> {
    return waitForStatus(id, statuses, options, {
      read: (signal) => this.get(id, { signal }),
      sleep: this.sleep,
      now: this.now,
    });
  }
}

function optionalTime(time: TimeInput | undefined, field: string): string | undefined {
  return time === undefined ? undefined : toIsoTime(time, field);
}
