/**
 * Webhook calls in flight on this worker, so that during a burst an attempt that has its answer reports it only after
 * the calls still going out.
 *
 * Why: reporting a result is not cheap. The SDK completes the activity, the server records it and hands the workflow
 * a task, and the worker runs that task: CPU on the same machine (on the dev server, the same two cores) that the
 * calls still waiting to go out need. Measured with a burst of 1,000 due at one instant (`bash bench/run.sh
 * --scenarios burst --systems ours --burst-sizes 1000`): see bench/PERFORMANCE.md. The record keeps the call's own
 * times, so reporting it a little later changes nothing in it; at worst a lost worker runs that attempt again, which
 * can already happen to any attempt in flight.
 *
 * Only a busy worker waits: below `busyCalls` calls in flight, results are reported at once, so a slow webhook never
 * delays the others at a low rate; and no result waits longer than `maxWaitMs`. The cost, only while busy: the
 * event's status changes and a retry's interval starts (it counts from when the workflow sees the result) up to
 * `maxWaitMs` later.
 */
export interface CallsInFlightOptions {
  /** Calls in flight from which the worker counts as busy with a burst. */
  busyCalls: number;
  /** Longest an answered attempt waits before reporting, in ms. */
  maxWaitMs: number;
}

export class CallsInFlight {
  private count = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly options: CallsInFlightOptions) {}

  /** Counts a call that starts; call the returned function once it has its answer (or failed). Idempotent. */
  start(): () => void {
    this.count += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count -= 1;
      if (this.count < this.options.busyCalls) this.wakeAll();
    };
  }

  /** Calls in flight now. */
  get size(): number {
    return this.count;
  }

  /**
   * Resolves at once when the worker is not busy, else when it stops being busy or after `maxWaitMs`, or after
   * `withinMs` when that is sooner (the caller's own deadline).
   */
  untilNotBusy(withinMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.count < this.options.busyCalls || !(withinMs > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      // Unref'd: a result waiting here is no reason to keep a process alive.
      const timer = setTimeout(wake, Math.min(this.options.maxWaitMs, withinMs)).unref();
      this.waiting.add(wake);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiting]) wake();
  }
}
