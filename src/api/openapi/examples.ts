/**
 * Examples for the OpenAPI document. Responses are made by the server's own translation (../translate.ts) from
 * domain objects, so they show exactly what the API sends; requests are what a client would send, and the document's
 * tests send each one to the app and expect the documented answer.
 */
import type { AttemptRecord, ScheduledEvent } from '../../shared/event';
import { MISSING_SECRET_MESSAGE, WRONG_SECRET_MESSAGE } from '../auth';
import { JSON_BODY_REQUIRED_MESSAGE } from '../browser-guard';
import { encodeCursor } from '../cursor';
import { ApiError, UNEXPECTED_ERROR_MESSAGE, type ErrorBody } from '../errors';
import { EVENT_STATUSES } from '../../shared/event';
import { idempotencyConflictMessage } from '../../events/idempotency';
import { SCHEDULE_AT_NO_TIMEZONE_MESSAGE } from '../schemas/common';
import {
  IDEMPOTENCY_KEY_HEADER,
  INVALID_CURSOR_MESSAGE,
  MAX_BATCH_EVENTS,
  MAX_LIST_LIMIT,
  PATCH_FIELDS,
} from '../schemas/events';
import { toHasuraEvent, toHasuraInvocation } from '../translate';

/** The id of the event every example refers to; tests create it before sending an example that needs it. */
export const EXAMPLE_EVENT_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
/** A second event, for listings. */
const OTHER_EVENT_ID = '9b2e7c1a-0d4f-4e8b-a6c3-5f1d2e3a4b5c';

/** A create body with every field. */
export const EXAMPLE_CREATE_BODY = {
  webhook: 'https://example.com/hooks/reminder',
  schedule_at: '2030-01-01T10:00:00Z',
  payload: { order_id: 42, kind: 'reminder' },
  headers: [
    { name: 'X-Tenant', value: 'acme' },
    { name: 'X-Signature-Secret', value_from_env: 'REMINDER_WEBHOOK_SECRET' },
  ],
  retry_conf: { num_retries: 3, retry_interval_seconds: 30 },
  comment: 'order 42: payment reminder',
};

/** The smallest create body. */
export const EXAMPLE_MINIMAL_CREATE_BODY = {
  webhook: '{{WEBHOOK_BASE_URL}}/hooks/ping',
  schedule_at: '2030-01-01T12:00:00+02:00',
};

export const EXAMPLE_IDEMPOTENCY_KEY = 'order-42-reminder';

/** The event EXAMPLE_CREATE_BODY creates, as the domain holds it. */
export const EXAMPLE_EVENT: ScheduledEvent = {
  id: EXAMPLE_EVENT_ID,
  webhook: EXAMPLE_CREATE_BODY.webhook,
  scheduledTime: '2030-01-01T10:00:00.000Z',
  payload: EXAMPLE_CREATE_BODY.payload,
  headers: [
    { name: 'X-Tenant', value: 'acme' },
    { name: 'X-Signature-Secret', valueFromEnv: 'REMINDER_WEBHOOK_SECRET' },
  ],
  retryConf: { numRetries: 3, retryIntervalSeconds: 30, timeoutSeconds: 60, toleranceSeconds: 21600 },
  comment: EXAMPLE_CREATE_BODY.comment,
  createdAt: '2029-12-31T09:15:02.481Z',
  status: 'scheduled',
  tries: 0,
  nextRetryAt: null,
};

const OTHER_EVENT: ScheduledEvent = {
  ...EXAMPLE_EVENT,
  id: OTHER_EVENT_ID,
  webhook: 'https://example.com/hooks/ping',
  scheduledTime: '2030-01-01T09:00:00.000Z',
  payload: null,
  headers: [],
  retryConf: { numRetries: 0, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 21600 },
  comment: null,
  status: 'error',
  tries: 1,
};

export const EXAMPLE_EVENT_OBJECT = toHasuraEvent(EXAMPLE_EVENT);
export const EXAMPLE_CANCELLED_EVENT_OBJECT = toHasuraEvent({ ...EXAMPLE_EVENT, status: 'cancelled' });
export const EXAMPLE_RESCHEDULED_EVENT_OBJECT = toHasuraEvent({
  ...EXAMPLE_EVENT,
  scheduledTime: '2030-01-02T10:00:00.000Z',
  retryConf: { ...EXAMPLE_EVENT.retryConf, numRetries: 5 },
});
export const EXAMPLE_EVENT_DETAILS = {
  ...EXAMPLE_EVENT_OBJECT,
  temporal_ui_url: `http://127.0.0.1:8233/namespaces/default/workflows/${EXAMPLE_EVENT_ID}`,
};

/** A cursor as a page hands it out (after the first event of the example listing). */
export const EXAMPLE_CURSOR = encodeCursor({ scheduledTime: OTHER_EVENT.scheduledTime, id: OTHER_EVENT.id });

export const EXAMPLE_EVENT_PAGE = {
  events: [toHasuraEvent(OTHER_EVENT), EXAMPLE_EVENT_OBJECT],
  next_cursor: encodeCursor({ scheduledTime: EXAMPLE_EVENT.scheduledTime, id: EXAMPLE_EVENT.id }),
};

const FAILED_ATTEMPT: AttemptRecord = {
  id: 'c2a4f1d0-7b3e-4a9c-8d2f-1e0b9a8c7d6e',
  eventId: OTHER_EVENT_ID,
  attempt: 1,
  createdAt: '2030-01-01T10:00:00.012Z',
  durationMs: 184,
  success: false,
  status: 503,
  request: {
    body: {
      id: OTHER_EVENT_ID,
      scheduled_time: OTHER_EVENT.scheduledTime,
      payload: null,
      created_at: OTHER_EVENT.createdAt,
    },
    headers: [{ name: 'Content-Type', value: 'application/json' }],
  },
  response: { type: 'client_error', message: 'Service Unavailable', bodyTruncated: false },
  retryAfterSeconds: null,
};

const DELIVERED_ATTEMPT: AttemptRecord = {
  id: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
  eventId: EXAMPLE_EVENT_ID,
  attempt: 1,
  createdAt: '2030-01-01T10:00:00.009Z',
  durationMs: 95,
  success: true,
  status: 200,
  request: {
    body: {
      id: EXAMPLE_EVENT_ID,
      scheduled_time: EXAMPLE_EVENT.scheduledTime,
      payload: EXAMPLE_EVENT.payload,
      comment: EXAMPLE_CREATE_BODY.comment,
      created_at: EXAMPLE_EVENT.createdAt,
    },
    headers: [{ name: 'Content-Type', value: 'application/json' }, ...EXAMPLE_EVENT.headers],
  },
  response: {
    type: 'webhook_response',
    status: 200,
    headers: [{ name: 'content-type', value: 'application/json' }],
    body: '{"ok":true}',
    bodyTruncated: false,
  },
  retryAfterSeconds: null,
};

export const EXAMPLE_INVOCATION_LIST = { invocations: [toHasuraInvocation(DELIVERED_ATTEMPT)] };
export const EXAMPLE_HASURA_INVOCATIONS = {
  invocations: [toHasuraInvocation(DELIVERED_ATTEMPT), toHasuraInvocation(FAILED_ATTEMPT)],
  count: 2,
};

/** An error body, as `ApiError` writes it. */
export function errorBody(code: ErrorBody['code'], message: string, path?: string): ErrorBody {
  return new ApiError(code, message, path).toBody();
}

/** Error examples, by name; each operation picks those that can happen to it. */
export const ERROR_EXAMPLES = {
  invalidJson: errorBody('invalid-json', 'invalid JSON in request body: Unexpected end of JSON input'),
  missingKey: errorBody('parse-failed', 'key "schedule_at" not found', '$'),
  noTimezone: errorBody('parse-failed', SCHEDULE_AT_NO_TIMEZONE_MESSAGE, '$.schedule_at'),
  negativeRetries: errorBody('parse-failed', 'num_retries cannot be a negative value', '$.retry_conf.num_retries'),
  notSupported: errorBody(
    'not-supported',
    'request_transform is not supported for one-off scheduled events',
    '$.request_transform',
  ),
  emptyIdempotencyKey: errorBody(
    'parse-failed',
    `${IDEMPOTENCY_KEY_HEADER} must not be empty`,
    `$.headers['${IDEMPOTENCY_KEY_HEADER}']`,
  ),
  tooManyBatchItems: errorBody('parse-failed', `events can have at most ${MAX_BATCH_EVENTS} items`, '$.events'),
  badLimit: errorBody('parse-failed', `limit can be at most ${MAX_LIST_LIMIT}`, '$.query.limit'),
  badStatus: errorBody(
    'parse-failed',
    `unexpected status: sent (expected one of ${EVENT_STATUSES.join(', ')})`,
    '$.query.status[0]',
  ),
  badCursor: errorBody('parse-failed', INVALID_CURSOR_MESSAGE, '$.query.cursor'),
  emptyPatch: errorBody('parse-failed', `request body must set at least one of ${PATCH_FIELDS.join(', ')}`),
  unknownCommand: errorBody('parse-failed', 'unknown metadata command "create_cron_trigger"'),
  cronNotSupported: errorBody(
    'not-supported',
    'cron triggers are not supported: only "one_off" scheduled events are',
    '$.args.type',
  ),
  missingSecret: errorBody('access-denied', MISSING_SECRET_MESSAGE),
  wrongSecret: errorBody('access-denied', WRONG_SECRET_MESSAGE),
  notFound: errorBody('not-found', `scheduled event not found: ${EXAMPLE_EVENT_ID}`),
  alreadyFinished: errorBody('conflict', `scheduled event ${EXAMPLE_EVENT_ID} has already finished (delivered)`),
  attemptStarted: errorBody(
    'conflict',
    'an attempt is already prepared or made (events lock 30 s before due, up to 3 min in a burst)',
  ),
  idempotencyMismatch: errorBody('conflict', idempotencyConflictMessage(EXAMPLE_IDEMPOTENCY_KEY, EXAMPLE_EVENT_ID)),
  unexpected: errorBody('unexpected', UNEXPECTED_ERROR_MESSAGE),
  unavailable: errorBody('unavailable', 'the scheduler (Temporal) is unavailable; try again shortly'),
  pageOrigin: errorBody(
    'forbidden',
    'requests from web pages are refused (Origin "https://example.com" is not in ALLOWED_ORIGINS)',
  ),
  notJson: errorBody('unsupported-media-type', JSON_BODY_REQUIRED_MESSAGE),
} satisfies Record<string, ErrorBody>;

export type ErrorExampleName = keyof typeof ERROR_EXAMPLES;
