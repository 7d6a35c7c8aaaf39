import {
  CLEARANCE_LEAD_PER_ATTEMPT_MS,
  MAX_BURST_CLEARANCE_LEAD_MS,
  MAX_CLEARANCE_LEAD_MS,
  PREPARE_AHEAD_MS,
} from '../shared/event';

/**
 * How much earlier an event is prepared for each event created before it (by this process) due in the same second:
 * the dev server prepares about a hundred attempts a second (bench/PERFORMANCE.md "Delayed start, bursts prepared
 * earlier"), so a burst's preparations are spread at that rate ahead of its instant instead of all starting 30 s
 * before it.
 */
export const PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS = 10;

/**
 * The earliest an event is prepared: enough for 15,000 due in one second. Kept short because a held attempt keeps a
 * worker slot (WORKER_MAX_CONCURRENT_ATTEMPTS) and does not heartbeat, so a worker lost while holding is noticed only
 * after the instant: the longer the hold, the more attempts a crash catches holding.
 */
export const MAX_PREPARE_AHEAD_MS = 3 * 60_000;

/** Seconds tracked at once (a fixed table: it never fills, whatever the due times it is fed). ~36 h of seconds. */
const SLOTS = 2 ** 17;

/**
 * Chooses each new event's prepare lead: PREPARE_AHEAD_MS, plus PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS for every
 * event this process created before it that is due in the same second, at most MAX_PREPARE_AHEAD_MS. The lead goes
 * into the workflow input (`prepareAheadMs`), which the workflow and its start delay honour; edits are refused from
 * then on. Counted per API process: with several, a burst split between them is widened by each one's share.
 *
 * A fixed table indexed by second modulo SLOTS: a slot holding a second already past is taken over; two seconds
 * still to come that share a slot share its count, which only prepares them a little earlier (and gives them no
 * wider clearance lead). A create that does not start an event (a repeat of an idempotent one, a failure) gives its
 * count back.
 */
export class PrepareLead {
  /**
   * The second each slot counts for, its count, and whether two seconds share that count; 1.6 MB, allocated at the
   * first create (tests make many).
   */
  private table: { seconds: Float64Array; counts: Uint32Array; shared: Uint8Array } | undefined;

  /**
   * The leads for a new event due at `dueMs`, created at `nowMs`, counted for those that follow until `release`d:
   * its prepare lead, and, when it is not the first due in its second, the longest lead of its clearance questions
   * (`ScheduledEventInput.maxClearanceLeadMs`). The clearance lead grows by CLEARANCE_LEAD_PER_ATTEMPT_MS per event
   * before it, so a burst's questions reach the server spread at about the rate it answers them, the last ones
   * within MAX_CLEARANCE_LEAD_MS of the instant, as a lone event's.
   */
  take(dueMs: number, nowMs: number): { leadMs: number; maxClearanceLeadMs?: number; release: () => void } {
    this.table ??= {
      seconds: new Float64Array(SLOTS).fill(Number.NEGATIVE_INFINITY),
      counts: new Uint32Array(SLOTS),
      shared: new Uint8Array(SLOTS),
    };
    const { seconds, counts, shared } = this.table;
    const second = Math.floor(dueMs / 1000);
    const slot = ((second % SLOTS) + SLOTS) % SLOTS;
    const stored = seconds[slot]!;
    if (stored !== second && stored < Math.floor(nowMs / 1000)) {
      seconds[slot] = second;
      counts[slot] = 0;
      shared[slot] = 0;
    } else if (stored !== second) {
      // Two seconds still to come share the slot: keep the later one, whose events will be prepared last.
      seconds[slot] = Math.max(stored, second);
      shared[slot] = 1;
    }
    const holder = seconds[slot];
    const before = counts[slot]!;
    counts[slot] = before + 1;
    let released = false;
    return {
      leadMs: Math.min(MAX_PREPARE_AHEAD_MS, PREPARE_AHEAD_MS + PREPARE_LEAD_PER_EVENT_DUE_TOGETHER_MS * before),
      // Not from a shared count: another second's burst must not widen this event's window.
      ...(before > 0 &&
        shared[slot] === 0 && {
          maxClearanceLeadMs: Math.min(
            MAX_BURST_CLEARANCE_LEAD_MS,
            MAX_CLEARANCE_LEAD_MS + CLEARANCE_LEAD_PER_ATTEMPT_MS * before,
          ),
        }),
      release: () => {
        // Not twice, and not once the slot counts for another second.
        if (released || seconds[slot] !== holder || counts[slot] === 0) return;
        released = true;
        counts[slot] = counts[slot]! - 1;
      },
    };
  }
}
