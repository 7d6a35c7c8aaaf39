/**
 * The storage schema: what an event keeps in Temporal besides its history, named once here for the workflow that
 * writes it, the client layer that reads it (src/temporal/), `temporal-dev.sh` and the docs (docs/contract.md §6,
 * docs/operations.md).
 *
 * Search attributes make listings possible (status filter, due-time order) and let users filter events in the
 * Temporal Web UI. `temporal-dev.sh` reads the `export const … = defineSearchAttributeKey(…)` lines below to register
 * them (keep each on one line), and `bash temporal-dev.sh search-attributes` prints them for any other cluster
 * (test/storage-schema.test.ts checks the reading). The memo holds what a listing shows that no attribute does.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { EventDefinition } from '../src/shared/event';

/** The event's status (docs/contract.md §1): scheduled, locked, delivered, error, dead, cancelled. */
export const EVENT_STATUS = defineSearchAttributeKey('ScheduledEventStatus', SearchAttributeType.KEYWORD);
/** When the event is due (its `schedule_at`). */
export const EVENT_TIME = defineSearchAttributeKey('ScheduledEventTime', SearchAttributeType.DATETIME);
/** Attempts made so far. */
export const EVENT_TRIES = defineSearchAttributeKey('ScheduledEventTries', SearchAttributeType.INT);
/** When the next retry is due; absent unless one is pending. */
export const EVENT_NEXT_RETRY_AT = defineSearchAttributeKey('ScheduledEventNextRetryAt', SearchAttributeType.DATETIME);

/** Memo keys: the definition and creation time, so listings can show the whole event without a worker. */
export const MEMO_DEFINITION = 'definition';
export const MEMO_CREATED_AT = 'createdAt';
/** The input's `revision` (absent for events created before it), so the API knows which cancel the event takes. */
export const MEMO_REVISION = 'revision';

/** The memo an event's workflow starts with; an edit replaces the definition (src/temporal/ reads it back). */
export interface EventMemo {
  [MEMO_DEFINITION]: EventDefinition;
  /** ISO-8601, UTC. */
  [MEMO_CREATED_AT]: string;
  [MEMO_REVISION]?: number;
}
