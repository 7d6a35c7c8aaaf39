/**
 * Hasura's scheduled-events API (docs/contract.md §4): `POST /v1/metadata` and its deprecated sibling `POST /v1/query`, each a
 * `{"type", "args"}` envelope. Mounted at `/v1`.
 */
import { Hono, type Context } from 'hono';
import type { EventService } from '../../events/event-service';
import type { ScheduledEvent } from '../../shared/event';
import { domainErrorToApiError, ROOT_PATH } from '../errors';
import { holdsStream, jsonStream, StreamedArray } from '../json-stream';
import type { ApiLogger } from '../logger';
import { argsPath, parseHasuraCommand, type Endpoint, type HasuraCommand } from '../hasura-commands';
import { describeRoute } from '../openapi/operation';
import { readJsonBody } from '../request-body';
import { DEFAULT_WEBHOOK_RULES, type WebhookRules } from '../webhook-rules';
import { hasuraMetadataDoc, hasuraQueryDoc } from './hasura.openapi';
import {
  toEventDefinition,
  toHasuraEvent,
  toHasuraInvocation,
  type HasuraEvent,
  type HasuraInvocation,
} from '../translate';

/** Hasura's `successMsg`. */
const SUCCESS = { message: 'success' } as const;

type CommandResult =
  | typeof SUCCESS
  | { message: 'success'; event_id: string }
  | { events: HasuraEvent[] | StreamedArray<HasuraEvent>; count?: number }
  | { invocations: HasuraInvocation[]; count?: number }
  | CommandResult[];

/** `count` only when asked for, as in Hasura. */
function withCount<T extends object>(result: T, getRowsCount: boolean, total: number): T & { count?: number } {
  return getRowsCount ? { ...result, count: total } : result;
}

async function execute(service: EventService, command: HasuraCommand): Promise<CommandResult> {
  switch (command.type) {
    case 'create_scheduled_event': {
      const event = await service.create(toEventDefinition(command.args));
      return { message: 'success', event_id: event.id };
    }
    case 'delete_scheduled_event':
      await service.remove(command.args.event_id);
      return SUCCESS;
    case 'get_scheduled_events': {
      const { status, limit, offset, get_rows_count } = command.args;
      if (limit === undefined) {
        // Every row, as in Hasura: written as it is read, one page at a time.
        // Only a command on its own reads its first page up front: in a bulk, each of up to 1,000 listings would
        // hold a page before the answer starts.
        const events = await service.every(status, offset, command.path === ROOT_PATH);
        const total = get_rows_count ? await service.count(status) : 0;
        return withCount({ events: new StreamedArray(hasuraEvents(events)) }, get_rows_count, total);
      }
      const page = await service.list({ statuses: status, limit, offset, withTotal: get_rows_count });
      return withCount({ events: page.events.map(toHasuraEvent) }, get_rows_count, page.total ?? 0);
    }
    case 'get_scheduled_event_invocations': {
      const { event_id, limit, offset, get_rows_count } = command.args;
      const page = await service.invocations({ eventId: event_id, limit, offset, withTotal: get_rows_count });
      return withCount({ invocations: page.invocations.map(toHasuraInvocation) }, get_rows_count, page.total ?? 0);
    }
    case 'bulk': {
      // One after another, in order, stopping at the first failure, whose error (with its item's path) is the answer.
      const results: CommandResult[] = [];
      for (const item of command.items) results.push(await run(service, item));
      return results;
    }
  }
}

/** Events as Hasura shows them, as they are read. */
async function* hasuraEvents(events: AsyncIterable<ScheduledEvent>): AsyncGenerator<HasuraEvent> {
  for await (const event of events) yield toHasuraEvent(event);
}

/** Runs a parsed command; a domain error is reported at the command's args (`$.args`, or `$.args[i].args` in bulk). */
async function run(service: EventService, command: HasuraCommand): Promise<CommandResult> {
  try {
    return await execute(service, command);
  } catch (err) {
    throw domainErrorToApiError(err, argsPath(command.path)) ?? err;
  }
}

async function handle(c: Context, deps: Required<HasuraRouterDeps>, endpoint: Endpoint): Promise<Response> {
  const command = parseHasuraCommand(await readJsonBody(c), endpoint, ROOT_PATH, deps.webhookRules);
  const result = await run(deps.service, command);
  if (!holdsStream(result)) return c.json(result);
  const body = jsonStream(result, (error) => deps.logger.error('listing failed while streaming its answer', { error }));
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}

export interface HasuraRouterDeps {
  service: EventService;
  logger: ApiLogger;
  /** Where webhooks may go and what they may read. (Default: DEFAULT_WEBHOOK_RULES) */
  webhookRules?: WebhookRules;
}

/** The Hasura-compatible router; mount it at `/v1`. */
export function createHasuraRouter(options: HasuraRouterDeps) {
  const deps = { ...options, webhookRules: options.webhookRules ?? DEFAULT_WEBHOOK_RULES };
  return new Hono()
    .post('/metadata', describeRoute(hasuraMetadataDoc), (c) => handle(c, deps, 'metadata'))
    .post('/query', describeRoute(hasuraQueryDoc), (c) => handle(c, deps, 'query'));
}
