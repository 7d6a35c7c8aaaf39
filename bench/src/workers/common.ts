/** Shared plumbing of the peers' worker processes (the child side of adapters/child.ts). */

export function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`missing env ${name}`);
  return v;
}

export function ready(): void {
  process.send?.({ type: 'ready' });
}

/** Run `fn` once on a stop request (IPC `stop`, SIGTERM, SIGINT or the parent going away), then exit. */
export function onStop(fn: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const hardExit = setTimeout(() => process.exit(0), 8000);
    hardExit.unref();
    fn()
      .catch((err: unknown) => console.error(err))
      .finally(() => process.exit(0));
  };
  process.on('message', (msg: { type?: string }) => {
    if (msg.type === 'stop') stop();
  });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

/** Counts webhook failures; printed at stop so a broken run is visible. */
export const failures = { count: 0, last: '' };
export function noteFailure(err: unknown): void {
  failures.count++;
  failures.last = err instanceof Error ? err.message : String(err);
}
