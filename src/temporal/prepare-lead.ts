import { PREPARE_AHEAD_MS } from '../shared/event';

/**
 * How much earlier an event is prepared for each event created before it (by this process) due in the same second:
 * the dev server prepares about a hundred attempts a second (bench/PERFORMANCE.md "Bursts of 10,000"), so a burst's
 * preparations are spread at that rate ahead of its instant instead of all starting 30 s before it.
 */
export const PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS = 10;

/** The earliest an event is prepared: its held attempt keeps a worker slot (WORKER_MAX_CONCURRENT_ATTEMPTS) until due. */
export const MAX_PREPARE_AHEAD_MS = 10 * 60_000;

/** Seconds remembered at most; past that, new seconds get the plain lead (a bound on memory, not a rule). */
const MAX_TRACKED_SECONDS = 100_000;

/**
 * Chooses each new event's prepare lead: PREPARE_AHEAD_MS, plus PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS for every
 * event this process created before it that is due in the same second, at most MAX_PREPARE_AHEAD_MS. The lead goes
 * into the workflow input (`prepareAheadMs`), which the workflow and its start delay honour; edits are refused from
 * then on. Counted per API process: with several, a burst split between them is widened by each one's share.
 */
export class PrepareLead {
  /** Events created here, by the second they are due (ms since the epoch / 1000, floored). */
  private readonly dueBySecond = new Map<number, number>();

  /** The lead for a new event due at `dueMs`, created at `nowMs`; counts it for those that follow. */
  next(dueMs: number, nowMs: number): number {
    const second = Math.floor(dueMs / 1000);
    const before = this.dueBySecond.get(second) ?? 0;
    if (before > 0 || this.room(nowMs)) this.dueBySecond.set(second, before + 1);
    return Math.min(MAX_PREPARE_AHEAD_MS, PREPARE_AHEAD_MS + PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS * before);
  }

  /** When seconds already past were last forgotten (a second, floored). */
  private prunedAt = Number.NEGATIVE_INFINITY;

  /** Whether a new second may be tracked; forgets seconds already past when the map is full, once a second at most. */
  private room(nowMs: number): boolean {
    if (this.dueBySecond.size < MAX_TRACKED_SECONDS) return true;
    const nowSecond = Math.floor(nowMs / 1000);
    if (nowSecond > this.prunedAt) {
      this.prunedAt = nowSecond;
      for (const second of this.dueBySecond.keys()) if (second < nowSecond) this.dueBySecond.delete(second);
    }
    return this.dueBySecond.size < MAX_TRACKED_SECONDS;
  }
}
