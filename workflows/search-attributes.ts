import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes: they make listings possible (status filter, due-time order) and let users filter
 * events in the Temporal Web UI. `temporal-dev.sh` registers the same list on the dev server; docs/operations.md
 * gives the command for any other cluster. Keep the three in step.
 */

/** The event's status (docs/contract.md §1): scheduled, locked, delivered, error, dead, cancelled. */
export const EVENT_STATUS = defineSearchAttributeKey('ScheduledEventStatus', SearchAttributeType.KEYWORD);
/** When the event is due (its `schedule_at`). */
export const EVENT_TIME = defineSearchAttributeKey('ScheduledEventTime', SearchAttributeType.DATETIME);
/** Attempts made so far. */
export const EVENT_TRIES = defineSearchAttributeKey('ScheduledEventTries', SearchAttributeType.INT);
/** When the next retry is due; absent unless one is pending. */
export const EVENT_NEXT_RETRY_AT = defineSearchAttributeKey('ScheduledEventNextRetryAt', SearchAttributeType.DATETIME);

