import type { AttemptRecord, EventDefinition, EventPatch, EventStatus, ScheduledEvent } from './event';

/**
 * The service boundary between the HTTP layer and Temporal. `src/temporal/` implements it; the API takes it as a
 * dependency, so API tests run against a fake and the API never imports a Temporal package.
 *
 * Errors: EventNotFoundError, EventConflictError, SchedulerUnavailableError (src/shared/errors.ts).
 */
export interface EventScheduler {
  /** Starts the event's workflow. With `eventId` set and already taken, throws EventConflictError. */
  create(definition: EventDefinition, options?: { eventId?: string }): Promise<ScheduledEvent>;
  /** The event, or EventNotFoundError. */
  get(eventId: string): Promise<ScheduledEvent>;
  /** Events ordered by scheduledTime ascending (then id). */
  list(query: ListEventsQuery): Promise<EventPage>;
  /** Attempts, newest first (compareAttemptOrder). EventNotFoundError for an unknown `eventId`. */
  invocations(query: InvocationsQuery): Promise<InvocationPage>;
  /**
   * Cancels a pending event (`scheduled` or `locked`). Returns the event `cancelled` (final: its webhook is never
   * called again), or still pending when the cancel is recorded but could not be confirmed in time (an attempt due
   * that very moment, no worker answering): it then ends `cancelled`, or with the call's outcome if one had started.
   * EventConflictError when it has already finished; CallInFlightError when a call under way decided it.
   */
  cancel(eventId: string): Promise<ScheduledEvent>;
  /** Removes a finished event and its history. EventConflictError while it is still pending. */
  delete(eventId: string): Promise<void>;
  /**
   * Edits an event before its first attempt; `definition` fields replace the current ones.
   * EventConflictError once an attempt has started or the event has finished.
   */
  update(eventId: string, patch: EventPatch): Promise<ScheduledEvent>;
  /** Whether Temporal answers and a worker polls the task queue. */
  readiness(): Promise<Readiness>;
}

export interface ListEventsQuery {
  /** Only these statuses; absent or empty means every status but `cancelled`. */
  statuses?: EventStatus[];
  /** Inclusive lower bound on scheduledTime (ISO-8601). */
  scheduledAfter?: string;
  /** Exclusive upper bound on scheduledTime (ISO-8601). */
  scheduledBefore?: string;
  /** Skip this many events of the ordered result. */
  offset?: number;
  /** At most this many events; absent means all. */
  limit?: number;
  /** Resume after this position: events strictly after (scheduledTime, id) in the order. */
  after?: { scheduledTime: string; id: string };
  /** Also count the events matching the filter (a count query: it costs per event counted). */
  withTotal?: boolean;
}

export interface EventPage {
  events: ScheduledEvent[];
  /**
   * With `withTotal`: events matching the filter and following the cursor (`after`, when given), before offset and
   * limit. It may lag the page by a moment (counts are reused for about a second).
   */
  total?: number;
}

export interface InvocationsQuery {
  /** One event's attempts; absent means every event's. */
  eventId?: string;
  offset?: number;
  limit?: number;
  /** Also count every attempt matching (for all events, count queries). */
  withTotal?: boolean;
}

export interface InvocationPage {
  invocations: AttemptRecord[];
  /** Attempts matching, before offset and limit: always for one event, with `withTotal` for all. */
  total?: number;
}

export interface Readiness {
  temporal: boolean;
  worker: boolean;
}
