import { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from './cursor';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('cursor', () => {
  it('round-trips a position, URL-safe', () => {
    const position = { scheduledTime: '2030-01-01T00:00:00.000Z', id: 'ü/?&=+' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('normalizes the time', () => {
    expect(decodeCursor(b64('{"scheduledTime":"2030-01-01T02:00:00+02:00","id":"a"}'))).toEqual({
      scheduledTime: '2030-01-01T00:00:00.000Z',
      id: 'a',
    });
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/'],
    ['not JSON', b64('nope')],
    ['not an object', b64('[1]')],
    ['no id', b64('{"scheduledTime":"2030-01-01T00:00:00Z"}')],
    ['an empty id', b64('{"scheduledTime":"2030-01-01T00:00:00Z","id":""}')],
    ['a bad time', b64('{"scheduledTime":"2030-13-01T00:00:00Z","id":"a"}')],
    ["a time that would break Temporal's query", b64(`{"scheduledTime":"' OR 1=1","id":"a"}`)],
    ['too long', 'A'.repeat(MAX_CURSOR_LENGTH + 1)],
  ])('refuses %s', (_what, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
