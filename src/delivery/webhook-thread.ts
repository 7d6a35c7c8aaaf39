/**
 * The worker's webhook client on a thread of its own: a `FetchLike` whose calls the keep-alive client
 * (./keep-alive-fetch.ts) makes on a `worker_threads` thread (./webhook-thread-entry.ts).
 *
 * Why: in a burst the worker's main thread was the bound. It runs every held attempt's activity code under the
 * Temporal SDK's `AsyncLocalStorage` (an async-hooks init on every promise and tick) and collects the garbage of a
 * heap that holds thousands of attempts; the HTTP work of 10,000 calls on top of that made the burst's p99 2.4–2.9 s.
 * On this thread the requests, answers and their garbage cost neither, and run beside the activity code
 * (bench/PERFORMANCE.md "Bursts of 10,000: calls on a thread of their own").
 *
 * Calls and answers cross in batches (one message per turn of either loop, or per REQUESTS_PER_MESSAGE); a body is
 * read on the thread up to `maxBodyBytes` and handed over whole, so the caller's cap and truncation work as before.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FetchLike, WebhookResponse } from './keep-alive-fetch';
import {
  type CallReply,
  type CallThreadOptions,
  type CallThreadRequest,
  deserializeError,
  REQUESTS_PER_MESSAGE,
} from './webhook-thread-protocol';

/** A call the thread has not finished answering. */
interface PendingCall {
  resolve: (response: WebhookResponse) => void;
  reject: (error: unknown) => void;
  /** Set once the status line came: where the body, or why it did not come, goes. */
  body?: { resolve: (bytes: Uint8Array) => void; reject: (error: unknown) => void };
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** The threaded client, and a way to stop its thread (a call after that starts a new one). */
export type ThreadedFetch = FetchLike & { close(): Promise<void> };

/**
 * Starts the thread's code: JavaScript once built; TypeScript under tsx or jest, through tsx's CommonJS hook, since a
 * thread does not share its parent's module loader.
 */
function startThread(options: CallThreadOptions): Worker {
  const extension = path.extname(__filename);
  const file = path.join(__dirname, `webhook-thread-entry${extension}`);
  if (extension !== '.ts') return new Worker(file, { workerData: options });
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`;
  return new Worker(code, { eval: true, workerData: options });
}

export function createThreadedFetch(options: CallThreadOptions): ThreadedFetch {
  let thread: Worker | undefined;
  const pending = new Map<number, PendingCall>();
  let nextId = 1;
  let queue: CallThreadRequest[] = [];

  const settle = (id: number, call: PendingCall): void => {
    pending.delete(id);
    call.signal?.removeEventListener('abort', call.onAbort);
  };
  const failAll = (error: Error): void => {
    for (const [id, call] of pending) {
      settle(id, call);
      if (call.body) call.body.reject(error);
      else call.reject(error);
    }
  };

  const onReplies = (replies: CallReply[]): void => {
    for (const reply of replies) {
      const call = pending.get(reply.id);
      if (call === undefined) continue; // aborted meanwhile
      if (reply.kind === 'head') {
        if (!reply.hasBody) settle(reply.id, call);
        call.resolve(responseOf(reply, call));
      } else {
        settle(reply.id, call);
        if (reply.kind === 'error') call.reject(deserializeError(reply.error));
        else if (reply.kind === 'bodyError') call.body?.reject(deserializeError(reply.error));
        else call.body?.resolve(reply.bytes);
      }
    }
  };

  const start = (): Worker => {
    const worker = startThread(options);
    worker.on('message', onReplies);
    worker.on('error', (error) => failAll(new Error(`the webhook call thread failed: ${error.message}`)));
    worker.on('exit', () => {
      if (thread === worker) thread = undefined;
      failAll(new Error('the webhook call thread stopped'));
    });
    // Each call's caller waits on its own promise; the thread alone must not keep a process alive.
    worker.unref();
    return worker;
  };

  const flush = (): void => {
    if (queue.length === 0) return;
    thread ??= start();
    thread.postMessage(queue);
    queue = [];
  };
  const post = (request: CallThreadRequest): void => {
    queue.push(request);
    if (queue.length === 1) setImmediate(flush);
    else if (queue.length >= REQUESTS_PER_MESSAGE) flush();
  };

  const fetchLike = ((url, init) =>
    new Promise<WebhookResponse>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      // As `fetch`: an aborted call rejects with its signal's reason, whatever that is.
      const abortReason = (): Error => signal?.reason as Error;
      if (signal?.aborted) {
        reject(abortReason());
        return;
      }
      const id = nextId++;
      const call: PendingCall = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          settle(id, call);
          post({ op: 'abort', id });
          if (call.body) call.body.reject(abortReason());
          else reject(abortReason());
        },
      };
      pending.set(id, call);
      signal?.addEventListener('abort', call.onAbort, { once: true });
      const headers: [string, string][] = [];
      (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach((value, name) =>
        headers.push([name, value]),
      );
      const body = typeof init.body === 'string' ? init.body : undefined;
      post({ op: 'call', id, url, method: init.method ?? 'GET', headers, body });
    })) as ThreadedFetch;
  fetchLike.preconnect = (url, dueAtMs) => post({ op: 'preconnect', url, dueAtMs });
  fetchLike.close = async () => {
    const stopping = thread;
    thread = undefined;
    await stopping?.terminate();
  };
  // Started now, so that starting it and its warm-up are not paid by the first calls.
  thread = start();
  return fetchLike;
}

/** The answer as `sendWebhook` reads it: status and headers now, the body once the thread has read it. */
function responseOf(reply: Extract<CallReply, { kind: 'head' }>, call: PendingCall): WebhookResponse {
  const headers = new Headers();
  for (let i = 0; i + 1 < reply.headers.length; i += 2) headers.append(reply.headers[i]!, reply.headers[i + 1]!);
  if (!reply.hasBody) return { status: reply.status, headers, body: null };
  const bytes = new Promise<Uint8Array>((resolve, reject) => {
    call.body = { resolve, reject };
  });
  // Read, or left unread when the caller stops first: either way no unhandled rejection.
  bytes.catch(() => undefined);
  return {
    status: reply.status,
    headers,
    body: {
      async *[Symbol.asyncIterator]() {
        const all = await bytes;
        if (all.byteLength > 0) yield all;
      },
    },
  };
}
