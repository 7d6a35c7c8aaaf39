/**
 * A `fetch` for webhook calls, on `node:http`/`node:https` with a keep-alive agent per protocol.
 *
 * Why not the global `fetch` (undici): when a burst of events comes due at once, every attempt starts its call in
 * the same instant. Measured with bench/http-burst.ts (1,000 POSTs started at once, receiver in another process,
 * median of 5 rounds): the first and last arrived 300 and 458 ms after the instant through the global `fetch`,
 * 3 and 205 ms through this client. The pool also reuses connections across attempts.
 *
 * Only what `sendWebhook` uses is supported: a string URL, `method`, `headers`, a string `body`, and a way to stop the
 * call: `start`, which `sendWebhook` uses, or `signal`, as with `fetch`.
 * Redirects are never followed (what `redirect: 'manual'` asks for). The answer is a `WebhookResponse`, not a
 * WHATWG `Response`: its body is the `node:http` response itself (see `WebhookResponse` for why).
 */
import http from 'node:http';
import https from 'node:https';
import { finished, Readable } from 'node:stream';
import { type DestinationGuardOptions, guardedLookup, literalRefusal } from './destination-guard';
import { Preconnector } from './preconnect';
import { remembered } from './remembered';

/**
 * The part of an answer that `sendWebhook` reads. A WHATWG `Response` has it (its body stream is async iterable),
 * so the global `fetch` and test fakes fit as they are. This client answers with the `node:http` response as the
 * body instead of wrapping it in a web `ReadableStream` and a `Response`: with that wrapping, the last of 1,000
 * calls started at once returned after 191–219 ms, without it after 151–153 ms (bench/http-burst.ts).
 */
export interface WebhookResponse {
  readonly status: number;
  readonly headers: Headers;
  /**
   * Null for statuses that have no body (204, 304, …). Read it or leave its iteration early (which cancels the
   * rest): until then its connection is not free for another call.
   */
  readonly body: AsyncIterable<Uint8Array> | null;
}

/**
 * The part of `fetch` that `sendWebhook` calls, and optionally a way to announce a call that is coming, so that its
 * connection can be opened ahead (this client has it; the global `fetch` does not).
 */
export type FetchLike = ((url: string, init: RequestInit) => Promise<WebhookResponse>) & {
  /** A call to `url` will be made at `dueAtMs` (ms since the epoch): open its connection now. Never throws. */
  preconnect?: (url: string, dueAtMs: number) => void;
  /**
   * The call, started, and a function that stops it (before its answer, or while its body is read) without an
   * `AbortSignal`: `init.signal` is not read. A signal costs the call a listener added and removed on it, which
   * made a burst of 10,000 calls 0.3–0.5 s later (bench/PERFORMANCE.md, "the calls, the client and the worker").
   */
  start?: (url: string, init: Omit<RequestInit, 'signal'>) => StartedCall;
};

/**
 * A call under way: its answer, and `abort(reason)`, after which the answer, or its body if the answer has come,
 * rejects (with this client; a client reached through `fetch` and a signal as soon as it honours the signal).
 */
export interface StartedCall {
  readonly response: Promise<WebhookResponse>;
  abort(reason: unknown): void;
}

export interface KeepAliveFetchOptions extends DestinationGuardOptions {
  /**
   * Connections open at once to one host (per protocol); further calls to it wait for a free connection. Large
   * enough that a slow receiver does not serialize a burst, small enough that a burst does not open a connection
   * per call. (The worker's default: 256)
   */
  maxSocketsPerHost: number;
}

/**
 * How long a connection opened ahead (`preconnect`) waits for its call before it is closed, in ms, and how long after
 * its due time an announced call still counts: under receivers' keep-alive timeouts (Node's default is 5 s).
 */
const PRECONNECT_IDLE_MS = 2000;

/**
 * Announced calls due this close together need a connection each (`PreconnectOptions.sameInstantMs`). Calls due at
 * a steady 100/s for 10 s, each announced 500 ms ahead, to a local receiver: 244 connections when every announced
 * call counted (opened-ahead ones sat unused next to the pool's idle ones, expired and were opened again), 7–9 when
 * only calls due within 20 ms of each other count, 3 with no announcements; at 300/s, 21–24 against 12.
 */
const SAME_INSTANT_MS = 20;

/** Statuses whose responses never have a body; `Response` refuses one for them. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Error codes of a reused keep-alive connection that the receiver had just closed, before any response. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

export function createKeepAliveFetch(options: KeepAliveFetchOptions): FetchLike {
  // Every connection the agents open (calls, and those opened ahead) resolves through the guard.
  const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerHost, lookup: guardedLookup(options) };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  const preconnectOptions = {
    maxSocketsPerHost: options.maxSocketsPerHost,
    sameInstantMs: SAME_INSTANT_MS,
    expectedWithinMs: PRECONNECT_IDLE_MS,
    idleMs: PRECONNECT_IDLE_MS,
  };
  const preconnectors = {
    'http:': new Preconnector(agents['http:'], preconnectOptions),
    'https:': new Preconnector(agents['https:'], preconnectOptions),
  };

  /** Sends the request; `call.aborted` stops it, and `call.request` is the one to stop (a stale retry replaces it). */
  const send = (url: URL, init: Omit<RequestInit, 'signal'>, call: CallState, allowStaleRetry: boolean) =>
    new Promise<WebhookResponse>((resolve, reject) => {
      const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
      const request = (protocol === 'https:' ? https : http).request(
        url,
        {
          method: init.method ?? 'GET',
          headers: headerRecord(init.headers),
          agent: agents[protocol],
        },
        (response) => resolve(toWebhookResponse(response)),
      );
      call.request = request;
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A connection the receiver closed while it sat idle in the pool: the request never reached the receiver,
        // so it is sent once more on a fresh connection (Node's documented pattern, `request.reusedSocket`).
        if (!call.aborted && allowStaleRetry && request.reusedSocket && STALE_SOCKET_CODES.has(error.code ?? '')) {
          send(url, init, call, false).then(resolve, reject);
        } else {
          reject(call.aborted ? abortError(call.reason) : error);
        }
      });
      // A Buffer, not a string: Node writes the headers together with a string body in the body's encoding
      // (UTF-8), which would garble Latin-1 header values; with a Buffer they go out as Latin-1, byte for byte.
      request.end(typeof init.body === 'string' ? Buffer.from(init.body) : undefined);
    });

  const memo: TargetMemo = { targets: new Map(), decisions: new Map() };
  const start = (url: string, init: Omit<RequestInit, 'signal'>): StartedCall => {
    const parsed = requestTarget(url, options, memo);
    if (parsed instanceof Error) return { response: Promise.reject(parsed), abort: () => undefined };
    preconnectors[parsed.protocol].called(parsed.target);
    const call: CallState = { aborted: false, reason: undefined, request: undefined };
    let rejectCall: (error: Error) => void = () => undefined;
    const response = new Promise<WebhookResponse>((resolve, reject) => {
      rejectCall = reject;
      send(parsed.target, init, call, true).then(resolve, reject);
    });
    return {
      response,
      abort(reason) {
        if (call.aborted) return;
        call.aborted = true;
        call.reason = reason;
        const error = abortError(reason);
        // Destroys the socket: a request not answered yet fails, a body being read fails too.
        call.request?.destroy(error);
        // A request still waiting in the agent's queue for a connection fails only once it gets one: settle now.
        rejectCall(error);
      },
    };
  };
  // As `fetch`: `init.signal` aborts the call with its reason, until its body has been read.
  const fetchLike: FetchLike = (url, { signal, ...init }) => {
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    const call = start(url, init);
    if (!signal) return call.response;
    const onAbort = (): void => call.abort(signal.reason);
    const done = (): void => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    return call.response.then(
      (response) => {
        if (response.body instanceof Readable) finished(response.body, done);
        else done();
        return response;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  };
  fetchLike.start = start;
  fetchLike.preconnect = (url, dueAtMs) => {
    // A URL this client would refuse is left for the call itself to report.
    const parsed = requestTarget(url, options, memo);
    if (!(parsed instanceof Error)) preconnectors[parsed.protocol].preconnect(parsed.target, dueAtMs);
  };
  return fetchLike;
}

/** What an aborted call rejects with, as Node's own requests do: an `AbortError` caused by the reason. */
function abortError(reason: unknown): Error {
  return Object.assign(new Error('The operation was aborted', { cause: reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/** A started call's abort state, and its request while one is out. */
interface CallState {
  aborted: boolean;
  reason: unknown;
  request: http.ClientRequest | undefined;
}

/** A URL this client can call, parsed, and its scheme. */
interface RequestTarget {
  target: URL;
  protocol: 'http:' | 'https:';
}

/** What a client remembers of the URLs it was given: each URL's target, and each host's allow-list decision. */
interface TargetMemo {
  targets: Map<string, RequestTarget | Error>;
  decisions: Map<string, Error | null>;
}

/**
 * The target of a request to `url`, or the error the call rejects with; remembered per client, whose allow-list never
 * changes: a burst's calls to one URL then share one parse and one check (a `URL` object at each call made a burst of
 * 10,000 ~0.05 s later), and calls to URLs of one host share its check (3–6 µs a call). The `URL` is never modified.
 */
function requestTarget(url: string, guard: DestinationGuardOptions, memo: TargetMemo): RequestTarget | Error {
  return remembered(memo.targets, url, () => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    const { protocol } = target;
    if (protocol !== 'http:' && protocol !== 'https:') return new TypeError(`unsupported protocol ${protocol}`);
    const refusal = remembered(memo.decisions, target.hostname, () =>
      literalRefusal(guard.allowedDestinations, target),
    );
    return refusal ?? { target, protocol };
  });
}

/**
 * Request headers as `node:http` takes them. A plain object (what `sendWebhook` passes, built once when prepared) is
 * used as it is; `Headers` and lists go through `Headers`, as with `fetch`.
 */
function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (headers instanceof Headers) return Object.fromEntries(headers);
  if (headers === undefined || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  return headers as Record<string, string>;
}

/** Status, headers (as `Headers`, so names and repeated values read as through `fetch`) and body of an answer. */
function toWebhookResponse(response: http.IncomingMessage): WebhookResponse {
  const status = response.statusCode ?? 0;
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? '', raw[i + 1] ?? '');
  if (NULL_BODY_STATUSES.has(status)) {
    response.resume();
    return { status, headers, body: null };
  }
  return { status, headers, body: response };
}
