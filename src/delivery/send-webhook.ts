/**
 * One webhook attempt: one POST, bounded in time and in what it stores, turned into an `AttemptRecord` whatever
 * happens on the network. No Temporal here: the activity adapts this to Temporal's semantics.
 */
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import {
  MAX_STORED_RESPONSE_BODY_BYTES,
  MAX_TIMER_MS,
  type AttemptRecord,
  type AttemptResponse,
  type DeliverWebhookInput,
  type LoggedHeader,
  type WebhookBody,
} from '../shared/event';
import { type Env, lookupEnv } from './env';
import { DEFAULT_ENV_POLICY, envNameRefusal, type EnvPolicy } from './env-policy';
import { isDestinationRefused, MissingEnvVarError } from './errors';
import type { DestinationGuardOptions } from './destination-guard';
import { type DestinationAllowList, NO_ALLOWED_DESTINATIONS } from './destinations';
import { redactor } from './redact';
import {
  HTTP_TOKEN,
  isForbiddenHeaderName,
  loggedHeaders,
  resolveHeaders,
  type DefaultHeaderValues,
  type HeaderValue,
} from './resolve-headers';
import { parseRetryAfter } from './retry-after';
import { type SigningKey, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, webhookSignature } from './signature';
import { resolveWebhookTemplate, templateVariables, webhookUrlIssue } from './resolve-template';
import { type CallStop, callStopOn } from './call-stop';
import { createKeepAliveFetch, type FetchLike, type StartedCall, type WebhookResponse } from './keep-alive-fetch';

const MS_PER_SECOND = 1000;

/**
 * The status recorded when no request could be made (missing env var, bad URL, bad header): Hasura records its own
 * internal failures as 500 (`processError`), and the invocation then reads "failed before the webhook was called".
 */
export const REQUEST_NOT_MADE_STATUS = 500;

/**
 * What one attempt sends: the `DeliverWebhookInput` fields that shape the request, and, when known, when it is due
 * (`notBefore`), so that its signature is made ahead of the instant.
 */
export type WebhookRequest = Pick<
  DeliverWebhookInput,
  'eventId' | 'invocationId' | 'attempt' | 'webhook' | 'headers' | 'body' | 'timeoutSeconds'
> &
  Partial<Pick<DeliverWebhookInput, 'notBefore' | 'messageId' | 'failureCallback'>>;

/** The call's `webhook-id` and `Idempotency-Key`: the event id, unless the request names another. */
function messageIdOf(request: WebhookRequest): string {
  return request.messageId ?? request.eventId;
}

/** A `WebhookRequest` plus an optional abort signal: what `sendWebhook` takes. */
export type SendWebhookRequest = WebhookRequest & {
  /**
   * Aborts the attempt from outside (the activity passes Temporal's cancellation signal). The record then says
   * `request aborted: …`; the caller, who knows why it aborted, decides whether that counts as an attempt.
   */
  signal?: AbortSignal;
};

/**
 * An attempt resolved ahead of its call (`prepareWebhook`): the env read, the URL checked, the headers built and the
 * body serialized, so that the instant of the call does only the call. `send` is what goes on the wire, or why
 * nothing can (an unset variable, a URL that is not http(s), an invalid header): the call then records that.
 */
export interface PreparedWebhook {
  request: WebhookRequest;
  /** The body as sent and recorded (`normalizeWebhookBody`). */
  body: WebhookBody;
  /** The headers as the record shows them (`loggedHeaders`): env references, never secrets. */
  logged: LoggedHeader[];
  /** Scrubs the env values this attempt read from text the record keeps (src/delivery/redact.ts). */
  redact: (text: string) => string;
  send:
    | {
        kind: 'ready';
        url: string;
        /**
         * The request's headers as they go on the wire (names lower-cased, repeated ones joined, as `Headers` has
         * them), built once when prepared: undici's `Headers` at each call made a burst of 10,000 ~0.1 s later
         * (bench/PERFORMANCE.md, "the calls, the client and the worker"). The call adds its stamp and signature.
         */
        headers: Readonly<Record<string, string>>;
        json: string;
        /** The stamp and signature for the second the call is due in, made when prepared (see `callWebhook`). */
        signedFor?: { timestamp: string; signature: string };
      }
    /** `refused`: the policy forbids it, so no retry can succeed (AttemptRecord.refused). */
    | { kind: 'notMade'; reason: string; refused?: true };
}

/** Connections the default client opens at once to one webhook host; see `KeepAliveFetchOptions`. */
const MAX_SOCKETS_PER_HOST = 256;

/**
 * The HTTP client of every attempt unless the caller passes another: one connection pool per process, public
 * destinations only (the worker builds its own from WEBHOOK_ALLOWED_DESTINATIONS).
 */
export const defaultWebhookFetch: FetchLike = createWebhookFetch(NO_ALLOWED_DESTINATIONS);

/** The worker's HTTP client: keep-alive pools, connections opened ahead, destinations guarded (see `FetchLike`). */
export function createWebhookFetch(
  allowedDestinations: DestinationAllowList,
  lookup?: DestinationGuardOptions['lookup'],
): FetchLike {
  return createKeepAliveFetch({ maxSocketsPerHost: MAX_SOCKETS_PER_HOST, allowedDestinations, lookup });
}

/**
 * Starts a call through the client's `start` when it has one (the keep-alive client), else through it as `fetch`
 * with a controller's signal (the global `fetch`, test fakes).
 */
function startCall(doFetch: FetchLike, url: string, init: Omit<RequestInit, 'signal'>): StartedCall {
  if (doFetch.start) return doFetch.start(url, init);
  const controller = new AbortController();
  return {
    response: doFetch(url, { ...init, signal: controller.signal }),
    abort: (reason) => controller.abort(reason),
  };
}

/** What `sendWebhook` gets from its caller instead of globals. */
export interface SendWebhookDeps {
  /** HTTP client; defaults to `defaultWebhookFetch` (keep-alive connection pools on `node:http`). */
  fetch?: FetchLike;
  /** Environment for `{{VAR}}` templates and `valueFromEnv` headers (the worker passes `process.env`). */
  env: Env;
  /** Which of `env` a webhook may read (src/delivery/env-policy.ts). (Default: DEFAULT_ENV_POLICY) */
  envPolicy?: EnvPolicy;
  /** `User-Agent` value, `<product>/<version>`. */
  userAgent: string;
  /**
   * Keys that sign every call (./signature.ts, WEBHOOK_SIGNING_SECRETS); all of them during a rotation. Unset or
   * empty: calls carry `webhook-id` and `webhook-timestamp` but no `webhook-signature`.
   */
  signingKeys?: readonly SigningKey[];
  /** Wall clock in ms since the epoch, for `createdAt` and HTTP-date `Retry-After`. Defaults to `Date.now`. */
  now?: () => number;
}

/**
 * The body as sent: Hasura's one-off shape, rebuilt field by field so that `payload` is always present (null when
 * unset) and `comment` is omitted unless it is a string, whatever the caller's object carries at run time.
 */
export function normalizeWebhookBody(body: WebhookBody): WebhookBody {
  const comment: unknown = body.comment;
  return {
    id: body.id,
    scheduled_time: body.scheduled_time,
    payload: body.payload ?? null,
    ...(typeof comment === 'string' ? { comment } : {}),
    created_at: body.created_at,
    // The failure webhook's report, last (docs/contract.md §2).
    ...(body.failure === undefined ? {} : { failure: body.failure }),
  };
}

/** Durations are kept to the microsecond: finer digits are timer noise and only lengthen history. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** `1`, `0.5`: seconds as a user wrote them in `retry_conf`, for messages. */
function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}

/**
 * The readable cause of a failed `fetch`. undici rejects with `TypeError('fetch failed')` and hides the useful part
 * in `cause` (`connect ECONNREFUSED 127.0.0.1:1234`, `getaddrinfo ENOTFOUND host`); with several addresses to try
 * the cause is an `AggregateError` with an empty message and one error per address.
 */
export function describeFetchError(error: unknown): string {
  // Duck-typed, not `instanceof Error`: undici's errors come from Node's own realm, which differs from the caller's
  // under test runners that sandbox globals (jest), where `instanceof` would be false.
  if (typeof error !== 'object' || error === null) return String(error);
  const { message, cause, errors, name } = error as {
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
    name?: unknown;
  };
  const text = typeof message === 'string' ? message : '';
  if (text === '' && Array.isArray(errors) && errors.length > 0) {
    return [...new Set(errors.map((inner) => describeFetchError(inner)))].join('; ');
  }
  if (text === 'fetch failed' && cause !== undefined && cause !== null) return describeFetchError(cause);
  if (text !== '') return text;
  return typeof name === 'string' && name !== '' ? name : 'unknown error';
}

/** Builds the request headers, or says which header cannot be sent (without quoting its value: it may be a secret). */
function toHeaders(list: readonly HeaderValue[]): Record<string, string> | string {
  const headers = new Headers();
  for (const { name, value } of list) {
    // Checked here so the error can name the header without quoting a value.
    if (!HTTP_TOKEN.test(name)) return `invalid header name "${name}"`;
    try {
      headers.append(name, value);
    } catch {
      return `invalid value for header "${name}" (control characters such as CR, LF or NUL are not allowed)`;
    }
  }
  return Object.fromEntries(headers);
}

/** At most `capBytes` of a response body, and whether more was there. */
interface CappedBody {
  text: string;
  truncated: boolean;
}

/**
 * Reads a body up to `capBytes`, then cancels the rest: a webhook that answers with an endless or huge body must not
 * hold the attempt open or fill memory. Leaving the loop early cancels a web stream's reader; a `node:http` response
 * is read through its events (`readCappedStream`) and destroyed, closing its connection. Rejects with the body's
 * error (for instance the abort reason on timeout).
 */
async function readCappedBody(body: AsyncIterable<Uint8Array> | null, capBytes: number): Promise<CappedBody> {
  if (body === null) return { text: '', truncated: false };
  // A byte stream only: one in object mode or with an encoding set yields something else than Buffers.
  if (body instanceof Readable && !body.readableObjectMode && body.readableEncoding === null) {
    return readCappedStream(body, capBytes);
  }
  const kept = cappedChunks(capBytes);
  // Typed as declared: a `Readable` left for this loop narrows `body` to its own (untyped) iterator.
  const iterable: AsyncIterable<Uint8Array> = body;
  for await (const chunk of iterable) if (!kept.add(chunk)) return kept.body(true);
  return kept.body(false);
}

/**
 * `readCappedBody` for a `node:http` response (the keep-alive client's), read through its events: a stream's async
 * iterator costs a dozen ticks and promises per response, which in a burst of 10,000 took the worker's thread from
 * the calls still going out (bench/PERFORMANCE.md "Bursts of 10,000: the worker at the instant"). Rejects with the
 * stream's error, or when it closes before its end (the connection broken off, or the call aborted).
 */
function readCappedStream(body: Readable, capBytes: number): Promise<CappedBody> {
  const closedEarly = (): Error => body.errored ?? new Error('the connection closed before the body ended');
  if (body.readableEnded) return Promise.resolve({ text: '', truncated: false });
  if (body.destroyed) return Promise.reject(closedEarly());
  return new Promise((resolve, reject) => {
    const kept = cappedChunks(capBytes);
    const stop = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      if (kept.add(chunk)) return;
      stop();
      // The rest is not read: the connection is closed rather than drained.
      body.destroy();
      resolve(kept.body(true));
    };
    const onEnd = (): void => {
      stop();
      resolve(kept.body(false));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => onError(closedEarly());
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}

/** The chunks of a body kept up to `capBytes`, for both ways of reading one. */
function cappedChunks(capBytes: number): { add(chunk: Uint8Array): boolean; body(truncated: boolean): CappedBody } {
  const chunks: Uint8Array[] = [];
  let size = 0;
  return {
    /** Keeps `chunk`, or its part under the cap; false once the cap is passed (the rest is not to be read). */
    add(chunk) {
      if (size + chunk.byteLength > capBytes) {
        chunks.push(chunk.subarray(0, capBytes - size));
        size = capBytes;
        return false;
      }
      chunks.push(chunk);
      size += chunk.byteLength;
      return true;
    },
    body(truncated) {
      // `stream: true` on a truncated body drops a multi-byte character cut in half instead of adding U+FFFD.
      const text = new TextDecoder('utf-8').decode(Buffer.concat(chunks, size), { stream: truncated });
      return { text, truncated };
    },
  };
}

/**
 * Announces a prepared attempt due at `dueAtMs` (ms since the epoch, within a second or two), so that the client opens
 * its connection ahead (src/delivery/preconnect.ts) and the request goes out at once. Does nothing when the client
 * cannot (the global `fetch`) or when nothing will be sent (the call records why). Never throws.
 */
export function preconnectWebhook(
  prepared: PreparedWebhook,
  dueAtMs: number,
  deps: Pick<SendWebhookDeps, 'fetch'>,
): void {
  const { preconnect } = deps.fetch ?? defaultWebhookFetch;
  if (preconnect !== undefined && prepared.send.kind === 'ready') preconnect(prepared.send.url, dueAtMs);
}

/**
 * Resolves `request` for a later `callWebhook`: the URL template and `valueFromEnv` headers against `deps.env` (read
 * now, not at the call), our default headers, and the JSON body. Every unset variable is collected, so that one
 * record names them all.
 *
 * @throws RangeError only for a caller bug (`timeoutSeconds` not a positive number); everything else that prevents a
 *   request is in `send` and recorded by the call.
 */
export function prepareWebhook(request: WebhookRequest, deps: SendWebhookDeps): PreparedWebhook {
  if (!(typeof request.timeoutSeconds === 'number' && request.timeoutSeconds > 0)) {
    throw new RangeError(`timeoutSeconds must be a positive number of seconds, got ${String(request.timeoutSeconds)}`);
  }
  const body = normalizeWebhookBody(request.body);
  const defaults: DefaultHeaderValues = { userAgent: deps.userAgent, idempotencyKey: messageIdOf(request) };
  // Every name the webhook reads, checked before any is read: a refused name is never looked up.
  const names = [
    ...templateVariables(request.webhook),
    ...request.headers.flatMap((header) => ('valueFromEnv' in header ? [header.valueFromEnv] : [])),
  ];
  const policy = deps.envPolicy ?? DEFAULT_ENV_POLICY;
  const refusal = names.map((name) => envNameRefusal(policy, name)).find((reason) => reason !== null);
  const redact = refusal ? (text: string) => text : redactor(names.flatMap((name) => lookupEnv(deps.env, name) ?? []));
  const prepared = (send: PreparedWebhook['send']): PreparedWebhook => ({
    request,
    body,
    logged: loggedHeaders(request.headers, defaults),
    redact,
    send,
  });
  const notMade = (reason: string, refused?: true): PreparedWebhook =>
    prepared({ kind: 'notMade', reason: `Error creating the request. ${reason}`, ...(refused ? { refused } : {}) });
  if (refusal) return notMade(`The webhook may not read it: ${refusal}.`, true);
  // The API refuses these at create; an event stored before that rule would still carry one.
  const framing = request.headers.find((header) => isForbiddenHeaderName(header.name));
  if (framing) return notMade(`Header "${framing.name}" cannot be set: the HTTP client owns it.`, true);

  const missing: string[] = [];
  let url = '';
  let sendHeaders: HeaderValue[] = [];
  try {
    url = resolveWebhookTemplate(request.webhook, deps.env);
  } catch (error) {
    if (!(error instanceof MissingEnvVarError)) throw error;
    missing.push(...error.missing);
  }
  try {
    sendHeaders = resolveHeaders(request.headers, deps.env, defaults).send;
  } catch (error) {
    if (!(error instanceof MissingEnvVarError)) throw error;
    missing.push(...error.missing.filter((name) => !missing.includes(name)));
  }
  if (missing.length > 0) {
    return notMade(`The value for environment variables not found: ${missing.join(', ')}`);
  }
  const urlIssue = webhookUrlIssue(url);
  if (urlIssue !== null) {
    // Quote the template, never the resolved URL: env values (tokens in a query string) must not reach the log.
    return notMade(`Invalid webhook URL "${request.webhook}" after resolving templates: ${urlIssue}`);
  }
  const headers = toHeaders(sendHeaders);
  if (typeof headers === 'string') return notMade(headers);
  const json = JSON.stringify(body);
  const keys = deps.signingKeys ?? [];
  const dueSeconds = request.notBefore === undefined ? NaN : Math.floor(Date.parse(request.notBefore) / MS_PER_SECOND);
  // Signed now for the second the call is due in: at the instant, a burst's calls then only compare seconds.
  const signedFor =
    keys.length > 0 && Number.isFinite(dueSeconds)
      ? { timestamp: String(dueSeconds), signature: webhookSignature(keys, messageIdOf(request), dueSeconds, json) }
      : undefined;
  return prepared({ kind: 'ready', url, headers, json, ...(signedFor && { signedFor }) });
}

/**
 * Makes ONE webhook attempt: POSTs `request.body` as JSON to the resolved webhook URL and records the outcome
 * (`prepareWebhook`, then `callWebhook`).
 *
 * - `timeoutSeconds` bounds the whole exchange, from connecting to the last byte of the body read.
 * - Redirects are not followed: a 3xx is a failed attempt whose message gives the `Location`.
 * - At most MAX_STORED_RESPONSE_BODY_BYTES (64 KiB) of the body is read and kept; `bodyTruncated` says if there was
 *   more.
 * - Success is a 2xx. A non-2xx records its status, its body as the message, and `Retry-After` in seconds.
 *   No response (refused, DNS, timeout, reset) records `status: null` and the error text (`timeout after 1 s`,
 *   `connect ECONNREFUSED 127.0.0.1:1234`). Nothing sent because a template or `valueFromEnv` variable is unset, the
 *   resolved URL is not http(s), or a header is invalid: `status: 500` and a message starting
 *   `Error creating the request.` (Hasura's wording for the env case).
 *
 * Never throws for an HTTP or network outcome; throws a RangeError only for a caller bug (`timeoutSeconds` not a
 * positive number).
 */
export async function sendWebhook(request: SendWebhookRequest, deps: SendWebhookDeps): Promise<AttemptRecord> {
  const stop = request.signal && callStopOn(request.signal);
  try {
    return await callWebhook(prepareWebhook(request, deps), deps, stop);
  } finally {
    stop?.dispose();
  }
}

/**
 * Makes the call of an attempt prepared by `prepareWebhook` (see `sendWebhook` for what is recorded). `callerStop`
 * stops it from outside, as `SendWebhookRequest.signal` does (./call-stop.ts for why it is not a signal). The record's
 * `createdAt` is when this call starts.
 */
export async function callWebhook(
  prepared: PreparedWebhook,
  deps: SendWebhookDeps,
  callerStop?: CallStop,
): Promise<AttemptRecord> {
  const { request, send } = prepared;
  const doFetch = deps.fetch ?? defaultWebhookFetch;
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const startedPerf = performance.now();

  const { redact } = prepared;
  /** Headers set at the call (stamp and signature): recorded with the rest. */
  const sent: { name: string; value: string }[] = [];
  const record = (
    fields: Pick<AttemptRecord, 'success' | 'status' | 'response'> & {
      retryAfterSeconds?: number | null;
      refused?: true;
    },
  ): AttemptRecord => ({
    id: request.invocationId,
    eventId: request.eventId,
    attempt: request.attempt,
    createdAt: new Date(startedAt).toISOString(),
    durationMs: roundMs(performance.now() - startedPerf),
    request: { body: prepared.body, headers: [...prepared.logged, ...sent] },
    retryAfterSeconds: null,
    ...(request.failureCallback ? { failureCallback: true as const } : {}),
    ...fields,
  });
  const failure = (status: number | null, message: string, bodyTruncated = false, refused?: true): AttemptRecord =>
    record({
      success: false,
      status,
      response: { type: 'client_error', message: redact(message), bodyTruncated },
      ...(refused ? { refused } : {}),
    });
  if (send.kind === 'notMade') return failure(REQUEST_NOT_MADE_STATUS, send.reason, false, send.refused);

  const timeoutMs = Math.min(Math.ceil(request.timeoutSeconds * MS_PER_SECOND), MAX_TIMER_MS);
  // One way to stop the call for both reasons (the timeout, the caller's stop): a plain timer and the client's
  // abort function, rather than AbortSignal.timeout + AbortSignal.any, which track their signals with weak references
  // (~8% of a CPU profile of 1,000 attempts starting at once), or a controller whose signal the request listens to
  // (bench/PERFORMANCE.md, "the calls, the client and the worker").
  let aborted = false;
  let started: StartedCall | undefined;
  const abort = (reason: unknown): void => {
    if (aborted) return;
    aborted = true;
    started?.abort(reason);
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    // Already stopped by the caller: that is the reason to report, not the timeout.
    if (aborted) return;
    timedOut = true;
    abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }, timeoutMs);
  if (callerStop?.stopped) abort(callerStop.stopped.reason);
  else callerStop?.whileCalling(abort);
  const abortedMessage = (): string =>
    timedOut
      ? `timeout after ${formatSeconds(request.timeoutSeconds)}`
      : `request aborted: ${describeFetchError(callerStop?.stopped?.reason)}`;

  // The timestamp is the second this attempt is sent in; its signature was made when prepared for the second it was
  // due in, and is made again only when the call falls in another second.
  const timestamp = String(Math.floor(now() / MS_PER_SECOND));
  const keys = deps.signingKeys ?? [];
  const signature =
    keys.length === 0
      ? undefined
      : send.signedFor?.timestamp === timestamp
        ? send.signedFor.signature
        : webhookSignature(keys, messageIdOf(request), Number(timestamp), send.json);
  const headers: Record<string, string> = { ...send.headers, [WEBHOOK_TIMESTAMP_HEADER]: timestamp };
  sent.push({ name: WEBHOOK_TIMESTAMP_HEADER, value: timestamp });
  if (signature !== undefined) {
    headers[WEBHOOK_SIGNATURE_HEADER] = signature;
    sent.push({ name: WEBHOOK_SIGNATURE_HEADER, value: signature });
  }

  try {
    // Stopped before it started (by the caller): no call.
    if (aborted) return failure(null, abortedMessage());
    let response: WebhookResponse;
    try {
      started = startCall(doFetch, send.url, {
        method: 'POST',
        headers,
        body: send.json,
        redirect: 'manual',
      });
      response = await started.response;
    } catch (error) {
      if (aborted) return failure(null, abortedMessage());
      return failure(null, describeFetchError(error), false, isDestinationRefused(error) ? true : undefined);
    }

    let responseBody: CappedBody;
    try {
      responseBody = await readCappedBody(response.body, MAX_STORED_RESPONSE_BODY_BYTES);
    } catch (error) {
      // The status line came but the body did not finish: not a complete response, so no status is recorded (a
      // 200 with a cut-off body must not read as delivered). The message keeps what we saw.
      const reason = aborted ? abortedMessage() : describeFetchError(error);
      return failure(null, `${reason} while reading the response body (HTTP ${response.status})`);
    }

    const { status } = response;
    if (status >= 200 && status < 300) {
      const responseHeaders: { name: string; value: string }[] = [];
      response.headers.forEach((value, name) => responseHeaders.push({ name, value: redact(value) }));
      const okResponse: AttemptResponse = {
        type: 'webhook_response',
        status,
        headers: responseHeaders,
        body: redact(responseBody.text),
        bodyTruncated: responseBody.truncated,
      };
      return record({ success: true, status, response: okResponse });
    }

    let message = responseBody.text;
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location');
      const redirect = `redirect not followed: HTTP ${status} to ${location === null ? '(no Location header)' : location}`;
      message = message === '' ? redirect : `${redirect}\n${message}`;
    }
    return record({
      success: false,
      status,
      response: { type: 'client_error', message: redact(message), bodyTruncated: responseBody.truncated },
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), now()),
    });
  } finally {
    clearTimeout(timer);
    callerStop?.whileCalling(undefined);
  }
}
