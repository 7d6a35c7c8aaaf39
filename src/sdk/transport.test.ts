import {
  ApiError,
  BadRequestApiError,
  InvalidResponseError,
  NetworkError,
  RequestTimeoutError,
  UnavailableApiError,
} from './errors';
import { Transport } from './transport';
import type { FetchInit, FetchLike, FetchResponse, TransportConfig } from './transport';

type Handler = (url: URL, init: FetchInit) => FetchResponse | Promise<FetchResponse>;

/** A fetch that answers the n-th request with the n-th handler and records every request. */
function fakeFetch(...handlers: Handler[]) {
  const calls: { url: URL; init: FetchInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url: new URL(url), init });
    const handler = handlers[calls.length - 1];
    if (handler === undefined) throw new Error(`unexpected request #${calls.length}: ${init.method} ${url}`);
    return handler(new URL(url), init);
  };
  return { fetch, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  () =>
    new Response(JSON.stringify(body), { status, headers });
const text =
  (status: number, body: string): Handler =>
  () =>
    new Response(body, { status });
const refused: Handler = () => {
  throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
};
/** Never answers; rejects with the signal's reason when aborted, as fetch does. */
const hang: Handler = (_url, init) =>
  new Promise((_resolve, reject) => {
    init.signal.addEventListener('abort', () => reject(init.signal.reason as Error));
  });

const UNAVAILABLE = { path: '$', error: 'Temporal is unavailable', code: 'unavailable' };

function setup(handlers: Handler[], overrides: Partial<TransportConfig> = {}) {
  const fake = fakeFetch(...handlers);
  const sleeps: number[] = [];
  const transport = new Transport({
    baseUrl: 'http://api.test/prefix',
    adminSecret: undefined,
    timeoutMs: 1_000,
    retries: 2,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 5_000,
    fetch: fake.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => Date.parse('2030-01-01T00:00:00Z'),
    random: () => 0.5,
    ...overrides,
  });
  return { transport, calls: fake.calls, sleeps };
}

describe('Transport', () => {
  it('sends JSON with the auth header and returns the parsed body', async () => {
    const { transport, calls } = setup([json(201, { id: 'e' })], { adminSecret: 's3cret' });
    const response = await transport.request({
      method: 'POST',
      path: '/v1/events',
      query: { a: 'x,y', b: undefined },
      body: { webhook: 'w' },
      headers: { 'idempotency-key': 'k' },
      retryable: false,
    });
    expect(response).toEqual({ status: 201, body: { id: 'e' }, attempts: 1 });
    const [call] = calls;
    expect(call?.url.href).toBe('http://api.test/prefix/v1/events?a=x%2Cy');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.body).toBe('{"webhook":"w"}');
    expect(call?.init.headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: 'Bearer s3cret',
      'idempotency-key': 'k',
    });
  });

  it('sends no auth or content type when there is no secret or body', async () => {
    const { transport, calls } = setup([json(200, {})]);
    await transport.request({ method: 'GET', path: '/v1/events', retryable: true });
    expect(calls[0]?.init.headers).toEqual({ accept: 'application/json' });
    expect(calls[0]?.init.body).toBeUndefined();
  });

  it('returns null for an empty 2xx body', async () => {
    const { transport } = setup([text(200, '')]);
    await expect(transport.request({ method: 'DELETE', path: '/x', retryable: true })).resolves.toMatchObject({
      body: null,
    });
  });

  it('retries a retryable request with growing backoff, then succeeds', async () => {
    const { transport, calls, sleeps } = setup([json(503, UNAVAILABLE), refused, json(200, { ok: true })]);
    const response = await transport.request({ method: 'GET', path: '/v1/events', retryable: true });
    expect(response).toEqual({ status: 200, body: { ok: true }, attempts: 3 });
    expect(calls).toHaveLength(3);
    // random() = 0.5: 3/4 of the step; steps 100 then 200.
    expect(sleeps).toEqual([75, 150]);
  });

  it('throws the last error once the retries are spent', async () => {
    const { transport, calls, sleeps } = setup([json(502, {}), json(504, {}), json(503, UNAVAILABLE)]);
    const error = await transport.request({ method: 'GET', path: '/x', retryable: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableApiError);
    expect(error).toMatchObject({ status: 503, code: 'unavailable', attempts: 3 });
    expect(calls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('never retries a request that is not retryable', async () => {
    const { transport, calls, sleeps } = setup([json(503, UNAVAILABLE)]);
    await expect(transport.request({ method: 'POST', path: '/x', body: {}, retryable: false })).rejects.toBeInstanceOf(
      UnavailableApiError,
    );
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([400, 401, 404, 409, 413, 500])('does not retry a %i', async (status) => {
    const { transport, calls } = setup([json(status, { path: '$', error: 'no', code: 'x' })]);
    await expect(transport.request({ method: 'GET', path: '/x', retryable: true })).rejects.toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(1);
  });

  it('honours Retry-After in seconds and as a date', async () => {
    const { transport, sleeps } = setup([
      json(429, {}, { 'retry-after': '2' }),
      json(503, UNAVAILABLE, { 'retry-after': 'Tue, 01 Jan 2030 00:00:03 GMT' }),
      json(200, {}),
    ]);
    await transport.request({ method: 'GET', path: '/x', retryable: true });
    expect(sleeps).toEqual([2_000, 3_000]);
  });

  it('gives up at once when Retry-After asks for more than retryMaxDelayMs', async () => {
    const { transport, calls, sleeps } = setup([json(503, UNAVAILABLE, { 'retry-after': '60' })]);
    const error = await transport.request({ method: 'GET', path: '/x', retryable: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableApiError);
    expect(error).toMatchObject({ retryAfterMs: 60_000 });
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('turns a fetch failure into a NetworkError with the cause', async () => {
    const { transport } = setup([refused]);
    const error = await transport.request({ method: 'POST', path: '/x', retryable: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'network-error', status: null, attempts: 1 });
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('times out an attempt and retries it', async () => {
    const { transport, calls } = setup([hang, json(200, { ok: 1 })], { timeoutMs: 20 });
    await expect(transport.request({ method: 'GET', path: '/x', retryable: true })).resolves.toMatchObject({
      body: { ok: 1 },
      attempts: 2,
    });
    expect(calls[0]?.init.signal.aborted).toBe(true);
  });

  it('throws RequestTimeoutError when every attempt times out, honouring a per-call timeout', async () => {
    const { transport } = setup([hang, hang], { retries: 1 });
    const error = await transport
      .request({ method: 'GET', path: '/x', retryable: true, timeoutMs: 15 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ code: 'timeout', timeoutMs: 15, attempts: 2, status: null });
  });

  it('times out a fetch that ignores its signal, and a body that never ends', async () => {
    const deaf: Handler = () => new Promise<never>(() => undefined);
    const stalledBody: Handler = () => ({
      status: 200,
      headers: new Headers(),
      text: () => new Promise<never>(() => undefined),
    });
    const { transport } = setup([deaf, stalledBody], { retries: 0, timeoutMs: 20 });
    await expect(transport.request({ method: 'GET', path: '/x', retryable: true })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
    await expect(transport.request({ method: 'GET', path: '/x', retryable: true })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
  });

  it('rejects with the caller abort reason, not a timeout, and stops retrying', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const { transport, calls } = setup([
      (url, init) => {
        setTimeout(() => controller.abort(reason), 5);
        return hang(url, init);
      },
    ]);
    await expect(
      transport.request({ method: 'GET', path: '/x', retryable: true, signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
  });

  it('does not send anything for an already aborted signal', async () => {
    const { transport, calls } = setup([json(200, {})]);
    await expect(
      transport.request({ method: 'GET', path: '/x', retryable: true, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toHaveLength(0);
  });

  it('passes the caller signal to the backoff sleep', async () => {
    const controller = new AbortController();
    const signals: (AbortSignal | undefined)[] = [];
    const { transport } = setup([json(503, UNAVAILABLE), json(200, {})], {
      sleep: async (_ms, signal) => {
        signals.push(signal);
      },
    });
    await transport.request({ method: 'GET', path: '/x', retryable: true, signal: controller.signal });
    expect(signals).toEqual([controller.signal]);
  });

  it('reports a 2xx body that is not JSON', async () => {
    const { transport } = setup([text(200, '<html>wrong server</html>')]);
    const error = await transport.request({ method: 'GET', path: '/x', retryable: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ status: 200, code: 'invalid-response' });
  });

  it('maps a JSON error body onto the error', async () => {
    const { transport } = setup([
      json(400, {
        path: '$.retry_conf.num_retries',
        error: 'num_retries cannot be a negative value',
        code: 'parse-failed',
      }),
    ]);
    const error = await transport.request({ method: 'POST', path: '/x', retryable: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'parse-failed',
      path: '$.retry_conf.num_retries',
      message: 'num_retries cannot be a negative value',
    });
  });
});
