import { MissingEnvVarError } from './errors';
import { defaultHeaders, loggedHeaders, resolveHeaders } from './resolve-headers';

const DEFAULTS = { userAgent: 'scheduled-events/0.1.0', idempotencyKey: 'event-1' };
const OURS = [
  { name: 'Content-Type', value: 'application/json' },
  { name: 'User-Agent', value: 'scheduled-events/0.1.0' },
  { name: 'Idempotency-Key', value: 'event-1' },
  { name: 'webhook-id', value: 'event-1' },
];

describe('defaultHeaders', () => {
  it('is Content-Type, User-Agent, Idempotency-Key and webhook-id', () => {
    expect(defaultHeaders(DEFAULTS)).toEqual(OURS);
  });
});

describe('resolveHeaders', () => {
  it('sends literal and env headers, then ours', () => {
    const resolved = resolveHeaders(
      [
        { name: 'header-key', value: 'header-value' },
        { name: 'Authorization', valueFromEnv: 'API_TOKEN' },
      ],
      { API_TOKEN: 'Bearer s3cret' },
      DEFAULTS,
    );
    expect(resolved.send).toEqual([
      { name: 'header-key', value: 'header-value' },
      { name: 'Authorization', value: 'Bearer s3cret' },
      ...OURS,
    ]);
  });

  it('logs env headers as references, never their values', () => {
    const resolved = resolveHeaders(
      [{ name: 'Authorization', valueFromEnv: 'API_TOKEN' }],
      { API_TOKEN: 's3cret' },
      DEFAULTS,
    );
    expect(resolved.logged).toEqual([{ name: 'Authorization', valueFromEnv: 'API_TOKEN' }, ...OURS]);
    expect(JSON.stringify(resolved.logged)).not.toContain('s3cret');
  });

  it('lets our headers replace configured ones of the same name, in any case', () => {
    const configured = [
      { name: 'content-type', value: 'text/plain' },
      { name: 'USER-AGENT', value: 'curl/8' },
      { name: 'Idempotency-key', valueFromEnv: 'UNSET_BUT_OVERRIDDEN' },
      { name: 'X-Custom', value: 'kept' },
    ];
    const resolved = resolveHeaders(configured, {}, DEFAULTS);
    expect(resolved.send).toEqual([{ name: 'X-Custom', value: 'kept' }, ...OURS]);
    expect(resolved.logged).toEqual([{ name: 'X-Custom', value: 'kept' }, ...OURS]);
  });

  it('throws MissingEnvVarError naming every unset variable once', () => {
    let caught: unknown;
    try {
      resolveHeaders(
        [
          { name: 'A', valueFromEnv: 'MISSING_A' },
          { name: 'B', valueFromEnv: 'SET_B' },
          { name: 'C', valueFromEnv: 'MISSING_C' },
          { name: 'D', valueFromEnv: 'MISSING_A' },
        ],
        { SET_B: 'b' },
        DEFAULTS,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingEnvVarError);
    expect((caught as MissingEnvVarError).missing).toEqual(['MISSING_A', 'MISSING_C']);
  });

  it('treats an empty env value as set', () => {
    expect(resolveHeaders([{ name: 'X-Empty', valueFromEnv: 'EMPTY' }], { EMPTY: '' }, DEFAULTS).send[0]).toEqual({
      name: 'X-Empty',
      value: '',
    });
  });
});

describe('loggedHeaders', () => {
  it('needs no env, so it can be logged when resolution fails', () => {
    expect(loggedHeaders([{ name: 'Authorization', valueFromEnv: 'NOT_SET' }], DEFAULTS)).toEqual([
      { name: 'Authorization', valueFromEnv: 'NOT_SET' },
      ...OURS,
    ]);
  });
});
