import { createApp } from './app';
import { FakeEventScheduler } from '../../test/doubles/fake-scheduler';
import { RecordingLogger } from '../../test/doubles/api';

const create = JSON.stringify({
  type: 'create_scheduled_event',
  args: { webhook: 'https://example.com/hook', schedule_at: '2030-01-01T00:00:00Z' },
});

function setup(options: { allowedOrigins?: string[]; adminSecret?: string } = {}) {
  const scheduler = new FakeEventScheduler();
  const app = createApp({ scheduler, logger: new RecordingLogger(), ...options });
  return { scheduler, app };
}

describe('requests from web pages', () => {
  it('refuses a page on another origin (403) and schedules nothing, without CORS headers', async () => {
    const { app, scheduler } = setup();
    for (const origin of ['https://attacker.example', 'null', 'http://127.0.0.1:8080']) {
      const res = await app.request('/v1/metadata', {
        method: 'POST',
        body: create,
        headers: { 'Content-Type': 'application/json', Origin: origin },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'forbidden', path: '$' });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    const read = await app.request('/v1/events', { headers: { Origin: 'https://attacker.example' } });
    expect(read.status).toBe(403);
    expect(scheduler.calls).toEqual([]);
  });

  it("serves this server's own pages (the console): an Origin naming the Host the request went to", async () => {
    const { app, scheduler } = setup();
    const send = (origin: string, host: string, site?: string) =>
      app.request(`http://${host}/v1/metadata`, {
        method: 'POST',
        body: create,
        headers: {
          'Content-Type': 'application/json',
          Origin: origin,
          Host: host,
          ...(site === undefined ? {} : { 'Sec-Fetch-Site': site }),
        },
      });
    const own = await send('http://127.0.0.1:8080', '127.0.0.1:8080');
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
    expect((await send('http://127.0.0.1:8080', '127.0.0.1:8080', 'same-origin')).status).toBe(200);
    expect((await send('http://localhost:8080', 'LOCALHOST:8080')).status).toBe(200);
    expect((await send('http://[::1]:8080', '[::1]:8080')).status).toBe(200);
    // Another port, another name for the same machine, or no origin at all: another origin.
    for (const [origin, host] of [
      ['http://127.0.0.1:9999', '127.0.0.1:8080'],
      ['http://localhost:8080', '127.0.0.1:8080'],
      ['http://127.0.0.1:8080.attacker.example', '127.0.0.1:8080'],
      ['null', '127.0.0.1:8080'],
      ['http://127.0.0.1:8080', ''],
      // Not an origin as a browser writes one: another scheme, userinfo, a path, a trailing slash.
      ['ws://127.0.0.1:8080', '127.0.0.1:8080'],
      ['foo://127.0.0.1:8080', '127.0.0.1:8080'],
      ['http://u:p@127.0.0.1:8080', '127.0.0.1:8080'],
      ['http://127.0.0.1:8080/path', '127.0.0.1:8080'],
      ['http://127.0.0.1:8080/', '127.0.0.1:8080'],
    ] as const) {
      expect([origin, host, (await send(origin, host)).status]).toEqual([origin, host, 403]);
    }
    // The browser says the page is on another site or scheme (https page, http API): not the console.
    for (const site of ['cross-site', 'same-site', 'none']) {
      expect([site, (await send('http://127.0.0.1:8080', '127.0.0.1:8080', site)).status]).toEqual([site, 403]);
    }
    expect(scheduler.calls.filter((call) => call.method === 'create')).toHaveLength(4);
  });

  it('serves clients that send no Origin (curl, the SDK, servers), with no CORS headers', async () => {
    const { app } = setup();
    const res = await app.request('/v1/metadata', {
      method: 'POST',
      body: create,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves an allowed origin with CORS, and answers its preflight before the admin secret is asked for', async () => {
    const { app } = setup({ allowedOrigins: ['https://app.example'], adminSecret: 's3cret' });
    const preflight = await app.request('/v1/metadata', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-hasura-admin-secret',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-hasura-admin-secret');
    const res = await app.request('/v1/metadata', {
      method: 'POST',
      body: create,
      headers: { 'Content-Type': 'application/json', Origin: 'https://app.example', 'X-Hasura-Admin-Secret': 's3cret' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('vary')).toContain('Origin');
    // The secret is still required of an allowed page.
    const anonymous = await app.request('/v1/events', { headers: { Origin: 'https://app.example' } });
    expect(anonymous.status).toBe(401);
  });

  it('refuses a preflight from an origin that is not allowed', async () => {
    const { app } = setup({ allowedOrigins: ['https://app.example'] });
    const res = await app.request('/v1/metadata', {
      method: 'OPTIONS',
      headers: { Origin: 'https://attacker.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the Host a request is addressed to, without an admin secret', () => {
  it('refuses a name that is not this machine (DNS rebinding), and serves loopback names', async () => {
    const { app } = setup();
    const rebound = await app.request('http://evil.example:8080/v1/events', { headers: { Host: 'evil.example:8080' } });
    expect(rebound.status).toBe(403);
    expect(await rebound.json()).toMatchObject({ code: 'forbidden', error: expect.stringContaining('evil.example') });
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', 'localhost']) {
      const res = await app.request(`http://${host}/v1/events`, { headers: { Host: host } });
      expect([host, res.status]).toEqual([host, 200]);
    }
  });

  it('leaves Host alone when an admin secret protects the API (behind a proxy, on a network address)', async () => {
    const { app } = setup({ adminSecret: 's3cret' });
    const res = await app.request('http://scheduler.internal/v1/events', {
      headers: { Host: 'scheduler.internal', 'X-Hasura-Admin-Secret': 's3cret' },
    });
    expect(res.status).toBe(200);
  });
});

describe('every answer', () => {
  it('tells browsers not to sniff its type, errors and refusals included', async () => {
    const { app } = setup({ adminSecret: 's3cret' });
    for (const [path, status] of [
      ['/healthz', 200],
      ['/v1/events', 401],
      ['/nowhere', 401],
    ] as const) {
      const res = await app.request(path);
      expect([path, res.status, res.headers.get('x-content-type-options')]).toEqual([path, status, 'nosniff']);
    }
    const refused = await app.request('/healthz', { headers: { Origin: 'https://attacker.example' } });
    expect([refused.status, refused.headers.get('x-content-type-options')]).toEqual([403, 'nosniff']);
  });
});
