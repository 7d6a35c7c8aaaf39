/**
 * Finding, with count queries only, the stretches of due time that hold one page of a listing.
 *
 * SQL visibility cannot order by a custom attribute, so a page in (scheduled_time, id) order is cut from the events
 * of a time range read whole and sorted here. Reading costs per row read (~50 µs on the dev server), counting per row
 * counted (~1.5 µs; bench/PERFORMANCE.md, "Listing cost"), so the walk below counts its way to small ranges and only
 * those are read. Ranges are nodes of a binary tree over time whose bounds are powers of two in ms, so most of them
 * recur from one request to the next and shared counts serve them (./visibility-counts.ts).
 *
 * No Temporal here: the walk takes a count function, so it is unit-tested against an array.
 */

/** A half-open range of due times, [from, to), in ms since the epoch. */
export interface TimeRange {
  from: number;
  to: number;
}

/**
 * Event ids split a single instant that holds more events than a window, in ID_BUCKETS buckets by their first two
 * characters as hex (event ids are UUIDs): bucket k holds the ids from idBound(k) up to idBound(k + 1). Ids of any
 * other form still fall in exactly one bucket, in order, but may all share one, which is then read whole.
 */
export const ID_BUCKETS = 256;

/** A half-open range of id buckets, [from, to), within [0, ID_BUCKETS). */
export interface IdRange {
  from: number;
  to: number;
}

/** Part of the listing to count or read: a time range, narrowed to some id buckets when it is one instant. */
export interface Slice extends TimeRange {
  ids?: IdRange;
}

/**
 * The lowest id of bucket `k` (ids sort as strings), or undefined for bucket 0 (no lower bound) and ID_BUCKETS (no
 * upper bound). Pivots are ASCII, so string order in JavaScript and byte order in the database agree on every id.
 */
export function idBound(k: number): string | undefined {
  if (k <= 0 || k >= ID_BUCKETS) return undefined;
  return k.toString(16).padStart(2, '0');
}

/** Whether the event at `time` with `id` lies in `slice` (its time range and, when narrowed, its id buckets). */
export function sliceHolds({ from, to, ids }: Slice, { time, id }: { time: number; id: string }): boolean {
  if (time < from || time >= to) return false;
  const idFrom = ids && idBound(ids.from);
  const idTo = ids && idBound(ids.to);
  return (idFrom === undefined || id >= idFrom) && (idTo === undefined || id < idTo);
}

/** A range to read, with the number of its first events (by the counts) that fall before the page. */
export interface EventWindow extends Slice {
  /** Events counted in the range when it was chosen (a hint: visibility moves on). */
  count: number;
  /** Events to skip at its start (what was left of the offset). */
  skip: number;
}

export interface WindowSource {
  /** Events in the slice that match the listing's filter. */
  count(slice: Slice): Promise<number>;
  /**
   * Due times of a few matching events, cheap to get (visibility's own order), to guess where events are; used only
   * to choose which half of a large range to count. May be empty.
   */
  sample(): Promise<readonly number[]>;
  /**
   * Due times of a few events in `range` (visibility's own order, so not the earliest), to jump over empty time to
   * where events are. Absent when asking would cost more than a count of the range says: the source asks every
   * status, and a filter may count few events in a range of many.
   */
  pivots?(range: TimeRange): Promise<readonly number[]>;
}

/** Bounds of the tree: every due time the API accepts (years 0000–9999) lies within ±2^48 ms of the epoch. */
export const TIME_TREE_BOUND_MS = 2 ** 48;
/** Ranges narrower than this are not split by the tree's alignment at the edges of a request (2^20 ms ≈ 17 min). */
const EDGE_GRAIN_MS = 2 ** 20;
/** Growth of the ranges counted from a node's left edge while they hold fewer events than needed. */
const PROBE_GROWTH = 2;
/**
 * Most events a node may hold for the walk to ask it for pivots: asking sorts the range's index entries (~3 ms for
 * 257 events, ~45 ms for 100,000 on the dev server; bench/PERFORMANCE.md, "Listing cost").
 */
const PIVOT_MAX_EVENTS = 4096;
/**
 * Most events a node may hold for the walk to cut it where its density puts an offset's page (`interpolate`): a
 * side it counts then holds up to half of them, ~3 ms on the dev server, and no other request shares that count.
 */
const INTERPOLATE_MAX_EVENTS = 20_000;

/**
 * Uncounted ranges next in the walk that are counted beside one found empty: where a range held nothing, the next few
 * likely hold little too, and a count's cost on the dev server is mostly its round trip (~1 ms alone, ~0.4 ms each
 * eight at once).
 */
const COUNT_AHEAD = 3;

interface Node extends Slice {
  /** Known count (from a count, or derived as a parent's count minus a sibling's). */
  count?: number;
  /** Its count, asked ahead of time (COUNT_AHEAD). */
  counting?: Promise<number>;
}

/**
 * A count derived as a difference of counts, or undefined (count it) when that says the range is empty: counts may be
 * of different moments, and only a count of its own may skip a range.
 */
function derived(count: number): number | undefined {
  return count > 0 ? count : undefined;
}

/**
 * Slices of `[lo, hi)`, in order, each holding at most `maxWindow` events unless it is one id bucket of one instant,
 * with the first `skip` events (by the counts) left out. The caller reads the windows it needs and stops pulling.
 * Returns, when it ends, what is left of `skip` (all of it that the range did not hold).
 */
export async function* eventWindows(
  source: WindowSource,
  options: { lo: number; hi: number; skip: number; maxWindow: number },
): AsyncGenerator<EventWindow, number> {
  const { maxWindow } = options;
  let skip = options.skip;
  // Nodes still to visit, the next one last.
  const stack: Node[] = edgeAlignedCover(options.lo, options.hi).reverse();
  let sample: readonly number[] | undefined;
  // Width of the range just counted, when it was empty.
  let emptyWidth: number | undefined;
  const pivoting = { useful: true };
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    let count = node.count;
    if (count === undefined) {
      if (emptyWidth !== undefined) countAhead(source, stack, 2 * emptyWidth);
      count = await (node.counting ?? source.count(node));
      emptyWidth = count === 0 ? node.to - node.from : undefined;
    } else {
      emptyWidth = undefined;
    }
    if (count <= 0) continue;
    if (count <= skip) {
      skip -= count;
      continue;
    }
    const ids = node.ids ?? { from: 0, to: ID_BUCKETS };
    if (count <= maxWindow || (node.to - node.from <= 1 && ids.to - ids.from <= 1)) {
      yield { from: node.from, to: node.to, ...(node.ids && { ids: node.ids }), count, skip };
      skip = 0;
      continue;
    }
    if (node.to - node.from <= 1) {
      // One instant holding a burst: split by id. Either half costs the same to count (the instant is scanned).
      // Halves are built afresh: a copy of the node would carry its count asked ahead, the whole instant's.
      const mid = ids.from + Math.floor((ids.to - ids.from) / 2);
      const instant = { from: node.from, to: node.to };
      const left = await source.count({ ...instant, ids: { from: ids.from, to: mid } });
      stack.push({ ...instant, ids: { from: mid, to: ids.to }, count: derived(count - left) });
      stack.push({ ...instant, ids: { from: ids.from, to: mid }, count: left });
      continue;
    }
    // Too many to read: split it. Counting costs per event counted, so count the part expected to hold fewer.
    sample ??= await source.sample();
    const parts = await split(source, node, count, skip, maxWindow, sample, pivoting);
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as Node);
  }
  return skip;
}

/**
 * Starts the counts of the next COUNT_AHEAD uncounted nodes (the stack's last ones) no wider than `maxWidth`, to be
 * awaited when reached. Wider ones may hold many events, and counting them could be wasted (~45 ms for 75,000).
 */
function countAhead(source: WindowSource, stack: Node[], maxWidth: number): void {
  for (let i = stack.length - 1; i >= 0 && i >= stack.length - COUNT_AHEAD; i--) {
    const next = stack[i] as Node;
    if (next.to - next.from > maxWidth) break;
    if (next.count !== undefined || next.counting !== undefined) continue;
    next.counting = source.count(next);
    // Awaited when the walk reaches it; a walk that stops first must not leave a failure unhandled.
    next.counting.catch(() => undefined);
  }
}

/** The two halves of a node, counting the one the sample says is emptier and deriving the other. */
async function halves(
  source: WindowSource,
  node: TimeRange,
  count: number,
  sample: readonly number[],
): Promise<Node[]> {
  const mid = midpoint(node);
  const left = { from: node.from, to: mid };
  const right = { from: mid, to: node.to };
  const inLeft = sample.filter((t) => t >= left.from && t < left.to).length;
  const inRight = sample.filter((t) => t >= right.from && t < right.to).length;
  if (inRight < inLeft) {
    const r = await source.count(right);
    return [
      { ...left, count: derived(count - r) },
      { ...right, count: r },
    ];
  }
  const l = await source.count(left);
  return [
    { ...left, count: l },
    { ...right, count: derived(count - l) },
  ];
}

/**
 * A node holding too many events, split so that the page's part is small. When the sample puts every event it saw
 * in one half, the other half is counted (usually empty, so cheap): that walks down from a node spanning centuries
 * to where the events are. Otherwise ranges growing from the left edge are counted, the first one sized by the
 * node's density to hold about `target` events (the offset and half a window), until one holds more than the offset:
 * the cost then follows the events before the page, where halving would count half the node at every level.
 * Probe sizes are powers of two from an aligned edge, so other requests ask the same counts (and share them).
 */
async function split(
  source: WindowSource,
  node: TimeRange,
  count: number,
  skip: number,
  maxWindow: number,
  sample: readonly number[],
  pivoting: { useful: boolean },
): Promise<Node[]> {
  const mid = midpoint(node);
  const inNode = sample.filter((t) => t >= node.from && t < node.to);
  if (inNode.length > 0 && (inNode.every((t) => t < mid) || inNode.every((t) => t >= mid))) {
    return halves(source, node, count, sample);
  }
  if (skip >= maxWindow && count <= INTERPOLATE_MAX_EVENTS && isTreeNode(node)) {
    const parts = await interpolate(source, node, count, skip, maxWindow);
    if (parts !== undefined) return parts;
  }
  // The offset and half a window: what the first probe is sized to hold.
  const target = skip + Math.ceil(maxWindow / 2);
  const width = node.to - node.from;
  let step = 2 ** Math.max(0, Math.floor(Math.log2((width * target) / count)));
  let before = 0;
  let reached = node.from;
  // Counts of the next bands, asked side by side once a band came out empty (COUNT_AHEAD), in order.
  const ahead: Promise<number>[] = [];
  for (;;) {
    const to = Math.min(node.to, node.from + step);
    if (to >= node.to && reached === node.from) return halves(source, node, count, sample);
    // Each probe counts the band past the last one (the events before it are known), so that every event is counted
    // once however far the probes go, and bands can be counted side by side.
    const band = to >= node.to ? derived(count - before) : await (ahead.shift() ?? source.count({ from: reached, to }));
    const upTo = before + (band ?? 0);
    if (upTo === 0 && to < node.to && count <= PIVOT_MAX_EVENTS && pivoting.useful) {
      // Nothing where the density put the page: the events gather further on (a burst, a sparse tail). Doubling the
      // probe would cost two counts per halving of the distance; a pivot finds them in about three round trips.
      const parts = await jumpToPivot(source, { from: to, to: node.to }, count, sample);
      if (parts !== undefined) return parts;
      // Pivots here are lone events, not where the events gather: not tried again in this walk (each try costs two
      // counts and perhaps a list).
      pivoting.useful = false;
    }
    if (upTo > skip || to >= node.to) {
      const parts: Node[] = [];
      if (before > 0) parts.push({ from: node.from, to: reached, count: before });
      parts.push({ from: reached, to, count: band });
      if (to < node.to) parts.push({ from: to, to: node.to, count: derived(count - upTo) });
      return parts;
    }
    if (band === 0 && ahead.length === 0) {
      // Empty: the next bands (each twice as wide) likely hold little too. The last one is derived, not counted.
      for (let i = 1, at = to; i <= COUNT_AHEAD; i++) {
        const end = node.from + step * PROBE_GROWTH ** i;
        if (end >= node.to) break;
        const next = source.count({ from: at, to: end });
        next.catch(() => undefined); // awaited when reached; a split that stops first must not leave it unhandled
        ahead.push(next);
        at = end;
      }
    }
    before = upTo;
    reached = to;
    step *= PROBE_GROWTH;
  }
}

/**
 * `range`, holding `count` events, split at the earliest of a few events visibility returns from it: the time before
 * it and its instant are counted together (both usually small), the rest derived. Undefined when visibility returned
 * none (it moved on): the caller probes as before.
 */
async function jumpToPivot(
  source: WindowSource,
  range: TimeRange,
  count: number,
  sample: readonly number[] = [],
): Promise<Node[] | undefined> {
  const within = (times: readonly number[]) => times.filter((t) => t >= range.from && t < range.to);
  // The sample's events, when it has some here, serve without asking.
  let inRange = within(sample);
  if (inRange.length === 0 && source.pivots !== undefined) inRange = within(await source.pivots(range));
  if (inRange.length === 0) return undefined;
  const at = Math.min(...inRange);
  const [before, atInstant] = await Promise.all([
    at > range.from ? source.count({ from: range.from, to: at }) : Promise.resolve(0),
    source.count({ from: at, to: at + 1 }),
  ]);
  const parts: Node[] = [];
  // Both are counts of their own, so an empty one may be dropped.
  if (before > 0) parts.push({ from: range.from, to: at, count: before });
  if (atInstant > 0) parts.push({ from: at, to: at + 1, count: atInstant });
  const rest = derived(count - before - atInstant);
  // A pivot that is a lone event early in the range (not a burst, nothing before it) leaves the events where they
  // were, past an edge no other request counts from: the caller splits the range as it would have.
  if (before === 0 && rest !== undefined && rest > atInstant) return undefined;
  if (at + 1 < range.to) parts.push({ from: at + 1, to: range.to, count: rest });
  return parts;
}

/**
 * A node of the tree whose page lies well past its left edge (an offset), cut where its density puts the page: the
 * stretch expected to hold the page's first events (from a quarter window before the offset to three quarters past
 * it) and the part before it are counted side by side, the rest derived. Probing from the left edge took a count per
 * halving (~9 round trips from 20,000 events down to a window); on evenly spread events this takes one or two. The
 * cuts are not tree nodes, so other requests do not share these counts, and they are not cut again (on skewed data
 * repeated cuts took more round trips than probing): only nodes small enough that counting a part costs little are
 * cut. Undefined when the cuts would not fall inside the node.
 */
async function interpolate(
  source: WindowSource,
  node: TimeRange,
  count: number,
  skip: number,
  maxWindow: number,
): Promise<Node[] | undefined> {
  const width = node.to - node.from;
  const at = (k: number) => node.from + Math.floor((width * k) / count);
  const a = at(Math.max(0, skip - Math.floor(maxWindow / 4)));
  const b = at(Math.min(count, skip + Math.ceil((3 * maxWindow) / 4)));
  if (!(node.from < a && a < b && b < node.to)) return undefined;
  const before = { from: node.from, to: a };
  const window = { from: a, to: b };
  const after = { from: b, to: node.to };
  // What is before the page is counted, never derived: the node's count may be older than these, and a derived
  // count would move the offset by every write since, even one after the page.
  const [inBefore, inWindow] = await Promise.all([source.count(before), source.count(window)]);
  return [
    { ...before, count: inBefore },
    { ...window, count: inWindow },
    { ...after, count: derived(count - inBefore - inWindow) },
  ];
}

/** Whether `range` is a node of the tree (a power of two wide, aligned to its width), as the cover and probes make. */
function isTreeNode({ from, to }: TimeRange): boolean {
  const width = to - from;
  return width > 0 && 2 ** Math.round(Math.log2(width)) === width && alignedTo(from, width);
}

function midpoint({ from, to }: TimeRange): number {
  return from + Math.floor((to - from) / 2);
}

/**
 * `[lo, hi)` as tree nodes, except that the parts before the first and after the last multiple of EDGE_GRAIN_MS are
 * one range each (an arbitrary bound would otherwise start with dozens of tiny nodes, each one more count).
 */
export function edgeAlignedCover(lo: number, hi: number): TimeRange[] {
  const from = Math.max(lo, -TIME_TREE_BOUND_MS);
  const to = Math.min(hi, TIME_TREE_BOUND_MS);
  if (from >= to) return [];
  const first = Math.ceil(from / EDGE_GRAIN_MS) * EDGE_GRAIN_MS;
  const last = Math.floor(to / EDGE_GRAIN_MS) * EDGE_GRAIN_MS;
  if (first >= last) return [{ from, to }];
  const ranges: TimeRange[] = [];
  if (from < first) ranges.push({ from, to: first });
  let at = first;
  while (at < last) {
    // The largest node that starts at `at` (aligned to its own size) and ends by `last`.
    let size = EDGE_GRAIN_MS;
    while (size * 2 <= 2 * TIME_TREE_BOUND_MS && alignedTo(at, size * 2) && at + size * 2 <= last) size *= 2;
    ranges.push({ from: at, to: at + size });
    at += size;
  }
  if (last < to) ranges.push({ from: last, to });
  return ranges;
}

/** Whether `t` is a multiple of `size` measured from the tree's lower bound. */
function alignedTo(t: number, size: number): boolean {
  return (t + TIME_TREE_BOUND_MS) % size === 0;
}
