/**
 * One webhook call to a throwaway receiver on 127.0.0.1, made when a worker starts, so that the first real event is
 * not the one that pays for loading and compiling the HTTP path. Node loads `Headers`, `Response` and friends lazily
 * and V8 compiles each function on its first call: a fresh process's first `sendWebhook` took 26 ms against 1.4–2.6 ms
 * for the next ones (same receiver, same body). With attempts held until their instant, that first call was the one
 * event in a hundred arriving 20 ms late.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttemptRecord } from '../shared/event';
import { sendWebhook, type SendWebhookDeps } from './send-webhook';

/** Bound on the warm-up call: it is local, and a worker must not wait long for something optional. */
const WARM_UP_TIMEOUT_SECONDS = 5;

/** Ids of the warm-up call, so that it reads as what it is if it is ever logged. */
const WARM_UP_ID = 'warm-up';

/**
 * Sends one webhook (same code path, same client as a real attempt) to a receiver it starts and stops itself.
 * Resolves with the attempt record (`success` true when the path works end to end); rejects only when no local
 * port can be opened.
 */
export async function warmUpWebhookPath(deps: SendWebhookDeps): Promise<AttemptRecord> {
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
    return await sendWebhook(
      {
        eventId: WARM_UP_ID,
        invocationId: WARM_UP_ID,
        attempt: 1,
        webhook: `http://127.0.0.1:${port}/`,
        headers: [],
        body: { id: WARM_UP_ID, scheduled_time: now, payload: null, created_at: now },
        timeoutSeconds: WARM_UP_TIMEOUT_SECONDS,
      },
      deps,
    );
  } finally {
    // The client keeps the connection alive in its pool; dropping it here makes the pool forget it.
    server.closeAllConnections();
    server.close();
  }
}
