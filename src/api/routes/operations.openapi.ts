/**
 * OpenAPI documentation of the probes (./health.ts) and of the documentation itself (./docs.ts).
 */
import { JSON_MEDIA, PUBLIC, TAG_OPERATIONS, type OperationDoc } from '../openapi/operation';
import { HealthSchema, ReadinessSchema } from '../schemas/responses';

/** `GET /healthz`. */
export const healthDoc: OperationDoc = (d) => ({
  operationId: 'health',
  summary: 'Liveness',
  description: 'The process serves HTTP. Never touches Temporal, so a Temporal outage does not get the API restarted.',
  tags: [TAG_OPERATIONS],
  security: PUBLIC,
  responses: { '200': d.json('Alive', d.ref(HealthSchema), { ok: { value: { status: 'ok' } } }) },
});

/** `GET /readyz`. */
export const readinessDoc: OperationDoc = (d) => ({
  operationId: 'readiness',
  summary: 'Readiness',
  description: 'Events can be scheduled and will be delivered: Temporal answers and a worker polls the task queue.',
  tags: [TAG_OPERATIONS],
  security: PUBLIC,
  responses: {
    '200': d.json('Ready', d.ref(ReadinessSchema), {
      ready: { value: { status: 'ok', temporal: true, worker: true } },
    }),
    '503': d.json('Not ready; the flags say what is missing', d.ref(ReadinessSchema), {
      noWorker: { value: { status: 'unavailable', temporal: true, worker: false } },
      noTemporal: { value: { status: 'unavailable', temporal: false, worker: false } },
    }),
  },
});

/** `GET /openapi.json`. */
export const openApiDocumentDoc: OperationDoc = () => ({
  operationId: 'openApiDocument',
  summary: 'This document',
  tags: [TAG_OPERATIONS],
  security: PUBLIC,
  responses: {
    '200': { description: 'The OpenAPI 3.1 document', content: { [JSON_MEDIA]: { schema: { type: 'object' } } } },
  },
});

/** `GET /docs`. */
export const apiReferenceDoc: OperationDoc = () => ({
  operationId: 'apiReference',
  summary: 'This document as a web page',
  description: 'A self-contained HTML page (no scripts, nothing loaded from elsewhere).',
  tags: [TAG_OPERATIONS],
  security: PUBLIC,
  responses: {
    '200': { description: 'The reference page', content: { 'text/html': { schema: { type: 'string' } } } },
  },
});

/** A public, data-free asset of the web console. */
const consoleAsset =
  (operationId: string, summary: string, mediaType: string): OperationDoc =>
  () => ({
    operationId,
    summary,
    description:
      'The web console (docs/console.md): public like `/docs`, as it holds no data; the page calls this API with the admin secret the user enters.',
    tags: [TAG_OPERATIONS],
    security: PUBLIC,
    responses: { '200': { description: summary, content: { [mediaType]: { schema: { type: 'string' } } } } },
  });

/** `GET /console`. */
export const consolePageDoc = consoleAsset('console', 'The web console', 'text/html');
/** `GET /console/app.js`. */
export const consoleScriptDoc = consoleAsset('consoleScript', "The web console's script", 'text/javascript');
/** `GET /console/style.css`. */
export const consoleStyleDoc = consoleAsset('consoleStyle', "The web console's stylesheet", 'text/css');
