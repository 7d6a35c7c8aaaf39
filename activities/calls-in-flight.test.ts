import { CallsInFlight } from './calls-in-flight';

/** Whether `promise` has settled after the current microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('CallsInFlight', () => {
  it('does not hold a result back while fewer calls than busyCalls are in flight', async () => {
    const calls = new CallsInFlight({ busyCalls: 2, maxWaitMs: 60_000 });
    calls.start();
    expect(calls.size).toBe(1);
    expect(await settled(calls.untilNotBusy())).toBe(true);
  });

  it('holds a result back while busy, until the calls in flight drop below busyCalls', async () => {
    const calls = new CallsInFlight({ busyCalls: 2, maxWaitMs: 60_000 });
    const ends = [calls.start(), calls.start(), calls.start()];
    const waiting = calls.untilNotBusy();

    ends[0]!();
    expect(await settled(waiting)).toBe(false); // 2 in flight: still busy
    ends[1]!();
    expect(await settled(waiting)).toBe(true);
    expect(calls.size).toBe(1);
  });

  it('holds a result back at most maxWaitMs', async () => {
    const calls = new CallsInFlight({ busyCalls: 1, maxWaitMs: 50 });
    calls.start();
    const startedAt = Date.now();
    await calls.untilNotBusy();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    expect(calls.size).toBe(1);
  });

  it("holds a result back no longer than the caller's own deadline, and not at all once it has passed", async () => {
    const calls = new CallsInFlight({ busyCalls: 1, maxWaitMs: 60_000 });
    calls.start();
    const startedAt = Date.now();
    await calls.untilNotBusy(50);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(await settled(calls.untilNotBusy(0))).toBe(true);
    expect(await settled(calls.untilNotBusy(-10))).toBe(true);
  });

  it('counts each call once, however often its end is reported', async () => {
    const calls = new CallsInFlight({ busyCalls: 1, maxWaitMs: 60_000 });
    const end = calls.start();
    calls.start();
    end();
    end();
    expect(calls.size).toBe(1);
    expect(await settled(calls.untilNotBusy())).toBe(false);
  });
});
