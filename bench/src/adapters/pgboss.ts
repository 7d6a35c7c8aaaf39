import PgBoss from 'pg-boss';
import type { PgInfo } from '../infra';
import { freshDatabase } from '../infra';
import type { Role } from '../procstat';
import { WorkerProcess } from './child';
import { pgCounters, pgStorage } from './pg-common';
import type { AdapterEnv, BenchEvent, StorageReading, SystemAdapter } from './types';
import { mapLimit, webhookBody } from './types';

/** pg-boss 10 `send(..., {startAfter})` / `insert()`; the worker polls every `pollSeconds` (2 s is its default). */
export class PgbossAdapter implements SystemAdapter {
  readonly needs = ['postgres'] as const;
  readonly batchKind = 'insert()';
  readonly label: string;
  private worker = new WorkerProcess('pgboss', 'pg-boss');
  private boss: PgBoss | null = null;
  private pg: PgInfo | null = null;
  private db = '';
  private queue = 'hook';
  private readonly batchSize = Number(process.env.PGBOSS_BATCH_SIZE ?? 1000);

  constructor(
    readonly name: string,
    private readonly pollSeconds: number,
  ) {
    this.label = `pg-boss 10.4 (poll ${pollSeconds} s)`;
  }

  config(): Record<string, unknown> {
    return { pollingIntervalSeconds: this.pollSeconds, batchSize: this.batchSize, workers: 1 };
  }

  async start(env: AdapterEnv): Promise<void> {
    this.pg = env.pg!;
    this.db = `pgboss_${env.runTag}`;
    await freshDatabase(this.pg, this.db);
    const url = this.pg.url(this.db);
    // The producer only sends: no maintenance or cron in the load generator's process.
    this.boss = new PgBoss({ connectionString: url, max: 60, supervise: false, schedule: false });
    this.boss.on('error', (err) => env.log(`pg-boss producer: ${err.message}`));
    await this.boss.start();
    await this.boss.createQueue(this.queue);
    await this.worker.start({
      WEBHOOK_URL: env.webhookUrl,
      DATABASE_URL: url,
      QUEUE: this.queue,
      POLL_SECONDS: String(this.pollSeconds),
      BATCH_SIZE: String(this.batchSize),
    });
  }

  async schedule(ev: BenchEvent): Promise<void> {
    await this.boss!.send(this.queue, webhookBody(ev), { startAfter: new Date(ev.dueAt) });
  }

  async scheduleMany(evs: BenchEvent[]): Promise<void> {
    // insert() takes one array in one statement; keep statements to a few hundred rows.
    const chunks: BenchEvent[][] = [];
    for (let i = 0; i < evs.length; i += 500) chunks.push(evs.slice(i, i + 500));
    await mapLimit(chunks, 1, async (chunk) => {
      await this.boss!.insert(
        chunk.map((ev) => ({ name: this.queue, data: webhookBody(ev), startAfter: new Date(ev.dueAt) })),
      );
    });
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
    await this.boss?.stop({ graceful: false, wait: true, timeout: 5000 });
    this.boss = null;
  }
}
