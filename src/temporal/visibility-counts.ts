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
 * totals and offsets follow this process's own writes (within one for a write that raced with the count; see
 * `changed`). Writes through other processes, and events the workflows move on (scheduled to delivered), show in a
 * count once it is taken again.
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
  value: Promise<number>;
  /** When visibility answered (ms); undefined while the count is in flight (then every asker shares it). */
  settledAt?: number;
  /** How long it is reused once answered (ms). */
  reuseMs: number;
  scope?: CountScope;
  /** Net events this process's changes added to the scope since the count was asked. */
  moved: number;
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
    const hit = this.entries.get(query);
    if (hit !== undefined && (hit.settledAt === undefined || this.now() - hit.settledAt < hit.reuseMs)) {
      const n = (await hit.value) + hit.moved;
      if (n >= 0) return n;
      // Moved below zero: the count already lacked what a change took away. Ask again.
      if (this.entries.get(query) === hit) this.entries.delete(query);
    }
    const entry: Entry = { value: this.load(query), reuseMs: MOMENT_MS, scope, moved: 0, capped: false };
    this.entries.delete(query);
    this.entries.set(query, entry);
    if (this.entries.size > MAX_ENTRIES) this.evict();
    try {
      const n = await entry.value;
      entry.settledAt = this.now();
      if (scope !== undefined && !entry.capped) entry.reuseMs = reuseFor(n);
      return n + entry.moved;
    } catch (err) {
      // A failure is not kept: the next asker tries again.
      if (this.entries.get(query) === entry) this.entries.delete(query);
      throw err;
    }
  }

  /**
   * A change made through this process, started at `startedAt` (ms), has ended; `change` is undefined when what it
   * did is not known (it failed, or changed an event in a way not described). Counts of a moment that it may touch
   * are forgotten; long-lived ones are moved by it, or, when it is unknown, live no longer than a moment.
   *
   * A count answered before the change started cannot hold it and is moved exactly. One taken while the change ran
   * may or may not hold it (a cancel shows in visibility before it answers; a create usually just after): it gets
   * what the change added, never what it took away, so it may be one too high, which costs a read, but never one too
   * low, which could skip a range that holds an event.
   */
  changed(change: EventChange | undefined, startedAt: number): void {
    if (change !== undefined && change.before === undefined && change.after === undefined) return;
    for (const [query, entry] of this.entries) {
      const scope = entry.scope;
      const ofAMoment = entry.settledAt !== undefined && entry.reuseMs <= MOMENT_MS;
      if (scope === undefined) {
        // Not known what it counts.
        this.entries.delete(query);
      } else if (change === undefined) {
        entry.capped = true;
        if (ofAMoment) this.entries.delete(query);
        else entry.reuseMs = MOMENT_MS;
      } else if (touches(scope, change.before) || touches(scope, change.after)) {
        // A count of a moment is cheap to take again; any other is moved (one in flight cannot be dropped without
        // another asker starting the same count again).
        if (ofAMoment) {
          this.entries.delete(query);
          continue;
        }
        const delta = (counts(scope, change.after) ? 1 : 0) - (counts(scope, change.before) ? 1 : 0);
        const before = entry.settledAt !== undefined && entry.settledAt < startedAt;
        if (before || delta > 0) entry.moved += delta;
      }
    }
  }

  /** Down to 90 % of MAX_ENTRIES: expired counts first, then counts of a moment (cheap to take again), then the oldest. */
  private evict(): void {
    const now = this.now();
    const target = Math.floor(MAX_ENTRIES * 0.9);
    const passes: ((e: Entry) => boolean)[] = [
      (e) => e.settledAt !== undefined && now - e.settledAt >= e.reuseMs,
      (e) => e.settledAt !== undefined && e.reuseMs <= MOMENT_MS,
      () => true,
    ];
    for (const drop of passes) {
      for (const [query, entry] of this.entries) {
        if (this.entries.size <= target) return;
        if (drop(entry)) this.entries.delete(query);
      }
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
