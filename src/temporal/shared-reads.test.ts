import type { ScheduledEvent } from '../shared/event';
import type { Slice } from './event-windows';
import { MOMENT_MS } from './moment-cache';
import { SharedReads } from './shared-reads';

const T = Date.parse('2030-01-01T00:00:00Z');
const WINDOW = { from: T, to: T + 60_000 };

function setup(slice: Slice = WINDOW) {
  let now = 1_000_000;
  const reads = new SharedReads(() => now);
  let loads = 0;
  const load = async (): Promise<readonly ScheduledEvent[]> => {
    loads += 1;
    return [];
  };
  const get = () => reads.get('q', slice, load);
  return { reads, get, loads: () => loads, advance: (ms: number) => (now += ms) };
}

const mark = (time: number, id = '5e1f') => ({ id, time, status: 'scheduled' as const });

describe('SharedReads', () => {
  it('serves one read to every asker for a moment, then reads again', async () => {
    const s = setup();
    await Promise.all([s.get(), s.get()]);
    s.advance(MOMENT_MS - 1);
    await s.get();
    expect(s.loads()).toBe(1);
    s.advance(1);
    await s.get();
    expect(s.loads()).toBe(2);
  });

  it('reads again after a change made here touches the window, also one made just before the read began', async () => {
    const s = setup();
    await s.get();
    s.reads.changed({ after: mark(T + 10) });
    await s.get();
    expect(s.loads()).toBe(2);
    // The change happened before this read began, but within a moment of it: visibility may not hold it yet.
    s.advance(MOMENT_MS - 10);
    await s.get();
    expect(s.loads()).toBe(3);
    s.advance(20);
    // That read has not expired; the change is now more than a moment older than the read, so it is shared.
    await s.get();
    expect(s.loads()).toBe(4);
    await s.get();
    expect(s.loads()).toBe(4);
  });

  it('keeps sharing when a change is outside the window or its id buckets, or refused; stops for one unknown', async () => {
    const s = setup();
    const burst = setup({ from: T, to: T + 1, ids: { from: 0x40, to: 0x80 } });
    await s.get();
    s.reads.changed({ before: mark(T - 1), after: mark(WINDOW.to) });
    await s.get();
    expect(s.loads()).toBe(1);
    // A write refused (a conflict, an unknown id) reports nothing; an edit that kept the due time reports its window.
    s.reads.changed({});
    await s.get();
    expect(s.loads()).toBe(1);
    s.reads.changed({ before: mark(T + 5), after: mark(T + 5) });
    await s.get();
    expect(s.loads()).toBe(2);
    s.advance(MOMENT_MS + 1);
    await s.get();
    s.reads.changed(undefined);
    await s.get();
    expect(s.loads()).toBe(4);

    await burst.get();
    burst.reads.changed({ after: mark(T, '3fff') });
    burst.reads.changed({ after: mark(T, '80') });
    await burst.get();
    expect(burst.loads()).toBe(1);
    burst.reads.changed({ after: mark(T, '7a') });
    await burst.get();
    expect(burst.loads()).toBe(2);
  });

  it('does not keep a failed read', async () => {
    const reads = new SharedReads(() => 0);
    await expect(reads.get('q', WINDOW, () => Promise.reject(new Error('unavailable')))).rejects.toThrow();
    await expect(reads.get('q', WINDOW, async () => [])).resolves.toEqual([]);
  });
});
