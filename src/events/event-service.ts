/**
 * The operations on events, as both APIs (and the console, once it exists) call them: each API only validates,
 * calls one of these and translates the answer. Below it, the EventScheduler (src/shared/scheduler.ts) is the
 * Temporal client layer; nothing here knows HTTP or Temporal. docs/contract.md says what each operation promises.
 */
import {
  CallInFlightError,
  CancelUnconfirmedError,
  EventConflictError,
  EventNotFoundError,
  EventTooLargeError,
} from '../shared/errors';
import {
  applyPatch,
  budgetedRetries,
  MAX_LIST_LIMIT,
  type AttemptRecord,
  type EventDefinition,
  type EventPatch,
  type EventStatus,
  type ScheduledEvent,
} from '../shared/event';
import type { EventPage, EventScheduler, InvocationPage, InvocationsQuery, ListEventsQuery } from '../shared/scheduler';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { historyBudgetProblem } from './history-budget';
import {
  eventIdForIdempotencyKey,
  idempotencyConflictMessage,
  idempotencyDeletedMessage,
  sameDefinition,
} from './idempotency';

/**
 * Creates a batch starts at once. Each create is one Temporal call (a gRPC round trip); 32 in flight keep a batch of
 * 1,000 to a few dozen round trips without flooding the frontend or the connection for other requests.
 */
export const BATCH_CREATE_CONCURRENCY = 32;

/** Why a cancel that Hasura's delete asked for is not yet a success (see EventScheduler.cancel). */
export const CANCEL_UNCONFIRMED =
  "the cancel is recorded, but a worker holds the event's attempt and has not confirmed in time that it stopped it " +
  "(it will before the call, unless the call had started); the event's status will say: cancelled, or " +
  'delivered/error with the call logged';

/** A create with an idempotency key: the event, and whether it was created by an earlier request with that key. */
export interface CreateOutcome {
  event: ScheduledEvent;
  replayed: boolean;
}

export class EventService {
  /** @param metrics where events created and cancelled are counted (absent: nowhere). */
  constructor(
    private readonly scheduler: EventScheduler,
    private readonly metrics?: ServiceMetrics,
  ) {}

  async create(definition: EventDefinition): Promise<ScheduledEvent> {
    const event = await this.scheduler.create(definition);
    this.metrics?.eventsCreated();
    return event;
  }

  /**
   * A create that may be repeated: the key is the event id (./idempotency.ts), so Temporal refuses a second event
   * even to concurrent repeats. A repeat asking for the same event gets the first; another body is a conflict, and so
   * is a key whose event was deleted (its id stays reserved).
   */
  async createOnce(definition: EventDefinition, idempotencyKey: string): Promise<CreateOutcome> {
    const eventId = eventIdForIdempotencyKey(idempotencyKey);
    try {
      const event = await this.scheduler.create(definition, { eventId });
      this.metrics?.eventsCreated();
      return { event, replayed: false };
    } catch (err) {
      if (!(err instanceof EventConflictError)) throw err;
    }
    let first: ScheduledEvent;
    try {
      first = await this.scheduler.get(eventId);
    } catch (err) {
      if (!(err instanceof EventNotFoundError)) throw err;
      throw new EventConflictError(eventId, idempotencyDeletedMessage(idempotencyKey));
    }
    if (!sameDefinition(first, definition)) {
      throw new EventConflictError(eventId, idempotencyConflictMessage(idempotencyKey, eventId));
    }
    return { event: first, replayed: true };
  }

  /**
   * Creates each definition, BATCH_CREATE_CONCURRENCY at a time; one that fails is its own result (the thrown
   * error), in input order.
   */
  createEach(definitions: readonly EventDefinition[]): Promise<({ event: ScheduledEvent } | { error: unknown })[]> {
    return mapConcurrently(definitions, BATCH_CREATE_CONCURRENCY, async (definition) => {
      try {
        const event = await this.scheduler.create(definition);
        this.metrics?.eventsCreated();
        return { event };
      } catch (error) {
        return { error };
      }
    });
  }

  get(eventId: string): Promise<ScheduledEvent> {
    return this.scheduler.get(eventId);
  }

  list(query: ListEventsQuery): Promise<EventPage> {
    return this.scheduler.list(query);
  }

  /** Events with one of `statuses` (absent: every status but `cancelled`). */
  async count(statuses: EventStatus[] | undefined): Promise<number> {
    return (await this.scheduler.list({ statuses, limit: 0, withTotal: true })).total ?? 0;
  }

  /**
   * Every event of the filter from `offset` on, in order, read MAX_LIST_LIMIT at a time (each page continues after
   * the last event of the one before), so memory holds one page whatever the count. With `readFirst`, the first page
   * is read before this returns, so a failure then is an ordinary error; later ones are thrown by the iteration.
   */
  async every(
    statuses: EventStatus[] | undefined,
    offset: number | undefined,
    readFirst: boolean,
  ): Promise<AsyncGenerator<ScheduledEvent>> {
    const firstPage = () => this.scheduler.list({ statuses, offset, limit: MAX_LIST_LIMIT });
    const first = readFirst ? await firstPage() : undefined;
    const scheduler = this.scheduler;
    async function* pages(): AsyncGenerator<ScheduledEvent> {
      let events = (first ?? (await firstPage())).events;
      for (;;) {
        yield* events;
        const last: ScheduledEvent | undefined = events[events.length - 1];
        if (events.length < MAX_LIST_LIMIT || last === undefined) return;
        const after = { scheduledTime: last.scheduledTime, id: last.id };
        events = (await scheduler.list({ statuses, after, limit: MAX_LIST_LIMIT })).events;
      }
    }
    return pages();
  }

  /** One event's attempts, newest first; an unknown event is EventNotFoundError (not an empty log). */
  async attemptsOf(eventId: string): Promise<AttemptRecord[]> {
    await this.scheduler.get(eventId);
    return (await this.scheduler.invocations({ eventId })).invocations;
  }

  /** Attempts as Hasura lists them: an unknown event has an empty log, as in Hasura. */
  async invocations(query: InvocationsQuery): Promise<InvocationPage> {
    try {
      return await this.scheduler.invocations(query);
    } catch (err) {
      if (query.eventId !== undefined && err instanceof EventNotFoundError) return { invocations: [], total: 0 };
      throw err;
    }
  }

  /**
   * Edits a pending event. An edit that would outgrow the event's history as it stands is refused here, naming the
   * field (EventTooLargeError); the workflow's Update checks the same rule again on the event as it is then (a
   * conflict if a concurrent edit made it so), and refuses any edit once the attempt is prepared.
   */
  async edit(eventId: string, patch: EventPatch): Promise<ScheduledEvent> {
    const recorded = [patch.payload, patch.comment, patch.headers, patch.retryConf?.numRetries];
    if (recorded.some((part) => part !== undefined)) {
      const current = await this.scheduler.get(eventId);
      const edited = applyPatch(current, patch);
      // An event past editing gets the Update's conflict, not a budget error for an edit it could never take.
      const problem =
        current.status === 'scheduled'
          ? historyBudgetProblem(edited, budgetedRetries(edited.retryConf.numRetries, current.failureWebhook))
          : undefined;
      if (problem !== undefined) {
        const field =
          patch.retryConf?.numRetries !== undefined
            ? 'retry_conf.num_retries'
            : (['payload', 'comment', 'headers'] as const).find((key) => patch[key] !== undefined);
        this.metrics?.historyBudgetRefused();
        throw new EventTooLargeError(field ?? 'payload', problem);
      }
    }
    return this.scheduler.update(eventId, patch);
  }

  /** Cancels a pending event (EventScheduler.cancel says when the answer is final). */
  async cancel(eventId: string): Promise<ScheduledEvent> {
    const event = await this.scheduler.cancel(eventId);
    if (event.status === 'cancelled') this.metrics?.eventCancelled();
    return event;
  }

  /**
   * Hasura's delete: a pending event is cancelled (docs/contract.md §4); a finished one is deleted with its history;
   * an unknown id is still a success, as Hasura's `DELETE ... WHERE id = $1` does not check the row count. A cancel
   * not yet confirmed is an error (Hasura has no "accepted"), and so is a call under way that decided the event.
   */
  async remove(eventId: string): Promise<void> {
    try {
      const event = await this.scheduler.cancel(eventId);
      if (event.status !== 'cancelled' && event.status !== 'dead')
        throw new CancelUnconfirmedError(eventId, CANCEL_UNCONFIRMED);
      if (event.status === 'cancelled') this.metrics?.eventCancelled();
      return;
    } catch (err) {
      if (err instanceof EventNotFoundError) return;
      // The call that was under way is on record; deleting the event would erase it.
      if (err instanceof CallInFlightError || !(err instanceof EventConflictError)) throw err;
    }
    try {
      await this.scheduler.delete(eventId);
    } catch (err) {
      // Deleted in between by another request: the caller's wish is granted all the same.
      if (!(err instanceof EventNotFoundError)) throw err;
    }
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    // Single-threaded: reading and bumping `next` cannot interleave with another worker.
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
