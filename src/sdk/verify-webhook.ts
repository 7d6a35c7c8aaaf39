/**
 * Verifying a webhook call on the receiving side, as the Standard Webhooks specification (standardwebhooks.com,
 * scheme `v1`) has it: the service signs `<webhook-id>.<webhook-timestamp>.<body>` with HMAC-SHA256 for each of its
 * secrets (WEBHOOK_SIGNING_SECRETS). The `standardwebhooks` npm package verifies the same calls; this needs nothing
 * but Web Crypto (global in Node 20).
 */
import {
  SIGNING_SECRET_PREFIX,
  type WebhookBody,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../shared/event';
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
  body: string | Uint8Array<ArrayBuffer>;
  /** How far `webhook-timestamp` may be from now, in seconds. (Default: 300) */
  toleranceSeconds?: number;
  /** The clock, in ms since the epoch. (Default: Date.now) */
  now?: () => number;
}

/**
 * The webhook body of a call whose signature matches one of `secrets` and whose timestamp is within tolerance;
 * a WebhookVerificationError otherwise (a TypeError for bad options: a secret that is not base64, no secret, a
 * tolerance that is not a number >= 0). Compare `webhook-id` with ids already handled to drop a repeated attempt.
 *
 * A signature proves the service sent the call, not that it was meant for this receiver: one set of secrets signs
 * every call, so a receiver can replay a call it got to another receiver within the tolerance (docs/security.md).
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookBody> {
  // The caller's own settings first, before any input is read: a bad one is a TypeError, not a refused call.
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError(`toleranceSeconds must be a number of seconds >= 0, got ${String(tolerance)}`);
  }
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets;
  if (secrets.length === 0) throw new TypeError('verifyWebhook needs at least one secret');
  const keys = secrets.map(keyOf);

  const id = header(options.headers, WEBHOOK_ID_HEADER);
  const timestamp = header(options.headers, WEBHOOK_TIMESTAMP_HEADER);
  const signature = header(options.headers, WEBHOOK_SIGNATURE_HEADER);
  if (id === undefined || timestamp === undefined || signature === undefined) {
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
  const skewSeconds = Math.abs((options.now ?? Date.now)() / 1000 - Number(timestamp));
  if (skewSeconds > tolerance) {
    throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s from now`);
  }

  const body = typeof options.body === 'string' ? new TextEncoder().encode(options.body) : options.body;
  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  // Tokens are space-separated; a header repeated and joined by the HTTP stack leaves a comma after a token (base64
  // never ends with one).
  const offered = signature
    .split(' ')
    .map((token) => token.replace(/,$/, ''))
    .filter((token) => token.startsWith('v1,'))
    .map((token) => token.slice(3));
  for (const key of keys) {
    const expected = await hmacBase64(key, signed);
    if (offered.some((token) => constantTimeEqual(token, expected))) {
      try {
        return JSON.parse(new TextDecoder().decode(body)) as WebhookBody;
      } catch {
        throw new WebhookVerificationError('the signed body is not JSON');
      }
    }
  }
  throw new WebhookVerificationError('no matching signature');
}

/** A header's value, whatever the case of its name; several values are joined with `, ` as HTTP does. */
function header(headers: VerifyWebhookOptions['headers'], name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const entries = Object.entries(headers as Record<string, string | readonly string[] | undefined>);
  const found = entries.find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof found === 'string' ? found : found?.join(', ');
}

/** The key bytes of a `whsec_…` secret (the prefix is optional); a TypeError when it is not standard base64. */
function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith(SIGNING_SECRET_PREFIX) ? secret.slice(SIGNING_SECRET_PREFIX.length) : secret;
  let text: string;
  try {
    text = atob(encoded);
  } catch {
    throw new TypeError('a webhook secret is "whsec_" and standard base64');
  }
  if (text === '') throw new TypeError('a webhook secret is "whsec_" and standard base64');
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

async function hmacBase64(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<string> {
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
