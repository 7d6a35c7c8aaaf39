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
}

/** Bounds of the tree: every due time the API accepts (years 0000–9999) lies within ±2^48 ms of the epoch. */
export const TIME_TREE_BOUND_MS = 2 ** 48;
/** Ranges narrower than this are not split by the tree's alignment at the edges of a request (2^20 ms ≈ 17 min). */
const EDGE_GRAIN_MS = 2 ** 20;
/** Growth of the ranges counted from a node's left edge while they hold fewer events than needed. */
const PROBE_GROWTH = 2;

interface Node extends Slice {
  /** Known count (from a count, or derived as a parent's count minus a sibling's). */
  count?: number;
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
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const count = node.count ?? (await source.count(node));
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
      const mid = ids.from + Math.floor((ids.to - ids.from) / 2);
      const left = await source.count({ ...node, ids: { from: ids.from, to: mid } });
      stack.push({ ...node, ids: { from: mid, to: ids.to }, count: derived(count - left) });
      stack.push({ ...node, ids: { from: ids.from, to: mid }, count: left });
      continue;
    }
    // Too many to read: split it. Counting costs per event counted, so count the part expected to hold fewer.
    sample ??= await source.sample();
    const parts = await split(source, node, count, skip, skip + Math.ceil(maxWindow / 2), sample);
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as Node);
  }
  return skip;
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
  target: number,
  sample: readonly number[],
): Promise<Node[]> {
  const mid = midpoint(node);
  const inNode = sample.filter((t) => t >= node.from && t < node.to);
  if (inNode.length > 0 && (inNode.every((t) => t < mid) || inNode.every((t) => t >= mid))) {
    return halves(source, node, count, sample);
  }
  const width = node.to - node.from;
  let step = 2 ** Math.max(0, Math.floor(Math.log2((width * target) / count)));
  let before = 0;
  let reached = node.from;
  for (;;) {
    const to = Math.min(node.to, node.from + step);
    if (to >= node.to && reached === node.from) return halves(source, node, count, sample);
    const upTo = to >= node.to ? count : await source.count({ from: node.from, to });
    if (upTo > skip || to >= node.to) {
      const parts: Node[] = [];
      if (before > 0) parts.push({ from: node.from, to: reached, count: before });
      parts.push({ from: reached, to, count: derived(upTo - before) });
      if (to < node.to) parts.push({ from: to, to: node.to, count: derived(count - upTo) });
      return parts;
    }
    before = upTo;
    reached = to;
    step *= PROBE_GROWTH;
  }
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
