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

/**
 * A cancel came while the event's webhook call was already under way: the call decided the event, which ended
 * `delivered` or `error` with that call logged. A conflict, never reported as a cancel.
 */
export class CallInFlightError extends EventConflictError {
  constructor(eventId: string, finalStatus: string) {
    super(
      eventId,
      `the webhook call had already started when the cancel came; the event ended ${finalStatus} (see its invocations)`,
    );
    this.name = 'CallInFlightError';
  }
}

/** Temporal could not be reached in time, or is busy; the caller may retry. */
export class SchedulerUnavailableError extends Error {
  constructor(options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? 'the scheduler (Temporal) is unavailable; try again shortly', options);
    this.name = 'SchedulerUnavailableError';
  }
}

/** An edit that would make the event's record outgrow its workflow history; `field` names the part at fault. */
export class EventTooLargeError extends Error {
  constructor(
    public readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'EventTooLargeError';
  }
}

/**
 * A cancel recorded but not yet confirmed final (a worker holds the event's attempt and has not answered in time),
 * where only a final answer will do (Hasura's delete). Not "unavailable": the cancel was done and holds.
 */
export class CancelUnconfirmedError extends Error {
  constructor(
    public readonly eventId: string,
    message: string,
  ) {
    super(message);
    this.name = 'CancelUnconfirmedError';
  }
}
