/**
 * Window reads shared for a moment between listings that ask the same one: dashboards and console tabs polling the
 * first page ask the same windows, and on the dev server a row read costs ~65 µs of its single core (against ~0.3
 * µs for a row counted; bench/PERFORMANCE.md, "Listing cost"), so 20 such clients spent most of it reading the same
 * rows. One read serves every asker for MOMENT_MS.
 *
 * A write made through this process must show in the next listing: a read is not shared once a change touches its
 * window, from MOMENT_MS before the read began (visibility follows a write by a moment, so a read begun just after it
 * may not hold it yet). Writes through other processes show once the read is taken again, as with counts of a moment.
 */
import type { ScheduledEvent } from '../shared/event';
import { sliceHolds, type Slice } from './event-windows';
import { MOMENT_MS } from './moment-cache';
import type { EventChange, EventMark } from './visibility-counts';

/**
 * Reads kept at most, and events each keeps: together never more than the 2 listings at once
 * (./listing-slots.ts) may hold in their reads anyway (2 × 1,000). Pages that need more of a window read it alone.
 */
const MAX_ENTRIES = 8;
export const SHARED_READ_EVENTS = 250;

interface Entry {
  /** When the read began (ms). */
  at: number;
  slice: Slice;
  events: Promise<readonly ScheduledEvent[]>;
}

export class SharedReads {
  private readonly entries = new Map<string, Entry>();
  /** Changes made here within the last 2 × MOMENT_MS; undefined marks: a change of unknown effect. */
  private changes: { at: number; marks: readonly EventMark[] | undefined }[] = [];

  /** `now` is monotonic: a wall clock set back would otherwise stretch a moment. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The events of `query` (the read of `slice`), from `load` unless a read of it may still be shared. */
  get(query: string, slice: Slice, load: () => Promise<readonly ScheduledEvent[]>): Promise<readonly ScheduledEvent[]> {
    const now = this.now();
    const hit = this.entries.get(query);
    if (hit !== undefined && now - hit.at < MOMENT_MS && !this.touched(hit)) return hit.events;
    const entry: Entry = { at: now, slice, events: load() };
    // A failure is not kept: the next asker tries again.
    entry.events.catch(() => {
      if (this.entries.get(query) === entry) this.entries.delete(query);
    });
    this.entries.delete(query);
    this.entries.set(query, entry);
    this.sweep(now);
    // An idle process does not keep what it read: the entry goes once its moment is over.
    setTimeout(() => {
      if (this.entries.get(query) === entry) this.entries.delete(query);
    }, MOMENT_MS).unref();
    return entry.events;
  }

  /** Drops the oldest entries past MAX_ENTRIES, and those whose moment is over. */
  private sweep(now: number): void {
    for (const [key, old] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && now - old.at < MOMENT_MS) break;
      this.entries.delete(key);
    }
  }

  /**
   * A change made through this process has ended: `change` says where the event was and is (an edit reports its
   * window even when it kept the due time, as a read holds whole events), nothing for a write refused, undefined when
   * its effect is not known, which stops every read being shared.
   */
  changed(change: EventChange | undefined): void {
    const now = this.now();
    this.changes = this.changes.filter((c) => now - c.at < 2 * MOMENT_MS);
    const marks = change === undefined ? undefined : [change.before, change.after].filter((m) => m !== undefined);
    if (marks?.length === 0) return;
    this.changes.push({ at: now, marks });
  }

  /** Whether a change since MOMENT_MS before the read began may be missing from it. */
  private touched({ at, slice }: Entry): boolean {
    return this.changes.some(
      (c) => c.at >= at - MOMENT_MS && (c.marks === undefined || c.marks.some((m) => sliceHolds(slice, m))),
    );
  }
}
