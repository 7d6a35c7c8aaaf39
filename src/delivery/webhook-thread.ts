/**
 * The worker's webhook client on a thread of its own: a `FetchLike` whose calls the keep-alive client
 * (./keep-alive-fetch.ts, with its pools and destination guard) makes on a `worker_threads` thread
 * (./webhook-thread-entry.ts). Why: at a burst's instant the worker's main thread, busy with every held attempt's
 * activity code under the SDK's async hooks and with the garbage of a large heap, was the bound; the calls' own
 * work now runs beside it (docs/design.md "Calls on a thread of their own", bench/PERFORMANCE.md).
 *
 * Calls and answers cross in batches; a body is read on the thread up to `maxBodyBytes` and handed over whole, so
 * the caller's cap, truncation and timeouts work as with the in-process client.
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
  /** The thread it was posted to; unset while it waits in the queue. */
  thread?: Worker;
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
  /** Whether a thread was started before: only the first one warms up (a restart is no time for 1,000 calls). */
  let started = false;
  const pending = new Map<number, PendingCall>();
  let nextId = 1;
  let queue: CallThreadRequest[] = [];

  const settle = (id: number, call: PendingCall): void => {
    pending.delete(id);
    call.signal?.removeEventListener('abort', call.onAbort);
  };
  const fail = (id: number, call: PendingCall, error: unknown): void => {
    settle(id, call);
    if (call.body) call.body.reject(error);
    else call.reject(error);
  };
  /** Fails the calls posted to `worker` (not those still queued: they go to the next thread). */
  const failCallsOf = (worker: Worker, error: Error): void => {
    for (const [id, call] of pending) if (call.thread === worker) fail(id, call, error);
  };

  const onReplies = (replies: CallReply[]): void => {
    for (const reply of replies) {
      const call = pending.get(reply.id);
      if (call === undefined) continue; // aborted meanwhile, or failed with its thread
      if (reply.kind === 'head' && call.body === undefined) {
        if (!reply.hasBody) settle(reply.id, call);
        call.resolve(responseOf(reply, call));
      } else if (reply.kind === 'body' && call.body !== undefined) {
        settle(reply.id, call);
        call.body.resolve(reply.bytes);
      } else {
        fail(
          reply.id,
          call,
          reply.kind === 'head' || reply.kind === 'body'
            ? new Error('unexpected answer')
            : deserializeError(reply.error),
        );
      }
    }
  };

  const start = (): Worker => {
    const worker = startThread({ ...options, warmUpCalls: started ? 0 : options.warmUpCalls });
    started = true;
    worker.on('message', onReplies);
    worker.on('error', (error) => failCallsOf(worker, new Error(`the webhook call thread failed: ${error.message}`)));
    worker.on('exit', () => {
      if (thread === worker) thread = undefined;
      failCallsOf(worker, new Error('the webhook call thread stopped'));
    });
    // Each call's caller waits on its own promise; the thread alone must not keep a process alive.
    worker.unref();
    return worker;
  };

  const flush = (): void => {
    // A call aborted while queued is not sent; an abort or preconnect alone does not start a thread.
    const batch = queue.filter((request) => request.op !== 'call' || pending.has(request.id));
    queue = [];
    if (batch.length === 0 || (thread === undefined && !batch.some((request) => request.op === 'call'))) return;
    try {
      thread ??= start();
    } catch (error) {
      const failure = new Error(`the webhook call thread could not start: ${describe(error)}`);
      for (const request of batch) {
        if (request.op !== 'call') continue;
        const call = pending.get(request.id);
        if (call !== undefined) fail(request.id, call, failure);
      }
      return;
    }
    for (const request of batch) {
      if (request.op !== 'call') continue;
      const call = pending.get(request.id);
      if (call !== undefined) call.thread = thread;
    }
    thread.postMessage(batch);
  };

  /** Whether something was posted in this turn of the event loop already (reset at its end). */
  let postedThisTurn = false;
  const endTurn = (): void => {
    postedThisTurn = false;
    flush();
  };
  // The first call of a turn goes at once (a lone event's call waits for nothing); the calls a burst starts in the
  // same turn follow in batches, and what is left at the turn's end.
  const post = (request: CallThreadRequest): void => {
    queue.push(request);
    if (!postedThisTurn) {
      postedThisTurn = true;
      flush();
      setImmediate(endTurn);
    } else if (queue.length >= REQUESTS_PER_MESSAGE) {
      flush();
    }
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
      const headers: [string, string][] = [];
      (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach((value, name) =>
        headers.push([name, value]),
      );
      const body = typeof init.body === 'string' ? init.body : undefined;
      const id = nextId++;
      const call: PendingCall = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          fail(id, call, abortReason());
          // Only a thread that has the call needs to hear of it; a queued one is dropped from the queue.
          if (call.thread !== undefined && call.thread === thread) post({ op: 'abort', id });
        },
      };
      pending.set(id, call);
      signal?.addEventListener('abort', call.onAbort, { once: true });
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
