/**
 * Which events' workflow tasks go first when the task queue has a backlog. Every new event costs one workflow task
 * at once (start, set the timer, sleep); creating events faster than the worker runs those tasks leaves a backlog,
 * served in creation order. An event due soon, created behind thousands due hours later, would wait its turn and be
 * late by the backlog's age (bench/PERFORMANCE.md, "Due soon goes first"). Temporal's task-queue priority lets it
 * go first.
 *
 * The priority is set once, at creation, and inherited by every task of the event (attempts and retries included);
 * it cannot be changed later. So only an event whose first task is itself urgent gets the higher one: due within a
 * minute, it prepares its attempt at once or within 30 s (PREPARE_AHEAD_MS). The rest keep the default. The server
 * serves every task of a higher priority first, so while events due within a minute are created faster than the
 * server can run them, events created earlier that are waking up to be prepared wait behind them: the price of
 * not letting a surge of creations for later hold back what is due now.
 *
 * It needs a server that dispatches by priority: Temporal Server 1.29 with `matching.useNewMatcher=true`
 * (temporal-dev.sh sets it). Any other server ignores it.
 */
import type { Priority } from '@temporalio/common';
import { PREPARE_AHEAD_MS } from '../shared/event';

/** An event due within this long of its creation goes first: twice the 30 s an attempt is prepared ahead. */
export const SOON_DUE_WITHIN_MS = 2 * PREPARE_AHEAD_MS;

/** Its priority key: Temporal's highest (1 to 5, smaller first; the default is 3). */
export const SOON_DUE_PRIORITY_KEY = 1;

/** The priority of a new event due at `dueMs`, created at `nowMs` (ms since the epoch); undefined = the default. */
export function eventPriority(dueMs: number, nowMs: number): Priority | undefined {
  return dueMs - nowMs <= SOON_DUE_WITHIN_MS ? { priorityKey: SOON_DUE_PRIORITY_KEY } : undefined;
}
