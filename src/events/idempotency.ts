/**
 * Idempotent creates (`POST /v1/events` with an `Idempotency-Key` header, docs/contract.md §7).
 *
 * The key is turned into the event id, deterministically, so that the second create with a key asks Temporal to start
 * a workflow whose id is already taken, which Temporal refuses atomically: no lookup table, and no window in which two
 * concurrent repeats could both create. The service then compares the two definitions (`sameDefinition`).
 */
import { createHash } from 'node:crypto';
import type { EventDefinition } from '../shared/event';

/** The request header that carries the key (its name also appears in the service's messages). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The 409 of a key reused with another body. */
export function idempotencyConflictMessage(key: string, eventId: string): string {
  return (
    `${IDEMPOTENCY_KEY_HEADER} ${JSON.stringify(key)} was already used for event ${eventId} with a different body ` +
    '(or that event has been changed since); use a new key for a new event'
  );
}

/** The 409 of a key whose event was deleted: the id stays reserved, so the key cannot be used again. */
export function idempotencyDeletedMessage(key: string): string {
  return `${IDEMPOTENCY_KEY_HEADER} ${JSON.stringify(key)} was used for an event that has since been deleted; use a new key`;
}

/**
 * The namespace of event ids derived from idempotency keys: a random UUID fixed once for this service. Changing it
 * would make every key in flight map to a new id (a retried create would schedule a second event), so it never
 * changes.
 */
export const IDEMPOTENCY_KEY_NAMESPACE = '776a09cd-2728-46a0-8050-821c253729fc';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 over the namespace's 16 bytes followed by the name's UTF-8
 * bytes, the first 16 bytes of the digest kept, with the version (5) and variant (0b10) bits set.
 * (SHA-1 is what the RFC specifies; the id needs to be stable and well spread, not secret.)
 *
 * @throws TypeError when `namespace` is not a UUID.
 */
export function uuidV5(name: string, namespace: string): string {
  if (!UUID.test(namespace)) throw new TypeError(`namespace must be a UUID, got ${namespace}`);
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5 in the high nibble of byte 6
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC variant in the two high bits of byte 8
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The event id an idempotency key stands for. */
export function eventIdForIdempotencyKey(key: string): string {
  return uuidV5(key, IDEMPOTENCY_KEY_NAMESPACE);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether two JSON values are equal as JSON: object key order is ignored (and an `undefined` property counts as
 * absent, as it would be once serialized); array order matters.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keysOf = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const aKeys = keysOf(a);
  const bKeys = keysOf(b);
  return aKeys.length === bKeys.length && aKeys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/** The caller-chosen part of an event (what a create asked for), without what the service added. */
export function definitionOf(event: EventDefinition): EventDefinition {
  const { webhook, scheduledTime, payload, headers, retryConf, comment, failureWebhook } = event;
  return {
    webhook,
    scheduledTime,
    payload,
    headers,
    retryConf,
    comment,
    ...(failureWebhook === undefined ? {} : { failureWebhook }),
  };
}

/**
 * Whether a repeated create asks for the same event as the first. Both sides are normalized definitions (defaults
 * filled in, `schedule_at` in UTC), so `"2024-01-01T12:00:00+02:00"` and `"2024-01-01T10:00:00Z"` are the same
 * request, and so are a body that spells out a default and one that leaves it out.
 */
export function sameDefinition(a: EventDefinition, b: EventDefinition): boolean {
  return jsonEqual(definitionOf(a), definitionOf(b));
}
