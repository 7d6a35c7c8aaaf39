import { lookupEnv } from './env';

describe('lookupEnv', () => {
  it('returns set values, including the empty string', () => {
    expect(lookupEnv({ A: 'x', B: '' }, 'A')).toBe('x');
    expect(lookupEnv({ A: 'x', B: '' }, 'B')).toBe('');
  });

  it('treats unset and undefined as missing', () => {
    expect(lookupEnv({ A: undefined }, 'A')).toBeUndefined();
    expect(lookupEnv({}, 'A')).toBeUndefined();
  });

  it('ignores inherited properties of a plain-object env', () => {
    expect(lookupEnv({}, 'constructor')).toBeUndefined();
    expect(lookupEnv({}, 'toString')).toBeUndefined();
  });
});
