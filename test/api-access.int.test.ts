/** Authentication (docs/contract.md §5) and availability (docs/contract.md §4 errors) against the real Temporal client layer. */
import { createApp } from '../src/api/app';
import { createTemporalClient, TemporalEventScheduler } from '../src/temporal';
import { type Stack, startStack, webhookConfig } from './helpers/stack';

const create = {
  type: 'create_scheduled_event',
  args: { webhook: 'http://127.0.0.1:9/hook', schedule_at: '2030-01-01T00:00:00Z' },
};

describe('with an admin secret', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ adminSecret: 'let-me-in', withoutWorker: true });
  });
  afterAll(async () => stack?.stop());

  test('401 without it or with a wrong one; accepted as X-Hasura-Admin-Secret or Bearer', async () => {
    expect(await stack.post('/v1/metadata', create)).toEqual({
      status: 401,
      body: {
        path: '$',
        error: 'x-hasura-admin-secret/x-hasura-access-key required, but not found',
        code: 'access-denied',
      },
    });
    const wrong = await stack.post('/v1/metadata', create, { 'x-hasura-admin-secret': 'guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('access-denied');
    expect((await stack.post('/v1/metadata', create, { 'x-hasura-admin-secret': 'let-me-in' })).status).toBe(200);
    expect((await stack.post('/v1/query', create, { authorization: 'Bearer let-me-in' })).status).toBe(200);
    expect((await stack.request('GET', '/healthz')).status).toBe(200);
  });
});

test('503 quickly, never a crash, while Temporal is unreachable', async () => {
  // Port 9 (discard) on loopback: nothing listens there.
  const client = createTemporalClient({ address: '127.0.0.1:9', namespace: 'default' });
  const app = createApp({
    scheduler: new TemporalEventScheduler({ client, taskQueue: 'nowhere' }),
    webhookRules: webhookConfig().rules,
    logger: { warn: () => undefined, error: () => undefined },
  });
  for (const body of [create, { type: 'get_scheduled_events', args: { type: 'one_off' } }]) {
    const started = Date.now();
    const res = await app.request('/v1/metadata', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'unavailable', path: expect.any(String) });
  }
  const ready = await app.request('/readyz');
  expect(ready.status).toBe(503);
  await client.connection.close().catch(() => undefined);
});
