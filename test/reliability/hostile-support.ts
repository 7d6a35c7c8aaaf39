/**
 * Arbitraries (fast-check) and checks for hostile-input tests, shared by the unit test (fake scheduler) and the
 * integration test (real scheduler): strings with lone surrogates and control characters, extreme and invalid
 * timestamps, non-HTTP webhook schemes, header injection, and the invariants every API answer must keep.
 */
import fc from 'fast-check';

import { ERROR_STATUS } from '../../src/api/errors';
import type { EventDefinition } from '../../src/shared/event';

/** An API answer: status, parsed JSON body and the raw text. */
export interface Answer {
  status: number;
  body: any;
  text: string;
}

export const ERROR_CODES = Object.keys(ERROR_STATUS);

/**
 * The invariants of every answer: no 5xx, a status among `allowed`, and for an error exactly the contract's shape (docs/contract.md §4) with a
 * code that goes with the status.
 */
export function checkAnswer(answer: Answer, allowed: readonly number[], where: string): void {
  if (answer.status >= 500 || !allowed.includes(answer.status)) {
    throw new Error(
      `${where}: unexpected status ${answer.status} (allowed ${allowed.join(', ')}): ${answer.text.slice(0, 300)}`,
    );
  }
  if (answer.status < 400) return;
  const body = answer.body as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'path']);
  expect(typeof body.path).toBe('string');
  expect(body.path as string).toMatch(/^\$/);
  expect(typeof body.error).toBe('string');
  expect((body.error as string).length).toBeGreaterThan(0);
  expect(body.error as string).not.toMatch(/\n\s+at /);
  expect(ERROR_CODES).toContain(body.code);
  expect(ERROR_STATUS[body.code as keyof typeof ERROR_STATUS]).toBe(answer.status);
}

/** Whether `fetch` could send this header (what the worker does at delivery time). */
export function sendable(name: string, value: string): boolean {
  try {
    new Headers().append(name, value);
    return true;
  } catch {
    return false;
  }
}

export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What the contract (docs/contract.md) lets into an event: checked on everything either API accepted. */
export function checkAcceptedDefinition(definition: EventDefinition): void {
  if (!definition.webhook.includes('{{')) {
    expect(['http:', 'https:']).toContain(new URL(definition.webhook).protocol);
  }
  const due = Date.parse(definition.scheduledTime);
  expect(Number.isFinite(due)).toBe(true);
  expect(new Date(due).toISOString()).toBe(definition.scheduledTime);
  expect(new Date(due).getUTCFullYear()).toBeGreaterThanOrEqual(0);
  expect(new Date(due).getUTCFullYear()).toBeLessThanOrEqual(9999);
  for (const header of definition.headers) {
    expect(header.name).toMatch(HTTP_TOKEN);
    if ('value' in header) expect(header.value).not.toMatch(/[\r\n\0]/);
  }
  const { numRetries, retryIntervalSeconds, timeoutSeconds, toleranceSeconds } = definition.retryConf;
  expect(Number.isInteger(numRetries) && numRetries >= 0).toBe(true);
  expect(retryIntervalSeconds).toBeGreaterThanOrEqual(0);
  expect(timeoutSeconds).toBeGreaterThan(0);
  expect(toleranceSeconds).toBeGreaterThanOrEqual(0);
  for (const seconds of [retryIntervalSeconds, timeoutSeconds, toleranceSeconds]) {
    expect(Number.isFinite(seconds * 1000)).toBe(true);
  }
}

/** Any string, lone surrogates included. */
export const anyString = fc.string({ unit: 'binary', maxLength: 60 });
export const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\r\n',
  'a\r\nX-Injected: 1',
  '\0',
  '\u2028\u2029',
  '\ufeff',
  '\ud800',
  '\udfff\ud800',
  '💥',
  'null',
  '__proto__',
  'constructor',
  '{{',
  '}}',
  '{{X}}',
  '{{ }}',
  '%00',
  '../../etc/passwd',
  "'; DROP TABLE events; --",
  "ScheduledEventStatus = 'x' OR 1=1",
  '<script>alert(1)</script>',
  'x'.repeat(10_000),
);
export const hostileString = fc.oneof(anyString, nastyStrings);
export const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
export const hostileValue = fc.oneof(
  anyJson,
  hostileString,
  fc.constantFrom(1e308, -1e308, -0, 5e-324, 2 ** 53 + 1, -1, 0.5),
);

export const webhookArb = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    'file:///etc/passwd',
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'data:text/plain,hello',
    'ftp://example.com/x',
    'ws://example.com/',
    'gopher://example.com/',
    'mailto:a@example.com',
    'http:/example.com',
    'http://',
    '//example.com/x',
    'HTTPS://EXAMPLE.COM/X',
    'https://例え.テスト/パス?q=✓',
    'http://[::1]:8080/x',
    'http://127.0.0.1:99999/',
    'http://user:pass@example.com/',
    'http://example.com/\r\nX: y',
    'https://example.com/a b',
    '{{BASE}}/hook',
    '{{BASE/hook',
    '{{}}/hook',
    '{{HASURA_GRAPHQL_ADMIN_SECRET}}',
    'file:{{X}}',
  ),
  fc
    .tuple(
      fc.constantFrom('file', 'javascript', 'data', 'blob', 'about', 'chrome', 'vbscript', 'http', 'https'),
      anyString,
    )
    .map(([scheme, rest]) => `${scheme}:${rest}`),
  hostileValue,
);

/** A date and time from parts, many of them out of range, with or without a zone. */
export const timestampFromParts = fc
  .record({
    year: fc.integer({ min: -5, max: 12_000 }),
    month: fc.integer({ min: 0, max: 14 }),
    day: fc.integer({ min: 0, max: 33 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.option(fc.integer({ min: 0, max: 61 })),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,12}$/)),
    zone: fc.option(
      fc.oneof(
        fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+14:00', '-12:00', '+23:59', '+24:00', '+05:60', '+0530', '+05'),
        fc
          .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
          .map(([sign, h, m]) => `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
      ),
    ),
    separator: fc.constantFrom('T', 't', ' '),
  })
  .map((p) => ({
    parts: p,
    text:
      `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}` +
      `${p.separator}${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}` +
      (p.second === null ? '' : `:${String(p.second).padStart(2, '0')}${p.fraction === null ? '' : `.${p.fraction}`}`) +
      (p.zone ?? ''),
  }));

export const scheduleAtArb = fc.oneof(
  fc.date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) }).map((d) => d.toISOString()),
  fc.constantFrom(
    '9999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59-01:00',
    '0000-01-01T00:00:00Z',
    '0000-01-01T00:00:00+01:00',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z',
    '1900-01-01T00:00:00+00:00',
    '2024-02-29T12:00:00Z',
    '2023-02-29T12:00:00Z',
    '2016-12-31T23:59:60Z',
    '2024-01-01T00:00:00',
    '2024-01-01',
    '2024-01-01T00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '2024-01-01T00:00:00.1234567890123456789Z',
    '２０２４-01-01T00:00:00Z',
    ' 2024-01-01T00:00:00Z',
    '2024-01-01T00:00:00Z ',
    'now',
    '1e10',
  ),
  timestampFromParts.map((t) => t.text),
  hostileValue,
);

export const headerNameArb = fc.oneof(
  fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}$/),
  fc.constantFrom(
    'X-A\r\nX-B',
    'X A',
    'X:A',
    'X-Ä',
    'Ünïcödé',
    '',
    '\0',
    '(x)',
    'x\t',
    'Content-Type',
    'Idempotency-Key',
  ),
  anyString,
);
export const headerValueArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\0b', ' padded ', '\t', 'é', ''),
  anyString,
);
export const headerArb = fc.oneof(
  fc.record({ name: headerNameArb, value: headerValueArb }),
  fc.record({
    name: headerNameArb,
    value_from_env: fc.oneof(hostileString, fc.constantFrom('HASURA_GRAPHQL_ADMIN_SECRET', 'OK_VAR')),
  }),
  hostileValue,
);

export const retryConfArb = fc.oneof(
  fc.record(
    {
      num_retries: fc.oneof(fc.integer({ min: -3, max: 2000 }), hostileValue),
      retry_interval_seconds: fc.oneof(fc.double({ noNaN: true }), hostileValue),
      timeout_seconds: fc.oneof(fc.double({ noNaN: true }), hostileValue),
      tolerance_seconds: fc.oneof(fc.double({ noNaN: true }), hostileValue),
    },
    { requiredKeys: [] },
  ),
  hostileValue,
);

/** Create args whose every field is sometimes valid, sometimes hostile, with hostile extra keys. */
export const createArgsArb = fc
  .record(
    {
      webhook: fc.oneof(fc.constant('https://example.com/hook'), webhookArb),
      schedule_at: fc.oneof(fc.constant('2030-01-01T00:00:00Z'), scheduleAtArb),
      payload: hostileValue,
      headers: fc.oneof(fc.array(headerArb, { maxLength: 4 }), hostileValue),
      retry_conf: retryConfArb,
      comment: fc.oneof(hostileString, hostileValue),
      request_transform: fc.oneof(fc.constant(null), hostileValue),
    },
    { requiredKeys: [] },
  )
  .chain((args) => fc.dictionary(hostileString, hostileValue, { maxKeys: 3 }).map((extra) => ({ ...extra, ...args })));

/** Like createArgsArb, but `webhook` and `schedule_at` are always there (valid or hostile), so more events get in. */
export const createArgsWithTargetArb = fc
  .record({
    webhook: fc.oneof(fc.constant('https://example.com/hook'), webhookArb),
    schedule_at: fc.oneof(fc.constant('2030-01-01T00:00:00Z'), scheduleAtArb),
  })
  .chain((target) => createArgsArb.map((args) => ({ ...args, ...target })));

export const VALID = { webhook: 'https://example.com/hook', schedule_at: '2030-01-01T00:00:00Z' };

/** Nested arrays/objects `depth` deep, built as text (a recursive build would be the overflow we test for). */
export function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Percent-encodes a path segment; lone surrogates (which encodeURIComponent refuses) become U+FFFD first. */
export function encodePathSegment(text: string): string {
  return encodeURIComponent(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}
