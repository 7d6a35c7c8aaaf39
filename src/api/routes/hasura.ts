/**
 * Hasura's scheduled-events API (docs/contract.md §4): `POST /v1/metadata` and its deprecated sibling `POST /v1/query`, each a
 * `{"type", "args"}` envelope. Mounted at `/v1`.
 */
import { Hono, type Context } from 'hono';
import { CallInFlightError, EventConflictError, EventNotFoundError } from '../../shared/errors';
import type { EventStatus, ScheduledEvent } from '../../shared/event';
import type { EventScheduler } from '../../shared/scheduler';
import { ApiError, domainErrorToApiError, ROOT_PATH } from '../errors';
import { holdsStream, jsonStream, StreamedArray } from '../json-stream';
import type { ApiLogger } from '../logger';
import { MAX_LIST_LIMIT } from '../schemas/events';
import { argsPath, parseHasuraCommand, type Endpoint, type HasuraCommand } from '../hasura-commands';
import { readJsonBody } from '../request-body';
import { DEFAULT_WEBHOOK_RULES, type WebhookRules } from '../webhook-rules';
import {
  toEventDefinition,
  toHasuraEvent,
  toHasuraInvocation,
  type HasuraEvent,
  type HasuraInvocation,
} from '../translate';

/** The answer to a delete whose cancel is recorded but not yet confirmed final (see EventScheduler.cancel). */
export const CANCEL_UNCONFIRMED =
  "the cancel is recorded, but a worker holds the event's attempt and has not confirmed in time that it stopped it " +
  "(it will before the call, unless the call had started); the event's status will say: cancelled, or " +
  'delivered/error with the call logged';

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

/**
 * Hasura's delete: a pending event is cancelled (docs/contract.md §4); a finished one is deleted with its history; an unknown id
 * is still a success, as Hasura's `DELETE ... WHERE id = $1` does not check the row count.
 */
async function deleteEvent(scheduler: EventScheduler, eventId: string): Promise<void> {
  try {
    const event = await scheduler.cancel(eventId);
    // Hasura has no "accepted": success means cancelled, so a cancel that is not confirmed yet is an error.
    if (event.status !== 'cancelled' && event.status !== 'dead') throw new ApiError('unavailable', CANCEL_UNCONFIRMED);
    return;
  } catch (err) {
    if (err instanceof EventNotFoundError) return;
    // The call that was under way is on record; deleting the event would erase it.
    if (err instanceof CallInFlightError || !(err instanceof EventConflictError)) throw err;
  }
  try {
    await scheduler.delete(eventId);
  } catch (err) {
    // Deleted in between by another request: the caller's wish is granted all the same.
    if (!(err instanceof EventNotFoundError)) throw err;
  }
}

async function execute(scheduler: EventScheduler, command: HasuraCommand): Promise<CommandResult> {
  switch (command.type) {
    case 'create_scheduled_event': {
      const event = await scheduler.create(toEventDefinition(command.args));
      return { message: 'success', event_id: event.id };
    }
    case 'delete_scheduled_event':
      await deleteEvent(scheduler, command.args.event_id);
      return SUCCESS;
    case 'get_scheduled_events': {
      const { status, limit, offset, get_rows_count } = command.args;
      if (limit === undefined) {
        // Every row, as in Hasura: written as it is read, one page at a time.
        // Only a command on its own reads its first page up front: in a bulk, each of up to 1,000 listings would
        // hold a page before the answer starts.
        const events = await allEvents(scheduler, status, offset, command.path === ROOT_PATH);
        const total = get_rows_count ? await countEvents(scheduler, status) : 0;
        return withCount({ events: new StreamedArray(events) }, get_rows_count, total);
      }
      const page = await scheduler.list({ statuses: status, limit, offset, withTotal: get_rows_count });
      return withCount({ events: page.events.map(toHasuraEvent) }, get_rows_count, page.total ?? 0);
    }
    case 'get_scheduled_event_invocations': {
      const { event_id, limit, offset, get_rows_count } = command.args;
      try {
        const page = await scheduler.invocations({ eventId: event_id, limit, offset, withTotal: get_rows_count });
        return withCount({ invocations: page.invocations.map(toHasuraInvocation) }, get_rows_count, page.total ?? 0);
      } catch (err) {
        // Hasura answers an unknown event_id with an empty log, not an error.
        if (err instanceof EventNotFoundError) return withCount({ invocations: [] }, get_rows_count, 0);
        throw err;
      }
    }
    case 'bulk': {
      // One after another, in order, stopping at the first failure, whose error (with its item's path) is the answer.
      const results: CommandResult[] = [];
      for (const item of command.items) results.push(await run(scheduler, item));
      return results;
    }
  }
}

async function countEvents(scheduler: EventScheduler, statuses: EventStatus[] | undefined): Promise<number> {
  return (await scheduler.list({ statuses, limit: 0, withTotal: true })).total ?? 0;
}

/**
 * Every event of the filter from `offset` on, in order, read a page at a time (each page continues after the last
 * event of the one before). With `readFirst`, the first page is read before this returns, so a failure then is an
 * ordinary error answer; a failure while streaming cuts the stream (see jsonStream).
 */
async function allEvents(
  scheduler: EventScheduler,
  statuses: EventStatus[] | undefined,
  offset: number | undefined,
  readFirst: boolean,
): Promise<AsyncGenerator<HasuraEvent>> {
  const firstPage = () => scheduler.list({ statuses, offset, limit: MAX_LIST_LIMIT });
  const first = readFirst ? await firstPage() : undefined;
  async function* rest(): AsyncGenerator<HasuraEvent> {
    let events = (first ?? (await firstPage())).events;
    for (;;) {
      for (const event of events) yield toHasuraEvent(event);
      const last: ScheduledEvent | undefined = events[events.length - 1];
      if (events.length < MAX_LIST_LIMIT || last === undefined) return;
      const after = { scheduledTime: last.scheduledTime, id: last.id };
      events = (await scheduler.list({ statuses, after, limit: MAX_LIST_LIMIT })).events;
    }
  }
  return rest();
}

/** Runs a parsed command; a domain error is reported at the command's args (`$.args`, or `$.args[i].args` in bulk). */
async function run(scheduler: EventScheduler, command: HasuraCommand): Promise<CommandResult> {
  try {
    return await execute(scheduler, command);
  } catch (err) {
    throw domainErrorToApiError(err, argsPath(command.path)) ?? err;
  }
}

async function handle(c: Context, deps: Required<HasuraRouterDeps>, endpoint: Endpoint): Promise<Response> {
  const command = parseHasuraCommand(await readJsonBody(c), endpoint, ROOT_PATH, deps.webhookRules);
  const result = await run(deps.scheduler, command);
  if (!holdsStream(result)) return c.json(result);
  const body = jsonStream(result, (error) => deps.logger.error('listing failed while streaming its answer', { error }));
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}

export interface HasuraRouterDeps {
  scheduler: EventScheduler;
  logger: ApiLogger;
  /** Where webhooks may go and what they may read. (Default: DEFAULT_WEBHOOK_RULES) */
  webhookRules?: WebhookRules;
}

/** The Hasura-compatible router; mount it at `/v1`. */
export function createHasuraRouter(options: HasuraRouterDeps) {
  const deps = { ...options, webhookRules: options.webhookRules ?? DEFAULT_WEBHOOK_RULES };
  return new Hono()
    .post('/metadata', (c) => handle(c, deps, 'metadata'))
    .post('/query', (c) => handle(c, deps, 'query'));
}
