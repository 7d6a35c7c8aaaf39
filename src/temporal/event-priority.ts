/**
 * Which events' workflow tasks go first when the task queue has a backlog. Every new event costs one workflow task
 * at once (start, set the timer, sleep); creating events faster than the worker runs those tasks leaves a backlog,
 * served in creation order. An event due soon, created behind thousands due next week, would wait its turn and be
 * late by the backlog's age (48–65 s late behind 10,000 creations on the dev server, bench/PERFORMANCE.md).
 * Temporal's task-queue priority lets it go first.
 *
 * The priority is set once, at creation: it is inherited by every task of the event (attempts and retries
 * included) and cannot be changed later. So only events due soon get a higher one; the rest keep the default, and
 * when they wake, they are served as today.
 *
 * It needs a server that dispatches by priority: Temporal Server 1.29 with `matching.useNewMatcher=true`
 * (temporal-dev.sh sets it). Any other server ignores it and keeps creation order.
 */
import type { Priority } from '@temporalio/common';

/** An event due within this long of its creation is "due soon". */
export const SOON_DUE_WITHIN_MS = 5 * 60_000;

/** Its priority key: Temporal's highest (1 to 5, smaller first; the default is 3). */
export const SOON_DUE_PRIORITY_KEY = 1;

/** The priority of a new event due at `dueMs`, created at `nowMs` (ms since the epoch); undefined = the default. */
export function eventPriority(dueMs: number, nowMs: number): Priority | undefined {
  return dueMs - nowMs <= SOON_DUE_WITHIN_MS ? { priorityKey: SOON_DUE_PRIORITY_KEY } : undefined;
}
