import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes: they make listings possible (status filter, due-time order) and let users filter
 * events in the Temporal Web UI. This is their one definition: `temporal-dev.sh` reads the
 * `export const … = defineSearchAttributeKey(…)` lines below to register them (keep each on one line), and
 * `bash temporal-dev.sh search-attributes` prints them for any other cluster (docs/operations.md;
 * test/storage-schema.test.ts checks the reading).
 */

/** The event's status (docs/contract.md §1): scheduled, locked, delivered, error, dead, cancelled. */
export const EVENT_STATUS = defineSearchAttributeKey('ScheduledEventStatus', SearchAttributeType.KEYWORD);
/** When the event is due (its `schedule_at`). */
export const EVENT_TIME = defineSearchAttributeKey('ScheduledEventTime', SearchAttributeType.DATETIME);
/** Attempts made so far. */
export const EVENT_TRIES = defineSearchAttributeKey('ScheduledEventTries', SearchAttributeType.INT);
/** When the next retry is due; absent unless one is pending. */
export const EVENT_NEXT_RETRY_AT = defineSearchAttributeKey('ScheduledEventNextRetryAt', SearchAttributeType.DATETIME);
