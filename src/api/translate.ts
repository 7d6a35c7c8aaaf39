/**
 * Translation between the domain model (src/shared/event.ts, camelCase) and Hasura's wire objects (snake_case):
 * create args → `EventDefinition`, `ScheduledEvent` → Hasura's event object, `AttemptRecord` → Hasura's invocation.
 */
import type { AttemptRecord, EventDefinition, HeaderConf, ScheduledEvent } from '../shared/event';
import type { CreateScheduledEventArgs, HeaderConfJson } from './schemas';
import { INVOCATION_VERSION, type HasuraEvent, type HasuraInvocation } from './schemas/responses';

export { INVOCATION_VERSION, type HasuraEvent, type HasuraInvocation };

/** `{truncated: true}` when the stored text was cut, nothing otherwise: an untruncated invocation has Hasura's shape. */
type Truncation = { truncated?: true };

export function toHeaderConfJson(header: HeaderConf): HeaderConfJson {
  return 'valueFromEnv' in header
    ? { name: header.name, value_from_env: header.valueFromEnv }
    : { name: header.name, value: header.value };
}

export function toHeaderConf(header: HeaderConfJson): HeaderConf {
  return 'value_from_env' in header
    ? { name: header.name, valueFromEnv: header.value_from_env }
    : { name: header.name, value: header.value };
}

/** Parsed `create_scheduled_event` args (defaults already filled in) as the domain's definition. */
export function toEventDefinition(args: CreateScheduledEventArgs): EventDefinition {
  return {
    webhook: args.webhook,
    scheduledTime: args.schedule_at,
    payload: args.payload,
    headers: args.headers.map(toHeaderConf),
    retryConf: {
      numRetries: args.retry_conf.num_retries,
      retryIntervalSeconds: args.retry_conf.retry_interval_seconds,
      timeoutSeconds: args.retry_conf.timeout_seconds,
      toleranceSeconds: args.retry_conf.tolerance_seconds,
    },
    comment: args.comment,
    ...(args.failure_webhook === undefined ? {} : { failureWebhook: args.failure_webhook }),
  };
}

export function toHasuraEvent(event: ScheduledEvent): HasuraEvent {
  return {
    id: event.id,
    webhook_conf: event.webhook,
    scheduled_time: event.scheduledTime,
    retry_conf: {
      num_retries: event.retryConf.numRetries,
      retry_interval_seconds: event.retryConf.retryIntervalSeconds,
      timeout_seconds: event.retryConf.timeoutSeconds,
      tolerance_seconds: event.retryConf.toleranceSeconds,
    },
    payload: event.payload,
    header_conf: event.headers.map(toHeaderConfJson),
    status: event.status,
    tries: event.tries,
    created_at: event.createdAt,
    next_retry_at: event.nextRetryAt,
    comment: event.comment,
    // Our extension, only when set: an event without one has exactly Hasura's shape.
    ...(event.failureWebhook === undefined ? {} : { failure_webhook: event.failureWebhook }),
  };
}

function truncation(truncated: boolean): Truncation {
  return truncated ? { truncated: true } : {};
}

export function toHasuraInvocation(record: AttemptRecord): HasuraInvocation {
  const { response } = record;
  return {
    id: record.id,
    event_id: record.eventId,
    status: record.status,
    request: {
      payload: record.request.body,
      headers: record.request.headers.map(toHeaderConfJson),
      version: INVOCATION_VERSION,
    },
    response:
      response.type === 'webhook_response'
        ? {
            type: 'webhook_response',
            data: {
              status: response.status,
              headers: response.headers,
              body: response.body,
              ...truncation(response.bodyTruncated),
            },
            version: INVOCATION_VERSION,
          }
        : {
            type: 'client_error',
            data: { message: response.message, ...truncation(response.bodyTruncated) },
            version: INVOCATION_VERSION,
          },
    created_at: record.createdAt,
    ...(record.failureCallback ? { failure_callback: true as const } : {}),
  };
}
