/**
 * Field schemas of a scheduled event, in Hasura's wire format (snake_case), shared by the Hasura commands and the
 * native REST API (which builds its own objects, and its PATCH body, from these parts).
 *
 * Request schemas transform while parsing (defaults filled in, `schedule_at` normalized), so JSON Schema for them is
 * generated with `z.toJSONSchema(schema, { io: 'input' })`. Error messages that Hasura defines are copied here
 * verbatim; the others come from `src/api/validation.ts` and name the field.
 */
import { z } from 'zod';
import { FORBIDDEN_HEADER_NAMES, HTTP_TOKEN, isForbiddenHeaderName } from '../../delivery/resolve-headers';
import { webhookTemplateIssues } from '../../delivery/resolve-template';
import { DEFAULT_RETRY_CONF, EVENT_STATUSES, MAX_NUM_RETRIES } from '../../shared/event';
import { parseTimestamp } from './timestamp';

/** Longest accepted webhook URL template: longer URLs are refused by many servers and proxies anyway. */
export const MAX_WEBHOOK_LENGTH = 8 * 1024;

/** Upper bound on `num_retries` (defined with the event, src/shared/event.ts). */
export { MAX_NUM_RETRIES } from '../../shared/event';

/**
 * Upper bound on every duration in `retry_conf` (100 years). Beyond it the milliseconds handed to Temporal lose
 * precision or overflow; no real schedule needs more.
 */
export const MAX_DURATION_SECONDS = 100 * 365 * 24 * 60 * 60;

/**
 * Longest `timeout_seconds` (10 min): one call may hold a worker slot and a connection that long, and receivers
 * that need longer should answer at once and work in the background.
 */
export const MAX_TIMEOUT_SECONDS = 10 * 60;

/** Longest `tolerance_seconds` (30 days): how long past `schedule_at` an event may still be attempted. */
export const MAX_TOLERANCE_SECONDS = 30 * 24 * 60 * 60;

/**
 * Shortest `retry_interval_seconds` (1 s): with 0, one batch of events with 1,000 retries each would be a flood of
 * back-to-back POSTs at whatever host they name.
 */
export const MIN_RETRY_INTERVAL_SECONDS = 1;

/** Most headers one event may configure. */
export const MAX_HEADERS = 50;

/** Most bytes of configured header names and values (an env header counts the variable's name): 8 KiB. */
export const MAX_HEADERS_BYTES = 8 * 1024;

/** Hasura refuses env references into its own configuration, so a webhook cannot be made to leak it. */
export const RESERVED_ENV_PREFIX = 'HASURA_GRAPHQL_';

/** CR and LF would split the header (request smuggling); NUL is refused by every HTTP stack. */
const FORBIDDEN_HEADER_VALUE_CHARS = /[\r\n\0]/;

/** Fills in `fallback` when a field is absent or `null`, as Hasura's `.:?` parsing does. */
function orDefault<S extends z.ZodType, D>(schema: S, fallback: D) {
  return schema.nullish().transform((value): z.output<S> | D => value ?? fallback);
}

/**
 * A webhook URL field (`webhook`, `failure_webhook`): an http(s) URL, possibly with `{{ENV_VAR}}` templates that the
 * worker resolves at delivery time. Stored as given. Without templates it must be an absolute http:/https: URL
 * (checked here; Hasura only finds out at delivery).
 */
function webhookUrlSchema(field: string) {
  return z
    .string()
    .min(1)
    .max(MAX_WEBHOOK_LENGTH)
    .superRefine((webhook, ctx) => {
      const [issue] = webhookTemplateIssues(webhook);
      if (issue !== undefined) {
        const message = issue.startsWith('webhook') ? `${field}${issue.slice('webhook'.length)}` : `${field}: ${issue}`;
        ctx.addIssue({ code: 'custom', input: webhook, message });
      }
    });
}

/** `webhook`: where the event is POSTed. */
export const WebhookSchema = webhookUrlSchema('webhook').meta({
  description: 'URL the event is POSTed to; `{{ENV_VAR}}` templates are resolved by the worker at delivery time',
  examples: ['https://example.com/hooks/reminder', '{{WEBHOOK_BASE_URL}}/reminder'],
});

/**
 * `failure_webhook` (our extension; docs/contract.md §2): called once when the event ends `error` or `dead`. Absent
 * or null: none.
 */
export const FailureWebhookSchema = orDefault(webhookUrlSchema('failure_webhook'), undefined).meta({
  description:
    'Extension: a URL called once, signed, when the event ends `error` or `dead`, with the event, the reason and its last attempt (up to 3 tries, 10 s apart); not sent the event headers',
  examples: ['https://example.com/hooks/reminder-failed'],
});

/** Message for a `schedule_at` without a zone: say how to fix it. */
export const SCHEDULE_AT_NO_TIMEZONE_MESSAGE =
  'schedule_at has no timezone: end it with "Z" for UTC or an offset such as "+02:00"';
/** Message for a `schedule_at` that is not a timestamp at all. */
export const SCHEDULE_AT_INVALID_MESSAGE =
  'schedule_at must be an ISO-8601 timestamp with a timezone, such as "2024-01-01T10:00:00Z" or "2024-01-01T12:00:00+02:00"';

/**
 * `schedule_at`: ISO-8601 with `Z` or an offset (see ./timestamp.ts for the accepted forms); output normalized to
 * `Date#toISOString()` (UTC, milliseconds). Past times are accepted, as in Hasura: the event fires at once, or is
 * `dead` when more than `tolerance_seconds` late.
 */
export const ScheduleAtSchema = z
  .string()
  .meta({
    format: 'date-time',
    description: 'When to deliver: ISO-8601 with "Z" or an offset; past times fire at once',
    examples: ['2024-01-01T10:00:00Z'],
  })
  .transform((text, ctx) => {
    const parsed = parseTimestamp(text);
    if (parsed.ok) return parsed.date.toISOString();
    const message = parsed.reason === 'no-timezone' ? SCHEDULE_AT_NO_TIMEZONE_MESSAGE : SCHEDULE_AT_INVALID_MESSAGE;
    ctx.addIssue({ code: 'custom', input: text, message });
    return z.NEVER;
  });

/** `payload`: any JSON, delivered as the body's `payload`; absent means `null`. */
// z.unknown() checked against z.json() rather than z.json() itself: z.json() rebuilds objects, and rebuilding drops an
// own `__proto__` key that JSON.parse produced. The payload must reach the webhook exactly as it was sent.
const JsonAsGivenSchema = z.unknown().superRefine((value, ctx) => {
  if (!z.json().safeParse(value).success)
    ctx.addIssue({ code: 'custom', input: value, message: 'payload must be JSON' });
}) as unknown as z.ZodType<z.infer<ReturnType<typeof z.json>>>;

export const PayloadSchema = orDefault(JsonAsGivenSchema, null).meta({
  description: 'Any JSON value, sent as the `payload` field of the webhook body',
});

/** `comment`: free text, echoed in the webhook body and listings; absent means `null`. */
export const CommentSchema = orDefault(z.string(), null);

/** A header name as HTTP allows it, and not one the HTTP client must own. */
const HeaderNameSchema = z
  .string()
  .min(1)
  .regex(HTTP_TOKEN, {
    error: "header name must be a valid HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
  })
  .refine((name) => !isForbiddenHeaderName(name), {
    error: (issue) =>
      `header "${String(issue.input)}" cannot be set: it frames the request or applies to one hop ` +
      `(refused: ${FORBIDDEN_HEADER_NAMES.join(', ')}, proxy-*)`,
  });

/** A literal header value: anything that cannot break the request framing. */
const HeaderValueSchema = z
  .string()
  .refine((value) => !FORBIDDEN_HEADER_VALUE_CHARS.test(value), {
    error: 'header value must not contain CR, LF or NUL characters',
  })
  // HTTP header values are bytes; fetch refuses characters above U+00FF, so such a value could never be sent.
  .refine((value) => !NON_LATIN1.test(value), {
    error: 'header value must be Latin-1 text (percent-encode other characters)',
  });

/** Any character a header value cannot carry. */
// eslint-disable-next-line no-control-regex -- the range starts at U+0000 on purpose
const NON_LATIN1 = /[^\u0000-\u00ff]/;

/** The name of an env var the worker reads at delivery time. */
const EnvNameSchema = z
  .string()
  .min(1)
  .refine((name) => !name.startsWith(RESERVED_ENV_PREFIX), {
    error: (issue) =>
      `env variables starting with "${RESERVED_ENV_PREFIX}" are not allowed in value_from_env: ${String(issue.input)}`,
  });

/**
 * One configured header, `{"name", "value"}` or `{"name", "value_from_env"}`. Env values are read by the worker at
 * delivery time, so secrets never enter history or listings. Messages are Hasura's.
 */
export const HeaderConfSchema = z
  .object(
    { name: HeaderNameSchema, value: HeaderValueSchema.optional(), value_from_env: EnvNameSchema.optional() },
    { error: 'expecting object for headers' },
  )
  .superRefine((header, ctx) => {
    const given = [header.value, header.value_from_env].filter((v) => v !== undefined).length;
    if (given === 0) ctx.addIssue({ code: 'custom', input: header, message: 'expecting value or value_from_env keys' });
    if (given === 2) {
      ctx.addIssue({ code: 'custom', input: header, message: 'expecting only one of value or value_from_env keys' });
    }
  })
  .transform((header): HeaderConfJson =>
    header.value_from_env !== undefined
      ? { name: header.name, value_from_env: header.value_from_env }
      : { name: header.name, value: header.value ?? '' },
  )
  .meta({ description: 'A webhook header: exactly one of `value` or `value_from_env`' });

/** A configured header as the API answers with it (events and invocation logs): env references stay references. */
export const HeaderConfObjectSchema = z.union([
  z.object({ name: z.string(), value: z.string() }),
  z.object({ name: z.string(), value_from_env: z.string().meta({ description: 'Read by the worker at delivery' }) }),
]);
/** A configured header on the wire: a literal value, or an env var name. */
export type HeaderConfJson = z.output<typeof HeaderConfObjectSchema>;

/** Bytes a configured header list takes: names, and literal values or env names (env values are unknown here). */
export function headersBytes(headers: readonly HeaderConfJson[]): number {
  let bytes = 0;
  for (const header of headers) {
    bytes += Buffer.byteLength(typeof header.name === 'string' ? header.name : '');
    // Refinements run on malformed items too (a header with neither key): count what is there.
    const { value, value_from_env: name } = header as { value?: unknown; value_from_env?: unknown };
    bytes += Buffer.byteLength(typeof value === 'string' ? value : typeof name === 'string' ? name : '');
  }
  return bytes;
}

/** `headers`: absent means none; at most MAX_HEADERS of them, MAX_HEADERS_BYTES in all. */
export const HeadersSchema = orDefault(
  z
    .array(HeaderConfSchema)
    .max(MAX_HEADERS, { error: `headers can have at most ${MAX_HEADERS} items (MAX_HEADERS)` })
    .refine((headers) => headersBytes(headers) <= MAX_HEADERS_BYTES, {
      error: `headers are too large: names and values may take at most ${MAX_HEADERS_BYTES} bytes (MAX_HEADERS_BYTES)`,
    }),
  [],
);

/**
 * The fields of `retry_conf` without defaults, for bodies that change only some of them (PATCH merges field by field).
 * Rules and defaults: docs/contract.md §3.
 */
export const RetryConfFields = {
  num_retries: z
    .number()
    .int()
    .min(0, { error: 'num_retries cannot be a negative value' })
    .max(MAX_NUM_RETRIES, { error: `num_retries can be at most ${MAX_NUM_RETRIES}` })
    .meta({ description: 'Retries after the first attempt (attempts = num_retries + 1)' }),
  retry_interval_seconds: z
    .number()
    .min(0, { error: 'retry_interval_seconds cannot be a negative value' })
    .min(MIN_RETRY_INTERVAL_SECONDS, {
      error: `retry_interval_seconds must be at least ${MIN_RETRY_INTERVAL_SECONDS} (MIN_RETRY_INTERVAL_SECONDS)`,
    })
    .max(MAX_DURATION_SECONDS)
    .meta({ description: 'Seconds between a failed attempt and the next; a Retry-After header replaces it' }),
  timeout_seconds: z
    .number()
    .gt(0)
    .max(MAX_TIMEOUT_SECONDS, { error: `timeout_seconds can be at most ${MAX_TIMEOUT_SECONDS} (MAX_TIMEOUT_SECONDS)` })
    .meta({ description: "Seconds allowed for one attempt's whole HTTP exchange" }),
  tolerance_seconds: z
    .number()
    .min(0, { error: 'tolerance_seconds cannot be a negative value' })
    .max(MAX_TOLERANCE_SECONDS, {
      error: `tolerance_seconds can be at most ${MAX_TOLERANCE_SECONDS} (MAX_TOLERANCE_SECONDS, 30 days)`,
    })
    .meta({ description: 'No attempt starts later than schedule_at + tolerance_seconds; the event is dead instead' }),
};

/** `retry_conf` with Hasura's defaults filled in for every absent (or null) field, and for an absent object. */
export const RetryConfSchema = orDefault(
  z.object({
    num_retries: orDefault(RetryConfFields.num_retries, DEFAULT_RETRY_CONF.numRetries),
    retry_interval_seconds: orDefault(RetryConfFields.retry_interval_seconds, DEFAULT_RETRY_CONF.retryIntervalSeconds),
    timeout_seconds: orDefault(RetryConfFields.timeout_seconds, DEFAULT_RETRY_CONF.timeoutSeconds),
    tolerance_seconds: orDefault(RetryConfFields.tolerance_seconds, DEFAULT_RETRY_CONF.toleranceSeconds),
  }),
  {
    num_retries: DEFAULT_RETRY_CONF.numRetries,
    retry_interval_seconds: DEFAULT_RETRY_CONF.retryIntervalSeconds,
    timeout_seconds: DEFAULT_RETRY_CONF.timeoutSeconds,
    tolerance_seconds: DEFAULT_RETRY_CONF.toleranceSeconds,
  },
);

/** One event status (docs/contract.md §1, `cancelled` included); the message for an unknown one is Hasura's. */
export const EventStatusSchema = z.enum(EVENT_STATUSES, {
  error: (issue) =>
    `unexpected status: ${typeof issue.input === 'string' ? issue.input : JSON.stringify(issue.input)} ` +
    `(expected one of ${EVENT_STATUSES.join(', ')})`,
});

/** `limit` / `offset`: non-negative integers. */
export const NonNegativeIntSchema = z.number().int().min(0);

/** The fields an event is created from (Hasura's `create_scheduled_event` args, and the REST create body). */
export const EventDefinitionFields = {
  webhook: WebhookSchema,
  schedule_at: ScheduleAtSchema,
  payload: PayloadSchema,
  headers: HeadersSchema,
  retry_conf: RetryConfSchema,
  comment: CommentSchema,
  failure_webhook: FailureWebhookSchema,
};

/**
 * Keys Hasura accepts on create that this service refuses with 400 `not-supported` (Hasura parses them but ignores
 * them for one-off events; silently dropping a transform would deliver a body the caller did not ask for).
 * `null` counts as absent.
 */
export const UNSUPPORTED_CREATE_KEYS = ['request_transform', 'response_transform'] as const;
