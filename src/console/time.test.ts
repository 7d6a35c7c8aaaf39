import { formatDuration, fromLocalInput, toLocalInput } from './time';

describe('console times', () => {
  it('reads back what it writes into a datetime-local input, to the second', () => {
    const date = new Date(2031, 0, 2, 10, 4, 5);
    expect(toLocalInput(date)).toBe('2031-01-02T10:04:05');
    expect(fromLocalInput(toLocalInput(date))?.getTime()).toBe(date.getTime());
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('tomorrow')).toBeUndefined();
  });

  it.each([
    [0, '0 ms'],
    [340, '340 ms'],
    [12_345, '12.3 s'],
    [302_000, '5 min 2 s'],
    [11_040_000, '3 h 4 min'],
    [-1500, '-1.5 s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
