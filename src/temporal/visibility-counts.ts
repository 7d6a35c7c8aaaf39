/**
 * Visibility counts shared between listings, kept for a time that follows what they cost.
 *
 * Concurrent listings ask the same counts (the walk in ./event-windows.ts visits the same tree nodes), and on the dev
 * server a count holds its single SQLite connection for ~1.5 µs per event counted: 150 ms for 100,000 events. Counted
 * again every second, the large ranges alone kept the server busy, and 20 clients waited seconds for it
 * (bench/PERFORMANCE.md, "Listing cost"). So a count of n events is reused for n × REUSE_MS_PER_EVENT (at least
 * MOMENT_MS (./moment-cache.ts), at most MAX_REUSE_MS): keeping any one range counted costs the server ~0.3 % of its time.
 *
 * A count is a hint for where a page lies (the page itself is read, not counted), or an offset or `count` of that age
 * (docs/contract.md, "Listing"). Writes made through this process are not hidden by age: a count of one moment
 * (small, cheap) that a change touches is forgotten, and a long-lived count is moved by what the change did, so
 * totals and offsets follow this process's own writes at once. Writes through other processes, and events the
 * workflows move on (scheduled to delivered), show in a count once it is taken again.
 */
import type { EventStatus } from '../shared/event';
import type { TimeRange } from './event-windows';
import { MOMENT_MS } from './moment-cache';

/** Reuse per event counted, in ms: ~300 times what counting it costs on the dev server (~1.5 µs). */
const REUSE_MS_PER_EVENT = 0.5;
/** Longest reuse, in ms (reached at 120,000 events). */
const MAX_REUSE_MS = 60_000;
/** Counts kept at most; the oldest go first. */
const MAX_ENTRIES = 4096;

/** An event as listings see it: its id, due time (ms since epoch) and status. */
export interface EventMark {
  id: string;
  time: number;
  status: EventStatus;
}

/** What one change made here did: the event before and after it (absent: it did not exist). */
export interface EventChange {
  before?: EventMark;
  after?: EventMark;
}

/** What a count counts: events with one of `statuses` due in `range`, with ids in `ids` (bounds absent: open). */
export interface CountScope {
  statuses: readonly EventStatus[];
  range: TimeRange;
  ids?: { from?: string; to?: string };
}

interface Entry {
  /** When the count was asked of visibility (ms). */
  at: number;
  value: Promise<number>;
  /** How long it is reused, once known (ms). */
  reuseMs: number;
  scope?: CountScope;
  /** Net events this process's changes added to the scope since the count was asked. */
  moved: number;
  /** Whether visibility has answered. */
  settled: boolean;
  /** A change of unknown effect happened since it was asked: reused for a moment only. */
  capped: boolean;
}

export class VisibilityCounts {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly load: (query: string) => Promise<number>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The count for `query`; `scope` says what it counts, so that a change made here can move it (see above). */
  async get(query: string, scope?: CountScope): Promise<number> {
    const at = this.now();
    const hit = this.entries.get(query);
    if (hit !== undefined && at - hit.at < hit.reuseMs) return (await hit.value) + hit.moved;
    const entry: Entry = {
      at,
      value: this.load(query),
      reuseMs: MOMENT_MS,
      scope,
      moved: 0,
      settled: false,
      capped: false,
    };
    this.entries.delete(query);
    this.entries.set(query, entry);
    if (this.entries.size > MAX_ENTRIES) this.evictOld(at);
    try {
      const n = await entry.value;
      entry.settled = true;
      if (scope !== undefined && !entry.capped) entry.reuseMs = reuseFor(n);
      return n + entry.moved;
    } catch (err) {
      // A failure is not kept: the next asker tries again.
      if (this.entries.get(query) === entry) this.entries.delete(query);
      throw err;
    }
  }

  /**
   * A change made through this process has ended; `change` is undefined when what it did is not known (it failed,
   * or changed an event in a way not described). Counts of a moment that it may touch are forgotten; long-lived ones
   * are moved by it, or, when it is unknown, live no longer than a moment.
   *
   * A count asked before the change ended is taken not to include it: visibility is written after the change
   * returns. One asked after it is taken to include it.
   */
  changed(change: EventChange | undefined): void {
    for (const [query, entry] of this.entries) {
      const scope = entry.scope;
      // Not scoped: not known what it counts.
      if (scope === undefined) {
        this.entries.delete(query);
      } else if (change === undefined) {
        entry.capped = true;
        if (entry.settled && entry.reuseMs <= MOMENT_MS) this.entries.delete(query);
        else entry.reuseMs = MOMENT_MS;
      } else if (touches(scope, change.before) || touches(scope, change.after)) {
        // A settled count of a moment is cheap to take again; any other is moved (one in flight cannot be dropped
        // without another asker starting the same count again).
        if (entry.settled && entry.reuseMs <= MOMENT_MS) this.entries.delete(query);
        else entry.moved += (counts(scope, change.after) ? 1 : 0) - (counts(scope, change.before) ? 1 : 0);
      }
    }
  }

  private evictOld(at: number): void {
    for (const [query, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && at - entry.at < entry.reuseMs) break;
      this.entries.delete(query);
    }
  }
}

function reuseFor(n: number): number {
  return Math.min(MAX_REUSE_MS, Math.max(MOMENT_MS, n * REUSE_MS_PER_EVENT));
}

/** Whether the event is in the scope's range (whatever its status). */
function touches({ range, ids }: CountScope, mark: EventMark | undefined): boolean {
  if (mark === undefined || mark.time < range.from || mark.time >= range.to) return false;
  return (ids?.from === undefined || mark.id >= ids.from) && (ids?.to === undefined || mark.id < ids.to);
}

function counts(scope: CountScope, mark: EventMark | undefined): boolean {
  return touches(scope, mark) && scope.statuses.includes((mark as EventMark).status);
}
