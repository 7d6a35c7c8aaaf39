import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { compareEventOrder, DEFAULT_RETRY_CONF } from '../shared/event';
import type { ListEventsQuery } from '../shared/scheduler';
import { EVENT_STATUS, MEMO_CREATED_AT, MEMO_DEFINITION } from '../../workflows/storage-schema';
import { seededRandom as random } from '../../test/helpers/seeded-random';
import { EventListing } from './event-listing';
import { MomentCache } from './moment-cache';
import { VisibilityCounts } from './visibility-counts';

/** A pending event as visibility holds it: id and due time (ms). */
interface Row {
  id: string;
  t: number;
}

/**
 * Whether a row passes the time and id conditions of a visibility query. Ids compare byte-wise, as SQLite's BINARY
 * collation does; the status part is ignored (every row here is pending).
 */
function matches(query: string, row: Row): boolean {
  const condition = /(ScheduledEventTime|WorkflowId) (>=|<|>) '([^']*)'/g;
  for (let m = condition.exec(query); m !== null; m = condition.exec(query)) {
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const c =
      field === 'WorkflowId' ? Buffer.compare(Buffer.from(row.id), Buffer.from(value)) : row.t - Date.parse(value);
    if ((op === '>=' && c < 0) || (op === '>' && c <= 0) || (op === '<' && c >= 0)) return false;
  }
  return true;
}

/** A client whose visibility holds `rows`, in an order unrelated to time or id, counting rows it returns. */
function fakeClient(rows: Row[]) {
  const stats = { counts: 0, rowsRead: 0, countQueries: [] as string[] };
  const info = (row: Row) =>
    ({
      workflowId: row.id,
      memo: {
        [MEMO_DEFINITION]: {
          webhook: 'http://127.0.0.1:9/hook',
          scheduledTime: new Date(row.t).toISOString(),
          payload: null,
          headers: [],
          retryConf: DEFAULT_RETRY_CONF,
          comment: null,
        },
        [MEMO_CREATED_AT]: '2026-01-01T00:00:00.000Z',
      },
      typedSearchAttributes: new TypedSearchAttributes([{ key: EVENT_STATUS, value: 'scheduled' }]),
      status: { name: 'RUNNING' },
    }) as unknown as WorkflowExecutionInfo;
  const client = {
    workflow: {
      async count(query: string) {
        stats.counts += 1;
        stats.countQueries.push(query);
        return { count: rows.filter((r) => matches(query, r)).length };
      },
      list({ query }: { query: string }) {
        const found = rows.filter((r) => matches(query, r));
        return (async function* () {
          for (const row of found) {
            stats.rowsRead += 1;
            yield info(row);
          }
        })();
      },
    },
  } as unknown as Client;
  const listing = new EventListing(
    client,
    new VisibilityCounts(async (q) => (await client.workflow.count(q)).count),
    new MomentCache(),
  );
  return { listing, stats };
}

const T0 = Date.parse('2027-01-01T00:00:00Z');
const order = (a: Row, b: Row) =>
  compareEventOrder(
    { scheduledTime: new Date(a.t).toISOString(), id: a.id },
    { scheduledTime: new Date(b.t).toISOString(), id: b.id },
  );

describe('EventListing (against a fake visibility)', () => {
  const r = random(5);
  // A burst of 3,000 UUIDs at one instant, 500 events around it, and ids of other forms at the burst's instant.
  const rows: Row[] = [
    ...Array.from({ length: 3000 }, () => ({ id: randomUUID(), t: T0 })),
    ...Array.from({ length: 500 }, () => ({ id: randomUUID(), t: T0 - 500_000 + Math.floor(r() * 1_000_000) })),
    ...['ABC-upper', 'zz', '00', '7f~', '80', 'évènement'].map((id) => ({ id, t: T0 })),
  ];
  const sorted = [...rows].sort(order);
  const page = (listing: EventListing, query: ListEventsQuery) =>
    listing.page({ statuses: ['scheduled'], ...query }).then((p) => ({ ...p, ids: p.events.map((e) => e.id) }));

  it('walks every event once, in order, by cursor, reading about a page per page inside the burst', async () => {
    const { listing, stats } = fakeClient(rows);
    const seen: string[] = [];
    let after: ListEventsQuery['after'];
    let pages = 0;
    for (;;) {
      const { events } = await listing.page({ statuses: ['scheduled'], limit: 100, after });
      seen.push(...events.map((e) => e.id));
      pages += 1;
      const last = events.at(-1);
      if (events.length < 100 || last === undefined) break;
      after = { scheduledTime: last.scheduledTime, id: last.id };
    }
    expect(seen).toEqual(sorted.map((e) => e.id));
    expect(stats.rowsRead / pages).toBeLessThan(400);
  });

  it('cuts Hasura offset pages as slices of the sorted events, with the total', async () => {
    const { listing } = fakeClient(rows);
    for (const offset of [0, 250, 499, 1234, 3300, 3499, 3506, 4000]) {
      const { ids, total } = await page(listing, { limit: 100, offset, withTotal: true });
      expect({ offset, ids }).toEqual({ offset, ids: sorted.slice(offset, offset + 100).map((e) => e.id) });
      expect(total).toBe(rows.length);
    }
  });

  it('counts in the index where it can: open runs far ahead, and only open runs for a pending status near now', async () => {
    const now = Date.now();
    const near = [{ id: randomUUID(), t: now + 60_000 }];
    const { listing, stats } = fakeClient([...near, ...rows]);
    await listing.page({ statuses: ['scheduled'], limit: 10, withTotal: true });
    const dueFrom = (q: string) => Date.parse(/ScheduledEventTime >= '([^']*)'/.exec(q)?.[1] ?? '');
    // Past now + the prepare lead + 10 min, an open run is `scheduled`: only closed runs are asked their status.
    const far = stats.countQueries.filter((q) => dueFrom(q) > now + 30 * 60_000);
    const nearNow = stats.countQueries.filter((q) => dueFrom(q) <= now);
    expect(far.length).toBeGreaterThan(0);
    expect(nearNow.length).toBeGreaterThan(0);
    for (const q of far)
      expect(q).toContain("(CloseTime >= '9999-12-31T23:59:59Z' OR (CloseTime < '9999-12-31T23:59:59Z'");
    for (const q of nearNow) expect(q.startsWith("CloseTime >= '9999-12-31T23:59:59Z' AND ")).toBe(true);
    // Every query names the division in a clause the index decides, so the server does not add its own.
    for (const q of stats.countQueries) expect(q).toContain("TemporalNamespaceDivision = 'none'");
  });

  it('applies an offset after a cursor once, even when the cursor instant is skipped whole by its counts', async () => {
    const { listing } = fakeClient(rows);
    const firstOfBurst = sorted.findIndex((e) => e.t === T0);
    const cursor = sorted[firstOfBurst + 10] as Row;
    const after = { scheduledTime: new Date(cursor.t).toISOString(), id: cursor.id };
    const start = firstOfBurst + 11;
    for (const offset of [0, 5, 2990, 3000, 3100]) {
      const { ids, total } = await page(listing, { limit: 5, offset, after, withTotal: true });
      expect({ offset, ids }).toEqual({
        offset,
        ids: sorted.slice(start + offset, start + offset + 5).map((e) => e.id),
      });
      expect(total).toBe(rows.length - start);
    }
  });
});
