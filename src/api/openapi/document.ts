/**
 * The OpenAPI 3.1 document of the whole HTTP API (docs/contract.md §7), served at `GET /openapi.json` and rendered at
 * `GET /docs`.
 *
 * Built from the app's own route table: each route carries its operation (`describeRoute(doc)`, ./operation.ts; the
 * docs sit beside their routers in src/api/routes/*.openapi.ts), and a route without one fails the build. Every
 * request schema is generated from the zod schema that validates that request, and every response schema from the
 * zod schema the server's response types are inferred from (src/api/schemas/); nothing restates a field. What is
 * written by hand is what zod cannot know: status codes, prose, and examples (./examples.ts), which tests send to
 * the app.
 */
import type { z } from 'zod';
import { version } from '../../../package.json';
import { ERROR_STATUS, type ErrorBody } from '../errors';
import { MAX_JSON_DEPTH } from '../request-body';
import { BatchCreateBodySchema, CreateEventBodySchema, PatchEventBodySchema } from '../schemas/events';
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
import { ERROR_EXAMPLES, errorBody, type ErrorExampleName } from './examples';
import { MetadataEnvelopeSchema, QueryEnvelopeSchema } from './hasura-envelope';
import { SchemaComponents, type JsonSchema, type SchemaIo } from './json-schema';
import {
  documentationOf,
  HTTP_METHODS,
  JSON_MEDIA,
  TAG_EVENTS,
  TAG_HASURA,
  TAG_OPERATIONS,
  type DocContext,
  type OperationDoc,
  type ExampleObject,
  type HttpMethod,
  type OperationObject,
  type ParameterObject,
  type ResponseObject,
  type ResponseOrRef,
} from './operation';

export {
  HTTP_METHODS,
  type ExampleObject,
  type HttpMethod,
  type MediaType,
  type OperationObject,
  type ParameterObject,
  type ResponseObject,
  type ResponseOrRef,
} from './operation';

export const OPENAPI_VERSION = '3.1.0';

/** Names of the security schemes (docs/contract.md §5). */
export const ADMIN_SECRET_SCHEME = 'adminSecret';
export const BEARER_SCHEME = 'bearerAuth';

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

/**
 * The schemas the document names, as `components.schemas`, in the order the reference page lists them; a route's
 * doc refers to them with `ref(schema)`. Requests are described as their input, responses as their output.
 */
const NAMED_SCHEMAS: readonly [string, z.ZodType, SchemaIo][] = [
  ['CreateEventRequest', CreateEventBodySchema, 'input'],
  ['BatchCreateRequest', BatchCreateBodySchema, 'input'],
  ['UpdateEventRequest', PatchEventBodySchema, 'input'],
  ['MetadataRequest', MetadataEnvelopeSchema, 'input'],
  ['QueryRequest', QueryEnvelopeSchema, 'input'],
  ['Event', EventObjectSchema, 'output'],
  ['EventDetails', EventDetailsSchema, 'output'],
  ['EventPage', EventPageSchema, 'output'],
  ['InvocationList', InvocationListSchema, 'output'],
  ['BatchCreateResponse', BatchResponseSchema, 'output'],
  ['Error', ErrorObjectSchema, 'output'],
  ['HasuraCreateResult', HasuraCreateResultSchema, 'output'],
  ['HasuraSuccess', HasuraSuccessSchema, 'output'],
  ['HasuraEventsResult', HasuraEventsResultSchema, 'output'],
  ['HasuraInvocationsResult', HasuraInvocationsResultSchema, 'output'],
  ['Health', HealthSchema, 'output'],
  ['Readiness', ReadinessSchema, 'output'],
];

/** A route as the app lists it (`app.routes`): middleware is listed too, with method `ALL`. */
export interface AppRoute {
  method: string;
  path: string;
  handler: object;
}

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

/**
 * Builds the document from the app's routes, each documented where it is defined (./operation.ts). Throws for a
 * route without documentation. Pure: the same routes and options give the same document.
 */
export function buildOpenApiDocument(routes: readonly AppRoute[], options: OpenApiOptions): OpenApiDocument {
  const components = new SchemaComponents();
  const names = new Map<z.ZodType, string>();
  for (const [name, schema, io] of NAMED_SCHEMAS) {
    components.named(name, schema, io);
    names.set(schema, name);
  }
  const ref = (schema: z.ZodType): JsonSchema => {
    const name = names.get(schema);
    if (name === undefined) throw new Error('ref() of a schema the document does not name: add it to NAMED_SCHEMAS');
    return components.ref(name);
  };
  const error = ref(ErrorObjectSchema);

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

  const inline = (schema: z.ZodType): JsonSchema => components.inline(schema, 'input');
  const doc: DocContext = { ref, inline, json, jsonBody, errorResponse, parameter, commonErrors };
  // A route is one entry per handler in the app's table: its describeRoute() middleware, then the handler.
  const operations = new Map<string, { route: AppRoute; docs: OperationDoc[] }>();
  for (const route of routes) {
    if (route.method === 'ALL') continue; // middleware for every method (auth, body limit, …)
    const key = `${route.method} ${route.path}`;
    const entry = operations.get(key) ?? { route, docs: [] };
    const operationDoc = documentationOf(route.handler);
    if (operationDoc !== undefined) entry.docs.push(operationDoc);
    operations.set(key, entry);
  }
  const paths: Record<string, PathItem> = {};
  for (const [key, { route, docs }] of operations) {
    const method = route.method.toLowerCase() as HttpMethod;
    if (!HTTP_METHODS.includes(method)) throw new Error(`${key}: the document has no place for this method`);
    const [operationDoc, ...others] = docs;
    if (operationDoc === undefined) {
      throw new Error(`${key} has no OpenAPI documentation: route it with describeRoute(doc) (./operation.ts)`);
    }
    if (others.length > 0) throw new Error(`${key} is documented twice`);
    (paths[toOpenApiPath(route.path)] ??= {})[method] = operationDoc(doc);
  }

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
