import { SchedulerUnavailableError } from '../shared/errors';
import { createApp } from './app';
import { MISSING_SECRET_MESSAGE, WRONG_SECRET_MESSAGE } from './auth';
import { FakeEventScheduler } from '../../test/doubles/fake-scheduler';
import { createTestApp } from '../../test/doubles/api';

const SECRET = 's3cret-admin-0123';
const createBody = {
  type: 'create_scheduled_event',
  args: { webhook: 'https://example.com/hook', schedule_at: '2024-06-01T10:00:00Z' },
};

describe('admin secret', () => {
  it('is required on every API call when configured', async () => {
    const { post, scheduler } = createTestApp({ adminSecret: SECRET });
    const res = await post('/v1/metadata', createBody);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ path: '$', code: 'access-denied', error: MISSING_SECRET_MESSAGE });
    expect(MISSING_SECRET_MESSAGE).toBe('x-hasura-admin-secret/x-hasura-access-key required, but not found');
    expect(scheduler.size).toBe(0);
    expect((await post('/v1/query', createBody)).status).toBe(401);
  });

  it('refuses a wrong secret', async () => {
    const { post } = createTestApp({ adminSecret: SECRET });
    const res = await post('/v1/metadata', createBody, { 'X-Hasura-Admin-Secret': 'guess' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ path: '$', code: 'access-denied', error: WRONG_SECRET_MESSAGE });
    expect(WRONG_SECRET_MESSAGE).toBe('invalid x-hasura-admin-secret/x-hasura-access-key');
    // A prefix of the secret, or the secret plus more, is just as wrong.
    expect((await post('/v1/metadata', createBody, { 'X-Hasura-Admin-Secret': SECRET.slice(0, 3) })).status).toBe(401);
    expect((await post('/v1/metadata', createBody, { 'X-Hasura-Admin-Secret': `${SECRET}x` })).status).toBe(401);
  });

  it.each([
    ['X-Hasura-Admin-Secret', SECRET],
    ['x-hasura-admin-secret', SECRET],
    ['X-Hasura-Access-Key', SECRET],
    ['Authorization', `Bearer ${SECRET}`],
    ['Authorization', `bearer ${SECRET}`],
  ])('accepts %s: %s', async (header, value) => {
    const { post } = createTestApp({ adminSecret: SECRET });
    const res = await post('/v1/metadata', createBody, { [header]: value });
    expect(res.status).toBe(200);
  });

  it('refuses a wrong bearer token, and treats another scheme as no credential', async () => {
    const { post } = createTestApp({ adminSecret: SECRET });
    const wrong = await post('/v1/metadata', createBody, { Authorization: 'Bearer nope' });
    expect(wrong.body).toMatchObject({ code: 'access-denied', error: WRONG_SECRET_MESSAGE });
    const basic = await post('/v1/metadata', createBody, {
      Authorization: `Basic ${Buffer.from(`a:${SECRET}`).toString('base64')}`,
    });
    expect(basic.body).toMatchObject({ code: 'access-denied', error: MISSING_SECRET_MESSAGE });
  });

  it('checks the secret before reading the body', async () => {
    const { post } = createTestApp({ adminSecret: SECRET });
    const res = await post('/v1/metadata', '{not json');
    expect(res.status).toBe(401);
  });

  it('leaves the probes and docs open', async () => {
    const { request } = createTestApp({ adminSecret: SECRET });
    expect((await request('/healthz')).status).toBe(200);
    expect((await request('/readyz')).status).toBe(200);
    expect((await request('/openapi.json')).status).toBe(200);
    expect((await request('/docs')).status).toBe(200);
  });

  it('guards unknown routes too, so they cannot be probed', async () => {
    const { request } = createTestApp({ adminSecret: SECRET });
    expect((await request('/v1/unknown')).status).toBe(401);
  });

  it('is off without a secret', async () => {
    const { post } = createTestApp();
    expect((await post('/v1/metadata', createBody)).status).toBe(200);
  });

  it('cannot be the empty string', () => {
    expect(() => createApp({ scheduler: new FakeEventScheduler(), adminSecret: '' })).toThrow(/must not be empty/);
  });
});

describe('probes', () => {
  it('/healthz is ok without asking the scheduler', async () => {
    const { request, scheduler } = createTestApp();
    scheduler.failWith = new SchedulerUnavailableError();
    const res = await request('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when Temporal answers and a worker polls', async () => {
    const { request } = createTestApp();
    const res = await request('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', temporal: true, worker: true });
  });

  it('/readyz is 503 with the detail when no worker polls', async () => {
    const { request, scheduler } = createTestApp();
    scheduler.readinessState = { temporal: true, worker: false };
    const res = await request('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', temporal: true, worker: false });
  });

  it('/readyz is 503 when asking fails', async () => {
    const { request, scheduler, logger } = createTestApp();
    scheduler.failWith = new SchedulerUnavailableError();
    const res = await request('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', temporal: false, worker: false });
    expect(logger.entries).toEqual([expect.objectContaining({ level: 'warn' })]);
  });
});

describe('unknown routes', () => {
  it('are 404 not-found in the error shape', async () => {
    const { request } = createTestApp();
    const res = await request('/v2/metadata', { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ path: '$', code: 'not-found', error: 'resource does not exist' });
  });

  it('include the wrong method on a known path', async () => {
    const { request } = createTestApp();
    const res = await request('/v1/metadata');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'not-found' });
  });
});
