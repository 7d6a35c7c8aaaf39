import { UnexpectedStatusError, WaitTimeoutError } from './errors';
import type { ScheduledEvent } from './types';
import { waitForStatus } from './wait-for';

const event = (status: ScheduledEvent['status']): ScheduledEvent => ({
  id: 'evt-1',
  webhook: 'https://x.test',
  scheduledTime: new Date(0),
  retryConf: { numRetries: 0, retryIntervalSeconds: 10, timeoutSeconds: 60, toleranceSeconds: 21600 },
  payload: null,
  headers: [],
  status,
  tries: 0,
  createdAt: new Date(0),
  nextRetryAt: null,
  comment: null,
  failureWebhook: null,
});

/** Deps whose clock advances only when the loop sleeps. */
function deps(statuses: ScheduledEvent['status'][]) {
  let clock = 0;
  let reads = 0;
  return {
    read: jest.fn(async (_signal: AbortSignal) =>
      event(statuses[Math.min(reads++, statuses.length - 1)] ?? 'scheduled'),
    ),
    sleep: jest.fn(async (ms: number) => {
      clock += ms;
    }),
    now: () => clock,
  };
}

describe('waitForStatus', () => {
  it('accepts one status or several', async () => {
    await expect(waitForStatus('evt-1', 'locked', {}, deps(['scheduled', 'locked']))).resolves.toMatchObject({
      status: 'locked',
    });
    await expect(waitForStatus('evt-1', ['error', 'dead'], {}, deps(['dead']))).resolves.toMatchObject({
      status: 'dead',
    });
  });

  it('uses the defaults: 1 s between polls, 60 s in all', async () => {
    const d = deps(['scheduled']);
    await expect(waitForStatus('evt-1', 'delivered', {}, d)).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(d.sleep).toHaveBeenCalledTimes(60);
    expect(d.sleep.mock.calls.every(([ms]) => ms === 1_000)).toBe(true);
    expect(d.read).toHaveBeenCalledTimes(61);
  });

  it('fails fast on a final status that is not awaited', async () => {
    const d = deps(['cancelled']);
    await expect(waitForStatus('evt-1', 'delivered', {}, d)).rejects.toBeInstanceOf(UnexpectedStatusError);
    expect(d.sleep).not.toHaveBeenCalled();
  });

  it('with a zero timeout reads once', async () => {
    const d = deps(['scheduled']);
    await expect(waitForStatus('evt-1', 'delivered', { timeoutMs: 0 }, d)).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(d.read).toHaveBeenCalledTimes(1);
  });

  it('refuses an empty status list and bad numbers', async () => {
    await expect(waitForStatus('evt-1', [], {}, deps([]))).rejects.toThrow(RangeError);
    await expect(waitForStatus('evt-1', 'dead', { timeoutMs: -1 }, deps([]))).rejects.toThrow(RangeError);
    await expect(waitForStatus('evt-1', 'dead', { pollIntervalMs: NaN }, deps([]))).rejects.toThrow(RangeError);
  });

  it('turns a read cut off by the real deadline timer into WaitTimeoutError', async () => {
    const read = (signal: AbortSignal) =>
      new Promise<ScheduledEvent>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason as Error));
      });
    const error = await waitForStatus(
      'evt-1',
      'delivered',
      { timeoutMs: 20 },
      { read, sleep: jest.fn(), now: Date.now },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({ lastEvent: null });
  });

  it('rejects with the caller abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const d = deps(['scheduled']);
    d.sleep.mockImplementation(async () => {
      controller.abort(reason);
      throw reason;
    });
    await expect(waitForStatus('evt-1', 'delivered', { signal: controller.signal }, d)).rejects.toBe(reason);
  });
});
