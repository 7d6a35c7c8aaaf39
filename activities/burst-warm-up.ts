/**
 * Warms the webhook path shortly before a burst held on this worker comes due.
 *
 * Why: V8 optimizes a function only once it has run often enough, and throws the optimized code away when it meets
 * a case it was not made for. A worker that holds a burst for minutes makes few calls meanwhile, and Node's own code
 * on the call's path (`process.nextTick` among it) was found running unoptimized at the instant, and optimized again
 * only ~0.9 s into a burst of 10,000: the worker's main thread took about twice the CPU per call of a process that
 * had just made calls. Local calls made ~2 s before the instant (`warm`) leave that code optimized for it
 * (bench/PERFORMANCE.md, "Warm before a burst").
 */

export interface BurstWarmUpOptions {
  /** The warm-up itself: calls to a local receiver. Its failure (a throw or a rejection) is ignored. */
  warm: () => Promise<void>;
  /** Attempts held on this worker due together with an attempt due at `dueMs` (itself included). */
  dueTogether: (dueMs: number) => number;
  /** Attempts due together from which a burst is warmed for. */
  minAttempts: number;
  /** How long before the burst's instant it is warmed, in ms. */
  leadMs: number;
  /**
   * Least time between two warm-ups, in ms: bursts close together need only one. A steady rate high enough to reach
   * `minAttempts` at every check gets one per `minGapMs`, though its own calls keep the path warm.
   */
  minGapMs: number;
  /** Wall clock in ms since the epoch; `Date.now` by default. */
  now?: () => number;
}

/** Attempts due in the same second share one check, `leadMs` before the first of them to start holding. */
const BUCKET_MS = 1000;

export class BurstWarmUp {
  /** One check per second that has attempts held in it, keyed by `Math.floor(dueMs / BUCKET_MS)`. */
  private readonly checks = new Map<number, NodeJS.Timeout>();
  private lastStartedMs = -Infinity;

  constructor(private readonly options: BurstWarmUpOptions) {}

  /** An attempt due at `dueMs` started holding: checks, `leadMs` before then, whether its burst is worth warming. */
  held(dueMs: number): void {
    const bucket = Math.floor(dueMs / BUCKET_MS);
    if (this.checks.has(bucket)) return;
    const inMs = dueMs - this.options.leadMs - this.now();
    // Too close to the instant for a warm-up to finish before it.
    if (inMs <= 0) return;
    const check = setTimeout(() => {
      this.checks.delete(bucket);
      this.check(dueMs);
    }, inMs);
    // A held attempt keeps the worker running, not this.
    check.unref();
    this.checks.set(bucket, check);
  }

  private check(dueMs: number): void {
    const { dueTogether, minAttempts, minGapMs, warm } = this.options;
    const nowMs = this.now();
    if (nowMs - this.lastStartedMs < minGapMs || dueTogether(dueMs) < minAttempts) return;
    this.lastStartedMs = nowMs;
    // On a timer's turn: a throw here would end the worker.
    Promise.resolve()
      .then(warm)
      .catch(() => undefined);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
