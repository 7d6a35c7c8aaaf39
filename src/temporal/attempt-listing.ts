/**
 * Every event's attempts, newest first, without reading every history: attempts live in histories, which cannot be
 * queried, but an attempt never starts after its workflow closes. So events are read in visibility's own order
 * (running first, then by close time, newest first, which SQL visibility serves from an index with no sort when the
 * execution status is fixed), and an attempt is placed once no event still unread can have a newer one.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { AttemptRecord } from '../shared/event';
import { compareAttemptOrder, MAX_NUM_RETRIES } from '../shared/event';
import type { InvocationPage } from '../shared/scheduler';
import { EVENT_TRIES } from '../../workflows/storage-schema';
import { eventFromExecution } from './event-from-execution';

/** Execution statuses of closed runs; each is read as its own stream, in close-time order. */
const CLOSED_STATUSES = ['Completed', 'Terminated', 'Canceled', 'Failed', 'TimedOut', 'ContinuedAsNew'] as const;
/** Rows per visibility page while walking events. */
const PAGE_SIZE = 200;
/** Histories fetched at once. */
const HISTORY_CONCURRENCY = 8;

interface Entry {
  eventId: string;
  /** No attempt of this event started later (ms since epoch); +∞ while it runs. */
  latest: number;
}

export class AttemptListing {
  constructor(
    private readonly client: Client,
    private readonly attemptsOf: (eventId: string) => Promise<AttemptRecord[]>,
    private readonly count: (query: string) => Promise<number>,
  ) {}

  async page(query: { offset?: number; limit?: number; withTotal?: boolean }): Promise<InvocationPage> {
    const offset = query.offset ?? 0;
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    const out: AttemptRecord[] = [];
    let skipped = 0;
    if (limit > 0) {
      for await (const attempt of this.newestFirst()) {
        if (skipped < offset) skipped += 1;
        else out.push(attempt);
        if (out.length >= limit) break;
      }
    }
    return query.withTotal ? { invocations: out, total: await this.total() } : { invocations: out };
  }

  /** Every attempt, newest first. */
  private async *newestFirst(): AsyncGenerator<AttemptRecord> {
    const entries = this.eventsByLatestAttempt();
    const held: AttemptRecord[] = [];
    let head = await entries.next();
    for (;;) {
      const batch: Entry[] = [];
      while (!head.done && batch.length < HISTORY_CONCURRENCY) {
        batch.push(head.value);
        head = await entries.next();
      }
      for (const records of await Promise.all(batch.map((e) => this.attemptsOf(e.eventId)))) held.push(...records);
      held.sort(compareAttemptOrder);
      // No event still unread has an attempt that started after its `latest`: newer attempts are in order now.
      const bound = head.done ? Number.NEGATIVE_INFINITY : head.value.latest;
      while (held.length > 0 && Date.parse((held[0] as AttemptRecord).createdAt) > bound) {
        yield held.shift() as AttemptRecord;
      }
      if (head.done) return;
    }
  }

  /** Events that have attempts, by when their last attempt can have started, latest first. */
  private eventsByLatestAttempt(): AsyncGenerator<Entry> {
    const client = this.client;
    const stream = async function* (status: string): AsyncGenerator<Entry> {
      const query = `ExecutionStatus = '${status}' AND ${EVENT_TRIES.name} > 0`;
      for await (const info of client.workflow.list({ query, pageSize: PAGE_SIZE })) {
        const entry = entryOf(info);
        if (entry !== undefined) yield entry;
      }
    };
    return mergeByLatest([stream('Running'), ...CLOSED_STATUSES.map(stream)]);
  }

  /**
   * Attempts of all events: the sum of ScheduledEventTries, one count per value from 1 until every event with
   * attempts is counted (most events stop at 1 or 2 tries), never past the most an event can make.
   */
  private async total(): Promise<number> {
    const withAttempts = await this.count(`${EVENT_TRIES.name} > 0`);
    let total = 0;
    let counted = 0;
    for (let tries = 1; counted < withAttempts && tries <= MAX_NUM_RETRIES + 1; tries++) {
      const n = await this.count(`${EVENT_TRIES.name} = ${tries}`);
      total += tries * n;
      counted += n;
    }
    return total;
  }
}

function entryOf(info: WorkflowExecutionInfo): Entry | undefined {
  const event = eventFromExecution(info);
  if (event === undefined || event.tries === 0) return undefined;
  const latest = info.closeTime === undefined ? Number.POSITIVE_INFINITY : info.closeTime.getTime();
  return { eventId: event.id, latest };
}

/** Merges streams, each ordered by `latest` descending, into one. */
async function* mergeByLatest(streams: AsyncGenerator<Entry>[]): AsyncGenerator<Entry> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i] as IteratorResult<Entry>;
      if (!head.done && (best < 0 || head.value.latest > (heads[best]?.value as Entry).latest)) best = i;
    }
    if (best < 0) return;
    yield (heads[best] as IteratorYieldResult<Entry>).value;
    heads[best] = await (streams[best] as AsyncGenerator<Entry>).next();
  }
}
