/**
 * OpenAPI documentation of the probes (./health.ts) and of the documentation itself (./docs.ts).
 */
import { JSON_MEDIA, PUBLIC, TAG_OPERATIONS, type OperationDoc } from '../openapi/operation';
import { HealthSchema, ReadinessSchema } from '../schemas/responses';
import { CodecBodySchema } from '../schemas/codec';

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

/** Temporal's codec-server protocol, for the Web UI. */
const codecOperation =
  (direction: 'decode' | 'encode'): OperationDoc =>
  (d) => ({
    operationId: `codec${direction === 'decode' ? 'Decode' : 'Encode'}`,
    summary:
      direction === 'decode'
        ? 'Decode payloads (for the Temporal Web UI)'
        : 'Encode payloads (for the Temporal Web UI)',
    description:
      "Temporal's codec-server protocol: with `PAYLOAD_ENCRYPTION_KEYS`, the Temporal Web UI sends an event's sealed payloads here to show them in plaintext (docs/web-ui.md). Needs the admin secret like any call; the UI's origin (`TEMPORAL_UI_URL`) may call it cross-origin. Without keys, payloads come back as sent.",
    tags: [TAG_OPERATIONS],
    requestBody: d.jsonBody('Payloads, bytes as base64', d.inline(CodecBodySchema), {
      one: { value: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJhIjoxfQ==' }] } },
    }),
    responses: {
      '200': d.json(`The payloads, ${direction}d, in order`, d.inline(CodecBodySchema), {
        one: { value: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJhIjoxfQ==' }] } },
      }),
      '400': d.errorResponse('`parse-failed`: not payloads, or one could not be opened (a key this server lacks)', [
        'invalidJson',
      ]),
      ...d.commonErrors(true),
    },
  });

/** `POST /codec/decode`. */
export const codecDecodeDoc = codecOperation('decode');
/** `POST /codec/encode`. */
export const codecEncodeDoc = codecOperation('encode');

/** `GET /metrics`. */
export const metricsDoc: OperationDoc = (d) => ({
  operationId: 'metrics',
  summary: "This process's metrics, in Prometheus text",
  description:
    'Attempts by outcome and HTTP status class, call lateness and attempt duration histograms, attempts holding, events created and cancelled, history-budget refusals, and process metrics (docs/operations.md). Needs the admin secret (Prometheus: `authorization: {credentials: <secret>}`).',
  tags: [TAG_OPERATIONS],
  responses: {
    '200': {
      description: 'Prometheus text exposition format 0.0.4',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
    ...d.commonErrors(false),
  },
});
