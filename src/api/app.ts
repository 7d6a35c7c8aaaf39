/**
 * The HTTP API as a Hono app. It takes its dependencies (no globals, no process.env), so tests run it with
 * `app.request()` against a fake scheduler and the server entrypoint wires the real one.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { EventService } from '../events/event-service';
import { ServiceMetrics } from '../metrics/service-metrics';
import type { PayloadCodecLike } from '../shared/payload-codec';
import type { EventScheduler } from '../shared/scheduler';
import { adminSecretAuth } from './auth';
import { browserOrigins, jsonBodiesOnly, loopbackHostsOnly } from './browser-guard';
import { ApiError, toApiError } from './errors';
import type { ApiLogger } from './logger';
import type { WebhookRules } from './webhook-rules';
import { CODEC_PATH, createCodecRouter } from './routes/codec';
import { createMetricsRouter } from './routes/metrics';
import { CONSOLE_PATHS, createConsoleRouter } from './routes/console';
import { createDocsRouter } from './routes/docs';
import { createEventsRouter } from './routes/events';
import { createHasuraRouter } from './routes/hasura';
import { createHealthRouter } from './routes/health';

export type { ApiLogger } from './logger';

/**
 * Largest request body accepted (1 MiB). An event's definition becomes its workflow's input, and Temporal refuses
 * payloads over 2 MB; staying well under leaves room for the rest of the workflow's state.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** Served without the admin secret (docs/contract.md §5). */
export const PUBLIC_PATHS = ['/healthz', '/readyz', '/openapi.json', '/docs', ...CONSOLE_PATHS] as const;

/** Hasura's text for an unknown route. */
export const ROUTE_NOT_FOUND_MESSAGE = 'resource does not exist';

export interface AppDeps {
  scheduler: EventScheduler;
  /** When set, every API call needs it (docs/contract.md §5); when absent the API is open. */
  adminSecret?: string;
  /**
   * Base URL of the Temporal Web UI (e.g. `http://127.0.0.1:8233`), for the REST API's `temporal_ui_url` (docs/contract.md §7).
   * The Hasura API does not use it.
   */
  temporalUiUrl?: string;
  /** Temporal namespace of the event workflows, for `temporal_ui_url`. (Default: `default`) */
  temporalNamespace?: string;
  /** Defaults to `console`. */
  logger?: ApiLogger;
  /** Origins whose web pages may call the API (CORS). (Default: none: every request with an `Origin` is refused) */
  allowedOrigins?: readonly string[];
  /**
   * Where webhooks may go and which env names they may read, checked at create and edit (the worker checks again).
   * (Default: public destinations only, the default env policy)
   */
  webhookRules?: WebhookRules;
  /**
   * Opens and seals payloads for the Temporal Web UI (`/codec/*`): the service's payload codec, when
   * PAYLOAD_ENCRYPTION_KEYS is set. (Default: none: the endpoint returns payloads as sent)
   */
  payloadCodec?: PayloadCodecLike;
  /**
   * This process's metrics, served at `/metrics` (shared with the worker under `npm start`; the entrypoints make
   * them). (Default: a registry of this app's own, without process metrics: tests make many apps)
   */
  metrics?: ServiceMetrics;
}

/** Builds the app. Throws when `adminSecret` is the empty string (a secret anyone can present). */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? console;
  const app = new Hono();

  // Every answer, errors included: a browser must take JSON for JSON, never sniff it into HTML or script.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  });
  // Next: a browser's preflight carries no credentials, and a refused page must not get as far as the secret check.
  app.use(
    '*',
    browserOrigins({
      allowedOrigins: deps.allowedOrigins ?? [],
      // The Temporal Web UI calls the codec endpoint from its own origin.
      codecOrigins: deps.temporalUiUrl === undefined ? [] : [new URL(deps.temporalUiUrl).origin],
      codecPath: CODEC_PATH,
    }),
  );
  // Without a secret the API is open (development, on loopback only); the server entrypoint warns about it at start.
  if (deps.adminSecret === undefined) app.use('*', loopbackHostsOnly());
  if (deps.adminSecret !== undefined) {
    app.use('*', adminSecretAuth({ adminSecret: deps.adminSecret, publicPaths: PUBLIC_PATHS }));
  }
  for (const bodies of ['/v1/*', `${CODEC_PATH}/*`]) {
    app.use(bodies, jsonBodiesOnly());
    // After authentication, so an unauthenticated client cannot make the server read a large body.
    app.use(
      bodies,
      bodyLimit({
        maxSize: MAX_REQUEST_BODY_BYTES,
        onError: () => {
          throw new ApiError('payload-too-large', `request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
        },
      }),
    );
  }

  // Mounted in the order the reference page (/docs) lists them: the REST API, Hasura's, then the operations.
  // One service for both APIs: one code path per operation, whichever API is called.
  const metrics = deps.metrics ?? new ServiceMetrics({ processMetrics: false });
  const service = new EventService(deps.scheduler, metrics);
  app.route(
    '/v1',
    createEventsRouter({
      service,
      logger,
      temporalUiUrl: deps.temporalUiUrl,
      temporalNamespace: deps.temporalNamespace,
      webhookRules: deps.webhookRules,
    }),
  );
  app.route('/v1', createHasuraRouter({ service, logger, webhookRules: deps.webhookRules }));
  app.route('/', createHealthRouter(deps.scheduler, logger));
  app.route('/', createConsoleRouter());
  app.route('/', createCodecRouter(deps.payloadCodec));
  app.route('/', createMetricsRouter(metrics));
  // The document is built from the app's own routes, each documented where it is defined (src/api/openapi/).
  app.route('/', createDocsRouter({ maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES, routes: () => app.routes }));

  app.notFound((c) => c.json(new ApiError('not-found', ROUTE_NOT_FOUND_MESSAGE).toBody(), 404));

  app.onError((err, c) => {
    const apiError = toApiError(err);
    const request = { method: c.req.method, path: c.req.path };
    if (apiError.code === 'unexpected') {
      // The only place an unexpected error is reported in full; the client gets a fixed message.
      logger.error('unexpected error while handling a request', { ...request, error: err });
    } else if (apiError.code === 'unavailable') {
      const cause = apiError.cause instanceof Error ? apiError.cause.cause : undefined;
      logger.warn('scheduler unavailable', { ...request, cause: cause instanceof Error ? cause.message : cause });
    }
    return c.json(apiError.toBody(), apiError.status);
  });

  return app;
}
