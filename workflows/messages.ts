import { defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
import type { EventDefinition, EventPatch, EventStatus } from '../src/shared/event';

/** What the workflow knows of its own state; returned by the query and by edits. */
export interface EventState {
  definition: EventDefinition;
  status: EventStatus;
  tries: number;
  nextRetryAt: string | null;
}

/**
 * Cancel the event: no further attempt starts; an attempt in flight may finish and is logged.
 * A signal (not an update) so that a cancel is recorded even while no worker runs.
 */
export const cancelSignal = defineSignal('cancel');

/**
 * Edit the event before its first attempt. The validator refuses once an attempt has started, so an edit can
 * never race the timer: it is either applied before the attempt or rejected.
 */
export const editUpdate = defineUpdate<EventState, [EventPatch]>('edit');

/** The sink that stops a held attempt on the worker at once (see activities/held-attempts.ts). */
export interface HeldAttemptSinks extends Sinks {
  heldAttempts: {
    /** Stop the attempt `invocationId` if it still holds on this worker; nothing happens otherwise. */
    cancel(invocationId: string): void;
  };
}

/** What the worker is told when an event ends, for its metrics (not called while a workflow replays). */
export interface EventOutcomeSinks extends Sinks {
  eventOutcomes: {
    /** The event ended with `status` (a final one). */
    ended(status: EventStatus): void;
  };
}
