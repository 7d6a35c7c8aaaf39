/**
 * Signed webhooks, as the Standard Webhooks specification (standardwebhooks.com, scheme `v1`) has them, so receivers
 * verify with a library they already trust (`standardwebhooks` on npm, or the SDK's `verifyWebhook`):
 *
 * - `webhook-id`: the event id, the same on every attempt (receivers drop duplicates on it);
 * - `webhook-timestamp`: when this attempt was sent, in whole seconds since the epoch (receivers refuse old ones);
 * - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` for each key, space-separated, so that
 *   a receiver holding either the old or the new secret accepts calls during a rotation.
 *
 * The body signed is the exact string sent. Secrets are `whsec_` and the base64 of 24 to 64 random bytes.
 */
import { createHmac } from 'node:crypto';
import {
  SIGNING_SECRET_PREFIX,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../shared/event';

// The three headers; configured headers of these names are replaced by ours (src/delivery/resolve-headers.ts).
export { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER };
/** Key sizes the specification allows, in bytes. */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
/** Standard base64, padded: the form the specification's libraries accept. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** An HMAC key, from a `whsec_…` secret. */
export type SigningKey = Buffer;

/**
 * The key of a `whsec_…` secret; a RangeError saying what is wrong otherwise. The message never repeats the secret.
 */
export function parseSigningSecret(secret: string): SigningKey {
  if (!secret.startsWith(SIGNING_SECRET_PREFIX))
    throw new RangeError(`a signing secret starts with "${SIGNING_SECRET_PREFIX}"`);
  const encoded = secret.slice(SIGNING_SECRET_PREFIX.length);
  if (!BASE64.test(encoded))
    throw new RangeError(`a signing secret is "${SIGNING_SECRET_PREFIX}" and standard, padded base64`);
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new RangeError(`a signing secret's key is ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} bytes (got ${key.length})`);
  }
  return key;
}

/** A new secret of 32 random bytes, in the `whsec_…` form. */
export function newSigningSecret(randomBytes: (size: number) => Buffer): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The `webhook-signature` value of one call: a `v1` token per key, space-separated. */
export function webhookSignature(
  keys: readonly SigningKey[],
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const content = `${id}.${timestampSeconds}.${body}`;
  return keys.map((key) => `v1,${createHmac('sha256', key).update(content).digest('base64')}`).join(' ');
}
