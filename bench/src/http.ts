import http from 'node:http';

/**
 * One keep-alive agent per process, shared by every webhook call and control request. Webhook delivery in all the
 * peers' workers goes through `postWebhook`, so the HTTP part of the comparison is identical for every system.
 */
export const agent = new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 10_000 });

export interface HttpResult {
  status: number;
  body: string;
}

/**
 * A JSON request to a 127.0.0.1 URL; resolves with status and body text, rejects on a network error or timeout.
 * A request sent on a reused keep-alive socket that the server had just closed (ECONNRESET / "socket hang up" before
 * any response) never reached the server, so it is sent once more on a fresh socket, as Node's docs advise.
 */
export async function requestJson(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<HttpResult> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  try {
    return await send(method, url, data, headers, timeoutMs);
  } catch (err) {
    if ((err as { staleSocket?: boolean }).staleSocket) return send(method, url, data, headers, timeoutMs);
    throw err;
  }
}

function send(
  method: string,
  url: string,
  data: Buffer | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          ...(data ? { 'content-type': 'application/json', 'content-length': String(data.length) } : {}),
          ...headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) {
        Object.assign(err, { staleSocket: true });
      }
      reject(err);
    });
    req.end(data);
  });
}

/** The webhook body every system sends: the shape of docs/contract.md §2 (`comment` omitted). */
export interface WebhookBody {
  id: string;
  scheduled_time: string;
  payload: unknown;
  created_at: string;
}

/** POST a webhook body as our service would (Idempotency-Key = event id); throws on a non-2xx answer. */
export async function postWebhook(url: string, body: WebhookBody, idempotencyKey: string | null): Promise<void> {
  const headers: Record<string, string> = { 'user-agent': 'scheduled-events-bench' };
  if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
  const res = await requestJson('POST', url, body, headers, 60_000);
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered ${res.status}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
