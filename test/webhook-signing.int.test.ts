/**
 * Signed webhooks (Standard Webhooks, docs/security.md) on the real stack: a worker with two secrets (a rotation)
 * calls a local receiver, which verifies every call on the raw body twice: with the SDK's `verifyWebhook`, and with
 * the `standardwebhooks` npm package, as a receiver that never heard of us would. A retry keeps
 * `webhook-id` and gets a new timestamp and signature; a worker without secrets sends no signature.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError } from '../src/sdk';
import { type Receiver, startReceiver } from './helpers/receiver';
import { createIsolatedNamespace, type Stack, startEventWorker, startStack } from './helpers/stack';

const OLD_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const NEW_SECRET = `whsec_${Buffer.alloc(48, 2).toString('base64')}`;

let receiver: Receiver;
let signed: Stack;
let unsigned: Stack;

beforeAll(async () => {
  receiver = await startReceiver();
  const namespace = await createIsolatedNamespace(`signing-${randomUUID().slice(0, 8)}`);
  [signed, unsigned] = await Promise.all([
    startStack({ namespace, signingSecrets: [NEW_SECRET, OLD_SECRET] }),
    startStack({ namespace }),
  ]);
});

afterAll(async () => {
  await Promise.all([signed?.stop(), unsigned?.stop()]);
  await receiver?.close();
});

/** The headers as the `standardwebhooks` package takes them. */
const plain = (headers: Record<string, string | string[] | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));

const schedule = async (stack: Stack, path: string, retryConf: Record<string, number> = {}) => {
  const res = await stack.post('/v1/events', {
    webhook: receiver.url(path),
    schedule_at: new Date(Date.now() + 500).toISOString(),
    payload: { path },
    retry_conf: { num_retries: 1, retry_interval_seconds: 1, ...retryConf },
  });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
};

test('every call is signed with every secret over the body as sent; a retry keeps its id and is signed again', async () => {
  receiver.respond('/signed', [{ status: 500 }, { status: 200 }]);
  const id = await schedule(signed, '/signed');
  await signed.waitForEvent(id, (e) => e.status === 'delivered');
  const [first, second] = receiver.requestsTo('/signed');
  for (const call of [first!, second!]) {
    // Either secret alone verifies it: receivers on the old or the new secret both accept it.
    for (const secret of [OLD_SECRET, NEW_SECRET]) {
      const body = await verifyWebhook({ secrets: secret, headers: call.headers, body: call.rawBody });
      expect(body).toMatchObject({ id, payload: { path: '/signed' } });
      expect(new Webhook(secret).verify(call.rawBody, plain(call.headers))).toMatchObject({ id });
    }
    expect((call.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(call.headers['webhook-id']).toBe(id);
  }
  expect(Number(second!.headers['webhook-timestamp'])).toBeGreaterThan(Number(first!.headers['webhook-timestamp']));
  expect(second!.headers['webhook-signature']).not.toBe(first!.headers['webhook-signature']);
  // A receiver with another secret refuses it.
  const stranger = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
  await expect(
    verifyWebhook({ secrets: stranger, headers: first!.headers, body: first!.rawBody }),
  ).rejects.toBeInstanceOf(WebhookVerificationError);
  expect(() => new Webhook(stranger).verify(first!.rawBody, plain(first!.headers))).toThrow();
  // A byte changed in the body fails too.
  expect(() => new Webhook(NEW_SECRET).verify(`${first!.rawBody} `, plain(first!.headers))).toThrow();
  // The invocation log shows what was sent, stamp and signature included.
  const log = await signed.request('GET', `/v1/events/${id}/invocations`);
  const headers = (log.body as { invocations: { request: { headers: { name: string; value?: string }[] } }[] })
    .invocations[0]!.request.headers;
  expect(headers.map((h) => h.name)).toEqual(
    expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']),
  );
});

test('without secrets a call carries webhook-id and webhook-timestamp but no signature', async () => {
  const id = await schedule(unsigned, '/unsigned', { num_retries: 0 });
  await unsigned.waitForEvent(id, (e) => e.status === 'delivered');
  const [call] = receiver.requestsTo('/unsigned');
  expect(call!.headers['webhook-id']).toBe(id);
  expect(call!.headers['webhook-timestamp']).toMatch(/^\d+$/);
  expect(call!.headers['webhook-signature']).toBeUndefined();
});

test('a new secret takes effect at a worker restart, and events already sleeping are signed with it', async () => {
  const namespace = await createIsolatedNamespace(`rotate-${randomUUID().slice(0, 8)}`);
  const rotating = await startStack({ namespace, signingSecrets: [OLD_SECRET] });
  try {
    // Created while the old secret signs, due after the restart.
    const res = await rotating.post('/v1/events', {
      webhook: receiver.url('/rotated'),
      schedule_at: new Date(Date.now() + 4_000).toISOString(),
    });
    const id = (res.body as { id: string }).id;
    await rotating.worker!.stop();
    const restarted = await startEventWorker(rotating.taskQueue, { namespace, signingSecrets: [NEW_SECRET] });
    try {
      await rotating.waitForEvent(id, (e) => e.status === 'delivered');
    } finally {
      await restarted.stop();
    }
    const [call] = receiver.requestsTo('/rotated');
    await expect(
      verifyWebhook({ secrets: NEW_SECRET, headers: call!.headers, body: call!.rawBody }),
    ).resolves.toMatchObject({ id });
    await expect(
      verifyWebhook({ secrets: OLD_SECRET, headers: call!.headers, body: call!.rawBody }),
    ).rejects.toBeInstanceOf(WebhookVerificationError);
    expect(new Webhook(NEW_SECRET).verify(call!.rawBody, plain(call!.headers))).toMatchObject({ id });
    expect(() => new Webhook(OLD_SECRET).verify(call!.rawBody, plain(call!.headers))).toThrow();
  } finally {
    await rotating.stop();
  }
});
