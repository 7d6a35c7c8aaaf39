import { parseRetryAfter } from './retry-after';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7);
  });

  it('is null when absent or empty', () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
  });

  it('rejects negative, fractional, signed, unit-suffixed and huge numbers', () => {
    for (const value of ['-1', '1.5', '+3', '10s', '1e3', '99999999999999999999']) {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    }
  });

  it('reads an IMF-fixdate as seconds from now', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:02:00 GMT', NOW)).toBe(120);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30);
  });

  it('rounds a date up, so a retry is never early', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:00:10 GMT', NOW + 300)).toBe(10);
  });

  it('floors past dates at 0', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('reads the obsolete rfc850 and asctime forms', () => {
    expect(parseRetryAfter('Sunday, 01-Jun-25 12:01:00 GMT', NOW)).toBe(60);
    expect(parseRetryAfter('Sun Jun  1 12:01:00 2025', NOW)).toBe(60);
    expect(parseRetryAfter('Sun Jun 01 12:01:00 2025', NOW)).toBe(60);
  });

  it('reads a two-digit rfc850 year more than 50 years ahead as last century', () => {
    // "99" from 2025 would be 2099, more than 50 years ahead: it means 1999, long past.
    expect(parseRetryAfter('Friday, 31-Dec-99 23:59:59 GMT', NOW)).toBe(0);
  });

  it('rejects anything else, including strings Date.parse would accept', () => {
    for (const value of [
      '2025-06-01T12:02:00Z',
      'tomorrow',
      '2025-06-01',
      'Sun, 01 Jun 2025 12:02:00',
      'Sun, 01 Jun 2025 12:02:00 UTC',
      'Sun, 31 Feb 2025 12:02:00 GMT',
      'Sun, 01 Jun 2025 25:02:00 GMT',
      'Sun, 1 Jun 2025 12:02:00 GMT',
    ]) {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    }
  });
});
