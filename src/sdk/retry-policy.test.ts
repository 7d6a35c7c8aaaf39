import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from './retry-policy';

describe('isRetryableStatus', () => {
  it.each([429, 502, 503, 504])('retries %i', (status) => expect(isRetryableStatus(status)).toBe(true));
  it.each([200, 400, 401, 404, 409, 413, 500, 501])('does not retry %i', (status) =>
    expect(isRetryableStatus(status)).toBe(false),
  );
});

describe('backoffDelayMs', () => {
  it('doubles the step per retry, with half of it random', () => {
    expect(backoffDelayMs(1, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelayMs(1, 500, 30_000, () => 0.999999)).toBe(500);
    expect(backoffDelayMs(2, 500, 30_000, () => 0)).toBe(500);
    expect(backoffDelayMs(3, 500, 30_000, () => 0.5)).toBe(1500);
  });

  it('caps the step at maxDelayMs', () => {
    expect(backoffDelayMs(20, 500, 4_000, () => 0)).toBe(2_000);
    expect(backoffDelayMs(20, 500, 4_000, () => 0.999999)).toBe(4_000);
  });

  it('stays within [step/2, step] for real randomness', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelayMs(2, 100, 10_000, Math.random);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date as the time until it', () => {
    expect(parseRetryAfterMs('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5_000);
  });

  it('floors a past date at 0', () => {
    expect(parseRetryAfterMs('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
  });

  it.each([null, '', '-1', '1.5', 'soon', '2030-01-01'])('ignores %p', (value) => {
    expect(parseRetryAfterMs(value, now)).toBeNull();
  });
});
