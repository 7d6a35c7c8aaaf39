/**
 * ISO-8601 timestamps as `schedule_at` accepts them. Hasura parses `schedule_at` with aeson's `UTCTime` parser, which is
 * more lenient than RFC 3339, and users migrate with payloads that rely on it; so besides the RFC 3339 form
 * (`2024-01-01T10:00:00Z`, `2024-01-01T12:00:00.123456+02:00`) we accept what aeson does: a space instead of `T`,
 * minutes without seconds, offsets without a colon (`+0200`) or without minutes (`+02`), a space before the zone.
 * A timestamp without a zone is refused: it would be read in the server's timezone, which the caller cannot see.
 */

/** Result of reading a timestamp: the instant, or why there is none. */
export type TimestampParse = { ok: true; date: Date } | { ok: false; reason: 'no-timezone' | 'invalid' };

/** Longer input is not a timestamp; the bound keeps the regex work trivial. */
const MAX_TIMESTAMP_LENGTH = 64;

// date, time (seconds and fraction optional), then an optional zone; the zone is checked separately so that a
// timestamp without one gets its own message.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?: ?([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

const MS_PER_MINUTE = 60_000;

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0); // day 0 of the next month is the last day of this one
  return d.getUTCDate();
}

/** The zone's offset from UTC in minutes, or null when out of range. */
function offsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/**
 * Reads an ISO-8601 timestamp that carries a timezone. Fractions of a second beyond milliseconds are truncated, as
 * JavaScript dates hold milliseconds. Years are limited to 0000–9999 after conversion to UTC, the range
 * `Date#toISOString` writes in the plain four-digit form.
 */
export function parseTimestamp(text: string): TimestampParse {
  if (text.length > MAX_TIMESTAMP_LENGTH) return { ok: false, reason: 'invalid' };
  const match = TIMESTAMP.exec(text);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: 'invalid' };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, reason: 'invalid' };
  if (zone === undefined) return { ok: false, reason: 'no-timezone' };
  const offset = offsetMinutes(zone);
  if (offset === null) return { ok: false, reason: 'invalid' };
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, millis);
  const date = new Date(local.getTime() - offset * MS_PER_MINUTE);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return { ok: false, reason: 'invalid' };
  return { ok: true, date };
}
