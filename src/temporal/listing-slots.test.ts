import { SchedulerUnavailableError } from '../shared/errors';
import { LISTINGS_BUSY_MESSAGE, ListingSlots } from './listing-slots';

describe('ListingSlots', () => {
  it('runs at most its size at once; the rest wait their turn', async () => {
    const slots = new ListingSlots(2);
    let running = 0;
    let most = 0;
    const job = () =>
      slots.run(Date.now() + 5000, async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 10));
        running -= 1;
        return 'done';
      });
    expect(await Promise.all(Array.from({ length: 7 }, job))).toEqual(Array(7).fill('done'));
    expect(most).toBe(2);
  });

  it('answers unavailable when no slot frees up before the deadline, and frees its place in line', async () => {
    const slots = new ListingSlots(1);
    let release = () => undefined as void;
    const holder = slots.run(Date.now() + 5000, () => new Promise<void>((r) => (release = r)));
    const late = slots.run(Date.now() + 20, async () => 'never');
    await expect(late).rejects.toBeInstanceOf(SchedulerUnavailableError);
    await expect(late).rejects.toThrow(LISTINGS_BUSY_MESSAGE);
    release();
    await holder;
    expect(await slots.run(Date.now() + 100, async () => 'next')).toBe('next');
  });
});
