import { createHmac } from 'node:crypto';
import { verifyWebhook, WebhookVerificationError } from './verify-webhook';

/** The Standard Webhooks specification's test vector. */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const at = (seconds: number) => () => seconds * 1000;
const headers = (overrides: Record<string, string> = {}) => ({
  'webhook-id': ID,
  'webhook-timestamp': String(TIMESTAMP),
  'webhook-signature': SIGNATURE,
  ...overrides,
});

describe('verifyWebhook', () => {
  it("accepts the specification's test vector, from a plain object or a Headers, as a string or bytes", async () => {
    expect(await verifyWebhook({ secrets: SECRET, headers: headers(), body: BODY, now: at(TIMESTAMP) })).toEqual({
      test: 2432232314,
    });
    const body = new TextEncoder().encode(BODY);
    await expect(
      verifyWebhook({ secrets: SECRET, headers: new Headers(headers()), body, now: at(TIMESTAMP + 299) }),
    ).resolves.toEqual({ test: 2432232314 });
  });

  it('accepts a call signed by any of several secrets, and any of several signatures (a rotation)', async () => {
    const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const otherMac = createHmac('sha256', Buffer.alloc(32, 9)).update(`${ID}.${TIMESTAMP}.${BODY}`).digest('base64');
    const both = headers({ 'webhook-signature': `v1,${otherMac} ${SIGNATURE}` });
    await expect(
      verifyWebhook({ secrets: [other], headers: both, body: BODY, now: at(TIMESTAMP) }),
    ).resolves.toBeDefined();
    await expect(
      verifyWebhook({ secrets: [other, SECRET], headers: headers(), body: BODY, now: at(TIMESTAMP) }),
    ).resolves.toBeDefined();
  });

  it.each([
    ['a body changed by a byte (re-serialised JSON)', {}, '{"test":2432232314}', TIMESTAMP, 'no matching signature'],
    ['another id', { 'webhook-id': 'msg_other' }, BODY, TIMESTAMP, 'no matching signature'],
    [
      'a signature of another scheme',
      { 'webhook-signature': SIGNATURE.replace('v1,', 'v1a,') },
      BODY,
      TIMESTAMP,
      'no matching signature',
    ],
    ['a timestamp too old', {}, BODY, TIMESTAMP + 301, 'more than 300 s'],
    ['a timestamp too new', {}, BODY, TIMESTAMP - 301, 'more than 300 s'],
    ['a timestamp in ms', { 'webhook-timestamp': `${TIMESTAMP}000` }, BODY, TIMESTAMP, 'not a number of seconds'],
    ['no signature', { 'webhook-signature': undefined as unknown as string }, BODY, TIMESTAMP, 'missing'],
  ])('refuses %s', async (_label, overrides, body, nowSeconds, message) => {
    const given = Object.fromEntries(Object.entries(headers(overrides)).filter(([, v]) => v !== undefined));
    const check = verifyWebhook({ secrets: SECRET, headers: given, body, now: at(nowSeconds) });
    await expect(check).rejects.toBeInstanceOf(WebhookVerificationError);
    await expect(check).rejects.toThrow(message);
  });

  it('reads headers in any case, and a signature header repeated and joined by the HTTP stack', async () => {
    const upper = { 'Webhook-Id': ID, 'WEBHOOK-TIMESTAMP': String(TIMESTAMP), 'Webhook-Signature': SIGNATURE };
    await expect(
      verifyWebhook({ secrets: SECRET, headers: upper, body: BODY, now: at(TIMESTAMP) }),
    ).resolves.toBeDefined();
    const joined = new Headers(headers({ 'webhook-signature': 'v1,AAAA' }));
    joined.append('webhook-signature', SIGNATURE);
    await expect(
      verifyWebhook({ secrets: SECRET, headers: joined, body: BODY, now: at(TIMESTAMP) }),
    ).resolves.toBeDefined();
    const asArray = { ...headers(), 'webhook-signature': ['v1,AAAA', SIGNATURE] };
    await expect(
      verifyWebhook({ secrets: SECRET, headers: asArray, body: BODY, now: at(TIMESTAMP) }),
    ).resolves.toBeDefined();
  });

  it('refuses a signed body that is not JSON as a verification error', async () => {
    const body = 'not json';
    const mac = createHmac('sha256', Buffer.from(SECRET.slice(6), 'base64'))
      .update(`${ID}.${TIMESTAMP}.${body}`)
      .digest('base64');
    const check = verifyWebhook({
      secrets: SECRET,
      headers: headers({ 'webhook-signature': `v1,${mac}` }),
      body,
      now: at(TIMESTAMP),
    });
    await expect(check).rejects.toThrow(new WebhookVerificationError('the signed body is not JSON'));
  });

  it.each([
    ['a tolerance that is not a number', { toleranceSeconds: Number.NaN }],
    ['a negative tolerance', { toleranceSeconds: -1 }],
    ['a secret that is not base64', { secrets: ['whsec_not-base64!', SECRET] }],
    ['an empty secret', { secrets: 'whsec_' }],
    ['no secret', { secrets: [] }],
  ])('refuses %s as a TypeError, before reading the call', async (_label, options) => {
    const check = verifyWebhook({ secrets: SECRET, headers: headers(), body: BODY, now: at(TIMESTAMP), ...options });
    await expect(check).rejects.toBeInstanceOf(TypeError);
  });
});
