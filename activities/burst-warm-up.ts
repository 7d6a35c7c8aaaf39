/**
 * Warms the webhook path while a burst is held on this worker: local calls (`warm`) every `intervalMs` for as long
 * as `minAttempts` or more attempts held on it are due together, ahead.
 *
 * Why: a worker that holds a burst for minutes makes few calls meanwhile, and at the instant its main thread took
 * about twice the CPU per call of a process that had just made calls (Node's `process.nextTick` on the stack in 22 %
 * of its samples, against 2 %). Warm-ups every 15 s while the burst was held made a burst of 10,000 go out ~0.7 s
 * sooner at p99; one warm-up 2 s before the instant did not. In the burst's CPU profile, the repeated ones make
 * `process.nextTick` and AsyncLocalStorage's propagation about seven times cheaper per call, and one does not; why V8
 * needs several rounds is not known (bench/PERFORMANCE.md, "Warm before a burst" and "the heap ruled out").
 */

export interface BurstWarmUpOptions {
  /** The warm-up itself: calls to a local receiver. Its failure (a throw or a rejection) is ignored. */
  warm: () => Promise<void>;
  /** Attempts held on this worker due in the second that starts at `dueMs`. */
  dueTogether: (dueMs: number) => number;
  /** Attempts due together from which a burst is warmed for. */
  minAttempts: number;
  /** Time between two warm-ups while a burst is held, in ms. */
  intervalMs: number;
  /**
   * No warm-up starts this close to the instant of any attempt held on the worker, in ms, the burst's or another's:
   * a warm-up takes the main thread for ~0.3 s, and the attempts' own work before their call (clearance answers,
   * connections opened ahead, the call itself) comes first. So a steady stream of attempts held on the worker,
   * one due every quietMs or more often, leaves a burst unwarmed.
   */
  quietMs: number;
}

/** Attempts due in the same second are looked at together. */
const BUCKET_MS = 1000;

export class BurstWarmUp {
  /** The seconds (`Math.floor(dueMs / BUCKET_MS)`) that held attempts are due in, until they are past or empty. */
  private readonly dueSeconds = new Set<number>();
  private ticking: NodeJS.Timeout | undefined;

  constructor(private readonly options: BurstWarmUpOptions) {}

  /** An attempt due at `dueMs` started holding. */
  held(dueMs: number): void {
    this.dueSeconds.add(Math.floor(dueMs / BUCKET_MS));
    if (this.ticking !== undefined) return;
    this.ticking = setInterval(() => this.tick(), this.options.intervalMs);
    // A held attempt keeps the worker running, not this.
    this.ticking.unref();
  }

  private tick(): void {
    const { dueTogether, minAttempts, quietMs, warm } = this.options;
    const nowMs = Date.now();
    let burst = false;
    let quiet = false;
    for (const second of this.dueSeconds) {
      const dueMs = second * BUCKET_MS;
      const held = dueMs + BUCKET_MS <= nowMs ? 0 : dueTogether(dueMs);
      // Past, or nothing held for it any more: forgotten.
      if (held === 0) {
        this.dueSeconds.delete(second);
        continue;
      }
      if (held >= minAttempts) burst = true;
      if (dueMs - nowMs < quietMs) quiet = true;
    }
    if (this.dueSeconds.size === 0) {
      clearInterval(this.ticking);
      this.ticking = undefined;
    }
    if (!burst || quiet) return;
    // On a timer's turn: a throw here would end the worker.
    Promise.resolve()
      .then(warm)
      .catch(() => undefined);
  }
}
