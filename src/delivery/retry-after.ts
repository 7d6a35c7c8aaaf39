/**
 * `Retry-After` (RFC 9110 §10.2.3): either delta-seconds or an HTTP-date. Hasura reads only a positive integer of
 * seconds; we also take the HTTP-date form (docs/contract.md §2), since servers that rate-limit often send one.
 */

const MS_PER_SECOND = 1000;

/** delta-seconds = 1*DIGIT. No sign, no fraction, no unit. */
const DELTA_SECONDS = /^\d+$/;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAME = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_NAME_LONG = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(?<hour>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})';

/**
 * The three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7), with the same group names so one reader serves
 * all three. Names are matched case-insensitively. Examples: `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate, what
 * servers send), `Sunday, 06-Nov-94 08:49:37 GMT` (rfc850), `Sun Nov  6 08:49:37 1994` (asctime).
 */
const HTTP_DATE_FORMATS: readonly RegExp[] = [
  new RegExp(`^${DAY_NAME}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`, 'i'),
  new RegExp(`^${DAY_NAME_LONG}, (?<day>\\d{2})-${MONTH}-(?<year>\\d{2}) ${TIME} GMT$`, 'i'),
  new RegExp(`^${DAY_NAME} ${MONTH} (?<day> \\d|\\d{2}) ${TIME} (?<year>\\d{4})$`, 'i'),
];

/**
 * RFC 9110 §5.6.7: a two-digit rfc850 year that looks more than this many years in the future means the most recent
 * past year with the same last two digits.
 */
const RFC850_FUTURE_YEARS = 50;

/** The full year for a matched year field: four digits as is, two digits by the rfc850 rule relative to now. */
function fullYear(yearField: string, nowMs: number): number {
  const year = Number(yearField);
  if (yearField.length === 4) return year;
  const nowYear = new Date(nowMs).getUTCFullYear();
  const candidate = nowYear - (nowYear % 100) + year;
  return candidate > nowYear + RFC850_FUTURE_YEARS ? candidate - 100 : candidate;
}

/** Parses one of the three HTTP-date forms into ms since the epoch; null when `value` is not a valid one. */
function parseHttpDate(value: string, nowMs: number): number | null {
  for (const format of HTTP_DATE_FORMATS) {
    const groups = format.exec(value)?.groups;
    if (groups === undefined) continue;
    // Every group is mandatory in every format, so a match has them all; '' only satisfies the type checker.
    const field = (name: string): string => groups[name] ?? '';
    const year = fullYear(field('year'), nowMs);
    const month = MONTHS.indexOf(field('month').toLowerCase());
    const day = Number(field('day').trim());
    const hour = Number(field('hour'));
    const minute = Number(field('minute'));
    // 60 allows a leap second, which Date cannot represent; Date.UTC reads it as the next minute's 00.
    const second = Number(field('second'));
    if (month < 0 || hour > 23 || minute > 59 || second > 60) return null;
    // Date.UTC rolls an out-of-range day over (31 Feb → 3 Mar): a changed day means the date does not exist.
    const midnight = new Date(Date.UTC(year, month, day));
    if (midnight.getUTCDate() !== day || midnight.getUTCMonth() !== month) return null;
    return Date.UTC(year, month, day, hour, minute, second);
  }
  return null;
}

/**
 * Parses a `Retry-After` header value into a delay.
 *
 * @param value the header value (surrounding whitespace ignored); null/undefined when the header is absent.
 * @param nowMs the current time in ms since the epoch, to turn an HTTP-date into a delay.
 * @returns the delay in whole seconds: delta-seconds as given; an HTTP-date as the seconds from `nowMs` until it,
 *   rounded up (so a retry never comes early) and floored at 0 for past dates. Null for anything else (a negative or
 *   fractional number, a malformed date, an empty value).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (DELTA_SECONDS.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds) ? seconds : null;
  }
  const dateMs = parseHttpDate(trimmed, nowMs);
  if (dateMs === null) return null;
  return Math.max(0, Math.ceil((dateMs - nowMs) / MS_PER_SECOND));
}
