/**
 * One error class per concept, shared by the service layers. The API maps each to an HTTP status;
 * nothing here knows about HTTP or Temporal.
 */

/** No event has this id (or it was deleted). */
export class EventNotFoundError extends Error {
  constructor(public readonly eventId: string) {
    super(`scheduled event not found: ${eventId}`);
    this.name = 'EventNotFoundError';
  }
}

/** The event exists but its state forbids the operation (already finished, already firing, id taken). */
export class EventConflictError extends Error {
  constructor(
    public readonly eventId: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventConflictError';
  }
}

/** Temporal could not be reached in time; the caller may retry. */
export class SchedulerUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the scheduler (Temporal) is unavailable; try again shortly', options);
    this.name = 'SchedulerUnavailableError';
  }
}
