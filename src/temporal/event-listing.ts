/**
 * Listing events in (scheduled_time, id) order from visibility, at a cost that follows the page, not the namespace:
 * counts find the time ranges that hold the page (./event-windows.ts), and only those are read and sorted here.
 * docs/listing.md has the reasoning and bench/PERFORMANCE.md ("Listing cost") the measurements.
 */
import type { Client } from '@temporalio/client';
import type { EventStatus, ScheduledEvent } from '../shared/event';
import { compareEventOrder, EVENT_STATUSES, FINAL_STATUSES } from '../shared/event';
import type { EventPage, ListEventsQuery } from '../shared/scheduler';
import { EVENT_STATUS, EVENT_TIME } from '../../workflows/storage-schema';
import { eventFromExecution } from './event-from-execution';
import {
  eventWindows,
  idBound,
  TIME_TREE_BOUND_MS,
  type EventWindow,
  type Slice,
  type TimeRange,
  type WindowSource,
} from './event-windows';
import type { MomentCache } from './moment-cache';
import { MAX_PREPARE_AHEAD_MS } from './prepare-lead';
import { SHARED_READ_EVENTS, SharedReads } from './shared-reads';
import type { VisibilityCounts } from './visibility-counts';

/** Most rows one visibility page returns (the server's default `frontend.visibilityMaxPageSize`). */
const VISIBILITY_PAGE_MAX = 1000;
/** Events one page may read past what it needs, so a count a moment old still fits in one visibility page. */
const READ_SLACK = 32;
/** Events a page reads at most per window: twice the page, within these bounds. */
const MIN_WINDOW = 64;
/** Due times fetched to guess where events lie (one cheap page in visibility's own order). */
const SAMPLE_SIZE = 16;

/**
 * Every query here names TemporalNamespaceDivision, so that the server does not add its own
 * `TemporalNamespaceDivision IS NULL` (it hides Temporal's system workflows, which never carry ScheduledEventTime).
 * That attribute lives in each row's JSON, so the server's clause made SQLite read every row a count passed over;
 * this one is decided by StartTime, which the ScheduledEventTime index holds, and the row is never read. A count of
 * 100,000 events went from ~230 ms to ~30 ms on the dev server (bench/PERFORMANCE.md, "Listing cost").
 */
const ANY_DIVISION = `(StartTime >= '0001-01-01T00:00:00Z' OR TemporalNamespaceDivision = 'none')`;
/** The earliest due time the API accepts; a query from here on holds events only (they alone carry the attribute). */
const EARLIEST_DUE_MS = Date.parse('0000-01-01T00:00:00Z');
/** CloseTime of a run still open: the server compares COALESCE(close_time, this), also held by the index. */
const STILL_OPEN = `'9999-12-31T23:59:59Z'`;
const OPEN = `CloseTime >= ${STILL_OPEN}`;
const CLOSED = `CloseTime < ${STILL_OPEN}`;
/**
 * How far past now an open run may show a status other than `scheduled`: it turns `locked` when its attempt is
 * prepared (at most MAX_PREPARE_AHEAD_MS before its instant) and shows its final status while its failure webhook is
 * called, both after its instant; the rest is room for clocks that differ. Edits are refused once preparation begins,
 * so an event due later than this is, while open, `scheduled`.
 */
const NEAR_MARGIN_MS = MAX_PREPARE_AHEAD_MS + 10 * 60_000;
/** The bound between near and far ranges moves in steps of this (2^20 ms ≈ 17 min), so that counts keep their keys. */
const NEAR_STEP_MS = 2 ** 20;

/** An id that can be quoted in a visibility query as is (event ids are UUIDs); any other is only filtered here. */
const QUOTABLE_ID = /^[A-Za-z0-9._:-]{1,255}$/;

/** Execution statuses of a run that ended without the workflow recording a final status, by the status it shows. */
const ENDED_FROM_OUTSIDE: Partial<Record<EventStatus, readonly string[]>> = {
  cancelled: ['Terminated', 'Canceled'],
  error: ['Failed', 'TimedOut', 'Completed', 'ContinuedAsNew'],
};

/**
 * The visibility filter for events whose status (as eventFromExecution derives it) is one of `statuses`, exactly:
 * counts must not include events the page then drops, or offsets would drift.
 */
export function statusFilter(statuses: readonly EventStatus[]): string {
  const pendingStatuses = EVENT_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));
  const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
  const pending = statuses.filter((s) => !FINAL_STATUSES.includes(s));
  const final = statuses.filter((s) => FINAL_STATUSES.includes(s));
  const clauses: string[] = [];
  if (pending.length > 0) clauses.push(`(${EVENT_STATUS.name} IN (${list(pending)}) AND ExecutionStatus = 'Running')`);
  if (final.length > 0) clauses.push(`${EVENT_STATUS.name} IN (${list(final)})`);
  const endedAs = statuses.flatMap((s) => ENDED_FROM_OUTSIDE[s] ?? []);
  if (endedAs.length > 0) {
    clauses.push(`(${EVENT_STATUS.name} IN (${list(pendingStatuses)}) AND ExecutionStatus IN (${list(endedAs)}))`);
  }
  return `(${clauses.join(' OR ')})`;
}

/**
 * `filter` (every event when undefined) within a due-time range. Always a range, never `=`: the dev server's SQLite compares datetimes
 * as text, and its query literals drop trailing zeros of the fraction ('…:05+00:00') that stored values keep
 * ('…:05.000+00:00'), so equality never matches; `>=` and `<` still order correctly.
 */
function inRange(filter: string | undefined, { from, to, ids }: Slice): string {
  const clauses = filter === undefined ? [ANY_DIVISION] : [filter, ANY_DIVISION];
  clauses.push(`${EVENT_TIME.name} >= '${new Date(Math.max(from, EARLIEST_DUE_MS)).toISOString()}'`);
  if (to < TIME_TREE_BOUND_MS) clauses.push(`${EVENT_TIME.name} < '${new Date(to).toISOString()}'`);
  const idFrom = ids && idBound(ids.from);
  const idTo = ids && idBound(ids.to);
  if (idFrom !== undefined) clauses.push(`WorkflowId >= '${idFrom}'`);
  if (idTo !== undefined) clauses.push(`WorkflowId < '${idTo}'`);
  return clauses.join(' AND ');
}

/** The listing's time bounds in ms, clamped to the tree. */
function boundsOf(query: ListEventsQuery): TimeRange {
  return {
    from: query.scheduledAfter === undefined ? -TIME_TREE_BOUND_MS : Date.parse(query.scheduledAfter),
    to: query.scheduledBefore === undefined ? TIME_TREE_BOUND_MS : Date.parse(query.scheduledBefore),
  };
}

export class EventListing {
  constructor(
    private readonly client: Client,
    private readonly counts: VisibilityCounts,
    private readonly samples: MomentCache<readonly number[]>,
    private readonly reads: SharedReads = new SharedReads(),
    private readonly now: () => number = Date.now,
  ) {}

  /** One page of `query` (statuses already resolved), with the total when asked for. */
  async page(query: ListEventsQuery & { statuses: readonly EventStatus[] }): Promise<EventPage> {
    const filter = statusFilter(query.statuses);
    const bounds = boundsOf(query);
    const take = query.limit ?? Number.POSITIVE_INFINITY;
    const page = new PageBuilder(query.offset ?? 0, take);
    const after = query.after;
    const at = after === undefined ? undefined : Date.parse(after.scheduledTime);
    const lo = at === undefined ? bounds.from : Math.max(bounds.from, at + 1);
    // The total's count runs beside the walk: on a cold cache each may take ~150 ms at 100,000 events.
    const restTotal =
      query.withTotal && lo < bounds.to
        ? this.count(filter, query.statuses, { from: lo, to: bounds.to })
        : Promise.resolve(0);
    restTotal.catch(() => undefined); // awaited below; a walk that fails first must not leave it unhandled
    let totalBefore = 0;

    if (after !== undefined && at !== undefined && at >= bounds.from && at < bounds.to) {
      // The cursor's own instant: the events of that instant after its id. An instant may hold a burst, so when the
      // id can be put in the query its events are found like any others; otherwise it is read whole (bounded by
      // what the page keeps) and narrowed here.
      const instant = { from: at, to: at + 1 };
      if (QUOTABLE_ID.test(after.id)) {
        const rest = `${filter} AND WorkflowId > '${after.id}'`;
        await this.fill(page, rest, undefined, instant, take);
        if (query.withTotal) totalBefore = await this.counts.get(inRange(rest, instant));
      } else {
        const rest = await this.read(filter, instant, page.keep, (e) => compareEventOrder(e, after) > 0);
        totalBefore = rest.seen;
        page.add(rest.events);
      }
    }

    if (!page.full && lo < bounds.to) await this.fill(page, filter, query.statuses, { from: lo, to: bounds.to }, take);

    if (!query.withTotal) return { events: page.events };
    return { events: page.events, total: totalBefore + (await restTotal) };
  }

  /**
   * Adds to `page` the events of `filter` in `range`, reading only the windows that hold what it still skips and
   * takes. `statuses` says what `filter` selects, for the shared counts; undefined when it is narrower than that.
   */
  private async fill(
    page: PageBuilder,
    filter: string,
    statuses: readonly EventStatus[] | undefined,
    range: TimeRange,
    take: number,
  ): Promise<void> {
    const near = this.nearBound();
    const source: WindowSource = {
      count: (slice) =>
        statuses === undefined ? this.counts.get(inRange(filter, slice)) : this.count(filter, statuses, slice),
      sample: () => this.sample(filter),
      ...(statuses !== undefined && { pivots: (range: TimeRange) => this.pivots(statuses, range, near) }),
    };
    // The near and far parts are walked one after the other, so that no range counted straddles the near bound:
    // one that did would count its far part anew for every range the walk tries (~30 ms at 100,000 events each).
    const parts = [
      { from: range.from, to: Math.min(range.to, near) },
      { from: Math.max(range.from, near), to: range.to },
    ].filter((part) => part.from < part.to);
    const windows = windowsIn(source, parts, { skip: page.skipLeft, maxWindow: windowSize(take) });
    let batch: EventWindow | undefined;
    let first = true;
    for (;;) {
      const next = await windows.next();
      if (next.done) {
        // No window: the range held less than the offset, all of it skipped by counts.
        if (first) page.skipLeft = next.value;
        break;
      }
      const window = next.value;
      // The walk skipped whole ranges by their counts; the first window says how much of the offset is left.
      if (first) page.skipLeft = window.skip;
      first = false;
      // Adjacent time ranges are read as one while visibility returns them in one page (id slices are not joined).
      const joins =
        batch !== undefined &&
        batch.ids === undefined &&
        window.ids === undefined &&
        batch.to === window.from &&
        batch.count + window.count <= VISIBILITY_PAGE_MAX;
      if (joins) {
        batch = { ...(batch as EventWindow), to: window.to, count: (batch as EventWindow).count + window.count };
      } else {
        if (batch !== undefined) await this.readInto(page, filter, batch);
        if (page.full) return;
        batch = window;
      }
      if (batch.count >= page.keep) {
        await this.readInto(page, filter, batch);
        batch = undefined;
        if (page.full) return;
      }
    }
    if (batch !== undefined && !page.full) await this.readInto(page, filter, batch);
  }

  /**
   * Adds a window's events to `page`. A read is shared for a moment (./shared-reads.ts) when the page needs at most
   * the window's first SHARED_READ_EVENTS events, which the shared read keeps.
   */
  private async readInto(page: PageBuilder, filter: string, window: Slice): Promise<void> {
    if (page.keep > SHARED_READ_EVENTS) {
      page.add((await this.read(filter, window, page.keep)).events);
      return;
    }
    const query = inRange(filter, window);
    const events = await this.reads.get(query, window, async () => {
      return (await this.read(filter, window, SHARED_READ_EVENTS)).events;
    });
    page.add(events.slice(0, page.keep));
  }

  /**
   * The events of `filter` in `range` that pass `keep`, in order, holding at most `limit` of them (the first ones)
   * however many the range has; `seen` counts every one that passed.
   */
  private async read(
    filter: string,
    range: Slice,
    limit: number,
    keep: (e: ScheduledEvent) => boolean = () => true,
  ): Promise<{ events: ScheduledEvent[]; seen: number }> {
    const query = inRange(filter, range);
    const pageSize = VISIBILITY_PAGE_MAX;
    const kept = new BoundedSorted(limit);
    let seen = 0;
    for await (const info of this.client.workflow.list({ query, pageSize })) {
      const event = eventFromExecution(info);
      if (event === undefined || !keep(event)) continue;
      seen += 1;
      kept.add(event);
    }
    return { events: kept.items, seen };
  }

  /**
   * Events of `statuses` (whose filter is `filter`) in `slice`. Due later than the near bound, an open run is
   * `scheduled` (NEAR_MARGIN_MS), so there the status is asked of closed runs only and an open one is counted from
   * the index alone: the status lives in each row's JSON, and reading every row made a count ~8× dearer. Nearer, the
   * status is asked of every run, as before.
   */
  private async count(filter: string, statuses: readonly EventStatus[], slice: Slice): Promise<number> {
    const near = this.nearBound();
    const farFilter = statuses.includes('scheduled')
      ? `(${OPEN} OR (${CLOSED} AND ${filter}))`
      : `(${CLOSED} AND ${filter})`;
    // Pending statuses are shown by open runs only (Running exactly while there is no close time): saying so in a
    // clause the index decides lets SQLite pass over closed runs (every delivered event in the past) unread.
    const nearFilter = statuses.every((s) => !FINAL_STATUSES.includes(s)) ? `${OPEN} AND ${filter}` : filter;
    const part = (f: string, part: Slice) => this.counts.get(inRange(f, part), { statuses, range: part });
    if (slice.to <= near) return part(nearFilter, slice);
    if (slice.from >= near) return part(farFilter, slice);
    const [nearCount, farCount] = await Promise.all([
      part(nearFilter, { ...slice, to: near }),
      part(farFilter, { ...slice, from: near }),
    ]);
    return nearCount + farCount;
  }

  /** Where the near ranges end (ms): NEAR_MARGIN_MS past now, in steps of NEAR_STEP_MS. */
  private nearBound(): number {
    return Math.ceil((this.now() + NEAR_MARGIN_MS) / NEAR_STEP_MS) * NEAR_STEP_MS;
  }

  /**
   * Pivots for a walk of `statuses` in `range` (./event-windows.ts): asked of every status, so they cost a count of
   * every run in the range (the status lives in each row's JSON, so a query without it stays in the index), and are
   * asked only where the walk's count is about that: a listing of every status but perhaps `cancelled`, or one of
   * `scheduled` past the near bound (where every open run is `scheduled`). Elsewhere a filter may count a few events
   * among many runs: none (the walk probes instead).
   */
  private pivots(statuses: readonly EventStatus[], range: TimeRange, near: number): Promise<readonly number[]> {
    const nearlyAll = EVENT_STATUSES.every((s) => s === 'cancelled' || statuses.includes(s));
    if (!nearlyAll && !(statuses.includes('scheduled') && range.from >= near)) return Promise.resolve([]);
    const query = inRange(undefined, range);
    return this.samples.get(query, () => this.dueTimes(query));
  }

  private sample(filter: string): Promise<readonly number[]> {
    return this.samples.get(filter, () => this.dueTimes(filter));
  }

  /** Due times of the first SAMPLE_SIZE events of `query` in visibility's own order: one visibility page at most. */
  private async dueTimes(query: string): Promise<readonly number[]> {
    const times: number[] = [];
    let seen = 0;
    for await (const info of this.client.workflow.list({ query, pageSize: SAMPLE_SIZE })) {
      const event = eventFromExecution(info);
      if (event !== undefined) times.push(Date.parse(event.scheduledTime));
      if (++seen >= SAMPLE_SIZE) break;
    }
    return times;
  }
}

/** The windows of `parts` (in order), the offset carried from one part to the next. */
async function* windowsIn(
  source: WindowSource,
  parts: readonly TimeRange[],
  options: { skip: number; maxWindow: number },
): AsyncGenerator<EventWindow, number> {
  let skip = options.skip;
  for (const part of parts) {
    skip = yield* eventWindows(source, { lo: part.from, hi: part.to, skip, maxWindow: options.maxWindow });
  }
  return skip;
}

/** Events read per window for a page of `take`. */
function windowSize(take: number): number {
  if (!Number.isFinite(take)) return VISIBILITY_PAGE_MAX - READ_SLACK;
  return Math.min(VISIBILITY_PAGE_MAX - READ_SLACK, Math.max(MIN_WINDOW, 2 * take));
}

/** The page being cut: what is still to skip (the offset) and to take, from windows read in order. */
class PageBuilder {
  readonly events: ScheduledEvent[] = [];
  constructor(
    public skipLeft: number,
    private readonly take: number,
  ) {}

  get full(): boolean {
    return this.events.length >= this.take;
  }

  /** Events the next read must keep: those still to skip and those still to take. */
  get keep(): number {
    return this.skipLeft + (this.take - this.events.length);
  }

  add(sorted: readonly ScheduledEvent[]): void {
    let i = 0;
    if (this.skipLeft > 0) {
      i = Math.min(this.skipLeft, sorted.length);
      this.skipLeft -= i;
    }
    for (; i < sorted.length && !this.full; i++) this.events.push(sorted[i] as ScheduledEvent);
  }
}

/** The `limit` smallest events seen, in order: bounded memory over a range of any size. */
class BoundedSorted {
  readonly items: ScheduledEvent[] = [];
  constructor(private readonly limit: number) {}

  add(event: ScheduledEvent): void {
    const items = this.items;
    if (items.length >= this.limit && compareEventOrder(event, items[items.length - 1] as ScheduledEvent) >= 0) return;
    let low = 0;
    let high = items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareEventOrder(items[mid] as ScheduledEvent, event) < 0) low = mid + 1;
      else high = mid;
    }
    items.splice(low, 0, event);
    if (items.length > this.limit) items.pop();
  }
}
