/**
 * The API's snake_case JSON → the SDK's camelCase objects with `Date` times.
 *
 * Decoders check what would otherwise fail far from the call, or silently: that containers are objects and arrays,
 * that ids are strings, and that times parse (an `Invalid Date` would poison every comparison). They trust the rest
 * of a well-formed response, so this stays a mapping, not a second schema. A failed check throws
 * `MalformedResponseError`, which the client turns into `InvalidResponseError` with the response's status.
 */
import type { HeaderConf, JsonValue } from '../shared/event';
import type {
  EventPage,
  Invocation,
  InvocationResponse,
  ResponseHeader,
  ScheduledEvent,
  ScheduledEventDetails,
} from './types';
import type { WireEvent, WireHeader, WireInvocation } from './wire';

/** A response body did not have the shape the API promises; `message` says what was wrong. */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

type JsonObject = Record<string, unknown>;

function object(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedResponseError(`${what} is not a JSON object`);
  }
  return value as JsonObject;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedResponseError(`${what} is not a JSON array`);
  return value;
}

function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new MalformedResponseError(`${what} is not a string`);
  return value;
}

function date(value: unknown, what: string): Date {
  const parsed = new Date(string(value, what));
  if (Number.isNaN(parsed.getTime())) throw new MalformedResponseError(`${what} is not a valid timestamp`);
  return parsed;
}

function optionalDate(value: unknown, what: string): Date | null {
  return value === null || value === undefined ? null : date(value, what);
}

/** A configured header from the wire; `value_from_env` headers keep their reference. */
export function fromWireHeader(header: WireHeader): HeaderConf {
  return 'value_from_env' in header
    ? { name: header.name, valueFromEnv: header.value_from_env }
    : { name: header.name, value: header.value };
}

function headerList(value: unknown, what: string): HeaderConf[] {
  // Absent and null both mean "no headers".
  if (value === null || value === undefined) return [];
  return array(value, what).map((header) => fromWireHeader(object(header, `${what} item`) as unknown as WireHeader));
}

/**
 * Response headers of an invocation. The contract does not fix their shape; Hasura logs `[{name, value}]`, so that
 * is the SDK's shape, and an object map (`{"content-type": "..."}`) is converted to it.
 */
function responseHeaders(value: unknown): ResponseHeader[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value as ResponseHeader[];
  return Object.entries(object(value, 'response headers')).map(([name, v]) => ({ name, value: String(v) }));
}

/** An event object. */
export function fromWireEvent(value: unknown): ScheduledEvent {
  const wire = object(value, 'event') as unknown as WireEvent;
  const id = string(wire.id, 'event id');
  const retry = object(wire.retry_conf, `retry_conf of event ${id}`) as unknown as WireEvent['retry_conf'];
  return {
    id,
    webhook: wire.webhook_conf,
    scheduledTime: date(wire.scheduled_time, `scheduled_time of event ${id}`),
    retryConf: {
      numRetries: retry.num_retries,
      retryIntervalSeconds: retry.retry_interval_seconds,
      timeoutSeconds: retry.timeout_seconds,
      toleranceSeconds: retry.tolerance_seconds,
    },
    payload: wire.payload ?? null,
    headers: headerList(wire.header_conf, `header_conf of event ${id}`),
    status: wire.status,
    tries: wire.tries,
    createdAt: date(wire.created_at, `created_at of event ${id}`),
    nextRetryAt: optionalDate(wire.next_retry_at, `next_retry_at of event ${id}`),
    comment: wire.comment ?? null,
    failureWebhook: typeof wire.failure_webhook === 'string' ? wire.failure_webhook : null,
  };
}

/** The event object of `GET /v1/events/{id}`, with its Temporal Web UI link. */
export function fromWireEventDetails(value: unknown): ScheduledEventDetails {
  const event = fromWireEvent(value);
  const link = (value as JsonObject).temporal_ui_url;
  return { ...event, temporalUiUrl: typeof link === 'string' ? link : null };
}

/** A page of `GET /v1/events`. */
export function fromWireEventPage(value: unknown): EventPage {
  const page = object(value, 'event page');
  const cursor = page.next_cursor;
  if (cursor !== null && cursor !== undefined && typeof cursor !== 'string') {
    throw new MalformedResponseError('next_cursor is neither a string nor null');
  }
  return {
    events: array(page.events, 'events').map(fromWireEvent),
    // An empty string cursor could only lead back to the first page: treat it as the end.
    nextCursor: typeof cursor === 'string' && cursor !== '' ? cursor : null,
  };
}

function fromWireResponse(value: unknown, invocationId: string): InvocationResponse {
  const response = object(value, `response of invocation ${invocationId}`) as unknown as WireInvocation['response'];
  const data = object(response.data, `response data of invocation ${invocationId}`);
  if (response.type === 'webhook_response') {
    return {
      type: 'webhook_response',
      status: data.status as number,
      headers: responseHeaders(data.headers),
      body: typeof data.body === 'string' ? data.body : JSON.stringify(data.body ?? null),
      truncated: data.truncated === true,
    };
  }
  const message = typeof data.message === 'string' ? data.message : JSON.stringify(data.message ?? '');
  return { type: 'client_error', message, truncated: data.truncated === true };
}

/** An invocation object. */
export function fromWireInvocation(value: unknown): Invocation {
  const wire = object(value, 'invocation');
  const id = string(wire.id, 'invocation id');
  const request = object(wire.request, `request of invocation ${id}`);
  return {
    id,
    eventId: string(wire.event_id, `event_id of invocation ${id}`),
    status: typeof wire.status === 'number' ? wire.status : null,
    request: {
      payload: (request.payload ?? null) as JsonValue,
      headers: headerList(request.headers, `request headers of invocation ${id}`),
    },
    response: fromWireResponse(wire.response, id),
    createdAt: date(wire.created_at, `created_at of invocation ${id}`),
    failureCallback: wire.failure_callback === true,
  };
}

/** The body of `GET /v1/events/{id}/invocations`. */
export function fromWireInvocationList(value: unknown): Invocation[] {
  return array(object(value, 'invocation list').invocations, 'invocations').map(fromWireInvocation);
}

/** One item of a batch create's `results`: the event, or the `{path, error, code}` it was refused with. */
export type WireBatchItem = { ok: true; event: ScheduledEvent } | { ok: false; error: unknown };

/** The `results` of `POST /v1/events/batch`, checked to have one entry per item sent. */
export function fromWireBatchResults(value: unknown, expected: number): WireBatchItem[] {
  const results = array(object(value, 'batch response').results, 'results');
  if (results.length !== expected) {
    throw new MalformedResponseError(`results has ${results.length} entries for ${expected} events sent`);
  }
  return results.map((item, index): WireBatchItem => {
    const entry = object(item, `results[${index}]`);
    return 'error' in entry ? { ok: false, error: entry.error } : { ok: true, event: fromWireEvent(entry) };
  });
}
