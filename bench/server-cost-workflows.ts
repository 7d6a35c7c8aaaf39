/**
 * Stripped-down shapes of the event workflow for bench/server-cost.ts, to see what each piece costs the Temporal
 * server: sleep, then one activity or one local activity that holds until the instant and POSTs. The real workflow
 * is measured too (`scheduledEventWorkflow`, re-exported here so one bundle holds them all).
 */
import { proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';

export { scheduledEventWorkflow } from '../workflows/scheduled-event';

export interface ProbeActivities {
  /** Holds until `dueMs`, then POSTs `{ id }` to `url`. */
  holdAndPost(dueMs: number, url: string, id: string): Promise<void>;
}

const activity = proxyActivities<ProbeActivities>({ startToCloseTimeout: '5m' });
const localActivities = proxyLocalActivities<ProbeActivities>({ startToCloseTimeout: '5m' });

/** Sleeps until `aheadMs` before due, then one activity. */
export async function plainActivity(dueMs: number, url: string, id: string, aheadMs: number): Promise<void> {
  const waitMs = dueMs - aheadMs - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  await activity.holdAndPost(dueMs, url, id);
}

/** Sleeps until `aheadMs` before due, then one local activity (recorded as a marker, no activity task). */
export async function localActivity(dueMs: number, url: string, id: string, aheadMs: number): Promise<void> {
  const waitMs = dueMs - aheadMs - Date.now();
  if (waitMs > 0) await sleep(waitMs);
  await localActivities.holdAndPost(dueMs, url, id);
}
