/**
 * How a route carries its documentation: `.post(path, describeRoute(doc), handler)`, and the OpenAPI document
 * (./document.ts) is built by walking the app's own route table. A route without a doc makes the document fail to
 * build (a test builds it), so no route exists undocumented, and no documented path exists without its route.
 *
 * A doc is a function of a DocContext, which gives it the document's shared parts: references to the named schema
 * components, the error responses with their examples, and the shapes of bodies and parameters. The docs of each
 * router sit beside it (../routes/*.openapi.ts).
 */
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { ErrorExampleName } from './examples';
import type { JsonSchema } from './json-schema';

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

export interface RequestBodyObject {
  description?: string;
  required: boolean;
  content: Record<string, MediaType>;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseOrRef>;
}

export const JSON_MEDIA = 'application/json';
export const TAG_EVENTS = 'Events';
export const TAG_HASURA = 'Hasura-compatible';
export const TAG_OPERATIONS = 'Operations';
/** An operation anyone may call, even with an admin secret configured (docs/contract.md §5). */
export const PUBLIC: Record<string, string[]>[] = [];

/** What a route's doc is given: the document's shared parts. */
export interface DocContext {
  /** A reference to the component of a named schema (./document.ts names them); throws for any other schema. */
  ref(schema: z.ZodType): JsonSchema;
  /** A schema the document does not name, written out in place (requests as their input). */
  inline(schema: z.ZodType): JsonSchema;
  /** A JSON response. */
  json(description: string, schema: JsonSchema, examples: Record<string, ExampleObject>): ResponseObject;
  /** A required JSON request body. */
  jsonBody(description: string, schema: JsonSchema, examples: Record<string, ExampleObject>): RequestBodyObject;
  /** An error response with the examples that can happen to this operation. */
  errorResponse(description: string, names: readonly ErrorExampleName[]): ResponseObject;
  /** A parameter from a zod schema: its description and first example moved up to the parameter. */
  parameter(name: string, location: ParameterObject['in'], schema: z.ZodType, example?: unknown): ParameterObject;
  /** The errors every authenticated call can get; `withBody` adds those of reading a body (413, 415). */
  commonErrors(withBody: boolean): Record<string, ResponseOrRef>;
}

/** A route's documentation: its OpenAPI operation, given the document's shared parts. */
export type OperationDoc = (doc: DocContext) => OperationObject;

const docs = new WeakMap<object, OperationDoc>();

/**
 * A middleware that only carries `doc`, for `.get(path, describeRoute(doc), handler)`: the document finds it in the
 * app's route table beside the handler. (A middleware rather than a wrapper around the handler: Hono infers a
 * handler's path parameters from its position in the call, which a wrapper would hide.)
 */
export function describeRoute(doc: OperationDoc): MiddlewareHandler {
  const carrier: MiddlewareHandler = (_c, next) => next();
  docs.set(carrier, doc);
  return carrier;
}

/** The doc a route's handler carries, if it is one that describeRoute made. */
export function documentationOf(handler: object): OperationDoc | undefined {
  return docs.get(handler);
}
