/**
 * The native REST API (docs/contract.md §7): `/v1/events` as a resource. Mounted at `/v1`. It calls the same
 * EventService (src/events/event-service.ts) as the Hasura API (src/api/routes/hasura.ts), with the same schemas and
 * translation: each route validates, calls one operation and translates, so an event behaves the same whichever API
 * created it.
 *
 * Errors are thrown (`ApiError`, or the service's domain errors) and answered by `app.onError`, in docs/contract.md
 * §4's shape.
 */
import { Hono } from 'hono';
import type { EventService } from '../../events/event-service';
import { DEFAULT_RETRY_CONF, type EventDefinition, type EventPatch, type RetryConf } from '../../shared/event';
import { encodeCursor } from '../cursor';
import { ApiError, domainErrorToApiError, jsonPath, ROOT_PATH, toApiError, type ErrorBody } from '../errors';
import { rejectUnsupportedCreateKeys } from '../hasura-commands';
import type { ApiLogger } from '../logger';
import { describeRoute } from '../openapi/operation';
import { readJsonBody } from '../request-body';
import { CreateScheduledEventArgsSchema } from '../schemas/hasura';
import {
  BatchEnvelopeSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyKeySchema,
  LIST_EVENTS_PARAMS,
  ListEventsQuerySchema,
  PatchEventBodySchema,
  type PatchRetryConf,
} from '../schemas/events';
import { toEventDefinition, toHasuraEvent, toHasuraInvocation, toHeaderConf, type HasuraEvent } from '../translate';
import { parseOrThrow } from '../validation';
import { checkWebhookRules, DEFAULT_WEBHOOK_RULES, type WebhookRules } from '../webhook-rules';
import {
  cancelEventDoc,
  createEventDoc,
  createEventsDoc,
  getEventDoc,
  listEventInvocationsDoc,
  listEventsDoc,
  updateEventDoc,
} from './events.openapi';

/** Temporal namespace used for `temporal_ui_url` when none is given. */
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** Where the parts of a request that are not its body appear in error paths. */
const QUERY_PATH = jsonPath(ROOT_PATH, ['query']);
const HEADERS_PATH = jsonPath(ROOT_PATH, ['headers']);

export interface EventsRouterDeps {
  service: EventService;
  logger: ApiLogger;
  /** Base URL of the Temporal Web UI; without it `GET /v1/events/{id}` has no `temporal_ui_url`. */
  temporalUiUrl?: string;
  /** The namespace of the event workflows, for `temporal_ui_url`. (Default: `default`) */
  temporalNamespace?: string;
  /** Where webhooks may go and what they may read. (Default: DEFAULT_WEBHOOK_RULES) */
  webhookRules?: WebhookRules;
}

/** The Web UI page of an event's workflow; the UI opens the latest run of a workflow id. */
export function temporalUiUrlOf(baseUrl: string, namespace: string, eventId: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(eventId)}`;
}

/** The JSON type of a value, for messages. */
function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** Path of an event's resource, for `Location`. */
function eventLocation(eventId: string): string {
  return `/v1/events/${encodeURIComponent(eventId)}`;
}

/** Parses a create body found at `path`: Hasura's rules, including its refusal of transforms. */
function parseCreateBody(body: unknown, path: string, rules: WebhookRules): EventDefinition {
  rejectUnsupportedCreateKeys(body, path);
  const args = parseOrThrow(CreateScheduledEventArgsSchema, body, path);
  checkWebhookRules(rules, args, path);
  return toEventDefinition(args);
}

/**
 * The query string as one value per parameter. `status` may be repeated (its values are joined, as one comma list);
 * any other parameter given twice, or one the route does not know, is a 400 rather than silently ignored.
 */
function listQueryOf(queries: Record<string, string[]>): Record<string, string> {
  const known: readonly string[] = LIST_EVENTS_PARAMS;
  const query: Record<string, string> = {};
  for (const [name, values] of Object.entries(queries)) {
    const path = jsonPath(QUERY_PATH, [name]);
    if (!known.includes(name)) {
      throw ApiError.parseFailed(`unknown query parameter "${name}" (expected one of ${known.join(', ')})`, path);
    }
    if (name !== 'status' && values.length > 1) throw ApiError.parseFailed(`${name} is given more than once`, path);
    query[name] = values.join(',');
  }
  return query;
}

/**
 * The `retry_conf` fields a PATCH changes: a field left out is left out (the workflow's Update merges, so concurrent
 * edits of different fields both apply), `null` is the default, and `retry_conf: null` is every default.
 */
function retryConfPatch(patch: PatchRetryConf): Partial<RetryConf> {
  if (patch === null) return { ...DEFAULT_RETRY_CONF };
  const given: { [K in keyof RetryConf]: RetryConf[K] | null | undefined } = {
    numRetries: patch.num_retries,
    retryIntervalSeconds: patch.retry_interval_seconds,
    timeoutSeconds: patch.timeout_seconds,
    toleranceSeconds: patch.tolerance_seconds,
  };
  const changed: Partial<RetryConf> = {};
  for (const key of Object.keys(given) as (keyof RetryConf)[]) {
    const value = given[key];
    if (value !== undefined) changed[key] = value ?? DEFAULT_RETRY_CONF[key];
  }
  return changed;
}

/** The REST router; mount it at `/v1`. */
export function createEventsRouter(deps: EventsRouterDeps) {
  const { service, logger, temporalUiUrl } = deps;
  const rules = deps.webhookRules ?? DEFAULT_WEBHOOK_RULES;
  const namespace = deps.temporalNamespace ?? DEFAULT_TEMPORAL_NAMESPACE;

  /** A batch item's failure as its result; an unexpected one is logged here, as `app.onError` never sees it. */
  const batchItemError = (err: unknown, path: string): { error: ErrorBody } => {
    const apiError = domainErrorToApiError(err, path) ?? toApiError(err);
    if (apiError.code === 'unexpected') {
      logger.error('unexpected error while creating a batch item', { path, error: err });
    }
    return { error: apiError.toBody() };
  };

  return new Hono()
    .post('/events', describeRoute(createEventDoc), async (c) => {
      const definition = parseCreateBody(await readJsonBody(c), ROOT_PATH, rules);
      const rawKey = c.req.header(IDEMPOTENCY_KEY_HEADER);
      if (rawKey === undefined) {
        const event = await service.create(definition);
        return c.json(toHasuraEvent(event), 201, { Location: eventLocation(event.id) });
      }
      const key = parseOrThrow(IdempotencyKeySchema, rawKey, jsonPath(HEADERS_PATH, [IDEMPOTENCY_KEY_HEADER]));
      const { event, replayed } = await service.createOnce(definition, key);
      if (!replayed) return c.json(toHasuraEvent(event), 201, { Location: eventLocation(event.id) });
      return c.json(toHasuraEvent(event), 200, {
        Location: eventLocation(event.id),
        [IDEMPOTENT_REPLAYED_HEADER]: 'true',
      });
    })

    .post('/events/batch', describeRoute(createEventsDoc), async (c) => {
      const { events } = parseOrThrow(BatchEnvelopeSchema, await readJsonBody(c), ROOT_PATH);
      // Every item is validated before any is started, so a malformed batch costs no Temporal calls.
      const parsed = events.map((item, index) => {
        const path = jsonPath(ROOT_PATH, ['events', index]);
        try {
          // Checked here so that the message names the item (the schema's would say "request body").
          if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            throw ApiError.parseFailed(`events[${index}] must be an object (got ${describeJsonType(item)})`, path);
          }
          return { ok: true as const, path, definition: parseCreateBody(item, path, rules) };
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          return { ok: false as const, result: { error: err.toBody() } };
        }
      });
      const valid = parsed.flatMap((item) => (item.ok ? [item.definition] : []));
      const created = await service.createEach(valid);
      let next = 0;
      const results = parsed.map((item): HasuraEvent | { error: ErrorBody } => {
        if (!item.ok) return item.result;
        const outcome = created[next++];
        try {
          if (outcome === undefined || 'error' in outcome) throw outcome?.error;
          return toHasuraEvent(outcome.event);
        } catch (err) {
          return batchItemError(err, item.path);
        }
      });
      return c.json({ results });
    })

    .get('/events', describeRoute(listEventsDoc), async (c) => {
      const query = parseOrThrow(ListEventsQuerySchema, listQueryOf(c.req.queries()), QUERY_PATH);
      // One more than asked tells whether another page exists, whatever the scheduler's `total` counts.
      const page = await service.list({
        statuses: query.status,
        scheduledAfter: query.scheduled_after,
        scheduledBefore: query.scheduled_before,
        after: query.cursor,
        limit: query.limit + 1,
      });
      const events = page.events.slice(0, query.limit);
      const last = events[events.length - 1];
      const more = page.events.length > query.limit && last !== undefined;
      return c.json({
        events: events.map(toHasuraEvent),
        next_cursor: more ? encodeCursor({ scheduledTime: last.scheduledTime, id: last.id }) : null,
      });
    })

    .get('/events/:id', describeRoute(getEventDoc), async (c) => {
      const event = await service.get(c.req.param('id'));
      const link =
        temporalUiUrl === undefined ? {} : { temporal_ui_url: temporalUiUrlOf(temporalUiUrl, namespace, event.id) };
      return c.json({ ...toHasuraEvent(event), ...link });
    })

    .get('/events/:id/invocations', describeRoute(listEventInvocationsDoc), async (c) => {
      const attempts = await service.attemptsOf(c.req.param('id'));
      return c.json({ invocations: attempts.map(toHasuraInvocation) });
    })

    .patch('/events/:id', describeRoute(updateEventDoc), async (c) => {
      const eventId = c.req.param('id');
      const body = await readJsonBody(c);
      rejectUnsupportedCreateKeys(body, ROOT_PATH);
      if (typeof body === 'object' && body !== null && 'failure_webhook' in body) {
        throw ApiError.notSupported(
          'failure_webhook is set when the event is created, not changed',
          '$.failure_webhook',
        );
      }
      const fields = parseOrThrow(PatchEventBodySchema, body, ROOT_PATH);
      checkWebhookRules(rules, { webhook: fields.webhook, headers: fields.headers ?? undefined }, ROOT_PATH);
      const patch: EventPatch = {};
      if (fields.webhook !== undefined) patch.webhook = fields.webhook;
      if (fields.schedule_at !== undefined) patch.scheduledTime = fields.schedule_at;
      if (fields.payload !== undefined) patch.payload = fields.payload;
      if (fields.headers !== undefined) patch.headers = fields.headers.map(toHeaderConf);
      if (fields.comment !== undefined) patch.comment = fields.comment;
      if (fields.retry_conf !== undefined) patch.retryConf = retryConfPatch(fields.retry_conf);
      // An edit over the history budget is a 400 naming the field (EventTooLargeError, from the service).
      return c.json(toHasuraEvent(await service.edit(eventId, patch)));
    })

    .delete('/events/:id', describeRoute(cancelEventDoc), async (c) => {
      // 200: ended (cancelled; or dead, out of tolerance first): no call. 202: recorded, not yet confirmed (a worker
      // holds the attempt and has not answered in time). 409: already finished, or a call under way decided it.
      const event = await service.cancel(c.req.param('id'));
      return c.json(toHasuraEvent(event), event.status === 'scheduled' || event.status === 'locked' ? 202 : 200);
    });
}
