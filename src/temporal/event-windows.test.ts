import {
  edgeAlignedCover,
  eventWindows,
  sliceHolds,
  TIME_TREE_BOUND_MS,
  type EventWindow,
  type Slice,
  type WindowSource,
} from './event-windows';
import { seededRandom as random } from '../../test/helpers/seeded-random';

/** An event as the walk sees it: due time (ms) and id. */
interface Ev {
  t: number;
  id: string;
}

const byOrder = (a: Ev, b: Ev) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Events at `times`, with random hex ids (like UUIDs) unless `idOf` names them. */
function withIds(times: number[], idOf?: (i: number) => string): Ev[] {
  const r = random(3);
  const hex = () => Array.from({ length: 12 }, () => Math.floor(r() * 16).toString(16)).join('');
  return times.map((t, i) => ({ t, id: idOf ? idOf(i) : hex() }));
}

const inSlice = (e: Ev, slice: Slice): boolean => sliceHolds(slice, { time: e.t, id: e.id });

/** A source over events, counting what it is asked. */
function sourceOver(events: Ev[], sampleSize = 16) {
  const sorted = [...events].sort(byOrder);
  const asked: Slice[] = [];
  const pivotsAsked: Slice[] = [];
  const source = {
    async count(slice: Slice) {
      asked.push(slice);
      return sorted.filter((e) => inSlice(e, slice)).length;
    },
    async sample() {
      return events.slice(-sampleSize).map((e) => e.t);
    },
    async pivots(range: Slice) {
      pivotsAsked.push(range);
      // Visibility's own order: the newest first, whatever their due time.
      return events
        .filter((e) => inSlice(e, range))
        .slice(-sampleSize)
        .map((e) => e.t);
    },
  } satisfies WindowSource;
  return { source, asked, sorted, pivotsAsked };
}

/** What a page reads: the windows' events, skipping as the walk says, until `take` are had. */
async function pageOf(events: Ev[], lo: number, hi: number, skip: number, take: number, maxWindow = 64) {
  const { source, asked, sorted, pivotsAsked } = sourceOver(events);
  const page: Ev[] = [];
  const windows: EventWindow[] = [];
  let skipLeft: number | undefined;
  let read = 0;
  for await (const w of eventWindows(source, { lo, hi, skip, maxWindow })) {
    windows.push(w);
    skipLeft ??= w.skip;
    const inWindow = sorted.filter((e) => inSlice(e, w));
    read += inWindow.length;
    for (const e of inWindow) {
      if (skipLeft > 0) skipLeft -= 1;
      else if (page.length < take) page.push(e);
    }
    if (page.length >= take) break;
  }
  const expected = sorted.filter((e) => e.t >= lo && e.t < hi).slice(skip, skip + take);
  return { page, asked, read, windows, expected, pivotsAsked };
}

const T0 = Date.parse('2027-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

describe('eventWindows', () => {
  const rnd = random(7);
  // Spread over 60 days, a burst of 300 at one instant, a few far in the past and future.
  const times = withIds([
    ...Array.from({ length: 3000 }, () => T0 + Math.floor(rnd() * 60 * DAY_MS)),
    ...Array.from({ length: 300 }, () => T0 + 5 * DAY_MS),
    Date.parse('0001-01-01T00:00:00Z'),
    Date.parse('1990-05-05T00:00:00Z'),
    Date.parse('9999-12-31T23:59:59.999Z'),
  ]);
  const MIN = -TIME_TREE_BOUND_MS;
  const MAX = TIME_TREE_BOUND_MS;

  it.each([
    ['the first page', MIN, MAX, 0, 100],
    ['a page from a bound', T0 + 3 * DAY_MS, MAX, 0, 100],
    ['a page inside a time window', T0 + 10 * DAY_MS, T0 + 11 * DAY_MS, 0, 100],
    ['a page at an offset', MIN, MAX, 1700, 100],
    ['a page that starts inside the burst', MIN, MAX, 2 + 250, 100],
    ['a page past the end', MIN, MAX, 5000, 100],
    ['the last events', MIN, MAX, 3290, 100],
    ['every event', MIN, MAX, 0, 10_000],
  ])('%s is the slice of the sorted times', async (_label, lo, hi, skip, take) => {
    const { page, expected } = await pageOf(times, lo, hi, skip, take);
    expect(page).toEqual(expected);
  });

  it('matches a plain sort for random offsets, bounds and window sizes', async () => {
    const r = random(11);
    for (let i = 0; i < 60; i++) {
      const lo = r() < 0.3 ? MIN : T0 + Math.floor(r() * 70 * DAY_MS) - 5 * DAY_MS;
      const hi = r() < 0.3 ? MAX : lo + Math.floor(r() * 30 * DAY_MS);
      const skip = Math.floor(r() * 2000);
      const take = 1 + Math.floor(r() * 300);
      const maxWindow = 32 + Math.floor(r() * 500);
      const { page, expected } = await pageOf(times, lo, hi, skip, take, maxWindow);
      expect({ lo, hi, skip, take, page }).toEqual({ lo, hi, skip, take, page: expected });
    }
  });

  it('reads about a page, not the namespace, for a page after a position', async () => {
    const { page, read } = await pageOf(times, T0 + 20 * DAY_MS, MAX, 0, 100);
    expect(page).toHaveLength(100);
    expect(read).toBeLessThan(400);
  });

  it('counts far fewer events than the namespace holds for the first page', async () => {
    const { source, asked, sorted } = sourceOver(times);
    const windows = eventWindows(source, { lo: MIN, hi: MAX, skip: 0, maxWindow: 64 });
    await windows.next();
    // Events counted by every query but the first (the whole namespace, shared with `count`).
    const counted = asked.slice(1).reduce((sum, r) => sum + sorted.filter((e) => inSlice(e, r)).length, 0);
    expect(counted).toBeLessThan(times.length);
    expect(asked.length).toBeLessThan(80);
  });

  it('splits an instant holding more than a window by id, and pages through it in order', async () => {
    const burst = withIds(Array.from({ length: 5000 }, () => T0));
    for (const skip of [0, 130, 2500, 4950]) {
      const { page, expected, windows, read } = await pageOf(burst, MIN, MAX, skip, 100);
      expect(page).toEqual(expected);
      expect(windows.every((w) => w.ids !== undefined && w.count <= 64)).toBe(true);
      expect(read).toBeLessThan(400);
    }
  });

  it('reads an instant whole when its ids share one bucket (ids that are not hex)', async () => {
    const burst = withIds(
      Array.from({ length: 500 }, () => T0),
      (i) => `evt_${i}`,
    );
    const { page, expected, windows } = await pageOf(burst, MIN, MAX, 0, 100);
    expect(page).toEqual(expected);
    // 'evt_…' sorts between 'ef' and 'f0': bucket 0xef.
    expect(windows).toEqual([{ from: T0, to: T0 + 1, ids: { from: 0xef, to: 0xf0 }, count: 500, skip: 0 }]);
  });

  it('counts a range again rather than skip it when a difference of counts of different moments says it is empty', async () => {
    // 100 events, then 5 more added after the wide ranges were counted: wide counts (cached earlier) miss them.
    const base = Math.floor(T0 / 2 ** 22) * 2 ** 22;
    const old = withIds(Array.from({ length: 100 }, (_, i) => base + i));
    const added = withIds(Array.from({ length: 5 }, (_, i) => base + 2 ** 21 + i)).map((e) => ({
      ...e,
      id: `z${e.id}`,
    }));
    const { source } = sourceOver([...old, ...added]);
    const stale: WindowSource = {
      async count(slice) {
        const now = await source.count(slice);
        const wide = slice.to - slice.from >= 2 ** 22;
        return wide ? now - added.filter((e) => inSlice(e, slice)).length : now;
      },
      sample: () => source.sample(),
      pivots: (range) => source.pivots(range),
    };
    let found = 0;
    for await (const w of eventWindows(stale, { lo: MIN, hi: MAX, skip: 0, maxWindow: 64 })) {
      found += [...old, ...added].filter((e) => inSlice(e, w)).length;
    }
    expect(found).toBe(105);
  });

  it('finds a burst past years of empty time in a few counts, and pages through it in order', async () => {
    // A sparse tail: one event, then nothing for years but a burst of 257 at one instant (past a window's size).
    // The newest events (the sample) are elsewhere, as when the tail is old.
    const tail = withIds([
      ...Array.from({ length: 257 }, () => T0 + 3 * 365 * DAY_MS + 12_345),
      ...Array.from({ length: 16 }, (_, i) => T0 - i * DAY_MS),
    ]);
    for (const skip of [0, 100]) {
      const { page, expected, asked, pivotsAsked } = await pageOf(tail, T0 + 1, MAX, skip, 100, 200);
      expect(page).toEqual(expected);
      // Halving toward it cost a count or two per level (~50); a pivot jumps there.
      expect(asked.length).toBeLessThan(20);
      expect(pivotsAsked.length).toBeGreaterThan(0);
    }
    // A source that offers no pivots (a filtered listing) still finds it, by probing.
    const { source, sorted } = sourceOver(tail);
    const probing: WindowSource = { count: (slice) => source.count(slice), sample: () => source.sample() };
    const got: Ev[] = [];
    for await (const w of eventWindows(probing, { lo: T0 + 1, hi: MAX, skip: 0, maxWindow: 200 })) {
      got.push(...sorted.filter((e) => inSlice(e, w)));
      if (got.length >= 100) break;
    }
    expect(got.slice(0, 100)).toEqual(sorted.filter((e) => e.t >= T0 + 1).slice(0, 100));
  });

  it('gives every window its own count, with counts answered in any order', async () => {
    // Bursts whose ids share the low buckets, sparse outliers, bounds on and just past an event's instant (an
    // instant as the last edge range), counts and pivots answered after random delays.
    const r = random(23);
    const hexId = (low: boolean) =>
      Math.floor(r() * (low ? 8 : 16)).toString(16) +
      Array.from({ length: 11 }, () => Math.floor(r() * 16).toString(16)).join('');
    const delayed = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), Math.floor(r() * 3)));
    for (let i = 0; i < 120; i++) {
      const events: Ev[] = [];
      for (let k = Math.floor(r() * 400); k > 0; k--)
        events.push({ t: T0 + Math.floor(r() * 30 * DAY_MS), id: hexId(false) });
      for (let b = Math.floor(r() * 3); b > 0; b--) {
        const at = T0 + Math.floor((r() * 2000 - 1000) * DAY_MS);
        const low = r() < 0.5;
        for (let k = Math.floor(r() * 300); k > 0; k--) events.push({ t: at, id: hexId(low) });
      }
      for (let k = 0; k < 5; k++) events.push({ t: T0 + Math.floor((r() * 4000 - 2000) * DAY_MS), id: hexId(false) });
      const { source, sorted } = sourceOver(events);
      const edge = 2 ** 20 * Math.floor((T0 + 500 * DAY_MS) / 2 ** 20);
      events.push(...Array.from({ length: 150 }, () => ({ t: edge, id: `0${hexId(false)}` })));
      sorted.push(...events.slice(-150));
      sorted.sort(byOrder);
      const anyEvent = () => (sorted[Math.floor(r() * sorted.length)] as Ev).t;
      const lo = r() < 0.3 ? MIN : r() < 0.4 ? anyEvent() + (r() < 0.5 ? 0 : 1) : T0 - 30 * DAY_MS;
      const hi = r() < 0.3 ? MAX : r() < 0.5 ? edge + 1 : anyEvent() + (r() < 0.5 ? 0 : 1);
      const skip = Math.floor(r() * 700);
      const take = 1 + Math.floor(r() * 200);
      const slow: WindowSource = {
        count: async (slice) => delayed(await source.count(slice)),
        sample: () => source.sample(),
        pivots: async (range) => delayed(await source.pivots(range)),
      };
      const page: Ev[] = [];
      let skipLeft: number | undefined;
      for await (const w of eventWindows(slow, { lo, hi, skip, maxWindow: 32 + Math.floor(r() * 200) })) {
        const inWindow = sorted.filter((e) => inSlice(e, w));
        expect(w.count).toBe(inWindow.length);
        skipLeft ??= w.skip;
        for (const e of inWindow) {
          if (skipLeft > 0) skipLeft -= 1;
          else if (page.length < take) page.push(e);
        }
        if (page.length >= take) break;
      }
      const expected = sorted.filter((e) => e.t >= lo && e.t < hi).slice(skip, skip + take);
      expect({ i, page }).toEqual({ i, page: expected });
    }
  }, 30_000);

  it('counts the ranges after an empty one side by side, not the wide ones that hold most events', async () => {
    const { source, sorted } = sourceOver(times);
    let inFlight = 0;
    const sideBySide: Slice[] = [];
    const watched: WindowSource = {
      ...source,
      async count(slice) {
        if (inFlight > 0) sideBySide.push(slice);
        inFlight += 1;
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return source.count(slice);
      },
    };
    const { page, expected } = await (async () => {
      const got: number[] = [];
      for await (const w of eventWindows(watched, { lo: MIN, hi: MAX, skip: 0, maxWindow: 64 })) {
        got.push(...sorted.filter((e) => inSlice(e, w)).map((e) => e.t));
        if (got.length >= 100) break;
      }
      return { page: got.slice(0, 100), expected: sorted.slice(0, 100).map((e) => e.t) };
    })();
    expect(page).toEqual(expected);
    // Leading centuries are empty: their ranges were counted side by side.
    expect(sideBySide.length).toBeGreaterThan(0);
    const held = sideBySide.map((r) => sorted.filter((e) => inSlice(e, r)).length);
    expect(Math.max(...held)).toBeLessThan(times.length / 10);
  });

  it('leaves no failure unhandled when a count asked ahead fails after the walk stopped', async () => {
    const { source } = sourceOver(times);
    let calls = 0;
    const failing: WindowSource = {
      ...source,
      async count(slice) {
        calls += 1;
        const n = await source.count(slice);
        if (n === 0 && calls > 1) throw new Error('visibility unavailable');
        return n;
      },
    };
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      await expect(
        (async () => {
          for await (const w of eventWindows(failing, { lo: MIN, hi: MAX, skip: 0, maxWindow: 64 })) void w;
        })(),
      ).rejects.toThrow('visibility unavailable');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('moves no offset by a write after the page that an older count of a wide range lacks', async () => {
    // One tree node of 10,000 evenly spread events, counted before 50 more were written near its end (by another
    // process): a page at offset 8,000 must not shift by them.
    const node = 2 ** 20;
    const early = withIds(
      Array.from({ length: 10_000 }, (_, i) => Math.floor((i * node) / 10_000)),
      (i) => `o${String(i).padStart(5, '0')}`,
    );
    const late = withIds(
      Array.from({ length: 50 }, (_, i) => node - 100 + i),
      (i) => `n${i}`,
    );
    const { source, sorted } = sourceOver([...early, ...late]);
    const stale: WindowSource = {
      count: async (slice) => (await source.count(slice)) - (slice.from === 0 && slice.to === node ? late.length : 0),
      sample: async () => [1000, 300_000, 600_000, 900_000],
    };
    const got: Ev[] = [];
    let skipLeft: number | undefined;
    for await (const w of eventWindows(stale, { lo: 0, hi: node, skip: 8000, maxWindow: 64 })) {
      skipLeft ??= w.skip;
      for (const e of sorted.filter((x) => inSlice(x, w))) {
        if (skipLeft > 0) skipLeft -= 1;
        else if (got.length < 20) got.push(e);
      }
      if (got.length >= 20) break;
    }
    expect(got).toEqual(sorted.slice(8000, 8020));
  });

  it('yields nothing for an empty namespace or an empty range', async () => {
    const { source } = sourceOver([]);
    const none = [];
    for await (const w of eventWindows(source, { lo: MIN, hi: MAX, skip: 0, maxWindow: 64 })) none.push(w);
    for await (const w of eventWindows(sourceOver(times).source, { lo: T0, hi: T0, skip: 0, maxWindow: 64 })) {
      none.push(w);
    }
    expect(none).toEqual([]);
  });
});

describe('edgeAlignedCover', () => {
  it('covers the range exactly, in order, with aligned nodes between the edges', () => {
    const lo = T0 + 12_345;
    const hi = T0 + 40 * DAY_MS + 999;
    const cover = edgeAlignedCover(lo, hi);
    expect(cover[0]?.from).toBe(lo);
    expect(cover[cover.length - 1]?.to).toBe(hi);
    for (let i = 1; i < cover.length; i++) expect(cover[i]?.from).toBe(cover[i - 1]?.to);
    expect(cover.length).toBeLessThan(30);
  });

  it('is one node for the whole tree', () => {
    expect(edgeAlignedCover(-TIME_TREE_BOUND_MS, TIME_TREE_BOUND_MS)).toEqual([
      { from: -TIME_TREE_BOUND_MS, to: TIME_TREE_BOUND_MS },
    ]);
  });
});
