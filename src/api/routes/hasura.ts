/**
 * Hasura's scheduled-events API (docs/contract.md §4): `POST /v1/metadata` and its deprecated sibling `POST /v1/query`, each a
 * `{"type", "args"}` envelope. Mounted at `/v1`.
 */
import { Hono, type Context } from 'hono';
import { CallInFlightError, EventConflictError, EventNotFoundError } from '../../shared/errors';
import type { EventScheduler } from '../../shared/scheduler';
import { ApiError, domainErrorToApiError, ROOT_PATH } from '../errors';
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
  'the cancel is recorded, but a worker holds the event\'s attempt and has not confirmed in time that it stopped it ' +
  '(it will before the call, unless the call had started); the event\'s status will say: cancelled, or ' +
  'delivered/error with the call logged';

/** Hasura's `successMsg`. */
const SUCCESS = { message: 'success' } as const;

type CommandResult =
  | typeof SUCCESS
  | { message: 'success'; event_id: string }
  | { events: HasuraEvent[]; count?: number }
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
      const page = await scheduler.list({ statuses: status, limit, offset });
      return withCount({ events: page.events.map(toHasuraEvent) }, get_rows_count, page.total);
    }
    case 'get_scheduled_event_invocations': {
      const { event_id, limit, offset, get_rows_count } = command.args;
      try {
        const page = await scheduler.invocations({ eventId: event_id, limit, offset });
        return withCount({ invocations: page.invocations.map(toHasuraInvocation) }, get_rows_count, page.total);
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

/** Runs a parsed command; a domain error is reported at the command's args (`$.args`, or `$.args[i].args` in bulk). */
async function run(scheduler: EventScheduler, command: HasuraCommand): Promise<CommandResult> {
  try {
    return await execute(scheduler, command);
  } catch (err) {
    throw domainErrorToApiError(err, argsPath(command.path)) ?? err;
  }
}

async function handle(
  c: Context,
  scheduler: EventScheduler,
  endpoint: Endpoint,
  rules: WebhookRules,
): Promise<Response> {
  const command = parseHasuraCommand(await readJsonBody(c), endpoint, ROOT_PATH, rules);
  return c.json(await run(scheduler, command));
}

/** The Hasura-compatible router; mount it at `/v1`. */
export function createHasuraRouter(scheduler: EventScheduler, rules: WebhookRules = DEFAULT_WEBHOOK_RULES) {
  return new Hono()
    .post('/metadata', (c) => handle(c, scheduler, 'metadata', rules))
    .post('/query', (c) => handle(c, scheduler, 'query', rules));
}
