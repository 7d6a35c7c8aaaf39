/**
 * Webhook calls to a throwaway receiver on 127.0.0.1, made when a worker starts, so that the first real events do not
 * pay for loading and compiling the HTTP path. Node loads parts of `node:http` lazily and V8 runs a function in its
 * interpreter until it has been called often enough to be optimized, so a fresh process is slow twice over:
 * - its first `sendWebhook` took 26 ms against 1.4–2.6 ms for the next ones (same receiver, same body); with
 *   attempts held until their instant, that first call was the one event in a hundred arriving 20 ms late;
 * - its first burst is slow: 1,000 calls started at one instant reached a receiver in another process with p99
 *   430–437 ms after the instant in a fresh process, 274–286 ms after 1,000 warm-up calls in rounds of 250, and the
 *   same again in the round after that (the warm-up took ~0.4 s and ~0.6 s of CPU).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttemptRecord } from '../shared/event';
import { LOOPBACK_DESTINATIONS } from './destination-guard';
import { createWebhookFetch, sendWebhook, type SendWebhookDeps } from './send-webhook';

/** Bound on each warm-up call: it is local, and a worker must not wait long for something optional. */
const WARM_UP_TIMEOUT_SECONDS = 5;

/**
 * Warm-up calls made at once: a burst's shape (the connection pool full, calls queued behind it) rather than one
 * call after another, so that the code a burst runs is the code that gets optimized.
 */
const WARM_UP_CALLS_AT_ONCE = 250;

/** Ids of the warm-up calls, so that they read as what they are if they are ever logged. */
const WARM_UP_ID = 'warm-up';

/** What a warm-up did: the calls it made, and the first failed one (null when every call succeeded). */
export interface WarmUpResult {
  calls: number;
  failure: AttemptRecord | null;
}

/**
 * Sends `calls` webhooks (same code path, same client as a real attempt), in rounds of WARM_UP_CALLS_AT_ONCE, to a
 * receiver it starts and stops itself. Stops after the first round with a failed call. Rejects only when no local
 * port can be opened.
 */
export async function warmUpWebhookPath(deps: SendWebhookDeps, calls: number): Promise<WarmUpResult> {
  // The worker's own client would refuse its receiver on 127.0.0.1 (the SSRF guard); this one allows loopback.
  const fetch = deps.fetch ?? createWebhookFetch(LOOPBACK_DESTINATIONS);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const { port } = server.address() as AddressInfo;
    const now = new Date((deps.now ?? Date.now)()).toISOString();
    const call = (): Promise<AttemptRecord> =>
      sendWebhook(
        {
          eventId: WARM_UP_ID,
          invocationId: WARM_UP_ID,
          attempt: 1,
          webhook: `http://127.0.0.1:${port}/`,
          headers: [],
          body: { id: WARM_UP_ID, scheduled_time: now, payload: null, created_at: now },
          timeoutSeconds: WARM_UP_TIMEOUT_SECONDS,
        },
        { ...deps, fetch },
      );
    let made = 0;
    while (made < calls) {
      const round = Math.min(WARM_UP_CALLS_AT_ONCE, calls - made);
      const records = await Promise.all(Array.from({ length: round }, call));
      made += round;
      const failure = records.find((record) => !record.success);
      if (failure !== undefined) return { calls: made, failure };
    }
    return { calls: made, failure: null };
  } finally {
    // The client keeps the connections alive in its pool; dropping them here makes the pool forget them.
    server.closeAllConnections();
    server.close();
  }
}
