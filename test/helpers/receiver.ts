/**
 * A real HTTP server on 127.0.0.1 (random port) that plays the webhook in integration tests. It records every
 * request and answers as the test scripted it, per path:
 *
 *   const receiver = await startReceiver();
 *   receiver.respond('/hook', [{ status: 503, headers: { 'Retry-After': '1' } }, { status: 200 }]);
 *   ... create an event with webhook receiver.url('/hook') ...
 *   const [first, second] = await receiver.waitFor(2);
 *   await receiver.close();
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Path without the query string, e.g. `/hook`. */
  path: string;
  /** Path with the query string, as sent. */
  url: string;
  /** Lower-cased header names (Node's IncomingHttpHeaders). */
  headers: IncomingHttpHeaders;
  /** The body as text. */
  rawBody: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  body: unknown;
  /** When the request line arrived: `Date.now()` (wall clock, to compare with a schedule). */
  receivedAt: number;
  /** When the request line arrived: `process.hrtime.bigint()` (monotonic ns, to measure gaps between requests). */
  receivedAtHr: bigint;
}

/** How to answer one request. */
export interface ScriptedResponse {
  /** HTTP status. Default 200. */
  status?: number;
  /** Response headers, e.g. `{ 'Retry-After': '2' }`. */
  headers?: Record<string, string>;
  /** Body: a string as is, anything else JSON-encoded (with a JSON content type unless one is given). Default empty. */
  body?: unknown;
  /** Wait this long before answering, in ms (to exceed a timeout, or to hold an attempt in flight). */
  delayMs?: number;
  /** Never answer: the request stays open until the client gives up or the receiver closes. */
  hang?: boolean;
}

/**
 * A script for a path: one response for every request, a sequence (request n gets element n; the last repeats),
 * or a function of the request and its 0-based index among requests to that path.
 */
export type ResponseScript =
  ScriptedResponse | readonly ScriptedResponse[] | ((request: ReceivedRequest, index: number) => ScriptedResponse);

export type RequestPredicate = (requests: readonly ReceivedRequest[]) => boolean;

export interface Receiver {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  readonly port: number;
  /** Every request so far, in arrival order (recorded once its body has been read). */
  readonly requests: readonly ReceivedRequest[];
  /** Absolute URL of a path on this receiver: `url('/hook')`. */
  url(path?: string): string;
  /** Scripts the answers for a path (exact match, without query string); replaces an earlier script for it. */
  respond(path: string, script: ResponseScript): void;
  /** The answer for paths without a script. Default `{ status: 200 }`. */
  respondByDefault(response: ScriptedResponse): void;
  /** Requests to one path, in arrival order. */
  requestsTo(path: string): ReceivedRequest[];
  /**
   * Resolves with all requests so far once `count` requests have arrived, or once `predicate(requests)` holds;
   * rejects after `timeoutMs` (default 15 s) with what did arrive.
   */
  waitFor(countOrPredicate: number | RequestPredicate, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Forgets recorded requests and scripts (pending waitFor calls keep waiting). */
  reset(): void;
  /** Stops listening and drops open connections, including hanging and delayed ones. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 15_000;

interface Waiter {
  isSatisfied: RequestPredicate;
  resolve: (requests: ReceivedRequest[]) => void;
}

/**
 * Starts a receiver on 127.0.0.1 with an OS-chosen port, or on another loopback address and port (a second receiver
 * on 127.0.0.2 and the first one's port stands for another host in the SSRF tests).
 */
export async function startReceiver(listenOn: { host?: string; port?: number } = {}): Promise<Receiver> {
  const host = listenOn.host ?? '127.0.0.1';
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, ResponseScript>();
  const countByPath = new Map<string, number>();
  const waiters = new Set<Waiter>();
  const timers = new Set<NodeJS.Timeout>();
  let defaultResponse: ScriptedResponse = { status: 200 };
  let closing: Promise<void> | undefined;

  const notify = (): void => {
    for (const waiter of waiters) {
      if (waiter.isSatisfied(requests)) {
        waiters.delete(waiter);
        waiter.resolve([...requests]);
      }
    }
  };

  const pick = (request: ReceivedRequest): ScriptedResponse => {
    const index = countByPath.get(request.path) ?? 0;
    countByPath.set(request.path, index + 1);
    const script = scripts.get(request.path);
    if (script === undefined) return defaultResponse;
    if (typeof script === 'function') return script(request, index);
    if (Array.isArray(script)) {
      const sequence = script as readonly ScriptedResponse[];
      return sequence[Math.min(index, sequence.length - 1)] ?? defaultResponse;
    }
    return script as ScriptedResponse;
  };

  const answer = (res: ServerResponse, response: ScriptedResponse): void => {
    const headers: Record<string, string> = { ...response.headers };
    let body = '';
    if (typeof response.body === 'string') {
      body = response.body;
    } else if (response.body !== undefined) {
      body = JSON.stringify(response.body);
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
    // The client may have given up (timeout) while we were delaying; writing then is harmless.
    if (res.destroyed) return;
    res.writeHead(response.status ?? 200, headers);
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const receivedAt = Date.now();
    const receivedAtHr = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown);
      } catch {
        body = undefined;
      }
      const url = req.url ?? '/';
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: url.split('?')[0] ?? url,
        url,
        headers: req.headers,
        rawBody,
        body,
        receivedAt,
        receivedAtHr,
      };
      requests.push(request);

      let response: ScriptedResponse;
      try {
        response = pick(request);
      } catch (error) {
        // A throwing script function is a test bug: answer 500 and say why, rather than hang the request.
        response = { status: 500, body: `receiver script failed: ${String(error)}` };
      }
      notify();
      if (response.hang) return;
      if (response.delayMs !== undefined && response.delayMs > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(res, response);
        }, response.delayMs);
        timers.add(timer);
      } else {
        answer(res, response);
      }
    });
  };

  const server = createServer(handle);
  // Keep-alive sockets would otherwise hold close() open until their timeout.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenOn.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;

  return {
    origin,
    port,
    requests,
    url: (path = '/') => `${origin}${path.startsWith('/') ? path : `/${path}`}`,
    respond: (path, script) => {
      scripts.set(path, script);
    },
    respondByDefault: (response) => {
      defaultResponse = response;
    },
    requestsTo: (path) => requests.filter((request) => request.path === path),
    waitFor: (countOrPredicate, timeoutMs = DEFAULT_WAIT_MS) => {
      const isSatisfied: RequestPredicate =
        typeof countOrPredicate === 'number' ? (all) => all.length >= countOrPredicate : countOrPredicate;
      if (isSatisfied(requests)) return Promise.resolve([...requests]);
      return new Promise<ReceivedRequest[]>((resolve, reject) => {
        const waiter: Waiter = {
          isSatisfied,
          resolve: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const wanted = typeof countOrPredicate === 'number' ? `${countOrPredicate} request(s)` : 'the predicate';
          const got = requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'none';
          reject(
            new Error(
              `receiver: timed out after ${timeoutMs} ms waiting for ${wanted}; got ${requests.length}: ${got}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    reset: () => {
      requests.length = 0;
      scripts.clear();
      countByPath.clear();
      defaultResponse = { status: 200 };
    },
    close: () => {
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        const closed = new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
        });
        // Hanging and keep-alive connections would keep server.close() waiting.
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
