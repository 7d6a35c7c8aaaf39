import { toIsoTime, toWireCreate, toWirePatch } from './to-wire';

describe('toIsoTime', () => {
  it('sends a Date as UTC ISO and a string as given', () => {
    expect(toIsoTime(new Date(Date.UTC(2030, 0, 1, 9)), 'at')).toBe('2030-01-01T09:00:00.000Z');
    expect(toIsoTime('2030-01-01T10:00:00+01:00', 'at')).toBe('2030-01-01T10:00:00+01:00');
  });

  it('refuses an invalid Date and other types', () => {
    expect(() => toIsoTime(new Date('nope'), 'scheduleAt')).toThrow(new RangeError('scheduleAt is an invalid Date'));
    expect(() => toIsoTime(42 as unknown as Date, 'scheduleAt')).toThrow(TypeError);
  });
});

describe('toWireCreate', () => {
  it('maps every field to snake_case', () => {
    expect(
      toWireCreate({
        webhook: 'https://example.com/hook',
        scheduleAt: new Date('2030-01-01T09:00:00Z'),
        payload: { orderId: 42 },
        headers: [
          { name: 'X-Plain', value: 'v' },
          { name: 'X-Secret', valueFromEnv: 'HOOK_SECRET' },
        ],
        retryConf: { numRetries: 3, retryIntervalSeconds: 5, timeoutSeconds: 30, toleranceSeconds: 600 },
        comment: 'reminder',
      }),
    ).toEqual({
      webhook: 'https://example.com/hook',
      schedule_at: '2030-01-01T09:00:00.000Z',
      payload: { orderId: 42 },
      headers: [
        { name: 'X-Plain', value: 'v' },
        { name: 'X-Secret', value_from_env: 'HOOK_SECRET' },
      ],
      retry_conf: { num_retries: 3, retry_interval_seconds: 5, timeout_seconds: 30, tolerance_seconds: 600 },
      comment: 'reminder',
    });
  });

  it('leaves out what was not given, so server defaults apply', () => {
    expect(
      toWireCreate({ webhook: 'https://x.test', scheduleAt: '2030-01-01T00:00:00Z', retryConf: { numRetries: 1 } }),
    ).toEqual({
      webhook: 'https://x.test',
      schedule_at: '2030-01-01T00:00:00Z',
      retry_conf: { num_retries: 1 },
    });
  });

  it('keeps a null payload (it is a JSON value)', () => {
    expect(
      toWireCreate({ webhook: 'https://x.test', scheduleAt: '2030-01-01T00:00:00Z', payload: null }),
    ).toHaveProperty('payload', null);
  });
});

describe('toWirePatch', () => {
  it('sends only the fields present', () => {
    expect(toWirePatch({})).toEqual({});
    expect(toWirePatch({ scheduleAt: new Date('2030-01-02T00:00:00Z'), comment: undefined })).toEqual({
      schedule_at: '2030-01-02T00:00:00.000Z',
    });
  });

  it('maps every field, null comment and payload included', () => {
    expect(
      toWirePatch({
        payload: null,
        headers: [{ name: 'A', valueFromEnv: 'B' }],
        retryConf: { toleranceSeconds: 60 },
        comment: null,
        webhook: '{{BASE}}/hook',
      }),
    ).toEqual({
      payload: null,
      headers: [{ name: 'A', value_from_env: 'B' }],
      retry_conf: { tolerance_seconds: 60 },
      comment: null,
      webhook: '{{BASE}}/hook',
    });
  });
});
