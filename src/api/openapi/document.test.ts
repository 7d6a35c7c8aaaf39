import { compileErrors, validate } from '@readme/openapi-parser';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { createApp, MAX_REQUEST_BODY_BYTES, PUBLIC_PATHS } from '../app';
import { ERROR_STATUS } from '../errors';
import { FakeEventScheduler } from '../../../test/doubles/fake-scheduler';
import { OPERATOR_ALLOWED_TEST_SECRETS, RecordingLogger } from '../../../test/doubles/api';
import {
  buildOpenApiDocument,
  HTTP_METHODS,
  toOpenApiPath,
  type MediaType,
  type OperationObject,
  type ParameterObject,
  type ResponseObject,
  type ResponseOrRef,
} from './document';
import { healthDoc } from '../routes/operations.openapi';
import { EXAMPLE_EVENT } from './examples';
import { describeRoute } from './operation';

/** An app, for its route table. */
const newApp = () => createApp({ scheduler: new FakeEventScheduler(), logger: new RecordingLogger() });
const document = buildOpenApiDocument(newApp().routes, { maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES });

/** The document's own id, so that component references resolve when a part of it is compiled. */
const DOCUMENT_ID = 'https://scheduled-events.test/openapi.json';
// Formats are annotations here (`schedule_at` accepts more than RFC 3339's date-time); strictness is off because
// the registered document carries OpenAPI keywords (`components`) that are not JSON Schema.
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });

/** A validator for a schema taken from the document, its `#/components/…` references pointed at the document. */
function compile(schema: unknown): ValidateFunction {
  const rebased = JSON.parse(
    JSON.stringify(schema).replace(/"\$ref":"#\/components\//g, `"$ref":"${DOCUMENT_ID}#/components/`),
  ) as object;
  return ajv.compile(rebased);
}

function errorsOf(validateFn: ValidateFunction): string {
  return ajv.errorsText(validateFn.errors);
}

interface Operation {
  method: string;
  path: string;
  operation: OperationObject;
}

const operations: Operation[] = Object.entries(document.paths).flatMap(([path, item]) =>
  HTTP_METHODS.flatMap((method) => {
    const operation = item[method];
    return operation ? [{ method, path, operation }] : [];
  }),
);

function resolveResponse(response: ResponseOrRef): ResponseObject {
  if (!('$ref' in response)) return response;
  const resolved = document.components.responses[response.$ref.replace('#/components/responses/', '')];
  if (!resolved) throw new Error(`unresolved ${response.$ref}`);
  return resolved;
}

function jsonMedia(content: Record<string, MediaType> | undefined): MediaType | undefined {
  return content?.['application/json'];
}

/** Every `$ref` in a value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string' ? [child] : refsIn(child),
  );
}

/** The value at a local JSON pointer (`#/a/b`) in the document. */
function at(pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (@readme/openapi-parser)', async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
    expect(result.warnings).toEqual([]);
    expect(result.specification).toBe('OpenAPI');
    expect(document.openapi).toBe('3.1.0');
  });

  it('is checked for real: the validator refuses a broken copy', async () => {
    const broken = structuredClone(document);
    const create = broken.paths['/v1/events']?.post;
    if (!create) throw new Error('no create operation');
    create.parameters = [{ name: 'x', in: 'body' as 'query', required: false, schema: {} }];
    expect((await validate(broken as never)).valid).toBe(false);
  });

  it('resolves every reference', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect([ref, at(ref) !== undefined]).toEqual([ref, true]);
  });

  it('has unique operation ids and a success response on every operation', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, operation } of operations) {
      expect([method, path, Object.keys(operation.responses).some((s) => s.startsWith('2'))]).toEqual([
        method,
        path,
        true,
      ]);
    }
  });

  it('describes both ways of presenting the admin secret, and marks exactly the public paths as public', () => {
    expect(document.components.securitySchemes).toEqual({
      adminSecret: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Hasura-Admin-Secret' }),
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    const publicPaths = operations.filter(({ operation }) => operation.security?.length === 0).map((o) => o.path);
    expect(publicPaths.sort()).toEqual([...PUBLIC_PATHS].sort());
    for (const { path, operation } of operations) {
      if (operation.security === undefined)
        expect([path, operation.responses['401']]).toEqual([path, expect.anything()]);
    }
  });

  it('documents the error codes: each example sits under the status of its code, and every code appears', () => {
    const seen = new Set<string>();
    for (const { operation } of operations) {
      for (const [status, ref] of Object.entries(operation.responses)) {
        if (!status.startsWith('4') && !status.startsWith('5')) continue;
        for (const example of Object.values(jsonMedia(resolveResponse(ref).content)?.examples ?? {})) {
          const { code } = example.value as { code?: keyof typeof ERROR_STATUS };
          if (code === undefined) continue; // /readyz's 503 is a readiness body, not an error
          seen.add(code);
          expect([operation.operationId, status, code, String(ERROR_STATUS[code])]).toEqual([
            operation.operationId,
            status,
            code,
            status,
          ]);
        }
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });

  it('has every route of the app, and no route the app lacks', () => {
    const served = newApp()
      .routes.filter((route) => route.method !== 'ALL') // middleware
      .map((route) => `${route.method} ${toOpenApiPath(route.path)}`);
    const documented = operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect([...new Set(served)].sort()).toEqual(documented.sort());
  });

  it('is built from the routes: a route without describeRoute() fails the build, and so does a second doc', () => {
    const options = { maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES };
    const undocumented = newApp();
    undocumented.get('/v1/extra/:id', (c) => c.text('x'));
    expect(() => buildOpenApiDocument(undocumented.routes, options)).toThrow(
      'GET /v1/extra/:id has no OpenAPI documentation',
    );
    const twice = newApp();
    twice.get('/healthz', describeRoute(healthDoc), (c) => c.text('x'));
    expect(() => buildOpenApiDocument(twice.routes, options)).toThrow('GET /healthz is documented twice');
    const added = newApp();
    added.get('/v1/extra/:id', describeRoute(healthDoc), (c) => c.text('x'));
    expect(buildOpenApiDocument(added.routes, options).paths['/v1/extra/{id}']?.get?.operationId).toBe('health');
  });

  it('declares every path parameter, as required', () => {
    for (const { path, operation } of operations) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name)).toEqual(inPath);
      for (const p of declared) expect(p.required).toBe(true);
    }
  });

  it('agrees with its own examples: each validates against the schema it illustrates', () => {
    for (const { operation } of operations) {
      const media = jsonMedia(operation.requestBody?.content);
      if (media) {
        const check = compile(media.schema);
        for (const [name, example] of Object.entries(media.examples ?? {})) {
          expect([operation.operationId, name, check(example.value) || errorsOf(check)]).toEqual([
            operation.operationId,
            name,
            true,
          ]);
        }
      }
      for (const [status, ref] of Object.entries(operation.responses)) {
        const response = jsonMedia(resolveResponse(ref).content);
        if (!response) continue;
        const check = compile(response.schema);
        for (const [name, example] of Object.entries(response.examples ?? {})) {
          expect([operation.operationId, status, name, check(example.value) || errorsOf(check)]).toEqual([
            operation.operationId,
            status,
            name,
            true,
          ]);
        }
      }
      for (const parameter of operation.parameters ?? []) {
        const check = compile(parameter.schema);
        expect([operation.operationId, parameter.name, check(parameter.example) || errorsOf(check)]).toEqual([
          operation.operationId,
          parameter.name,
          true,
        ]);
      }
    }
  });
});

describe('the document against the app', () => {
  /** An app whose fake already holds the event the examples refer to. */
  async function appWithExampleEvent() {
    const scheduler = new FakeEventScheduler();
    await scheduler.create(EXAMPLE_EVENT, { eventId: EXAMPLE_EVENT.id });
    return createApp({
      scheduler,
      logger: new RecordingLogger(),
      temporalUiUrl: 'http://127.0.0.1:8233',
      // The examples read REMINDER_WEBHOOK_SECRET, which an operator allows by name.
      webhookRules: OPERATOR_ALLOWED_TEST_SECRETS,
    });
  }

  /** A request built from the operation's parameter examples (and a body, when given). */
  function requestOf(
    { method, path, operation }: Operation,
    options: { body?: unknown; parameters?: Record<string, unknown> } = {},
  ): [string, RequestInit] {
    const parameters = operation.parameters ?? [];
    const valueOf = (p: ParameterObject) =>
      p.name in (options.parameters ?? {}) ? options.parameters?.[p.name] : p.example;
    const url = path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
      return encodeURIComponent(String(parameter && valueOf(parameter)));
    });
    const query = new URLSearchParams();
    const headers: Record<string, string> = {};
    for (const p of parameters) {
      const value = valueOf(p);
      if (value === undefined) continue;
      // Examples of query and header parameters are strings or numbers: written as they would be typed.
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (p.in === 'query') query.set(p.name, text);
      if (p.in === 'header') headers[p.name] = text;
    }
    const search = query.size > 0 ? `?${query.toString()}` : '';
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    return [`${url}${search}`, { method: method.toUpperCase(), headers, body }];
  }

  /** The request examples of an operation; one request without a body when it takes none. */
  function requestExamples({ operation }: Operation): [string, unknown][] {
    const media = jsonMedia(operation.requestBody?.content);
    if (!media) return [['(no body)', undefined]];
    return Object.entries(media.examples ?? {}).map(([name, example]) => [name, example.value]);
  }

  const cases = operations.flatMap((op) =>
    requestExamples(op).map(([name, body]) => [`${op.method.toUpperCase()} ${op.path} (${name})`, op, body] as const),
  );

  it.each(cases)('accepts %s, answering a documented success that matches its schema', async (_label, op, body) => {
    const app = await appWithExampleEvent();
    const res = await app.request(...requestOf(op, { body }));
    const documented = Object.keys(op.operation.responses).filter((s) => s.startsWith('2'));
    expect(documented).toContain(String(res.status));
    const response = resolveResponse(op.operation.responses[String(res.status)] as ResponseOrRef);
    const media = jsonMedia(response.content);
    if (!media) return; // the HTML page
    const check = compile(media.schema);
    const json: unknown = await res.json();
    expect(check(json) || errorsOf(check)).toBe(true);
  });

  /** Each top-level key of each body example taken out in turn: when the document refuses that, the app must too. */
  const removals = cases.flatMap(([label, op, body]) =>
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? Object.keys(body).map((key) => [`${label} without ${key}`, op, body, key] as const)
      : [],
  );

  it.each(removals)('%s: the document and the app agree', async (_label, op, body, key) => {
    const media = jsonMedia(op.operation.requestBody?.content);
    if (!media) throw new Error('no body schema');
    const mutated: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    delete mutated[key];
    const documentAccepts = compile(media.schema)(mutated);
    const app = await appWithExampleEvent();
    const res = await app.request(...requestOf(op, { body: mutated }));
    if (documentAccepts) {
      expect(res.status).toBeLessThan(300);
    } else {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'parse-failed' });
    }
  });

  it('makes bodies the document refuses, for the test above to check (a guard)', () => {
    // A guard on the test above: it would prove nothing if no removal made a document-invalid body.
    const invalid = removals.filter(([, op, body, key]) => {
      const media = jsonMedia(op.operation.requestBody?.content);
      const mutated: Record<string, unknown> = { ...(body as Record<string, unknown>) };
      delete mutated[key];
      return media !== undefined && !compile(media.schema)(mutated);
    });
    expect(invalid.map(([label]) => label)).toEqual(
      expect.arrayContaining([
        'POST /v1/events (full) without webhook',
        'POST /v1/events (full) without schedule_at',
        'POST /v1/events/batch (twoEvents) without events',
        'PATCH /v1/events/{id} (reschedule) without schedule_at',
        'POST /v1/metadata (create) without args',
        'POST /v1/query (bulk) without type',
      ]),
    );
  });

  /** Values that break some parameter schema; each is tried on every parameter. */
  const CANDIDATE_VALUES = ['', 'x', '0', '-1', '1.5', '1001', '!!!', 'sent', 'k'.repeat(300)];

  const parameterCases = operations.flatMap((op) =>
    (op.operation.parameters ?? [])
      .filter((p) => p.in !== 'path')
      .flatMap((p) =>
        CANDIDATE_VALUES.filter((value) => {
          // Query strings and headers are text: an integer schema sees the number the text spells.
          const candidate =
            p.schema['type'] === 'integer' && value.trim() !== '' && !Number.isNaN(Number(value))
              ? Number(value)
              : value;
          return !compile(p.schema)(candidate);
        }).map(
          (value) =>
            [
              `${op.method.toUpperCase()} ${op.path} ${p.in} ${p.name}=${JSON.stringify(value).slice(0, 20)}`,
              op,
              p.name,
              value,
            ] as const,
        ),
      ),
  );

  it('tries invalid values on every query and header parameter', () => {
    const names = new Set(parameterCases.map(([, op, name]) => `${op.operation.operationId}.${name}`));
    expect([...names].sort()).toEqual([
      'createEvent.Idempotency-Key',
      'listEvents.cursor',
      'listEvents.limit',
      'listEvents.status',
    ]);
  });

  it.each(parameterCases)('refuses %s, as the document does', async (_label, op, name, value) => {
    const app = await appWithExampleEvent();
    const media = jsonMedia(op.operation.requestBody?.content);
    const body = media ? Object.values(media.examples ?? {})[0]?.value : undefined;
    const res = await app.request(...requestOf(op, { body, parameters: { [name]: value } }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'parse-failed' });
  });
});
