import type { PgInfo } from '../infra';
import type { StorageReading } from './types';

/** Bytes of one database in the private instance (tables, indexes, TOAST; catalogs included, so use deltas). */
export async function pgStorage(pg: PgInfo, db: string): Promise<StorageReading> {
  const bytes = await pg.admin(async (c) =>
    Number((await c.query('select pg_database_size($1) as b', [db])).rows[0].b),
  );
  return { bytes, what: 'pg_database_size' };
}

/** Committed + rolled-back transactions of one database (pg_stat_database), for activity at idle. */
export async function pgCounters(pg: PgInfo, db: string): Promise<{ ops: number; what: string }> {
  const ops = await pg.admin(async (c) => {
    await c.query('select pg_stat_clear_snapshot()');
    const r = await c.query('select xact_commit + xact_rollback as n from pg_stat_database where datname = $1', [db]);
    return Number(r.rows[0]?.n ?? NaN);
  });
  return { ops, what: 'pg transactions' };
}
