/** The messages between the worker's main thread and its webhook call thread (./webhook-thread.ts). */
import type { DestinationAllowList } from './destinations';

/** What the thread is started with (its `workerData`). */
export interface CallThreadOptions {
  maxSocketsPerHost: number;
  allowedDestinations: DestinationAllowList;
  /** Bytes of a body the thread reads before it closes the rest (the caller's cap, plus one to tell it was cut). */
  maxBodyBytes: number;
  /** Calls the thread makes to a receiver of its own when it starts, to warm its HTTP path (WORKER_WARM_UP_CALLS). */
  warmUpCalls: number;
}

/** Main thread to call thread, posted as arrays. */
export type CallThreadRequest =
  | { op: 'call'; id: number; url: string; method: string; headers: [string, string][]; body: string | undefined }
  | { op: 'abort'; id: number }
  | { op: 'preconnect'; url: string; dueAtMs: number };

/** An error as it crosses threads: what `describeFetchError` and `isDestinationRefused` read. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  cause?: SerializedError;
  errors?: SerializedError[];
}

/** Call thread to main thread, posted as arrays. `headers` is flat: name, value, name, value, … */
export type CallReply =
  | { id: number; kind: 'head'; status: number; headers: string[]; hasBody: boolean }
  | { id: number; kind: 'body'; bytes: Uint8Array }
  | { id: number; kind: 'bodyError'; error: SerializedError }
  | { id: number; kind: 'error'; error: SerializedError };

/** Calls or answers gathered into one message at most: a burst crosses in batches, not one message per call. */
export const REQUESTS_PER_MESSAGE = 64;
export const REPLIES_PER_MESSAGE = 64;

/** Nesting kept of an error's causes, inner errors kept per level, and characters kept of a message. */
const MAX_ERROR_DEPTH = 4;
const MAX_INNER_ERRORS = 32;
const MAX_ERROR_MESSAGE_CHARS = 4096;

/** What `describeFetchError` reads of an error, as plain data; never throws (a getter that throws reads as empty). */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const read = (key: string): unknown => {
    try {
      return (error as Record<string, unknown>)[key];
    } catch {
      return undefined;
    }
  };
  const name = read('name');
  const message = read('message');
  const code = read('code');
  const cause = read('cause');
  const errors = read('errors');
  const out: SerializedError = {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message.slice(0, MAX_ERROR_MESSAGE_CHARS) : '',
  };
  if (typeof code === 'string') out.code = code;
  if (depth < MAX_ERROR_DEPTH) {
    if (cause !== undefined && cause !== null) out.cause = serializeError(cause, depth + 1);
    if (Array.isArray(errors)) {
      out.errors = errors.slice(0, MAX_INNER_ERRORS).map((inner) => serializeError(inner, depth + 1));
    }
  }
  return out;
}

export function deserializeError(error: SerializedError): Error {
  const out = new Error(error.message, error.cause ? { cause: deserializeError(error.cause) } : undefined);
  out.name = error.name;
  if (error.code !== undefined) Object.assign(out, { code: error.code });
  if (error.errors !== undefined) Object.assign(out, { errors: error.errors.map(deserializeError) });
  return out;
}
