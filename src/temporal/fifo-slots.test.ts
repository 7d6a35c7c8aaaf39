import { FifoSlots } from './fifo-slots';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FifoSlots', () => {
  it('refuses a wait whose signal has already aborted, without taking a slot', async () => {
    const slots = new FifoSlots(1);
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    await expect(slots.run(async () => 'ran', { signal: stop.signal })).rejects.toThrow('stopped');
    expect(await slots.run(async () => 'next')).toBe('next');
  });

  it('a wait past its deadline leaves the line, and the ones behind it keep their turn', async () => {
    const slots = new FifoSlots(1);
    let release = () => undefined as void;
    const holder = slots.run(() => new Promise<void>((r) => (release = r)));
    const late = slots.run(async () => 'never', {
      deadline: { at: Date.now() + 10, error: () => new Error('too late') },
    });
    const patient = slots.run(async () => 'patient', {
      deadline: { at: Date.now() + 5000, error: () => new Error('never') },
    });
    await expect(late).rejects.toThrow('too late');
    release();
    await holder;
    expect(await patient).toBe('patient');
  });

  it('a wait that got its slot stops its deadline timer and its abort listener', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const slots = new FifoSlots(1);
      let release = () => undefined as void;
      const holder = slots.run(() => new Promise<void>((r) => (release = r)));
      const stop = new AbortController();
      const listening = jest.spyOn(stop.signal, 'removeEventListener');
      const second = slots.run(async () => 'done', {
        signal: stop.signal,
        deadline: { at: Date.now() + 60_000, error: () => new Error('never') },
      });
      await tick();
      expect(jest.getTimerCount()).toBe(1);
      release();
      await holder;
      expect(await second).toBe('done');
      expect(jest.getTimerCount()).toBe(0);
      expect(listening).toHaveBeenCalledWith('abort', expect.any(Function));
    } finally {
      jest.useRealTimers();
    }
  });
});
