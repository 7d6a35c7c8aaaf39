import { createHmac } from 'node:crypto';
import { newSigningSecret, parseSigningSecret, webhookSignature } from './signature';

/** The specification's own test vector (its JavaScript, Go, C# and Java libraries assert it). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhookSignature', () => {
  it("gives the Standard Webhooks test vector's signature", () => {
    const key = parseSigningSecret(VECTOR.secret);
    expect(webhookSignature([key], VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('signs with every key during a rotation, one space-separated token each', () => {
    const keys = [parseSigningSecret(VECTOR.secret), parseSigningSecret(newSigningSecret(() => Buffer.alloc(32, 7)))];
    const tokens = webhookSignature(keys, 'evt-1', 1700000000, '{"a":1}').split(' ');
    expect(tokens).toHaveLength(2);
    tokens.forEach((token, i) => {
      const mac = createHmac('sha256', keys[i]!).update('evt-1.1700000000.{"a":1}').digest('base64');
      expect(token).toBe(`v1,${mac}`);
    });
  });
});

describe('parseSigningSecret', () => {
  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'starts with "whsec_"'],
    ['URL-safe base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-_', 'padded base64'],
    ['a key of 16 bytes', `whsec_${Buffer.alloc(16).toString('base64')}`, '24 to 64 bytes (got 16)'],
    ['a key of 65 bytes', `whsec_${Buffer.alloc(65).toString('base64')}`, '24 to 64 bytes (got 65)'],
  ])('refuses %s, without repeating the secret', (_label, secret, message) => {
    expect(() => parseSigningSecret(secret)).toThrow(message);
    try {
      parseSigningSecret(secret);
    } catch (err) {
      expect((err as Error).message).not.toContain(secret.slice(6, 20));
    }
  });

  it('makes new secrets it accepts: whsec_ and 32 random bytes', () => {
    const secret = newSigningSecret(() => Buffer.alloc(32, 1));
    expect(parseSigningSecret(secret)).toEqual(Buffer.alloc(32, 1));
  });
});
