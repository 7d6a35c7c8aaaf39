import { MIN_REDACTED_LENGTH, REDACTED, redactor } from './redact';

describe('redactor', () => {
  it('replaces every occurrence of a value', () => {
    const redact = redactor(['s3cr3t-token']);
    expect(redact('Bearer s3cr3t-token, again s3cr3t-token.')).toBe(`Bearer ${REDACTED}, again ${REDACTED}.`);
  });

  it('replaces values whatever their letter case (URL parsing lower-cases host names)', () => {
    const redact = redactor(['Tenant-AbC.Example']);
    expect(redact('getaddrinfo ENOTFOUND tenant-abc.example')).toBe(`getaddrinfo ENOTFOUND ${REDACTED}`);
    expect(redact('TENANT-ABC.EXAMPLE')).toBe(REDACTED);
  });

  it('replaces the percent-encoded forms of a value', () => {
    const value = 'p@ss w/rd?&ä';
    const redact = redactor([value]);
    expect(redact(`q=${encodeURIComponent(value)}`)).toBe(`q=${REDACTED}`);
    expect(redact(`path/${encodeURI(value)}`)).toBe(`path/${REDACTED}`);
    // Percent-encoding in lower-case hex digits is the same value.
    expect(redact(`q=${encodeURIComponent(value).toLowerCase()}`)).toBe(`q=${REDACTED}`);
    // As URL writes it in a query (space as %20, `&` left alone).
    expect(redact(new URL(`https://example.com/?q=${value}`).search)).toBe(`?q=${REDACTED}`);
  });

  it('replaces a value as the WHATWG URL parser percent-encodes it in a path, a query and a fragment', () => {
    // In a query URL encodes `'` (encodeURI does not); in a path it leaves `|` alone but encodes `"`.
    const quoted = "it's-a-secret";
    const piped = 'tok|en"value';
    const redact = redactor([quoted, piped]);
    expect(redact(new URL(`https://h/?t=${quoted}`).href)).toBe(`https://h/?t=${REDACTED}`);
    expect(redact(new URL(`https://h/${piped}`).href)).toBe(`https://h/${REDACTED}`);
    expect(redact(new URL(`https://h/#${piped}`).href)).toBe(`https://h/#${REDACTED}`);
  });

  it('replaces the longest value first, so a value that contains another is replaced whole', () => {
    const redact = redactor(['abcd', 'abcdefgh']);
    expect(redact('x abcdefgh y abcd z')).toBe(`x ${REDACTED} y ${REDACTED} z`);
    // Given the other way round, the same.
    expect(redactor(['abcdefgh', 'abcd'])('abcdefgh')).toBe(REDACTED);
  });

  it(`leaves values shorter than MIN_REDACTED_LENGTH (${MIN_REDACTED_LENGTH}) alone`, () => {
    const short = 'x'.repeat(MIN_REDACTED_LENGTH - 1);
    const long = 'y'.repeat(MIN_REDACTED_LENGTH);
    const redact = redactor([short, long, '']);
    expect(redact(`${short} ${long}`)).toBe(`${short} ${REDACTED}`);
    expect(redactor(['on', '80', ''])('connect ECONNREFUSED on port 80')).toBe('connect ECONNREFUSED on port 80');
  });

  it('returns text unchanged when there is nothing to redact', () => {
    expect(redactor([])('anything')).toBe('anything');
  });

  it('treats regular-expression metacharacters in values as plain text', () => {
    const values = ['a.b*c+d?', '(x|y)[z]', '^$\\{1}', 'back\\slash'];
    const redact = redactor(values);
    for (const value of values) expect(redact(`<${value}>`)).toBe(`<${REDACTED}>`);
    // Read as patterns, these would match text that is not the value.
    expect(redact('aXbbbcd')).toBe('aXbbbcd');
    expect(redact('x')).toBe('x');
    expect(redact('y[z]')).toBe('y[z]');
    expect(redact('')).toBe('');
  });

  it('does not recurse: the replacement is not redacted again', () => {
    const redact = redactor(['redacted']);
    expect(redact('redacted')).toBe(REDACTED);
    expect(redact(redact('redacted'))).toBe(`[${REDACTED}]`);
  });
});
