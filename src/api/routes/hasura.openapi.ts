/**
 * OpenAPI documentation of Hasura's endpoints (./hasura.ts), attached to each handler with `documented()`.
 */
import { MAX_BULK_ITEMS } from '../hasura-commands';
import {
  EXAMPLE_CREATE_BODY,
  EXAMPLE_EVENT,
  EXAMPLE_EVENT_ID,
  EXAMPLE_EVENT_OBJECT,
  EXAMPLE_HASURA_INVOCATIONS,
  EXAMPLE_MINIMAL_CREATE_BODY,
} from '../openapi/examples';
import { MetadataEnvelopeSchema, QueryEnvelopeSchema } from '../openapi/hasura-envelope';
import type { JsonSchema } from '../openapi/json-schema';
import { TAG_HASURA, type DocContext, type OperationDoc } from '../openapi/operation';
import {
  HasuraCreateResultSchema,
  HasuraEventsResultSchema,
  HasuraInvocationsResultSchema,
  HasuraSuccessSchema,
} from '../schemas/responses';

/** The result of any one command. */
const hasuraResult = (d: DocContext): JsonSchema => ({
  oneOf: [
    d.ref(HasuraCreateResultSchema),
    d.ref(HasuraSuccessSchema),
    d.ref(HasuraEventsResultSchema),
    d.ref(HasuraInvocationsResultSchema),
  ],
});

/** `POST /v1/metadata`. */
export const hasuraMetadataDoc: OperationDoc = (d) => ({
  operationId: 'hasuraMetadata',
  summary: "Hasura's metadata API (scheduled-event commands)",
  description:
    'A drop-in for Hasura\'s `POST /v1/metadata` scheduled-event commands: `{"type": "<command>", "args": {...}}`. Args follow Hasura: unknown keys are ignored, `null` counts as absent, errors point into `$.args`. ' +
    `\`bulk\` runs up to ${MAX_BULK_ITEMS} commands in order and stops at the first failure, whose error (path \`$.args[i].args…\`) is the answer; every item is validated before any runs. Only \`one_off\` events exist: \`cron\` is a 400 \`not-supported\`.`,
  tags: [TAG_HASURA],
  requestBody: d.jsonBody('One command', d.ref(MetadataEnvelopeSchema), {
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
    '200': d.json(
      "The command's result; for `bulk`, an array of the results in order",
      { oneOf: [hasuraResult(d), { type: 'array', items: hasuraResult(d) }] },
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
    '400': d.errorResponse('`invalid-json`, `parse-failed` (unknown command, bad args) or `not-supported`', [
      'invalidJson',
      'unknownCommand',
      'cronNotSupported',
    ]),
    ...d.commonErrors(true),
  },
});

/** `POST /v1/query`. */
export const hasuraQueryDoc: OperationDoc = (d) => ({
  operationId: 'hasuraQuery',
  summary: "Hasura's deprecated query API (create and bulk)",
  description:
    "Hasura's older endpoint, which its own tests still use: `create_scheduled_event` and `bulk` only; the other commands are answered with a 400 pointing to `/v1/metadata`.",
  tags: [TAG_HASURA],
  requestBody: d.jsonBody('One command', d.ref(QueryEnvelopeSchema), {
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
    '200': d.json(
      "The command's result; for `bulk`, an array",
      { oneOf: [d.ref(HasuraCreateResultSchema), { type: 'array', items: d.ref(HasuraCreateResultSchema) }] },
      {
        create: { value: { message: 'success', event_id: EXAMPLE_EVENT_ID } },
        bulk: { value: [{ message: 'success', event_id: EXAMPLE_EVENT.id }] },
      },
    ),
    '400': d.errorResponse('`invalid-json`, `parse-failed` or `not-supported`', ['invalidJson', 'missingKey']),
    ...d.commonErrors(true),
  },
});
