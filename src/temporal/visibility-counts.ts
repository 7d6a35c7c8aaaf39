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
import { sliceHolds, type Slice, type TimeRange } from './event-windows';
import { MOMENT_MS } from './moment-cache';

/** Reuse per event counted, in ms: ~300 times what counting it costs on the dev server (~1.5 µs). */
const REUSE_MS_PER_EVENT = 0.5;
/** Longest reuse, in ms (reached at 120,000 events). */
const MAX_REUSE_MS = 60_000;
/** Counts kept at most; the oldest go first. */
const MAX_ENTRIES = 4096;
/**
 * Counts are found for a change by the stretch of due time they cover, in buckets of this size (2^30 ms ≈ 12 days),
 * so that a write visits the few counts it may touch, not all 4,096 (~0.2–1 ms for every create while listings ran).
 */
const BUCKET_MS = 2 ** 30;
/** A range over more buckets than this is kept with the wide ones, which every change visits (there are few). */
const MAX_BUCKETS_PER_RANGE = 16;

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

/** What a count counts: events with one of `statuses` in `range` (a due-time range, narrowed to id buckets or not). */
export interface CountScope {
  statuses: readonly EventStatus[];
  range: Slice;
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
  /** Where the index keeps it, fixed when it was added (the scope's range belongs to the caller). */
  placed: Placement;
}

/** A count's place in the index: with the unscoped, with the wide, or in the buckets first..last (none if empty). */
type Placement = 'unscoped' | 'wide' | { first: number; last: number };

export class VisibilityCounts {
  private readonly entries = new Map<string, Entry>();
  /** Queries of scoped counts by the buckets their range covers, or among the wide ones; and those with no scope. */
  private readonly byBucket = new Map<number, Set<string>>();
  private readonly wide = new Set<string>();
  private readonly unscoped = new Set<string>();

  constructor(
    private readonly load: (query: string) => Promise<number>,
    // Monotonic: a wall clock set back would keep counts past their time.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** This instance's clock (ms), on which a change's start is given to `changed`. */
  clock(): number {
    return this.now();
  }

  /** The count for `query`; `scope` says what it counts, so that a change made here can move it (see above). */
  async get(query: string, scope?: CountScope): Promise<number> {
    const hit = this.entries.get(query);
    if (hit !== undefined && (hit.settledAt === undefined || this.now() - hit.settledAt < hit.reuseMs)) {
      const n = (await hit.value) + hit.moved;
      if (n >= 0) return n;
      // Moved below zero: the count already lacked what a change took away. Ask again.
      if (this.entries.get(query) === hit) this.drop(query);
    }
    const entry: Entry = {
      value: this.load(query),
      reuseMs: MOMENT_MS,
      scope,
      moved: 0,
      capped: false,
      placed: scope === undefined ? 'unscoped' : placementOf(scope.range),
    };
    this.drop(query);
    this.entries.set(query, entry);
    this.index(query, entry.placed, true);
    if (this.entries.size > MAX_ENTRIES) this.evict();
    try {
      const n = await entry.value;
      entry.settledAt = this.now();
      if (scope !== undefined && !entry.capped) entry.reuseMs = reuseFor(n);
      return n + entry.moved;
    } catch (err) {
      // A failure is not kept: the next asker tries again.
      if (this.entries.get(query) === entry) this.drop(query);
      throw err;
    }
  }

  /**
   * A change made through this process, started at `startedAt` (ms, on this instance's clock: `clock()`), has
   * ended; `change` is undefined when what it did is not known (it failed, or changed an event in a way not
   * described). Counts of a moment that it may touch are forgotten; long-lived ones are moved by it, or, when it is
   * unknown, live no longer than a moment.
   *
   * A count answered before the change started cannot hold it and is moved exactly. One taken while the change ran
   * may or may not hold it (a cancel shows in visibility before it answers; a create usually just after): it gets
   * what the change added, never what it took away, so it may be one too high, which costs a read, but never one too
   * low, which could skip a range that holds an event.
   */
  changed(change: EventChange | undefined, startedAt: number): void {
    if (change !== undefined && change.before === undefined && change.after === undefined) return;
    // A change of unknown effect visits every count; a known one those whose range may hold its event.
    const queries =
      change === undefined
        ? [...this.entries.keys()]
        : // A set: a count in both events' buckets is visited once.
          new Set([
            ...this.unscoped,
            ...this.wide,
            ...this.inBucketOf(change.before),
            ...this.inBucketOf(change.after),
          ]);
    for (const query of queries) {
      const entry = this.entries.get(query);
      if (entry === undefined) continue;
      const scope = entry.scope;
      const ofAMoment = entry.settledAt !== undefined && entry.reuseMs <= MOMENT_MS;
      if (scope === undefined) {
        // Not known what it counts.
        this.drop(query);
      } else if (change === undefined) {
        entry.capped = true;
        if (ofAMoment) this.drop(query);
        else entry.reuseMs = MOMENT_MS;
      } else if (touches(scope, change.before) || touches(scope, change.after)) {
        // A count of a moment is cheap to take again; any other is moved (one in flight cannot be dropped without
        // another asker starting the same count again).
        if (ofAMoment) {
          this.drop(query);
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
    for (const dropped of passes) {
      for (const [query, entry] of this.entries) {
        if (this.entries.size <= target) return;
        if (dropped(entry)) this.drop(query);
      }
    }
  }

  /** Forgets the count of `query`, and where the index keeps it. */
  private drop(query: string): void {
    const entry = this.entries.get(query);
    if (entry === undefined) return;
    this.entries.delete(query);
    this.index(query, entry.placed, false);
  }

  /** Adds `query` to the index at `placed` (or removes it from there). */
  private index(query: string, placed: Placement, add: boolean): void {
    const put = (set: Set<string>) => (add ? set.add(query) : set.delete(query));
    if (placed === 'unscoped') put(this.unscoped);
    else if (placed === 'wide') put(this.wide);
    else {
      for (let b = placed.first; b <= placed.last; b++) {
        let set = this.byBucket.get(b);
        if (set === undefined) {
          if (!add) continue;
          set = new Set();
          this.byBucket.set(b, set);
        }
        put(set);
        if (set.size === 0) this.byBucket.delete(b);
      }
    }
  }

  private inBucketOf(mark: EventMark | undefined): Iterable<string> {
    return (mark && this.byBucket.get(Math.floor(mark.time / BUCKET_MS))) ?? [];
  }
}

/** Where a count of `range` is indexed: its buckets, none when it is empty, or with the wide ones when too many. */
function placementOf({ from, to }: TimeRange): Placement {
  if (!(from < to)) return { first: 1, last: 0 };
  const first = Math.floor(from / BUCKET_MS);
  const last = Math.floor((to - 1) / BUCKET_MS);
  return last - first < MAX_BUCKETS_PER_RANGE ? { first, last } : 'wide';
}

function reuseFor(n: number): number {
  return Math.min(MAX_REUSE_MS, Math.max(MOMENT_MS, n * REUSE_MS_PER_EVENT));
}

/** Whether the event is in the scope's range (whatever its status). */
function touches({ range }: CountScope, mark: EventMark | undefined): boolean {
  return mark !== undefined && sliceHolds(range, mark);
}

function counts(scope: CountScope, mark: EventMark | undefined): boolean {
  return touches(scope, mark) && scope.statuses.includes((mark as EventMark).status);
}
