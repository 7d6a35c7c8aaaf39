import type { FetchLike } from './keep-alive-fetch';
import { warmUpWebhookPath } from './warm-up';

const deps = { env: {}, userAgent: 'scheduled-events/test' };

describe('warmUpWebhookPath', () => {
  it('makes real calls through the default client to a receiver it starts itself', async () => {
    await expect(warmUpWebhookPath(deps, 300)).resolves.toEqual({ calls: 300, failure: null });
  });

  it('goes through the client it is given, with the request a real attempt makes, many calls at once', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const fetch: FetchLike = async (url, init) => {
      seen.push({ url, init });
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return new Response('fine', { status: 200 });
    };
    await expect(warmUpWebhookPath({ ...deps, fetch }, 260)).resolves.toEqual({ calls: 260, failure: null });
    expect(seen).toHaveLength(260);
    // A burst's shape: the first round's calls are all in flight together.
    expect(mostInFlight).toBe(250);
    const [{ url, init }] = seen as [(typeof seen)[number]];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('user-agent')).toBe('scheduled-events/test');
  });

  it('reports a broken path instead of throwing, and stops after the first round that failed', async () => {
    let calls = 0;
    const fetch: FetchLike = async () => {
      calls += 1;
      throw new TypeError('fetch failed');
    };
    const result = await warmUpWebhookPath({ ...deps, fetch }, 1000);
    expect(result.calls).toBe(250);
    expect(calls).toBe(250);
    expect(result.failure).toMatchObject({ success: false, status: null, eventId: 'warm-up' });
  });

  it('makes no call when asked for none', async () => {
    const fetch: FetchLike = async () => {
      throw new Error('no call expected');
    };
    await expect(warmUpWebhookPath({ ...deps, fetch }, 0)).resolves.toEqual({ calls: 0, failure: null });
  });
});
