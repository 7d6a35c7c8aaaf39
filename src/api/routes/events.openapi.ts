/**
 * OpenAPI documentation of the REST routes (./events.ts), attached to each handler with `documented()`; the document
 * is built from the app's routes (../openapi/document.ts).
 */
import { BATCH_CREATE_CONCURRENCY } from '../../events/event-service';
import {
  ERROR_EXAMPLES,
  EXAMPLE_CANCELLED_EVENT_OBJECT,
  EXAMPLE_CREATE_BODY,
  EXAMPLE_CURSOR,
  EXAMPLE_EVENT_DETAILS,
  EXAMPLE_EVENT_ID,
  EXAMPLE_EVENT_OBJECT,
  EXAMPLE_EVENT_PAGE,
  EXAMPLE_IDEMPOTENCY_KEY,
  EXAMPLE_INVOCATION_LIST,
  EXAMPLE_MINIMAL_CREATE_BODY,
  EXAMPLE_RESCHEDULED_EVENT_OBJECT,
} from '../openapi/examples';
import { TAG_EVENTS, type DocContext, type OperationDoc, type ParameterObject } from '../openapi/operation';
import {
  BatchCreateBodySchema,
  CreateEventBodySchema,
  DEFAULT_LIST_LIMIT,
  EventIdParamSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyKeySchema,
  ListEventsQuerySchema,
  MAX_BATCH_EVENTS,
  MAX_LIST_LIMIT,
  PatchEventBodySchema,
} from '../schemas/events';
import {
  BatchResponseSchema,
  EventDetailsSchema,
  EventObjectSchema,
  EventPageSchema,
  InvocationListSchema,
} from '../schemas/responses';

/** The `{id}` of `/v1/events/{id}`. */
const eventIdParameter = (d: DocContext): ParameterObject =>
  d.parameter('id', 'path', EventIdParamSchema, EXAMPLE_EVENT_ID);

/** One parameter per field of the listing's query schema. */
const listParameters = (d: DocContext): ParameterObject[] =>
  Object.entries(ListEventsQuerySchema.shape).map(([name, schema]) =>
    d.parameter(name, 'query', schema, name === 'cursor' ? EXAMPLE_CURSOR : undefined),
  );

/** `POST /v1/events`. */
export const createEventDoc: OperationDoc = (d) => ({
  operationId: 'createEvent',
  summary: 'Schedule an event',
  description:
    "The body is Hasura's `create_scheduled_event` args: `webhook` and `schedule_at` are required; unknown keys are ignored; `request_transform` and `response_transform` are refused (400 `not-supported`). " +
    `With an \`${IDEMPOTENCY_KEY_HEADER}\` header the create can be repeated safely: the event id is the key's UUIDv5, so Temporal refuses a second event with it, even for concurrent repeats. A repeat whose body asks for the same event (compared as JSON after defaults are filled in and times normalized) gets the first event with 200 and \`${IDEMPOTENT_REPLAYED_HEADER}: true\`; a different body is a 409, and so is a repeat after the event was changed with PATCH.`,
  tags: [TAG_EVENTS],
  parameters: [d.parameter(IDEMPOTENCY_KEY_HEADER, 'header', IdempotencyKeySchema.optional(), EXAMPLE_IDEMPOTENCY_KEY)],
  requestBody: d.jsonBody('The event to schedule', d.ref(CreateEventBodySchema), {
    full: { summary: 'Every field', value: EXAMPLE_CREATE_BODY },
    minimal: {
      summary: 'Only what is required; a templated webhook and a time with an offset',
      value: EXAMPLE_MINIMAL_CREATE_BODY,
    },
  }),
  responses: {
    '201': {
      ...d.json('Scheduled', d.ref(EventObjectSchema), { created: { value: EXAMPLE_EVENT_OBJECT } }),
      headers: {
        Location: { description: 'The path of the new event', schema: { type: 'string' } },
      },
    },
    '200': {
      ...d.json(
        `A repeat of an \`${IDEMPOTENCY_KEY_HEADER}\` with the same body: the event created first; nothing new is scheduled`,
        d.ref(EventObjectSchema),
        { replayed: { value: EXAMPLE_EVENT_OBJECT } },
      ),
      headers: {
        [IDEMPOTENT_REPLAYED_HEADER]: { description: 'Always `true`', schema: { type: 'string', const: 'true' } },
        Location: { description: 'The path of the event', schema: { type: 'string' } },
      },
    },
    '400': d.errorResponse('`invalid-json`, `parse-failed` (the path names the field) or `not-supported`', [
      'invalidJson',
      'missingKey',
      'noTimezone',
      'negativeRetries',
      'notSupported',
      'emptyIdempotencyKey',
    ]),
    '409': d.errorResponse(`\`conflict\`: the \`${IDEMPOTENCY_KEY_HEADER}\` was used with a different body`, [
      'idempotencyMismatch',
    ]),
    ...d.commonErrors(true),
  },
});

/** `GET /v1/events`. */
export const listEventsDoc: OperationDoc = (d) => ({
  operationId: 'listEvents',
  summary: 'List events',
  description:
    `Events ordered by \`scheduled_time\`, then \`id\`, ${DEFAULT_LIST_LIMIT} per page by default (at most ${MAX_LIST_LIMIT}). ` +
    'Follow `next_cursor` for the next page: the cursor holds the position of the last event served, not an offset, so paging neither repeats nor skips an event while others are created or change status. ' +
    'Unknown query parameters, and parameters given twice (except `status`), are refused.',
  tags: [TAG_EVENTS],
  parameters: listParameters(d),
  responses: {
    '200': d.json('One page of events', d.ref(EventPageSchema), { page: { value: EXAMPLE_EVENT_PAGE } }),
    '400': d.errorResponse('`parse-failed`: the path names the query parameter', [
      'badStatus',
      'badLimit',
      'badCursor',
    ]),
    ...d.commonErrors(false),
  },
});

/** `POST /v1/events/batch`. */
export const createEventsDoc: OperationDoc = (d) => ({
  operationId: 'createEvents',
  summary: 'Schedule many events',
  description:
    `Up to ${MAX_BATCH_EVENTS} events, each a \`POST /v1/events\` body. Every item is validated first, then the valid ones are started, ${BATCH_CREATE_CONCURRENCY} at a time. ` +
    'The answer has one result per item, in input order: the event, or `{"error": {path, error, code}}` with a path into this request (`$.events[3].schedule_at`). One bad item fails only itself. No idempotency key: a batch that timed out may have created some of its events.',
  tags: [TAG_EVENTS],
  requestBody: d.jsonBody('The events to schedule', d.ref(BatchCreateBodySchema), {
    twoEvents: {
      summary: 'Two events, one bad',
      value: {
        events: [EXAMPLE_CREATE_BODY, { ...EXAMPLE_MINIMAL_CREATE_BODY, schedule_at: '2030-01-01T12:00:00' }],
      },
    },
  }),
  responses: {
    '200': d.json('One result per item, in input order', d.ref(BatchResponseSchema), {
      results: {
        value: {
          results: [EXAMPLE_EVENT_OBJECT, { error: { ...ERROR_EXAMPLES.noTimezone, path: '$.events[1].schedule_at' } }],
        },
      },
    }),
    '400': d.errorResponse('`invalid-json` or `parse-failed`: the envelope itself is wrong', [
      'invalidJson',
      'tooManyBatchItems',
    ]),
    ...d.commonErrors(true),
  },
});

/** `GET /v1/events/{id}`. */
export const getEventDoc: OperationDoc = (d) => ({
  operationId: 'getEvent',
  summary: 'Read an event',
  description: "The event object, plus `temporal_ui_url`: the event's workflow in the Temporal Web UI.",
  tags: [TAG_EVENTS],
  parameters: [eventIdParameter(d)],
  responses: {
    '200': d.json('The event', d.ref(EventDetailsSchema), { event: { value: EXAMPLE_EVENT_DETAILS } }),
    '404': d.errorResponse('`not-found`: no event has this id', ['notFound']),
    ...d.commonErrors(false),
  },
});

/** `PATCH /v1/events/{id}`. */
export const updateEventDoc: OperationDoc = (d) => ({
  operationId: 'updateEvent',
  summary: 'Change or reschedule an event',
  description:
    'Changes the fields given, with the rules of a create, until the attempt is prepared, 30 s before `schedule_at` (up to 3 min before for an event in a burst; a Temporal Update whose validator refuses from then on, so the change never races the attempt). ' +
    'A field left out keeps its value; `retry_conf` is merged field by field. `null` gives a field the value a create gives it when absent (`payload` and `comment` null, `headers` none, a `retry_conf` field its default); `webhook` and `schedule_at` cannot be null.',
  tags: [TAG_EVENTS],
  parameters: [eventIdParameter(d)],
  requestBody: d.jsonBody('The fields to change (at least one)', d.ref(PatchEventBodySchema), {
    reschedule: { summary: 'Move the due time', value: { schedule_at: '2030-01-02T10:00:00Z' } },
    retries: {
      summary: 'Move it and allow more retries (the other retry_conf fields are kept)',
      value: { schedule_at: '2030-01-02T10:00:00Z', retry_conf: { num_retries: 5 } },
    },
    clearComment: { summary: 'Remove the comment', value: { comment: null } },
  }),
  responses: {
    '200': d.json('The event as changed', d.ref(EventObjectSchema), {
      rescheduled: { value: EXAMPLE_RESCHEDULED_EVENT_OBJECT },
    }),
    '400': d.errorResponse('`invalid-json`, `parse-failed` or `not-supported`', [
      'invalidJson',
      'emptyPatch',
      'noTimezone',
    ]),
    '404': d.errorResponse('`not-found`: no event has this id', ['notFound']),
    '409': d.errorResponse(
      '`conflict`: the attempt is prepared (30 s before due, up to 3 min in a burst) or made, or the event has finished',
      ['attemptStarted', 'alreadyFinished'],
    ),
    ...d.commonErrors(true),
  },
});

/** `DELETE /v1/events/{id}`. */
export const cancelEventDoc: OperationDoc = (d) => ({
  operationId: 'cancelEvent',
  summary: 'Cancel an event',
  description:
    'Cancels a `scheduled` or `locked` event. A 200 `cancelled` is final: the webhook is never called for the event. A call already under way is not interrupted: it decides the event (`delivered` or `error`, logged) and the answer is a 409. The event stays, with status `cancelled` (listed only when asked for).',
  tags: [TAG_EVENTS],
  parameters: [eventIdParameter(d)],
  responses: {
    '200': d.json(
      'The event, ended: `cancelled` (or `dead` when its tolerance ran out first); no call will be made',
      d.ref(EventObjectSchema),
      {
        cancelled: { value: EXAMPLE_CANCELLED_EVENT_OBJECT },
      },
    ),
    '202': d.json(
      'The event, still `scheduled` or `locked`: the cancel is recorded, but a worker holds its attempt and has not confirmed in time that it stopped it (it does before the call, unless the call had started)',
      d.ref(EventObjectSchema),
      { pending: { value: { ...EXAMPLE_CANCELLED_EVENT_OBJECT, status: 'locked' } } },
    ),
    '404': d.errorResponse('`not-found`: no event has this id', ['notFound']),
    '409': d.errorResponse(
      '`conflict`: the event has already finished (delivered, error, dead or cancelled), or a call under way decided it',
      ['alreadyFinished'],
    ),
    ...d.commonErrors(false),
  },
});

/** `GET /v1/events/{id}/invocations`. */
export const listEventInvocationsDoc: OperationDoc = (d) => ({
  operationId: 'listEventInvocations',
  summary: "List an event's webhook attempts",
  description:
    'Every attempt, newest first, read from the workflow history (at most `num_retries + 1`). Response bodies are stored up to 64 KiB; `truncated: true` says when one was cut.',
  tags: [TAG_EVENTS],
  parameters: [eventIdParameter(d)],
  responses: {
    '200': d.json('The attempts', d.ref(InvocationListSchema), { invocations: { value: EXAMPLE_INVOCATION_LIST } }),
    '404': d.errorResponse('`not-found`: no event has this id', ['notFound']),
    ...d.commonErrors(false),
  },
});
