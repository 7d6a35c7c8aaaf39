/**
 * What runs on the webhook call thread (./webhook-thread.ts): the keep-alive client with its connection pools and
 * its destination guard. The worker's main thread posts calls here and reads their answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { LOOPBACK_DESTINATIONS } from './destination-guard';
import { createKeepAliveFetch, type FetchLike } from './keep-alive-fetch';
import { readStream } from './read-stream';
import {
  type CallReply,
  type CallThreadOptions,
  type CallThreadRequest,
  REPLIES_PER_MESSAGE,
  serializeError,
} from './webhook-thread-protocol';

/** Warm-up calls made at once: a burst's shape, as in ./warm-up.ts. */
const WARM_UP_CALLS_AT_ONCE = 250;

const port = parentPort;
if (port === null) throw new Error('webhook-thread-entry runs only on a worker thread');
const options = workerData as CallThreadOptions;
const fetch = createKeepAliveFetch({
  maxSocketsPerHost: options.maxSocketsPerHost,
  allowedDestinations: options.allowedDestinations,
});
/** The calls in flight, by the main thread's id: how an abort finds its call. */
const calls = new Map<number, AbortController>();

let replies: CallReply[] = [];
/** The bodies' memory, moved to the main thread rather than copied. */
let transfers: ArrayBuffer[] = [];
function flush(): void {
  if (replies.length === 0) return;
  port?.postMessage(replies, transfers);
  replies = [];
  transfers = [];
}
/** Answers go back together: once per turn of this thread's loop, or as soon as REPLIES_PER_MESSAGE wait. */
function reply(message: CallReply): void {
  replies.push(message);
  if (message.kind === 'body') transfers.push(message.bytes.buffer as ArrayBuffer);
  if (replies.length === 1) setImmediate(flush);
  else if (replies.length >= REPLIES_PER_MESSAGE) flush();
}

/**
 * At most `limitBytes` of a body (the caller's cap plus one byte tells it the body went on), in memory of its own: a
 * chunk may be a view of a shared pool, which would cross whole.
 */
async function readBody(body: Readable, limitBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  await readStream(body, (chunk) => {
    chunks.push(chunk);
    size += chunk.byteLength;
    return size < limitBytes;
  });
  const bytes = new Uint8Array(Math.min(size, limitBytes));
  let at = 0;
  for (const chunk of chunks) {
    if (at === bytes.byteLength) break;
    const part = chunk.subarray(0, bytes.byteLength - at);
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}

async function call(request: Extract<CallThreadRequest, { op: 'call' }>): Promise<void> {
  const { id } = request;
  const controller = new AbortController();
  calls.set(id, controller);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    const headers: string[] = [];
    response.headers.forEach((value, name) => headers.push(name, value));
    reply({ id, kind: 'head', status: response.status, headers, hasBody: response.body !== null });
    if (response.body === null) return;
    try {
      // The keep-alive client's body is its `node:http` response.
      const bytes = await readBody(response.body as Readable, options.maxBodyBytes);
      reply({ id, kind: 'body', bytes });
    } catch (error) {
      reply({ id, kind: 'bodyError', error: serializeError(error) });
    }
  } catch (error) {
    reply({ id, kind: 'error', error: serializeError(error) });
  } finally {
    calls.delete(id);
  }
}

/**
 * Calls to a receiver on this thread, through a client of the same code that allows loopback, before the first
 * real call: V8 compiles per thread, and a cold path made the first calls of a burst late (./warm-up.ts).
 */
async function warmUp(count: number): Promise<void> {
  if (count <= 0) return;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const local: FetchLike = createKeepAliveFetch({
    maxSocketsPerHost: options.maxSocketsPerHost,
    allowedDestinations: LOOPBACK_DESTINATIONS,
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const body = JSON.stringify({ id: 'warm-up', scheduled_time: new Date().toISOString(), payload: null });
  const one = async (): Promise<void> => {
    const response = await local(url, {
      method: 'POST',
      headers: [
        ['content-type', 'application/json'],
        ['user-agent', 'warm-up'],
      ],
      body,
    });
    if (response.body !== null) await readBody(response.body as Readable, options.maxBodyBytes);
  };
  try {
    for (let made = 0; made < count; made += WARM_UP_CALLS_AT_ONCE) {
      await Promise.all(Array.from({ length: Math.min(WARM_UP_CALLS_AT_ONCE, count - made) }, one));
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

// Optional, as the main thread's warm-up: a failure only leaves the path cold.
warmUp(options.warmUpCalls).catch(() => undefined);

port.on('message', (requests: CallThreadRequest[]) => {
  for (const request of requests) {
    if (request.op === 'call') void call(request);
    else if (request.op === 'abort') calls.get(request.id)?.abort();
    else fetch.preconnect?.(request.url, request.dueAtMs);
  }
});
