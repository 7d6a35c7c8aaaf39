import { defineQuery, defineSignal, defineUpdate, type Sinks } from '@temporalio/workflow';
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

/** The current state (needs a running worker; listings use search attributes instead). */
export const stateQuery = defineQuery<EventState>('state');

/** Memo keys: the definition and creation time, so listings can show the whole event without a worker. */
export const MEMO_DEFINITION = 'definition';
export const MEMO_CREATED_AT = 'createdAt';
/** The input's `revision` (absent for events created before it), so the API knows which cancel the event takes. */
export const MEMO_REVISION = 'revision';

/** The sink that stops a held attempt on the worker at once (see activities/held-attempts.ts). */
export interface HeldAttemptSinks extends Sinks {
  heldAttempts: {
    /** Stop the attempt `invocationId` if it still holds on this worker; nothing happens otherwise. */
    cancel(invocationId: string): void;
  };
}
