import { PREPARE_AHEAD_MS } from '../shared/event';

/**
 * The start options that delay an event's first workflow task until its attempt is to be prepared (`prepareAheadMs`
 * before due: PREPARE_AHEAD_MS, or more in a burst, ./prepare-lead.ts), for an event due later than that; none for
 * the rest. During the delay the server holds only the start
 * (history, visibility row, a timer task), and an Update (an edit) or a cancel request ends the delay at once, so both
 * work as before; a signal would wait. Server CPU per event 18.65 → 13.58 ms, and no creation backlog:
 * bench/PERFORMANCE.md "Delayed start, bursts prepared earlier".
 */
export function startDelayOf(dueMs: number, nowMs: number, prepareAheadMs = PREPARE_AHEAD_MS): { startDelay?: number } {
  const delayMs = dueMs - prepareAheadMs - nowMs;
  return delayMs > 0 ? { startDelay: delayMs } : {};
}
