import { Pool } from 'pg';
import type { PgInfo } from '../infra';
import { freshDatabase } from '../infra';
import type { Role } from '../procstat';
import { WorkerProcess } from './child';
import { DEFAULT_RETRY_CONF, HASURA_DDL, HASURA_INSERT } from './hasura-sql';
import { pgCounters, pgStorage } from './pg-common';
import type { AdapterEnv, BenchEvent, StorageReading, SystemAdapter } from './types';

/**
 * An EMULATION of Hasura's one-off scheduled events on PostgreSQL: Hasura's table, its create INSERT and its 10 s
 * lock-and-fetch loop. Creation goes straight to SQL (no HTTP, no GraphQL engine), so its creation numbers are an upper
 * bound for real Hasura; its lateness follows the same 10 s loop as Hasura's.
 */
export class HasuraEmulationAdapter implements SystemAdapter {
  readonly name = 'hasura';
  readonly label = 'Hasura (emulated 10 s poll)';
  readonly needs = ['postgres'] as const;
  readonly batchKind = 'bulk (emulated: sequential INSERTs in one transaction)';
  private worker = new WorkerProcess('hasura', 'hasura emulation');
  private pool: Pool | null = null;
  private pg: PgInfo | null = null;
  private db = '';
  private webhook = '';

  config(): Record<string, unknown> {
    return {
      pollIntervalMs: 10_000,
      fetch: 'all due rows, FOR UPDATE SKIP LOCKED',
      delivery: 'all fetched concurrently',
    };
  }

  async start(env: AdapterEnv): Promise<void> {
    this.pg = env.pg!;
    this.db = `hasura_${env.runTag}`;
    this.webhook = env.webhookUrl;
    await freshDatabase(this.pg, this.db);
    await this.pg.admin((c) => c.query(HASURA_DDL), this.db);
    this.pool = new Pool({ connectionString: this.pg.url(this.db), max: 60 });
    await this.worker.start({ DATABASE_URL: this.pg.url(this.db), POLL_MS: '10000' });
  }

  private params(ev: BenchEvent): unknown[] {
    return [
      JSON.stringify(this.webhook),
      new Date(ev.dueAt).toISOString(),
      JSON.stringify(ev.payload),
      JSON.stringify(DEFAULT_RETRY_CONF),
      JSON.stringify([]),
      null,
    ];
  }

  async schedule(ev: BenchEvent): Promise<void> {
    await this.pool!.query(HASURA_INSERT, this.params(ev));
  }

  async scheduleMany(evs: BenchEvent[]): Promise<void> {
    const client = await this.pool!.connect();
    try {
      await client.query('BEGIN');
      for (const ev of evs) await client.query(HASURA_INSERT, this.params(ev));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  roles(): Role[] {
    return [
      { role: 'worker', pid: this.worker.pid },
      { role: 'postgres', pid: this.pg?.pid ?? 0 },
    ];
  }

  storage(): Promise<StorageReading> {
    return pgStorage(this.pg!, this.db);
  }

  counters(): Promise<{ ops: number; what: string }> {
    return pgCounters(this.pg!, this.db);
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    await this.pool?.end();
    this.pool = null;
  }
}
