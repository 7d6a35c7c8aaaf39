/**
 * The SDK's public data types: the REST API's objects in camelCase, with `Date` objects for times and units in every
 * numeric name. The wire (snake_case) shapes live in ./wire.ts; ./to-wire.ts and ./from-wire.ts convert between them.
 */
import type { EventStatus, HeaderConf, JsonValue, RetryConf } from '../shared/event';
import type { ScheduledEventsError } from './errors';

export type { EventStatus, HeaderConf, JsonValue, RetryConf };

/** A point in time as the SDK accepts it: a `Date`, or an ISO-8601 string with `Z` or an offset (sent as given). */
export type TimeInput = Date | string;

/** What to schedule; `POST /v1/events` (Hasura's `create_scheduled_event` args). */
export interface CreateEventOptions {
  /**
   * URL the event is POSTed to. May contain `{{ENV_VAR}}` templates, which the worker resolves at delivery time;
   * without templates it must be an absolute `http:`/`https:` URL.
   */
  webhook: string;
  /** When to deliver. Past times are accepted: the event fires at once (or is `dead` if past its tolerance). */
  scheduleAt: TimeInput;
  /** Any JSON value, sent as the `payload` field of the webhook body. (Default: `null`) */
  payload?: JsonValue;
  /** Headers sent with the webhook call; `valueFromEnv` is read from the worker's environment at delivery time. */
  headers?: HeaderConf[];
  /** Retry settings; absent fields take the server's defaults (0 retries, 10 s apart, 60 s timeout, 6 h tolerance). */
  retryConf?: Partial<RetryConf>;
  /** Free text, echoed in the webhook body and in listings. */
  comment?: string;
  /**
   * Called once, signed, if the event ends `error` or `dead`, with the event, the reason and its last attempt (up to
   * 3 tries). Not sent the event's `headers`. Set at create only.
   */
  failureWebhook?: string;
}

/**
 * Changes to a pending event; `PATCH /v1/events/{id}`. Only the fields given are changed; `retryConf` is merged field
 * by field with the event's current one. Allowed until the first attempt starts.
 */
export interface EventPatch {
  /** New due time. */
  scheduleAt?: TimeInput;
  /** New payload (`null` is a value, not "unchanged": leave the field out to keep the current payload). */
  payload?: JsonValue;
  /** New header list; replaces the whole list. */
  headers?: HeaderConf[];
  /** Retry fields to change; the others keep their current values. */
  retryConf?: Partial<RetryConf>;
  /** New comment; `null` asks the server to clear it. */
  comment?: string | null;
  /** New webhook URL (template). */
  webhook?: string;
}

/** A scheduled event as the API returns it. */
export interface ScheduledEvent {
  /** Event id; also the Temporal workflow id. */
  id: string;
  /** The webhook URL template as given at create (`webhook_conf` on the wire; env templates unresolved). */
  webhook: string;
  /** When the event is due (`scheduled_time`). */
  scheduledTime: Date;
  /** The full retry settings, defaults filled in. */
  retryConf: RetryConf;
  /** The payload as given (`null` when none). */
  payload: JsonValue;
  /** The configured headers as given (`header_conf`; env references unresolved). */
  headers: HeaderConf[];
  /** Where the event is in its life; see docs/contract.md §1. */
  status: EventStatus;
  /** Attempts made so far. */
  tries: number;
  /** When the event was created. */
  createdAt: Date;
  /** When the next retry is due, while one is pending; otherwise `null`. */
  nextRetryAt: Date | null;
  /** The comment, or `null`. */
  comment: string | null;
  /** The failure webhook (an extension): called once if the event ends `error` or `dead`; null when none. */
  failureWebhook: string | null;
}

/** A single event as `GET /v1/events/{id}` returns it: the event plus a link to it in the Temporal Web UI. */
export interface ScheduledEventDetails extends ScheduledEvent {
  /** The event's workflow page in the Temporal Web UI; `null` if the server did not send one. */
  temporalUiUrl: string | null;
}

/** One header of a webhook response, as logged. */
export interface ResponseHeader {
  name: string;
  value: string;
}

/** What came back from one webhook attempt. */
export type InvocationResponse =
  | {
      /** The webhook answered 2xx. */
      type: 'webhook_response';
      /** HTTP status code. */
      status: number;
      headers: ResponseHeader[];
      /** The response body as text, cut to 64 KiB by the server. */
      body: string;
      /** The server cut the body. */
      truncated: boolean;
    }
  | {
      /** A non-2xx answer (`message` is its body) or no answer at all (`message` says why: timeout, refused...). */
      type: 'client_error';
      message: string;
      /** The server cut the message. */
      truncated: boolean;
    };

/** One webhook attempt (an "invocation" in Hasura's terms). */
export interface Invocation {
  /** Invocation id. */
  id: string;
  eventId: string;
  /** The HTTP status the webhook answered with; `null` when there was no response (timeout, connection error). */
  status: number | null;
  /** The request as sent: the JSON body and the headers (env headers as references, never their values). */
  request: { payload: JsonValue; headers: HeaderConf[] };
  response: InvocationResponse;
  /** When the attempt was made. */
  createdAt: Date;
  /** True for an attempt of the event's failure webhook, not of its own webhook. */
  failureCallback: boolean;
}

/** Which events `list` and `listPage` return; every field narrows the result. */
export interface ListEventsFilter {
  /** Only these statuses. Absent or empty: every status but `cancelled`. */
  status?: EventStatus | readonly EventStatus[];
  /** Only events due at or after this time (inclusive). */
  scheduledAfter?: TimeInput;
  /** Only events due before this time (exclusive). */
  scheduledBefore?: TimeInput;
  /** Events per request, 1 to 1,000. (Default: the server's, 100) */
  pageSize?: number;
  /** Start from this cursor (a `nextCursor` from an earlier page) instead of the beginning. */
  cursor?: string;
}

/** One page of `listPage`. */
export interface EventPage {
  /** Events in `scheduledTime` ascending order. */
  events: ScheduledEvent[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Options every client call takes. */
export interface CallOptions {
  /**
   * Aborts the whole call, retries and backoff waits included; the call then rejects with `signal.reason`
   * (an `AbortError` `DOMException` unless the caller gave another reason).
   */
  signal?: AbortSignal;
  /** Bound on each HTTP attempt of this call, in ms. (Default: the client's `timeoutMs`) */
  timeoutMs?: number;
}

/** Options of `create`. */
export interface CreateCallOptions extends CallOptions {
  /**
   * Sent as the `Idempotency-Key` header: a repeat with the same key and body returns the first event instead of
   * creating another (the same key with a different body is a 409). With a key the SDK retries the create on network
   * errors, timeouts, 429, 502, 503 and 504; without one it never retries a create.
   */
  idempotencyKey?: string;
}

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Give up after this many ms and throw `WaitTimeoutError`. (Default: 60,000) */
  timeoutMs?: number;
  /** Pause between two polls, in ms. (Default: 1,000) */
  pollIntervalMs?: number;
  /** Aborts the wait; it then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * The outcome of one item of `createMany`, at the item's input index: the created event, or why it was not created.
 * `error` is a `ScheduledEventsError` (an `ApiError` subclass for an item the server refused).
 */
export type CreateManyResult = { ok: true; event: ScheduledEvent } | { ok: false; error: ScheduledEventsError };
