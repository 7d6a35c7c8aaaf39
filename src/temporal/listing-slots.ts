import { SchedulerUnavailableError } from '../shared/errors';

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
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number = MAX_CONCURRENT_LISTINGS) {}

  /** Runs `fn` in a slot; SchedulerUnavailableError when none frees up before `deadline` (ms since epoch). */
  async run<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
    await this.acquire(deadline);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(deadline: number): Promise<void> {
    if (this.running < this.size) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        this.running += 1;
        resolve();
      };
      const timer = setTimeout(
        () => {
          const index = this.waiting.indexOf(grant);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(new SchedulerUnavailableError({ message: LISTINGS_BUSY_MESSAGE }));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.();
  }
}
