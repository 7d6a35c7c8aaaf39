/**
 * Visibility answers shared for a moment: concurrent listings with the same filter ask the same ones, and one answer
 * serves every asker for MOMENT_MS. Used for the samples that guide the walk in ./event-windows.ts (a hint only);
 * counts have their own rules (./visibility-counts.ts).
 */

/** How long an answer is reused, in ms. */
export const MOMENT_MS = 1000;
/** Answers kept at most; the oldest go first. */
const MAX_ENTRIES = 4096;

export class MomentCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly reuseMs: number = MOMENT_MS,
    // Monotonic: a wall clock set back would keep answers past their moment.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The answer for `key`, from `load` unless an answer (or a request in flight) younger than reuseMs exists. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && at - hit.at < this.reuseMs) return hit.value;
    const value = load();
    // A failure is not kept: the next asker tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    this.entries.delete(key);
    this.entries.set(key, { at, value });
    if (this.entries.size > MAX_ENTRIES) this.evictOld(at);
    return value;
  }

  private evictOld(at: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && at - entry.at < this.reuseMs) break;
      this.entries.delete(key);
    }
  }
}
