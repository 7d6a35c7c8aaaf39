/**
 * The OpenAPI 3.1 document of the whole HTTP API (docs/contract.md §7), served at `GET /openapi.json` and rendered at `GET /docs`.
 *
 * Every request schema is generated from the zod schema that validates that request (src/api/schemas/), and every
 * response schema from the zod schema checked against the response's TypeScript type (schemas/responses.ts); nothing
 * here restates a field. What is written here is what zod cannot know: paths, status codes, prose, and examples
 * (./examples.ts). Tests hold the document to the app: same routes both ways, and its examples are accepted.
 */
import type { z } from 'zod';
import { version } from '../../../package.json';
import { ERROR_STATUS, type ErrorBody } from '../errors';
import { MAX_BULK_ITEMS } from '../hasura-commands';
import { MAX_JSON_DEPTH } from '../request-body';
import { BATCH_CREATE_CONCURRENCY } from '../../events/event-service';
import { IDEMPOTENT_REPLAYED_HEADER } from '../routes/events';
import {
  BatchCreateBodySchema,
  CreateEventBodySchema,
  DEFAULT_LIST_LIMIT,
  EventIdParamSchema,
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKeySchema,
  ListEventsQuerySchema,
  MAX_BATCH_EVENTS,
  MAX_LIST_LIMIT,
  PatchEventBodySchema,
} from '../schemas/events';
import {
  BatchResponseSchema,
  ErrorObjectSchema,
  EventDetailsSchema,
  EventObjectSchema,
  EventPageSchema,
  HasuraCreateResultSchema,
  HasuraEventsResultSchema,
  HasuraInvocationsResultSchema,
  HasuraSuccessSchema,
  HealthSchema,
  InvocationListSchema,
  ReadinessSchema,
} from '../schemas/responses';
import {
  ERROR_EXAMPLES,
  errorBody,
  EXAMPLE_CANCELLED_EVENT_OBJECT,
  EXAMPLE_CREATE_BODY,
  EXAMPLE_CURSOR,
  EXAMPLE_EVENT,
  EXAMPLE_EVENT_DETAILS,
  EXAMPLE_EVENT_ID,
  EXAMPLE_EVENT_OBJECT,
  EXAMPLE_EVENT_PAGE,
  EXAMPLE_HASURA_INVOCATIONS,
  EXAMPLE_IDEMPOTENCY_KEY,
  EXAMPLE_INVOCATION_LIST,
  EXAMPLE_MINIMAL_CREATE_BODY,
  EXAMPLE_RESCHEDULED_EVENT_OBJECT,
  type ErrorExampleName,
} from './examples';
import { MetadataEnvelopeSchema, QueryEnvelopeSchema } from './hasura-envelope';
import { SchemaComponents, type JsonSchema } from './json-schema';

export const OPENAPI_VERSION = '3.1.0';

/** Names of the security schemes (docs/contract.md §5). */
export const ADMIN_SECRET_SCHEME = 'adminSecret';
export const BEARER_SCHEME = 'bearerAuth';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';
export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'post', 'patch', 'delete'];

/** An example as OpenAPI writes it. */
export interface ExampleObject {
  summary?: string;
  description?: string;
  value: unknown;
}

export interface MediaType {
  schema: JsonSchema;
  examples?: Record<string, ExampleObject>;
}

export interface ParameterObject {
  name: string;
  in: 'query' | 'path' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
}

export type ResponseOrRef = ResponseObject | { $ref: string };

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: ParameterObject[];
  requestBody?: { description?: string; required: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseOrRef>;
}

export type PathItem = Partial<Record<HttpMethod, OperationObject>>;

export interface OpenApiDocument {
  openapi: typeof OPENAPI_VERSION;
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  jsonSchemaDialect: string;
  tags: { name: string; description: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, ResponseObject>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

export interface OpenApiOptions {
  /** The request body limit the app enforces (413 above it). */
  maxRequestBodyBytes: number;
}

const JSON_MEDIA = 'application/json';
const TAG_EVENTS = 'Events';
const TAG_HASURA = 'Hasura-compatible';
const TAG_OPERATIONS = 'Operations';
/** An operation anyone may call, even with an admin secret configured (docs/contract.md §5). */
const PUBLIC: Record<string, string[]>[] = [];

/** `/v1/events/:id` (Hono) ↔ `/v1/events/{id}` (OpenAPI). */
export function toOpenApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const API_DESCRIPTION = `Durable one-off scheduled webhooks on Temporal: at \`schedule_at\`, the service POSTs a JSON body to \`webhook\`, retrying per \`retry_conf\`.

Two APIs share one service: the resource API under \`/v1/events\` (for new code; the TypeScript SDK speaks it), and Hasura's \`/v1/metadata\` and \`/v1/query\` command envelopes (a drop-in for Hasura's one-off scheduled events).

Authentication: when the server has an admin secret (\`ADMIN_SECRET\`), every call but \`/healthz\`, \`/readyz\`, \`/openapi.json\` and \`/docs\` needs it, as \`X-Hasura-Admin-Secret: <secret>\` (or Hasura's older \`X-Hasura-Access-Key\`) or \`Authorization: Bearer <secret>\`. Without one, the API is open (development).

Errors: every error is JSON \`{"path", "error", "code"}\`: \`path\` is the JSON path of the offending input (\`$\` for the request as a whole; query parameters appear as \`$.query.<name>\`, headers as \`$.headers['<name>']\`), \`error\` a message naming the field, \`code\` one of: ${Object.entries(
  ERROR_STATUS,
)
  .map(([code, status]) => `\`${code}\` (${status})`)
  .join(', ')}.

Request bodies are read as JSON whatever their Content-Type, up to the size limit and ${MAX_JSON_DEPTH} levels of nesting. Times are ISO-8601 with \`Z\` or an offset (past times fire at once); responses write them in UTC (\`Date#toISOString()\`).`;

/** Builds the document. Pure: the same options give the same document. */
export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const components = new SchemaComponents();
  const ref = (name: string, schema: z.ZodType, io: 'input' | 'output') => components.named(name, schema, io);

  // Named schemas, in the order the reference page lists them.
  const createBody = ref('CreateEventRequest', CreateEventBodySchema, 'input');
  const batchBody = ref('BatchCreateRequest', BatchCreateBodySchema, 'input');
  const patchBody = ref('UpdateEventRequest', PatchEventBodySchema, 'input');
  const metadataBody = ref('MetadataRequest', MetadataEnvelopeSchema, 'input');
  const queryBody = ref('QueryRequest', QueryEnvelopeSchema, 'input');
  const event = ref('Event', EventObjectSchema, 'output');
  const eventDetails = ref('EventDetails', EventDetailsSchema, 'output');
  const eventPage = ref('EventPage', EventPageSchema, 'output');
  const invocationList = ref('InvocationList', InvocationListSchema, 'output');
  const batchResponse = ref('BatchCreateResponse', BatchResponseSchema, 'output');
  const error = ref('Error', ErrorObjectSchema, 'output');
  const hasuraCreate = ref('HasuraCreateResult', HasuraCreateResultSchema, 'output');
  const hasuraSuccess = ref('HasuraSuccess', HasuraSuccessSchema, 'output');
  const hasuraEvents = ref('HasuraEventsResult', HasuraEventsResultSchema, 'output');
  const hasuraInvocations = ref('HasuraInvocationsResult', HasuraInvocationsResultSchema, 'output');
  const health = ref('Health', HealthSchema, 'output');
  const readiness = ref('Readiness', ReadinessSchema, 'output');
  const hasuraResult: JsonSchema = { oneOf: [hasuraCreate, hasuraSuccess, hasuraEvents, hasuraInvocations] };

  const errorExamples = (names: readonly ErrorExampleName[]): Record<string, ExampleObject> =>
    Object.fromEntries(names.map((name) => [name, { value: ERROR_EXAMPLES[name] }]));

  /** An error response with the examples that can happen to this operation. */
  const errorResponse = (description: string, names: readonly ErrorExampleName[]): ResponseObject => ({
    description,
    content: { [JSON_MEDIA]: { schema: error, examples: errorExamples(names) } },
  });

  const responseRef = (name: keyof typeof sharedResponses) => ({ $ref: `#/components/responses/${name}` });
  const sharedResponses = {
    Unauthorized: errorResponse('`access-denied`: the admin secret is configured and was not presented, or is wrong', [
      'missingSecret',
      'wrongSecret',
    ]),
    PayloadTooLarge: {
      description: `\`payload-too-large\`: the body is larger than ${options.maxRequestBodyBytes} bytes`,
      content: {
        [JSON_MEDIA]: {
          schema: error,
          examples: {
            tooLarge: {
              value: errorBody(
                'payload-too-large',
                `request body is larger than ${options.maxRequestBodyBytes} bytes`,
              ) satisfies ErrorBody,
            },
          },
        },
      },
    },
    PageOrigin: errorResponse(
      '`forbidden`: the request came from a web page (it carries an `Origin`) whose origin is not in `ALLOWED_ORIGINS`',
      ['pageOrigin'],
    ),
    NotJson: errorResponse('`unsupported-media-type`: the body was not sent with `Content-Type: application/json`', [
      'notJson',
    ]),
    Unexpected: errorResponse('`unexpected`: a bug; the details are in the server log, never in the answer', [
      'unexpected',
    ]),
    Unavailable: errorResponse('`unavailable`: Temporal did not answer in time; nothing was done, retry shortly', [
      'unavailable',
    ]),
  } satisfies Record<string, ResponseObject>;

  /** The errors every authenticated call can get. */
  const commonErrors = (withBody: boolean): Record<string, ResponseOrRef> => ({
    '401': responseRef('Unauthorized'),
    '403': responseRef('PageOrigin'),
    ...(withBody ? { '413': responseRef('PayloadTooLarge'), '415': responseRef('NotJson') } : {}),
    '500': responseRef('Unexpected'),
    '503': responseRef('Unavailable'),
  });

  const json = (description: string, schema: JsonSchema, examples: Record<string, ExampleObject>): ResponseObject => ({
    description,
    content: { [JSON_MEDIA]: { schema, examples } },
  });

  const jsonBody = (description: string, schema: JsonSchema, examples: Record<string, ExampleObject>) => ({
    description,
    required: true,
    content: { [JSON_MEDIA]: { schema, examples } },
  });

  /** A parameter from a zod schema: its JSON Schema, its description and first example moved up to the parameter. */
  const parameter = (
    name: string,
    location: ParameterObject['in'],
    schema: z.ZodType,
    example?: unknown,
  ): ParameterObject => {
    const { description, ...rest } = components.inline(schema, 'input');
    const examples = rest['examples'];
    return {
      name,
      in: location,
      // A parameter that may be absent parses `undefined`; the others are required.
      required: location === 'path' || !schema.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
      example: example ?? (Array.isArray(examples) ? examples[0] : undefined),
    };
  };

  const eventId = parameter('id', 'path', EventIdParamSchema, EXAMPLE_EVENT_ID);
  const listParameters = Object.entries(ListEventsQuerySchema.shape).map(([name, schema]) =>
    parameter(name, 'query', schema, name === 'cursor' ? EXAMPLE_CURSOR : undefined),
  );

  const paths: Record<string, PathItem> = {
    '/v1/events': {
      post: {
        operationId: 'createEvent',
        summary: 'Schedule an event',
        description:
          "The body is Hasura's `create_scheduled_event` args: `webhook` and `schedule_at` are required; unknown keys are ignored; `request_transform` and `response_transform` are refused (400 `not-supported`). " +
          `With an \`${IDEMPOTENCY_KEY_HEADER}\` header the create can be repeated safely: the event id is the key's UUIDv5, so Temporal refuses a second event with it, even for concurrent repeats. A repeat whose body asks for the same event (compared as JSON after defaults are filled in and times normalized) gets the first event with 200 and \`${IDEMPOTENT_REPLAYED_HEADER}: true\`; a different body is a 409, and so is a repeat after the event was changed with PATCH.`,
        tags: [TAG_EVENTS],
        parameters: [
          parameter(IDEMPOTENCY_KEY_HEADER, 'header', IdempotencyKeySchema.optional(), EXAMPLE_IDEMPOTENCY_KEY),
        ],
        requestBody: jsonBody('The event to schedule', createBody, {
          full: { summary: 'Every field', value: EXAMPLE_CREATE_BODY },
          minimal: {
            summary: 'Only what is required; a templated webhook and a time with an offset',
            value: EXAMPLE_MINIMAL_CREATE_BODY,
          },
        }),
        responses: {
          '201': {
            ...json('Scheduled', event, { created: { value: EXAMPLE_EVENT_OBJECT } }),
            headers: {
              Location: { description: 'The path of the new event', schema: { type: 'string' } },
            },
          },
          '200': {
            ...json(
              `A repeat of an \`${IDEMPOTENCY_KEY_HEADER}\` with the same body: the event created first; nothing new is scheduled`,
              event,
              { replayed: { value: EXAMPLE_EVENT_OBJECT } },
            ),
            headers: {
              [IDEMPOTENT_REPLAYED_HEADER]: { description: 'Always `true`', schema: { type: 'string', const: 'true' } },
              Location: { description: 'The path of the event', schema: { type: 'string' } },
            },
          },
          '400': errorResponse('`invalid-json`, `parse-failed` (the path names the field) or `not-supported`', [
            'invalidJson',
            'missingKey',
            'noTimezone',
            'negativeRetries',
            'notSupported',
            'emptyIdempotencyKey',
          ]),
          '409': errorResponse(`\`conflict\`: the \`${IDEMPOTENCY_KEY_HEADER}\` was used with a different body`, [
            'idempotencyMismatch',
          ]),
          ...commonErrors(true),
        },
      },
      get: {
        operationId: 'listEvents',
        summary: 'List events',
        description:
          `Events ordered by \`scheduled_time\`, then \`id\`, ${DEFAULT_LIST_LIMIT} per page by default (at most ${MAX_LIST_LIMIT}). ` +
          'Follow `next_cursor` for the next page: the cursor holds the position of the last event served, not an offset, so paging neither repeats nor skips an event while others are created or change status. ' +
          'Unknown query parameters, and parameters given twice (except `status`), are refused.',
        tags: [TAG_EVENTS],
        parameters: listParameters,
        responses: {
          '200': json('One page of events', eventPage, { page: { value: EXAMPLE_EVENT_PAGE } }),
          '400': errorResponse('`parse-failed`: the path names the query parameter', [
            'badStatus',
            'badLimit',
            'badCursor',
          ]),
          ...commonErrors(false),
        },
      },
    },
    '/v1/events/batch': {
      post: {
        operationId: 'createEvents',
        summary: 'Schedule many events',
        description:
          `Up to ${MAX_BATCH_EVENTS} events, each a \`POST /v1/events\` body. Every item is validated first, then the valid ones are started, ${BATCH_CREATE_CONCURRENCY} at a time. ` +
          'The answer has one result per item, in input order: the event, or `{"error": {path, error, code}}` with a path into this request (`$.events[3].schedule_at`). One bad item fails only itself. No idempotency key: a batch that timed out may have created some of its events.',
        tags: [TAG_EVENTS],
        requestBody: jsonBody('The events to schedule', batchBody, {
          twoEvents: {
            summary: 'Two events, one bad',
            value: {
              events: [EXAMPLE_CREATE_BODY, { ...EXAMPLE_MINIMAL_CREATE_BODY, schedule_at: '2030-01-01T12:00:00' }],
            },
          },
        }),
        responses: {
          '200': json('One result per item, in input order', batchResponse, {
            results: {
              value: {
                results: [
                  EXAMPLE_EVENT_OBJECT,
                  { error: { ...ERROR_EXAMPLES.noTimezone, path: '$.events[1].schedule_at' } },
                ],
              },
            },
          }),
          '400': errorResponse('`invalid-json` or `parse-failed`: the envelope itself is wrong', [
            'invalidJson',
            'tooManyBatchItems',
          ]),
          ...commonErrors(true),
        },
      },
    },
    '/v1/events/{id}': {
      get: {
        operationId: 'getEvent',
        summary: 'Read an event',
        description: "The event object, plus `temporal_ui_url`: the event's workflow in the Temporal Web UI.",
        tags: [TAG_EVENTS],
        parameters: [eventId],
        responses: {
          '200': json('The event', eventDetails, { event: { value: EXAMPLE_EVENT_DETAILS } }),
          '404': errorResponse('`not-found`: no event has this id', ['notFound']),
          ...commonErrors(false),
        },
      },
      patch: {
        operationId: 'updateEvent',
        summary: 'Change or reschedule an event',
        description:
          'Changes the fields given, with the rules of a create, until the attempt is prepared, 30 s before `schedule_at` (a Temporal Update whose validator refuses from then on, so the change never races the attempt). ' +
          'A field left out keeps its value; `retry_conf` is merged field by field. `null` gives a field the value a create gives it when absent (`payload` and `comment` null, `headers` none, a `retry_conf` field its default); `webhook` and `schedule_at` cannot be null.',
        tags: [TAG_EVENTS],
        parameters: [eventId],
        requestBody: jsonBody('The fields to change (at least one)', patchBody, {
          reschedule: { summary: 'Move the due time', value: { schedule_at: '2030-01-02T10:00:00Z' } },
          retries: {
            summary: 'Move it and allow more retries (the other retry_conf fields are kept)',
            value: { schedule_at: '2030-01-02T10:00:00Z', retry_conf: { num_retries: 5 } },
          },
          clearComment: { summary: 'Remove the comment', value: { comment: null } },
        }),
        responses: {
          '200': json('The event as changed', event, { rescheduled: { value: EXAMPLE_RESCHEDULED_EVENT_OBJECT } }),
          '400': errorResponse('`invalid-json`, `parse-failed` or `not-supported`', [
            'invalidJson',
            'emptyPatch',
            'noTimezone',
          ]),
          '404': errorResponse('`not-found`: no event has this id', ['notFound']),
          '409': errorResponse(
            '`conflict`: the attempt is prepared (30 s before due) or made, or the event has finished',
            ['attemptStarted', 'alreadyFinished'],
          ),
          ...commonErrors(true),
        },
      },
      delete: {
        operationId: 'cancelEvent',
        summary: 'Cancel an event',
        description:
          'Cancels a `scheduled` or `locked` event. A 200 `cancelled` is final: the webhook is never called for the event. A call already under way is not interrupted: it decides the event (`delivered` or `error`, logged) and the answer is a 409. The event stays, with status `cancelled` (listed only when asked for).',
        tags: [TAG_EVENTS],
        parameters: [eventId],
        responses: {
          '200': json(
            'The event, ended: `cancelled` (or `dead` when its tolerance ran out first); no call will be made',
            event,
            {
              cancelled: { value: EXAMPLE_CANCELLED_EVENT_OBJECT },
            },
          ),
          '202': json(
            'The event, still `scheduled` or `locked`: the cancel is recorded, but a worker holds its attempt and has not confirmed in time that it stopped it (it does before the call, unless the call had started)',
            event,
            { pending: { value: { ...EXAMPLE_CANCELLED_EVENT_OBJECT, status: 'locked' } } },
          ),
          '404': errorResponse('`not-found`: no event has this id', ['notFound']),
          '409': errorResponse(
            '`conflict`: the event has already finished (delivered, error, dead or cancelled), or a call under way decided it',
            ['alreadyFinished'],
          ),
          ...commonErrors(false),
        },
      },
    },
    '/v1/events/{id}/invocations': {
      get: {
        operationId: 'listEventInvocations',
        summary: "List an event's webhook attempts",
        description:
          'Every attempt, newest first, read from the workflow history (at most `num_retries + 1`). Response bodies are stored up to 64 KiB; `truncated: true` says when one was cut.',
        tags: [TAG_EVENTS],
        parameters: [eventId],
        responses: {
          '200': json('The attempts', invocationList, { invocations: { value: EXAMPLE_INVOCATION_LIST } }),
          '404': errorResponse('`not-found`: no event has this id', ['notFound']),
          ...commonErrors(false),
        },
      },
    },
    '/v1/metadata': {
      post: {
        operationId: 'hasuraMetadata',
        summary: "Hasura's metadata API (scheduled-event commands)",
        description:
          'A drop-in for Hasura\'s `POST /v1/metadata` scheduled-event commands: `{"type": "<command>", "args": {...}}`. Args follow Hasura: unknown keys are ignored, `null` counts as absent, errors point into `$.args`. ' +
          `\`bulk\` runs up to ${MAX_BULK_ITEMS} commands in order and stops at the first failure, whose error (path \`$.args[i].args…\`) is the answer; every item is validated before any runs. Only \`one_off\` events exist: \`cron\` is a 400 \`not-supported\`.`,
        tags: [TAG_HASURA],
        requestBody: jsonBody('One command', metadataBody, {
          create: {
            summary: 'create_scheduled_event',
            value: { type: 'create_scheduled_event', args: EXAMPLE_CREATE_BODY },
          },
          delete: {
            summary: 'delete_scheduled_event',
            value: { type: 'delete_scheduled_event', args: { type: 'one_off', event_id: EXAMPLE_EVENT_ID } },
          },
          list: {
            summary: 'get_scheduled_events',
            value: {
              type: 'get_scheduled_events',
              args: { type: 'one_off', status: ['scheduled', 'error'], limit: 10, offset: 0, get_rows_count: true },
            },
          },
          invocations: {
            summary: 'get_scheduled_event_invocations',
            value: {
              type: 'get_scheduled_event_invocations',
              args: { type: 'one_off', event_id: EXAMPLE_EVENT_ID, get_rows_count: true },
            },
          },
          bulk: {
            summary: 'bulk',
            value: {
              type: 'bulk',
              args: [
                { type: 'create_scheduled_event', args: EXAMPLE_MINIMAL_CREATE_BODY },
                { type: 'get_scheduled_events', args: { type: 'one_off' } },
              ],
            },
          },
        }),
        responses: {
          '200': json(
            "The command's result; for `bulk`, an array of the results in order",
            { oneOf: [hasuraResult, { type: 'array', items: hasuraResult }] },
            {
              create: { summary: 'create_scheduled_event', value: { message: 'success', event_id: EXAMPLE_EVENT_ID } },
              delete: { summary: 'delete_scheduled_event', value: { message: 'success' } },
              list: { summary: 'get_scheduled_events', value: { events: [EXAMPLE_EVENT_OBJECT], count: 1 } },
              invocations: { summary: 'get_scheduled_event_invocations', value: EXAMPLE_HASURA_INVOCATIONS },
              bulk: {
                summary: 'bulk',
                value: [{ message: 'success', event_id: EXAMPLE_EVENT_ID }, { events: [EXAMPLE_EVENT_OBJECT] }],
              },
            },
          ),
          '400': errorResponse('`invalid-json`, `parse-failed` (unknown command, bad args) or `not-supported`', [
            'invalidJson',
            'unknownCommand',
            'cronNotSupported',
          ]),
          ...commonErrors(true),
        },
      },
    },
    '/v1/query': {
      post: {
        operationId: 'hasuraQuery',
        summary: "Hasura's deprecated query API (create and bulk)",
        description:
          "Hasura's older endpoint, which its own tests still use: `create_scheduled_event` and `bulk` only; the other commands are answered with a 400 pointing to `/v1/metadata`.",
        tags: [TAG_HASURA],
        requestBody: jsonBody('One command', queryBody, {
          create: {
            summary: 'create_scheduled_event',
            value: { type: 'create_scheduled_event', args: EXAMPLE_MINIMAL_CREATE_BODY },
          },
          bulk: {
            summary: 'bulk',
            value: { type: 'bulk', args: [{ type: 'create_scheduled_event', args: EXAMPLE_CREATE_BODY }] },
          },
        }),
        responses: {
          '200': json(
            "The command's result; for `bulk`, an array",
            { oneOf: [hasuraCreate, { type: 'array', items: hasuraCreate }] },
            {
              create: { value: { message: 'success', event_id: EXAMPLE_EVENT_ID } },
              bulk: { value: [{ message: 'success', event_id: EXAMPLE_EVENT.id }] },
            },
          ),
          '400': errorResponse('`invalid-json`, `parse-failed` or `not-supported`', ['invalidJson', 'missingKey']),
          ...commonErrors(true),
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'health',
        summary: 'Liveness',
        description:
          'The process serves HTTP. Never touches Temporal, so a Temporal outage does not get the API restarted.',
        tags: [TAG_OPERATIONS],
        security: PUBLIC,
        responses: { '200': json('Alive', health, { ok: { value: { status: 'ok' } } }) },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readiness',
        summary: 'Readiness',
        description:
          'Events can be scheduled and will be delivered: Temporal answers and a worker polls the task queue.',
        tags: [TAG_OPERATIONS],
        security: PUBLIC,
        responses: {
          '200': json('Ready', readiness, { ready: { value: { status: 'ok', temporal: true, worker: true } } }),
          '503': json('Not ready; the flags say what is missing', readiness, {
            noWorker: { value: { status: 'unavailable', temporal: true, worker: false } },
            noTemporal: { value: { status: 'unavailable', temporal: false, worker: false } },
          }),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openApiDocument',
        summary: 'This document',
        tags: [TAG_OPERATIONS],
        security: PUBLIC,
        responses: {
          '200': { description: 'The OpenAPI 3.1 document', content: { [JSON_MEDIA]: { schema: { type: 'object' } } } },
        },
      },
    },
    '/docs': {
      get: {
        operationId: 'apiReference',
        summary: 'This document as a web page',
        description: 'A self-contained HTML page (no scripts, nothing loaded from elsewhere).',
        tags: [TAG_OPERATIONS],
        security: PUBLIC,
        responses: {
          '200': { description: 'The reference page', content: { 'text/html': { schema: { type: 'string' } } } },
        },
      },
    },
  };

  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'scheduled-events',
      version,
      description: API_DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: TAG_EVENTS, description: 'The resource API (docs/contract.md §7); the TypeScript SDK speaks it' },
      {
        name: TAG_HASURA,
        description: "Hasura's one-off scheduled-event commands, for migration (docs/contract.md §4)",
      },
      { name: TAG_OPERATIONS, description: 'Probes and documentation; public even with an admin secret' },
    ],
    security: [{ [ADMIN_SECRET_SCHEME]: [] }, { [BEARER_SCHEME]: [] }],
    paths,
    components: {
      schemas: components.schemas,
      responses: sharedResponses,
      securitySchemes: {
        [ADMIN_SECRET_SCHEME]: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Hasura-Admin-Secret',
          description: "The server's admin secret (Hasura's header; `X-Hasura-Access-Key` is accepted too)",
        },
        [BEARER_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: "The server's admin secret as a bearer token: `Authorization: Bearer <secret>`",
        },
      },
    },
  };
}
