/**
 * A way to stop a webhook call from outside (`callWebhook`'s caller), wired up before the call.
 *
 * Why not an `AbortSignal`: the call would add a listener to it as it starts and remove it as it ends, and a listener
 * added and removed per call at the instant made a burst of 10,000 calls 0.2–0.4 s later (bench/PERFORMANCE.md, "the
 * calls, the client and the worker"). A caller that holds an attempt ahead of its instant follows its signal with
 * `callStopOn` while it holds; at the instant the call only sets a field.
 */
export class CallStop {
  #stopped: { reason: unknown } | undefined;
  #onStop: ((reason: unknown) => void) | undefined;

  /** The reason it was stopped with, once `stop` has been called. */
  get stopped(): { reason: unknown } | undefined {
    return this.#stopped;
  }

  /** Stops the call under way, and any made with this afterwards. Only the first reason counts. */
  stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = { reason };
    this.#onStop?.(reason);
  }

  /** What `stop` does to the call under way: `callWebhook` sets it while its call runs (one call at a time). */
  whileCalling(onStop: ((reason: unknown) => void) | undefined): void {
    this.#onStop = onStop;
  }
}

/**
 * A `CallStop` that stops when `signal` aborts, with its reason, if `stops()`, asked then, says so (once). `dispose`
 * removes its listener; a signal that ends with the caller (an activity's) can keep it.
 */
export function callStopOn(signal: AbortSignal, stops: () => boolean = () => true): CallStop & { dispose(): void } {
  const stop = Object.assign(new CallStop(), { dispose: () => signal.removeEventListener('abort', onAbort) });
  function onAbort(): void {
    if (stops()) stop.stop(signal.reason);
  }
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return stop;
}
