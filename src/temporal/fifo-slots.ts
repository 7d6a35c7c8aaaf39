/** How long a wait for a slot may last: until `signal` aborts, or until `deadline.at`. */
interface Wait {
  signal?: AbortSignal;
  deadline?: { at: number; error: () => Error };
}

/**
 * Slots taken in the order asked: at most `size` holders at once, the rest wait in line. One definition for the
 * bounds this layer keeps: listings at once (./listing-slots.ts), and the worker's clearance questions and heartbeats
 * before a late call (./call-clearance.ts).
 */
export class FifoSlots {
  private held = 0;
  private readonly line: (() => void)[] = [];

  constructor(private readonly size: number) {}

  /**
   * Runs `fn` in a slot. A wait for one ends, leaving the line, when `signal` aborts (rejecting with its reason) or
   * at `deadline.at` (ms since epoch; rejecting with `deadline.error()`).
   */
  async run<T>(fn: () => Promise<T>, wait: Wait = {}): Promise<T> {
    await this.take(wait);
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.line.shift();
      if (next === undefined) this.held -= 1;
      else next();
    }
  }

  private take({ signal, deadline }: Wait) {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.held < this.size) {
      this.held += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const leave = (err: Error): void => {
        const index = this.line.indexOf(granted);
        if (index >= 0) this.line.splice(index, 1);
        stopWaiting();
        reject(err);
      };
      const onAbort = (): void => leave(signal?.reason as Error);
      const timer =
        deadline === undefined
          ? undefined
          : setTimeout(() => leave(deadline.error()), Math.max(0, deadline.at - Date.now()));
      const stopWaiting = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      // The slot is handed over by the one leaving it (`held` unchanged).
      const granted = (): void => {
        stopWaiting();
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.line.push(granted);
    });
  }
}
