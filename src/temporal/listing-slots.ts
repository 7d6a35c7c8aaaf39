import { SchedulerUnavailableError } from '../shared/errors';
import { FifoSlots } from './fifo-slots';

/**
 * Listings running at once in this process. A listing makes a series of visibility queries, and the dev server
 * answers them on the same single SQLite connection that records creates and cancels; with no bound, 20 dashboards
 * polling would queue every create behind their queries. The rest wait their turn, up to their deadline.
 * Two, not four: under 20 listing clients, creates beside them took p50 13 against 18 ms (alone 8), with as many
 * pages answered as fast (bench/PERFORMANCE.md, "Listing cost"); one cost a quarter of the pages.
 */
export const MAX_CONCURRENT_LISTINGS = 2;

export const LISTINGS_BUSY_MESSAGE = 'too many listings are running; try again shortly';

export class ListingSlots {
  private readonly slots: FifoSlots;

  constructor(size: number = MAX_CONCURRENT_LISTINGS) {
    this.slots = new FifoSlots(size);
  }

  /** Runs `fn` in a slot; SchedulerUnavailableError when none frees up before `deadline` (ms since epoch). */
  run<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
    return this.slots.run(fn, {
      deadline: { at: deadline, error: () => new SchedulerUnavailableError({ message: LISTINGS_BUSY_MESSAGE }) },
    });
  }
}
