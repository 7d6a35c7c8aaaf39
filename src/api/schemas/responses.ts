/**
 * Response bodies: the one definition of every JSON shape the API sends. The server's types are inferred from these
 * schemas (`HasuraEvent`, `HasuraInvocation`, `ErrorBody` below), the SDK takes its wire types from them
 * (src/sdk/wire.ts, type imports only), and the OpenAPI document describes them (src/api/openapi/). Tests check
 * what the API sends against them.
 *
 * The SDK's build compiles this file for its types: it must not import Hono, Temporal or server code.
 */
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../shared/error-codes';
import type { JsonValue, WebhookBody } from '../../shared/event';
import { EventStatusSchema, HeaderConfObjectSchema, RetryConfFields } from './common';

/** `true` when A and B accept the same values (each assignable to the other); a compile error otherwise. */
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile unless `T` is `true`. */
type Assert<T extends true> = T;

/** Hasura's invocation-log version tag (`invocationVersionST`). */
export const INVOCATION_VERSION = '1';

/** A timestamp as the API writes it: `Date#toISOString()`, UTC with milliseconds. */
export const IsoTimeSchema = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString() === text, {
    error: 'expected an ISO-8601 UTC timestamp as written by Date#toISOString()',
  })
  .meta({ format: 'date-time', examples: ['2024-01-01T10:00:00.000Z'] });

/** Any JSON value (payloads, webhook bodies). */
export const JsonValueSchema = z.json();
type _JsonValue = Assert<SameShape<z.output<typeof JsonValueSchema>, JsonValue>>;

/** `retry_conf` with every field filled in. */
export const RetryConfObjectSchema = z.object(RetryConfFields);

/** The event object (Hasura's `get_scheduled_events` item; docs/contract.md §4). */
export const EventObjectSchema = z
  .object({
    id: z.string().meta({ description: 'Event id; also the id of its Temporal workflow' }),
    webhook_conf: z.string().meta({ description: 'The webhook as given, `{{ENV_VAR}}` templates unresolved' }),
    scheduled_time: IsoTimeSchema.meta({ description: 'When the event is due (UTC)' }),
    retry_conf: RetryConfObjectSchema,
    payload: JsonValueSchema.meta({ description: 'The payload as given; `null` when none' }),
    header_conf: z.array(HeaderConfObjectSchema).meta({ description: 'Configured headers, as given' }),
    status: EventStatusSchema,
    tries: z.number().int().min(0).meta({ description: 'Attempts made so far' }),
    created_at: IsoTimeSchema,
    next_retry_at: IsoTimeSchema.nullable().meta({ description: 'When the next retry is due, while one is pending' }),
    comment: z.string().nullable(),
    failure_webhook: z
      .string()
      .optional()
      .meta({ description: 'Extension: the failure webhook, when the event has one (docs/contract.md §2)' }),
  })
  .meta({ description: 'A scheduled event' });
/** The event object, as the server builds it (../translate.ts). */
export type HasuraEvent = z.output<typeof EventObjectSchema>;

/** `GET /v1/events/{id}`: the event object plus its page in the Temporal Web UI. */
export const EventDetailsSchema = EventObjectSchema.extend({
  temporal_ui_url: z.url().optional().meta({
    description:
      "The event's workflow in the Temporal Web UI; present when the server knows the UI's address (TEMPORAL_UI_URL)",
  }),
});

const InvocationVersionSchema = z.literal(INVOCATION_VERSION);
/** Present, and `true`, only when the stored body or message was cut to 64 KiB. */
const TruncatedSchema = z.literal(true).optional().meta({ description: 'The stored text was cut to 64 KiB' });

/** The body that was POSTed to the webhook (docs/contract.md §2). */
export const WebhookBodySchema = z.object({
  id: z.string(),
  scheduled_time: IsoTimeSchema,
  payload: JsonValueSchema,
  comment: z.string().optional().meta({ description: 'Omitted when the event has no comment' }),
  created_at: IsoTimeSchema,
  failure: z
    .object({
      status: z.enum(['error', 'dead']),
      reason: z.string(),
      tries: z.number().int().min(0),
      last_attempt: z
        .object({ status: z.number().int().nullable(), created_at: IsoTimeSchema, response: z.string() })
        .nullable(),
    })
    .optional()
    .meta({ description: "Only in the failure webhook's body: how the event ended, and its last attempt" }),
});
// The worker builds the body from src/shared's `WebhookBody`, which workflow code shares and so cannot be zod.
type _WebhookBody = Assert<SameShape<z.output<typeof WebhookBodySchema>, WebhookBody>>;

/** One webhook attempt (Hasura's invocation object; docs/contract.md §4). */
export const InvocationSchema = z
  .object({
    id: z.string(),
    event_id: z.string(),
    status: z.number().int().nullable().meta({ description: 'HTTP status; `null` when no response came' }),
    request: z.object({
      payload: WebhookBodySchema,
      headers: z.array(HeaderConfObjectSchema),
      version: InvocationVersionSchema,
    }),
    response: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('webhook_response').meta({ description: 'The webhook answered 2xx' }),
        data: z.object({
          status: z.number().int(),
          headers: z.array(z.object({ name: z.string(), value: z.string() })),
          body: z.string(),
          truncated: TruncatedSchema,
        }),
        version: InvocationVersionSchema,
      }),
      z.object({
        type: z.literal('client_error').meta({ description: 'A non-2xx answer (its body), or none (the error)' }),
        data: z.object({ message: z.string(), truncated: TruncatedSchema }),
        version: InvocationVersionSchema,
      }),
    ]),
    created_at: IsoTimeSchema.meta({ description: 'When the attempt started' }),
    failure_callback: z
      .literal(true)
      .optional()
      .meta({ description: "Present, and `true`, on an attempt of the event's failure webhook" }),
  })
  .meta({ description: 'One webhook attempt' });
/** One attempt, as `get_scheduled_event_invocations` lists it (../translate.ts builds it). */
export type HasuraInvocation = z.output<typeof InvocationSchema>;

/** `GET /v1/events`. */
export const EventPageSchema = z.object({
  events: z.array(EventObjectSchema),
  next_cursor: z
    .string()
    .nullable()
    .meta({ description: 'Pass as `cursor` for the next page; `null` on the last page' }),
});

/** `GET /v1/events/{id}/invocations`. */
export const InvocationListSchema = z.object({ invocations: z.array(InvocationSchema) });

/** The error body of every failed request (docs/contract.md §4). */
export const ErrorObjectSchema = z
  .object({
    path: z.string().meta({ description: 'JSON path of the offending input, `$` for the request as a whole' }),
    error: z.string().meta({ description: 'What is wrong; names the field' }),
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
  })
  .meta({ description: 'An error' });
/** The JSON body of every error response. */
export type ErrorBody = z.output<typeof ErrorObjectSchema>;

/** One result of `POST /v1/events/batch`: the event, or why that item was refused. */
export const BatchResultSchema = z.union([EventObjectSchema, z.object({ error: ErrorObjectSchema })]);

/** `POST /v1/events/batch`. */
export const BatchResponseSchema = z.object({
  results: z.array(BatchResultSchema).meta({ description: 'One per input item, in input order' }),
});

/** `create_scheduled_event`. */
export const HasuraCreateResultSchema = z.object({ message: z.literal('success'), event_id: z.string() });
/** `delete_scheduled_event`. */
export const HasuraSuccessSchema = z.object({ message: z.literal('success') });
const CountSchema = z.number().int().min(0).optional().meta({ description: 'Only with `get_rows_count: true`' });
/** `get_scheduled_events`. */
export const HasuraEventsResultSchema = z.object({ events: z.array(EventObjectSchema), count: CountSchema });
/** `get_scheduled_event_invocations`. */
export const HasuraInvocationsResultSchema = z.object({ invocations: z.array(InvocationSchema), count: CountSchema });

/** `GET /healthz`. */
export const HealthSchema = z.object({ status: z.literal('ok') });
/** `GET /readyz`. */
export const ReadinessSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  temporal: z.boolean().meta({ description: 'Temporal answers' }),
  worker: z.boolean().meta({ description: "A worker polls the service's task queue" }),
});
