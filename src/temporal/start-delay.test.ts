import { PREPARE_AHEAD_MS } from '../shared/event';
import { startDelayOf } from './start-delay';

describe('startDelayOf', () => {
  const now = Date.parse('2026-12-05T10:00:00Z');

  test('an event due later than the prepare window starts when its attempt is to be prepared', () => {
    expect(startDelayOf(now + 6 * 3600_000, now)).toEqual({ startDelay: 6 * 3600_000 - PREPARE_AHEAD_MS });
    expect(startDelayOf(now + PREPARE_AHEAD_MS + 1, now)).toEqual({ startDelay: 1 });
  });

  test('an event due within the window, now or in the past starts at once', () => {
    for (const dueInMs of [PREPARE_AHEAD_MS, 1000, 0, -60_000]) expect(startDelayOf(now + dueInMs, now)).toEqual({});
  });
});
