/**
 * Graceful stop for the entrypoints. Its own module so that the API process (src/server.ts) does not load the
 * worker's (`@temporalio/worker`, the activities, the webhook connection pool) to get it.
 */

/** Calls `stop` on the first SIGINT or SIGTERM: the caller stops taking work and lets what is in flight finish. */
export function shutdownOnSignals(stop: () => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop);
}
