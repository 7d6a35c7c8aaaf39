/**
 * Request schemas of the native REST API (`/v1/events`, docs/contract.md §7). The create body is Hasura's
 * `create_scheduled_event` args (one schema for both APIs); the rest is built from the same field schemas
 * (./common.ts), so a field accepts the same values wherever it appears. The OpenAPI document is generated from these
 * (src/api/openapi/), so `.meta()` here is the reference documentation.
 */
import { z } from 'zod';
import { EVENT_STATUSES } from '../../shared/event';
import { CURSOR_PATTERN, decodeCursor, encodeCursor, MAX_CURSOR_LENGTH, type CursorPosition } from '../cursor';
import {
  CommentSchema,
  EventStatusSchema,
  HeadersSchema,
  PayloadSchema,
  RetryConfFields,
  ScheduleAtSchema,
  WebhookSchema,
} from './common';
import { CreateScheduledEventArgsSchema } from './hasura';
import { parseTimestamp } from './timestamp';

// The batch and page limits are part of the wire contract the SDK and the service share: defined in src/shared, named
// here for the schemas.
import { MAX_BATCH_EVENTS, MAX_LIST_LIMIT } from '../../shared/event';
export { MAX_BATCH_EVENTS, MAX_LIST_LIMIT };
/** Page size of `GET /v1/events` when `limit` is absent. */
export const DEFAULT_LIST_LIMIT = 100;
/**
 * Longest `Idempotency-Key`. Keys are hashed into the event id, so any length would work; the bound keeps headers
 * sane and matches what other APIs accept (a UUID, or a business key such as `order-42-reminder`).
 */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The header that makes a create idempotent. */
// The header's name is the service's (its messages name it too): src/events/idempotency.ts.
import { IDEMPOTENCY_KEY_HEADER } from '../../events/idempotency';
export { IDEMPOTENCY_KEY_HEADER };

/** Response header that marks the answer to a repeated idempotency key (the first event, nothing created). */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Body of `POST /v1/events`: exactly Hasura's `create_scheduled_event` args (unknown keys are ignored, as there). */
export const CreateEventBodySchema = CreateScheduledEventArgsSchema;

/** `Idempotency-Key`: any non-empty text; the same key names the same event. */
export const IdempotencyKeySchema = z
  .string()
  .min(1, { error: `${IDEMPOTENCY_KEY_HEADER} must not be empty` })
  .max(MAX_IDEMPOTENCY_KEY_LENGTH, {
    error: `${IDEMPOTENCY_KEY_HEADER} can have at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
  })
  .meta({
    description:
      'Makes the create safe to repeat: the event id is derived from the key (a UUIDv5), so a repeat with the same ' +
      'key and the same body returns the first event (200) instead of creating another, and the same key with a ' +
      'different body is a 409. Keys are global to the service.',
    examples: ['order-42-reminder'],
  });

/** The `events` array of a batch, over any item schema: the limit is the same for the envelope and the document. */
function batchOf<S extends z.ZodType>(item: S) {
  return z
    .array(item)
    .max(MAX_BATCH_EVENTS, { error: `events can have at most ${MAX_BATCH_EVENTS} items` })
    .meta({ description: `Up to ${MAX_BATCH_EVENTS} events, each a \`POST /v1/events\` body` });
}

/** Body of `POST /v1/events/batch`, as documented: every item a create body. */
export const BatchCreateBodySchema = z.object({ events: batchOf(CreateEventBodySchema) });

/**
 * The same body as the route reads it: the envelope first, then each item on its own, so that one bad item fails
 * only itself instead of the whole request.
 */
export const BatchEnvelopeSchema = z.object({ events: batchOf(z.unknown()) });

/**
 * `retry_conf` of a PATCH: only the fields given change (merged field by field into the event's); a field set to
 * `null` goes back to its default.
 */
export const PatchRetryConfSchema = z
  .object({
    num_retries: RetryConfFields.num_retries.nullish(),
    retry_interval_seconds: RetryConfFields.retry_interval_seconds.nullish(),
    timeout_seconds: RetryConfFields.timeout_seconds.nullish(),
    tolerance_seconds: RetryConfFields.tolerance_seconds.nullish(),
  })
  .nullable()
  .meta({ description: 'Fields to change; the others keep their current value. `null` resets to the defaults' });
export type PatchRetryConf = z.output<typeof PatchRetryConfSchema>;

/** The fields a PATCH may change; `PatchEventBodySchema` needs at least one. */
export const PATCH_FIELDS = ['schedule_at', 'payload', 'headers', 'retry_conf', 'comment', 'webhook'] as const;

/**
 * Body of `PATCH /v1/events/{id}`: any of the create fields, with the create's rules. A field left out keeps its
 * value; `null` gives a field the value a create gives it when absent (`payload` and `comment` null, `headers`
 * empty, `retry_conf` the defaults); `webhook` and `schedule_at` cannot be null.
 */
export const PatchEventBodySchema = z
  .object({
    schedule_at: ScheduleAtSchema,
    payload: PayloadSchema,
    headers: HeadersSchema,
    retry_conf: PatchRetryConfSchema,
    comment: CommentSchema,
    webhook: WebhookSchema,
  } satisfies Record<(typeof PATCH_FIELDS)[number], z.ZodType>)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, {
    error: `request body must set at least one of ${PATCH_FIELDS.join(', ')}`,
  })
  // The refine above, for the document: JSON Schema cannot see a refine.
  .meta({ anyOf: PATCH_FIELDS.map((field) => ({ required: [field] })) });

/** A timestamp query parameter, read like `schedule_at` and normalized to UTC; the messages name the parameter. */
function timestampParam(name: string, description: string, example: string) {
  return z
    .string()
    .meta({ format: 'date-time', description, examples: [example] })
    .transform((text, ctx) => {
      const parsed = parseTimestamp(text);
      if (parsed.ok) return parsed.date.toISOString();
      ctx.addIssue({
        code: 'custom',
        input: text,
        message:
          parsed.reason === 'no-timezone'
            ? `${name} has no timezone: end it with "Z" for UTC or an offset such as "+02:00"`
            : `${name} must be an ISO-8601 timestamp with a timezone, such as "2024-01-01T10:00:00Z"`,
      });
      return z.NEVER;
    });
}

const STATUS_ALTERNATION = EVENT_STATUSES.join('|');

/** `status` of the listing: a comma-separated list, read into distinct statuses (Hasura's message for a bad one). */
export const StatusListSchema = z
  .string()
  .meta({
    description: `Comma-separated statuses to list (${EVENT_STATUSES.join(', ')}); without it every status but \`cancelled\``,
    // What the transform below accepts, for the document.
    pattern: `^(${STATUS_ALTERNATION})(,(${STATUS_ALTERNATION}))*$`,
    examples: ['scheduled,locked', 'error,dead'],
  })
  .transform((text) => text.split(','))
  .pipe(z.array(EventStatusSchema).transform((statuses) => [...new Set(statuses)]));

/** Message of a cursor that is not one a page handed out. */
export const INVALID_CURSOR_MESSAGE = 'cursor is invalid: pass the next_cursor of a previous page unchanged';

/** `cursor`: a `next_cursor` from a previous page, decoded to its position. */
export const CursorSchema = z
  .string()
  .meta({
    description: 'The `next_cursor` of the previous page, as given; opaque',
    pattern: CURSOR_PATTERN.source,
    maxLength: MAX_CURSOR_LENGTH,
    examples: [encodeCursor({ scheduledTime: '2030-01-01T10:00:00.000Z', id: '9b2e7c1a-0d4f-4e8b-a6c3-5f1d2e3a4b5c' })],
  })
  .transform((text, ctx): CursorPosition => {
    const position = decodeCursor(text);
    if (position) return position;
    ctx.addIssue({ code: 'custom', input: text, message: INVALID_CURSOR_MESSAGE });
    return z.NEVER;
  });

/** Query of `GET /v1/events`; each field documents one query parameter. */
export const ListEventsQuerySchema = z.object({
  status: StatusListSchema.optional(),
  scheduled_after: timestampParam(
    'scheduled_after',
    'Only events due at or after this instant (inclusive); ISO-8601 with "Z" or an offset',
    '2030-01-01T00:00:00Z',
  ).optional(),
  scheduled_before: timestampParam(
    'scheduled_before',
    'Only events due before this instant (exclusive); ISO-8601 with "Z" or an offset',
    '2030-02-01T00:00:00+01:00',
  ).optional(),
  limit: z.coerce
    .number({ error: `limit must be an integer from 1 to ${MAX_LIST_LIMIT}` })
    .int({ error: `limit must be an integer from 1 to ${MAX_LIST_LIMIT}` })
    .min(1, { error: 'limit must be at least 1' })
    .max(MAX_LIST_LIMIT, { error: `limit can be at most ${MAX_LIST_LIMIT}` })
    .default(DEFAULT_LIST_LIMIT)
    .meta({ description: `Events per page (at most ${MAX_LIST_LIMIT})`, examples: [50] }),
  cursor: CursorSchema.optional(),
});
export type ListEventsQueryParams = z.output<typeof ListEventsQuerySchema>;

/** The query parameters `GET /v1/events` knows; any other is refused, so a misspelt filter cannot go unnoticed. */
export const LIST_EVENTS_PARAMS = Object.keys(ListEventsQuerySchema.shape) as (keyof ListEventsQueryParams)[];

/** The `{id}` path parameter: a random UUID, or the UUIDv5 of the idempotency key the event was created with. */
export const EventIdParamSchema = z
  .string()
  .min(1)
  .meta({
    description: 'The event id (a UUID)',
    examples: ['3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f'],
  });
