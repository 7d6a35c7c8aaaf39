/**
 * An abortable pause, the default `sleep` of the client. Written with `setTimeout` rather than
 * `node:timers/promises` so the SDK needs nothing beyond `fetch`, `AbortSignal` and timers.
 */

/** Waits `ms` milliseconds, or rejects with `signal.reason` as soon as `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Resolves after `ms` milliseconds; rejects with `signal.reason` if `signal` is or becomes aborted first.
 *
 * @param ms the pause, in ms (negative counts as 0).
 */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * The rejection value for an aborted signal: its reason, as `fetch` rejects with it. Typed `Error` because a reason
 * is one unless the caller passed something else to `abort()`, and then the caller should get exactly that back.
 */
export function abortReason(signal: AbortSignal | undefined): Error {
  return (signal?.reason ?? new DOMException('This operation was aborted', 'AbortError')) as Error;
}

/**
 * Whether `signal` has aborted. A function rather than `signal.aborted` inline: TypeScript narrows a property read
 * before an `await` and would treat a later read as impossible.
 */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
