import type { FetchLike } from './keep-alive-fetch';
import { warmUpWebhookPath } from './warm-up';

describe('warmUpWebhookPath', () => {
  it('makes one real call through the default client to a receiver it starts itself', async () => {
    const record = await warmUpWebhookPath({ env: {}, userAgent: 'scheduled-events/test' });
    expect(record).toMatchObject({ success: true, status: 200, eventId: 'warm-up' });
  });

  it('goes through the client it is given, with the same request a real attempt makes', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fetch: FetchLike = async (url, init) => {
      seen.push({ url, init });
      return new Response('fine', { status: 200 });
    };
    const record = await warmUpWebhookPath({ env: {}, userAgent: 'scheduled-events/test', fetch });
    expect(record.success).toBe(true);
    expect(seen).toHaveLength(1);
    const [{ url, init }] = seen as [(typeof seen)[number]];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('user-agent')).toBe('scheduled-events/test');
  });

  it('reports a broken path in its record instead of throwing', async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError('fetch failed');
    };
    const record = await warmUpWebhookPath({ env: {}, userAgent: 'scheduled-events/test', fetch });
    expect(record).toMatchObject({ success: false, status: null });
  });
});
