/**
 * Verifying a webhook call on the receiving side, as the Standard Webhooks specification (standardwebhooks.com,
 * scheme `v1`) has it: the service signs `<webhook-id>.<webhook-timestamp>.<body>` with HMAC-SHA256 for each of its
 * secrets (WEBHOOK_SIGNING_SECRETS). The `standardwebhooks` npm package verifies the same calls; this needs nothing
 * but Web Crypto (global in Node 20).
 */
import type { WebhookBody } from '../shared/event';
import { ScheduledEventsError } from './errors';

/** How far `webhook-timestamp` may be from now, in seconds; the specification's libraries all use 5 minutes. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/** A call that is not proven to come from the service: do not act on it. */
export class WebhookVerificationError extends ScheduledEventsError {
  constructor(message: string) {
    super(message, { status: null, code: 'webhook-verification', path: null });
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyWebhookOptions {
  /** The secret (`whsec_…`), or several during a rotation: a call signed by any of them passes. */
  secrets: string | readonly string[];
  /** The request's headers: a `Headers` object or a plain object (Node's `req.headers`). */
  headers: Headers | Record<string, string | readonly string[] | undefined>;
  /** The raw body exactly as received, before any JSON parsing (a string is taken as its UTF-8 bytes). */
  body: string | Uint8Array;
  /** How far `webhook-timestamp` may be from now, in seconds. (Default: 300) */
  toleranceSeconds?: number;
  /** The clock, in ms since the epoch. (Default: Date.now) */
  now?: () => number;
}

/**
 * The webhook body of a call whose signature matches one of `secrets` and whose timestamp is within tolerance;
 * a WebhookVerificationError otherwise. Compare `webhook-id` with ids already handled to drop a repeated attempt.
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookBody> {
  const header = (name: string): string | undefined => {
    const { headers } = options;
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
    return typeof value === 'string' ? value : value?.[0];
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signature = header('webhook-signature');
  if (id === undefined || timestamp === undefined || signature === undefined) {
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
  const skewSeconds = Math.abs((options.now ?? Date.now)() / 1000 - Number(timestamp));
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (skewSeconds > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s from now`);
  }

  const body = typeof options.body === 'string' ? new TextEncoder().encode(options.body) : options.body;
  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  const offered = signature
    .split(' ')
    .filter((token) => token.startsWith('v1,'))
    .map((token) => token.slice(3));
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets;
  for (const secret of secrets) {
    const expected = await hmacBase64(keyOf(secret), signed);
    if (offered.some((token) => constantTimeEqual(token, expected))) {
      return JSON.parse(new TextDecoder().decode(body)) as WebhookBody;
    }
  }
  throw new WebhookVerificationError('no matching signature');
}

/** The key bytes of a `whsec_…` secret. */
function keyOf(secret: string): Uint8Array {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (encoded === '') throw new RangeError('empty webhook secret');
  return Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
}

async function hmacBase64(key: Uint8Array, data: Uint8Array): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, data));
  return btoa(String.fromCharCode(...mac));
}

/** String equality whose time does not depend on where the strings differ. */
function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a.charCodeAt(i) || 0) ^ b.charCodeAt(i);
  return difference === 0;
}
