import type { Receiver } from './receiver';
import { startReceiver } from './receiver';

describe('test receiver', () => {
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const post = (path: string, body: unknown, init: RequestInit = {}): Promise<Response> =>
    fetch(receiver.url(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
      body: JSON.stringify(body),
      ...init,
    });

  it('listens on 127.0.0.1 and builds URLs', () => {
    expect(receiver.origin).toBe(`http://127.0.0.1:${receiver.port}`);
    expect(receiver.url('/a/b')).toBe(`${receiver.origin}/a/b`);
    expect(receiver.url('c')).toBe(`${receiver.origin}/c`);
    expect(receiver.url()).toBe(`${receiver.origin}/`);
  });

  it('records method, path, headers, parsed body and arrival times; answers 200 by default', async () => {
    const before = Date.now();
    const response = await post('/hook?x=1', { id: 'e1', payload: { n: 1 } });
    expect(response.status).toBe(200);

    const [request] = await receiver.waitFor(1);
    expect(request).toMatchObject({
      method: 'POST',
      path: '/hook',
      url: '/hook?x=1',
      body: { id: 'e1', payload: { n: 1 } },
      rawBody: JSON.stringify({ id: 'e1', payload: { n: 1 } }),
    });
    expect(request?.headers['x-test']).toBe('yes');
    expect(request?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(request?.receivedAt).toBeLessThanOrEqual(Date.now());
    expect(typeof request?.receivedAtHr).toBe('bigint');
  });

  it('keeps a non-JSON body as text only', async () => {
    await fetch(receiver.url('/text'), { method: 'POST', body: 'not json' });
    const [request] = await receiver.waitFor(1);
    expect(request?.rawBody).toBe('not json');
    expect(request?.body).toBeUndefined();
  });

  it('answers with the scripted status, headers and body for a path', async () => {
    receiver.respond('/busy', { status: 503, headers: { 'Retry-After': '7' }, body: { error: 'busy' } });
    receiver.respond('/text', { status: 201, body: 'created' });

    const busy = await post('/busy', {});
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('7');
    expect(busy.headers.get('content-type')).toBe('application/json');
    expect(await busy.json()).toEqual({ error: 'busy' });

    const text = await post('/text', {});
    expect(text.status).toBe(201);
    expect(await text.text()).toBe('created');

    // Other paths keep the default answer.
    expect((await post('/other', {})).status).toBe(200);
  });

  it('plays a sequence per path and repeats its last answer', async () => {
    receiver.respond('/seq', [{ status: 500 }, { status: 429 }, { status: 204 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('/seq', { i })).status);
    expect(statuses).toEqual([500, 429, 204, 204]);
    expect(receiver.requestsTo('/seq').map((r) => (r.body as { i: number }).i)).toEqual([0, 1, 2, 3]);
  });

  it('calls a script function with the request and its index', async () => {
    receiver.respond('/fn', (request, index) => ({ status: index === 0 ? 500 : 200, body: request.body }));
    expect((await post('/fn', { a: 1 })).status).toBe(500);
    const second = await post('/fn', { a: 2 });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ a: 2 });
  });

  it('changes the default answer', async () => {
    receiver.respondByDefault({ status: 404 });
    expect((await post('/anything', {})).status).toBe(404);
  });

  it('delays an answer', async () => {
    receiver.respond('/slow', { status: 200, delayMs: 300 });
    const started = Date.now();
    const response = await post('/slow', {});
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('never answers a hanging path; the client times out; close() still returns', async () => {
    receiver.respond('/hang', { hang: true });
    await expect(post('/hang', {}, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(receiver.requestsTo('/hang')).toHaveLength(1);
  });

  it('close() drops a request that is still waiting for its answer', async () => {
    receiver.respond('/hang', { hang: true });
    const pending = post('/hang', {});
    await receiver.waitFor(1);
    await receiver.close();
    await expect(pending).rejects.toThrow();
    // afterEach closes it again: that must be harmless.
  });

  it('waitFor resolves on a count or a predicate once requests arrive', async () => {
    const byCount = receiver.waitFor(3);
    const byPredicate = receiver.waitFor((all) => all.some((r) => r.path === '/b'));
    await post('/a', {});
    await post('/b', {});
    await expect(byPredicate).resolves.toHaveLength(2);
    await post('/c', {});
    const all = await byCount;
    expect(all.map((r) => r.path)).toEqual(['/a', '/b', '/c']);
    expect(all[1]!.receivedAtHr).toBeGreaterThan(all[0]!.receivedAtHr);
  });

  it('waitFor resolves at once when enough requests are there, and rejects on timeout', async () => {
    await post('/a', {});
    await expect(receiver.waitFor(1, 10)).resolves.toHaveLength(1);
    await expect(receiver.waitFor(2, 100)).rejects.toThrow(
      /timed out after 100 ms waiting for 2 request\(s\); got 1: POST \/a/,
    );
  });

  it('reset() forgets requests and scripts', async () => {
    receiver.respond('/x', { status: 500 });
    await post('/x', {});
    receiver.reset();
    expect(receiver.requests).toHaveLength(0);
    expect((await post('/x', {})).status).toBe(200);
    expect(receiver.requests).toHaveLength(1);
  });
});
