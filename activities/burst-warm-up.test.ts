import { BurstWarmUp } from './burst-warm-up';
import { HeldAttempts } from './held-attempts';

/** A registry whose holds feed a BurstWarmUp, as the worker wires them (src/worker.ts), and the warm-ups it ran. */
function wired(minAttempts = 3) {
  const warmedAt: number[] = [];
  const warmUps = new BurstWarmUp({
    warm: () => {
      warmedAt.push(Date.now());
      return Promise.resolve();
    },
    dueTogether: (dueMs) => held.dueNear(dueMs + 450, 450),
    minAttempts,
    intervalMs: 15_000,
    quietMs: 2000,
  });
  const held = new HeldAttempts((dueMs) => warmUps.held(dueMs));
  return { held, warmedAt };
}

const START_MS = 1_000_000;

describe('BurstWarmUp', () => {
  beforeEach(() => jest.useFakeTimers({ now: START_MS }));
  afterEach(() => jest.useRealTimers());

  it('warms every intervalMs while a burst is held, and stops once its instant has passed', async () => {
    const { held, warmedAt } = wired();
    const dueMs = START_MS + 40_000;
    // Still registered after their instant (an attempt whose call is late to start): they no longer count.
    [0, 1, 2].forEach((i) => held.hold(`a${i}`, dueMs + i * 100));

    await jest.advanceTimersByTimeAsync(39_999);
    expect(warmedAt).toEqual([START_MS + 15_000, START_MS + 30_000]);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(warmedAt).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not warm for fewer than minAttempts due in the same second, counted at each tick', async () => {
    const { held, warmedAt } = wired();
    const dueMs = START_MS + 60_000;
    // Four attempts, at most two in one second.
    held.hold('a', dueMs);
    held.hold('b', dueMs + 1500);
    held.hold('c', dueMs + 3000);
    held.hold('d', dueMs + 3100);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(warmedAt).toEqual([]);
    // A third for the last second: a burst from the next tick on.
    held.hold('e', dueMs + 3200);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(warmedAt).toEqual([START_MS + 30_000]);
    // Cancelled meanwhile: no more.
    held.cancel('e');
    await jest.advanceTimersByTimeAsync(15_000);
    expect(warmedAt).toHaveLength(1);
  });

  it('stops ticking when nothing is held any more, and starts again for the next burst', async () => {
    const { held, warmedAt } = wired();
    const hold = held.hold('a', START_MS + 100_000);
    expect(jest.getTimerCount()).toBe(1);
    hold.release();
    await jest.advanceTimersByTimeAsync(15_000);
    expect(jest.getTimerCount()).toBe(0);

    const dueMs = Date.now() + 40_000;
    [0, 1, 2].forEach((i) => held.hold(`b${i}`, dueMs));
    await jest.advanceTimersByTimeAsync(15_000);
    expect(warmedAt).toEqual([START_MS + 30_000]);
  });

  it('starts no warm-up in the last quietMs before the instant', async () => {
    const { held, warmedAt } = wired();
    // The second tick comes 1 s before the instant.
    const dueMs = START_MS + 31_000;
    [0, 1, 2].forEach((i) => held.hold(`a${i}`, dueMs));
    await jest.advanceTimersByTimeAsync(45_000);
    expect(warmedAt).toEqual([START_MS + 15_000]);
  });

  it('starts no warm-up while any attempt held, not only those of the burst, is due within quietMs', async () => {
    const { held, warmedAt } = wired();
    [0, 1, 2].forEach((i) => held.hold(`a${i}`, START_MS + 60_000));
    // One attempt on its own, due 1 s after the first tick.
    held.hold('single', START_MS + 16_000);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(warmedAt).toEqual([START_MS + 30_000]);
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('no local port'))],
    [
      'throws',
      () => {
        throw new Error('no local port');
      },
    ],
  ])('ignores a warm-up that %s', async (_how, failing: () => Promise<void>) => {
    const held = new HeldAttempts();
    const warm = jest.fn(failing);
    const warmUps = new BurstWarmUp({
      warm,
      dueTogether: (dueMs) => held.dueNear(dueMs + 450, 450),
      minAttempts: 1,
      intervalMs: 15_000,
      quietMs: 2000,
    });
    const dueMs = START_MS + 20_000;
    held.hold('a', dueMs);
    warmUps.held(dueMs);
    await jest.advanceTimersByTimeAsync(15_000);
    expect(warm).toHaveBeenCalledTimes(1);
  });
});
