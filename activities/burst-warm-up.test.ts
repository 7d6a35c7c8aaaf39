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
    dueTogether: (dueMs) => held.dueNear(dueMs, 500),
    minAttempts,
    leadMs: 2000,
    minGapMs: 10_000,
  });
  const held = new HeldAttempts((dueMs) => warmUps.held(dueMs));
  return { held, warmedAt };
}

describe('BurstWarmUp', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('warms once, leadMs before a burst held on the worker, however many attempts it has', async () => {
    const { held, warmedAt } = wired();
    const dueMs = Date.now() + 30_000;
    for (let i = 0; i < 5; i++) held.hold(`a${i}`, dueMs + i * 100);

    await jest.advanceTimersByTimeAsync(27_999);
    expect(warmedAt).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(warmedAt).toEqual([dueMs - 2000]);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(warmedAt).toHaveLength(1);
  });

  it('does not warm for fewer attempts than minAttempts, counted when the check comes', async () => {
    const { held, warmedAt } = wired();
    const dueMs = Date.now() + 30_000;
    const holds = [0, 1, 2].map((i) => held.hold(`a${i}`, dueMs));
    // One of the three has been cancelled (or has ended) by then.
    held.cancel('a0');
    await jest.advanceTimersByTimeAsync(30_000);
    expect(warmedAt).toEqual([]);
    holds.forEach((hold) => hold.release());
  });

  it('warms at most once per minGapMs, for bursts close together', async () => {
    const { held, warmedAt } = wired();
    const first = Date.now() + 30_000;
    for (const [i, dueMs] of [first, first + 5000, first + 15_000].entries()) {
      for (let j = 0; j < 3; j++) held.hold(`b${i}-${j}`, dueMs);
    }
    await jest.advanceTimersByTimeAsync(50_000);
    expect(warmedAt).toEqual([first - 2000, first + 13_000]);
  });

  it('makes no warm-up for attempts held too close to their instant for one to help', async () => {
    const { held, warmedAt } = wired();
    const dueMs = Date.now() + 1500;
    for (let i = 0; i < 5; i++) held.hold(`a${i}`, dueMs);
    await jest.advanceTimersByTimeAsync(5000);
    expect(warmedAt).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
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
      dueTogether: (dueMs) => held.dueNear(dueMs, 1000),
      minAttempts: 1,
      leadMs: 2000,
      minGapMs: 10_000,
    });
    const dueMs = Date.now() + 5000;
    held.hold('a', dueMs);
    warmUps.held(dueMs);
    await jest.advanceTimersByTimeAsync(3000);
    expect(warm).toHaveBeenCalledTimes(1);
  });
});
