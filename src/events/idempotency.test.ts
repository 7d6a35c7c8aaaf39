import type { EventDefinition } from '../shared/event';
import { eventIdForIdempotencyKey, IDEMPOTENCY_KEY_NAMESPACE, jsonEqual, sameDefinition, uuidV5 } from './idempotency';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it("matches RFC 9562's test vector", () => {
    expect(uuidV5('www.example.com', DNS_NAMESPACE)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('hashes the name as UTF-8 (as Python uuid.uuid5 does)', () => {
    expect(uuidV5('héllo/ü', URL_NAMESPACE)).toBe('4316d3bc-489f-5385-a225-985e5204a684');
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(TypeError);
  });
});

describe('eventIdForIdempotencyKey', () => {
  it('is stable, and a version-5 UUID in the service namespace', () => {
    // Pinned: a change would give every key in flight a new event id (a retried create would schedule twice).
    expect(IDEMPOTENCY_KEY_NAMESPACE).toBe('776a09cd-2728-46a0-8050-821c253729fc');
    expect(eventIdForIdempotencyKey('order-42-reminder')).toBe(uuidV5('order-42-reminder', IDEMPOTENCY_KEY_NAMESPACE));
    expect(eventIdForIdempotencyKey('a')).not.toBe(eventIdForIdempotencyKey('b'));
  });
});

describe('jsonEqual', () => {
  it.each([
    [{ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [[1, 2], [2, 1], false],
    [{ a: 1 }, { a: 1, b: null }, false],
    [{ a: '1' }, { a: 1 }, false],
    [null, {}, false],
    [[], {}, false],
    [0.5, 0.5, true],
  ])('%j and %j: %s', (a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });
});

describe('sameDefinition', () => {
  const base: EventDefinition = {
    webhook: 'https://example.com',
    scheduledTime: '2030-01-01T00:00:00.000Z',
    payload: { a: 1, b: 2 },
    headers: [{ name: 'X', value: '1' }],
    retryConf: { numRetries: 0, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 21600 },
    comment: null,
  };

  it('compares only what the caller chose', () => {
    const event = { ...base, id: 'x', createdAt: 'y', status: 'delivered' as const, tries: 1, nextRetryAt: null };
    expect(sameDefinition(event, { ...base, payload: { b: 2, a: 1 } })).toBe(true);
    expect(sameDefinition(event, { ...base, comment: '' })).toBe(false);
    expect(sameDefinition(event, { ...base, headers: [] })).toBe(false);
    // The failure webhook is part of what was asked for: a repeat that adds or changes it is another event.
    expect(sameDefinition(event, { ...base, failureWebhook: 'https://example.com/failed' })).toBe(false);
    const withOne = { ...base, failureWebhook: 'https://example.com/failed' };
    expect(sameDefinition(withOne, { ...base, failureWebhook: 'https://example.com/failed' })).toBe(true);
    expect(sameDefinition(withOne, { ...base, failureWebhook: 'https://evil.example/f' })).toBe(false);
  });
});
