/**
 * The REST API's JSON shapes (snake_case), as the server sends and accepts them. Internal to the SDK: callers see the
 * camelCase types of ./types.ts. Response types describe what a correct server sends; ./from-wire.ts still checks
 * the parts whose absence would otherwise surface as a confusing `TypeError` far from the call.
 */
import type { EventStatus, JsonValue } from '../shared/event';

/** A configured header on the wire. */
export type WireHeader = { name: string; value: string } | { name: string; value_from_env: string };

/** `retry_conf` as the server returns it (every field filled in). */
export interface WireRetryConf {
  num_retries: number;
  retry_interval_seconds: number;
  timeout_seconds: number;
  tolerance_seconds: number;
}

/** Body of `POST /v1/events` and one item of `POST /v1/events/batch`. */
export interface WireCreateArgs {
  webhook: string;
  schedule_at: string;
  payload?: JsonValue;
  headers?: WireHeader[];
  retry_conf?: Partial<WireRetryConf>;
  comment?: string;
}

/** Body of `PATCH /v1/events/{id}`. */
export interface WirePatch {
  schedule_at?: string;
  payload?: JsonValue;
  headers?: WireHeader[];
  retry_conf?: Partial<WireRetryConf>;
  comment?: string | null;
  webhook?: string;
}

/** The event object. */
export interface WireEvent {
  id: string;
  webhook_conf: string;
  scheduled_time: string;
  retry_conf: WireRetryConf;
  payload: JsonValue;
  header_conf: WireHeader[] | null;
  status: EventStatus;
  tries: number;
  created_at: string;
  next_retry_at: string | null;
  comment: string | null;
  /** Only on `GET /v1/events/{id}`. */
  temporal_ui_url?: string;
}

/** The error body of every failed request (docs/contract.md §4). */
export interface WireError {
  path: string;
  error: string;
  code: string;
}

/** The invocation object. */
export interface WireInvocation {
  id: string;
  event_id: string;
  status: number | null;
  request: { payload: JsonValue; headers: WireHeader[] | null; version: string };
  response:
    | {
        type: 'webhook_response';
        data: {
          status: number;
          headers: { name: string; value: string }[] | Record<string, string> | null;
          body: string;
          truncated?: boolean;
        };
        version: string;
      }
    | { type: 'client_error'; data: { message: string; truncated?: boolean }; version: string };
  created_at: string;
}

/** `GET /v1/events`. */
export interface WireEventPage {
  events: WireEvent[];
  next_cursor: string | null;
}

/** `POST /v1/events/batch`. */
export interface WireBatchResponse {
  results: (WireEvent | { error: WireError })[];
}

/** `GET /v1/events/{id}/invocations`. */
export interface WireInvocationList {
  invocations: WireInvocation[];
}
